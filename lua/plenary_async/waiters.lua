-- A first-in-first-out list of waiters: the one queue under the channels,
-- Condvar and Semaphore (control.lua), vim_async's Semaphore and the
-- readers, listeners and receivers of a.uv's handles (uv_handle.lua).
--
-- A waiter is a task and the id of its wait (task.lua), or a callback and
-- `false` (plenary's callback form). A task's waiter is stale once that
-- wait is over (the task was canceled, or woken by something else): `pop`
-- skips it, so a canceled waiter needs no removal. Pairs are kept in one
-- table, `w[i]` and `w[i + 1]`, from `w.head` to before `w.tail`.
local task = require("plenary_async.task")
local wake = task.wake

local M = {}

---@class plenary_async.Waiters
---@field head integer
---@field tail integer

--- An empty list.
---@return plenary_async.Waiters
function M.new()
  return { head = 1, tail = 1 }
end

--- Whether the waiter `(t, id)` still waits.
local function live(t, id)
  return id == false or (t.waiting == id and not t.done)
end
M.live = live

--- Adds a waiter at the end.
function M.push(w, t, id)
  local i = w.tail
  w[i], w[i + 1] = t, id
  w.tail = i + 2
end

--- Removes and returns the first waiter that still waits, or nil.
function M.pop(w)
  local i, tail = w.head, w.tail
  while i < tail do
    local t, id = w[i], w[i + 1]
    w[i], w[i + 1] = nil, nil
    i = i + 2
    if live(t, id) then
      if i >= tail then
        w.head, w.tail = 1, 1
      else
        w.head = i
      end
      return t, id
    end
  end
  w.head, w.tail = 1, 1
  return nil
end

--- Whether a waiter still waits (stale ones at the front are dropped).
function M.any(w)
  local i, tail = w.head, w.tail
  while i < tail do
    local t, id = w[i], w[i + 1]
    if live(t, id) then
      w.head = i
      return true
    end
    w[i], w[i + 1] = nil, nil
    i = i + 2
  end
  w.head, w.tail = 1, 1
  return false
end

--- Ends a waiter's wait with `...`: calls the callback, or wakes the task.
function M.resume(t, id, ...)
  if id == false then
    return t(...)
  end
  return wake(t, id, ...)
end

--- Takes every waiter of this moment out (a waiter added while they are
--- resumed joins a fresh list) and returns them as a list of pairs.
function M.take_all(w)
  local head, tail = w.head, w.tail
  local now = {}
  for i = head, tail - 1 do
    now[i - head + 1] = w[i]
    w[i] = nil
  end
  w.head, w.tail = 1, 1
  return now, tail - head
end

--- The waiters that still wait, first come first, each as a function that
--- ends its wait (plenary's `handles` field of a Condvar or Semaphore).
function M.snapshot(w)
  local list = {}
  for i = w.head, w.tail - 1, 2 do
    local t, id = w[i], w[i + 1]
    if id == false then
      list[#list + 1] = t
    elseif t ~= nil and live(t, id) then
      list[#list + 1] = function(...)
        return wake(t, id, ...)
      end
    end
  end
  return list
end

--- Adds the running task `t` and waits; returns what wakes it.
function M.wait(w, t)
  local id = task.new_wait()
  M.push(w, t, id)
  return task.suspend(t, id)
end

return M
