-- `plenary.async.structs`: the Deque, a double-ended queue (the mpsc
-- channel's queue). Same methods and indices as plenary's: elements live
-- at integer keys from `first` to `last`; `pushleft` grows to the left
-- (negative indices), `pushright` to the right.
local M = {}

---@class plenary_async.Deque
local Deque = {}
Deque.__index = Deque

--- An empty deque.
function Deque.new()
  return setmetatable({ first = 0, last = -1 }, Deque)
end

--- Adds `value` at the left end.
function Deque:pushleft(value)
  local first = self.first - 1
  self.first = first
  self[first] = value
end

--- Adds `value` at the right end.
function Deque:pushright(value)
  local last = self.last + 1
  self.last = last
  self[last] = value
end

--- Removes and returns the leftmost value (nil when empty).
function Deque:popleft()
  local first = self.first
  if first > self.last then
    return nil
  end
  local value = self[first]
  self[first] = nil
  self.first = first + 1
  return value
end

--- Removes and returns the rightmost value (nil when empty).
function Deque:popright()
  local last = self.last
  if self.first > last then
    return nil
  end
  local value = self[last]
  self[last] = nil
  self.last = last - 1
  return value
end

--- The number of values.
function Deque:len()
  return self.last - self.first + 1
end

--- Whether there are no values.
function Deque:is_empty()
  return self.first > self.last
end

--- An iterator of `index, value` from the left end.
function Deque:ipairs_left()
  local i, last = self.first, self.last
  return function()
    if i > last then
      return nil
    end
    local idx = i
    i = i + 1
    return idx, self[idx]
  end
end

--- An iterator of `index, value` from the right end.
function Deque:ipairs_right()
  local i, first = self.last, self.first
  return function()
    if i < first then
      return nil
    end
    local idx = i
    i = i - 1
    return idx, self[idx]
  end
end

--- Removes every value.
function Deque:clear()
  for i = self.first, self.last do
    self[i] = nil
  end
  self.first, self.last = 0, -1
end

M.Deque = Deque
return M
