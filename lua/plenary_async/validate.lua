-- Argument checks, the one place their rules live: what a callable is,
-- what a whole number in a range is, and how a bad argument is reported
-- ("plenary_async.<where>: <what>, got <value>"). Every module checks its
-- arguments through these before doing any work.
local type, error, tostring, getmetatable, rawget = type, error, tostring, getmetatable, rawget
local floor = math.floor

local M = {}

--- Whether `f` can be called: a function, or a table or userdata whose
--- metatable has `__call`.
---@param f any
---@return boolean
function M.is_callable(f)
  if type(f) == "function" then
    return true
  end
  local mt = getmetatable(f)
  return type(mt) == "table" and type(rawget(mt, "__call")) == "function"
end

--- Whether `v` is a whole number from `lo` to `hi` (NaN, the infinities
--- and fractions are not).
---@param v any
---@param lo number
---@param hi number
---@return boolean
function M.is_whole(v, lo, hi)
  return type(v) == "number" and v >= lo and v <= hi and floor(v) == v
end

--- Whether `v` is a number from `lo` to `hi` (NaN is not; pass
--- `math.huge` as `hi` to take infinity).
---@param v any
---@param lo number
---@param hi number
---@return boolean
function M.is_number(v, lo, hi)
  return type(v) == "number" and v >= lo and v <= hi
end

--- The largest finite number.
M.MAX_FINITE = 1.7976931348623157e308

--- How a bad value is shown in a message (every "got …" of this module):
--- a number as it prints, nil as "nil", anything else by its type ("a
--- string", "a table"; never a string's bytes or an address, which can be
--- megabytes or differ between runs).
---@param v any
---@return string
function M.shown(v)
  if type(v) == "number" then
    return tostring(v)
  elseif v == nil then
    return "nil"
  end
  return "a " .. type(v)
end

--- Raises "plenary_async.<where>: <what>, got <value shown>" at `level`
--- (counted from the caller of `fail`; 0: no position).
---@param where string
---@param what string
---@param v any
---@param level? integer
function M.fail(where, what, v, level)
  error(("plenary_async.%s: %s, got %s"):format(where, what, M.shown(v)), level and level > 0 and level + 1 or 0)
end

--- `v` if it is a whole number from `lo` to `hi`; otherwise raises
--- "plenary_async.<where>: <what> must be a whole number from <lo> to
--- <hi>, got <v>" (no position: the message names the function).
---@param where string
---@param what string
---@param v any
---@param lo number
---@param hi number
---@return integer
function M.whole(where, what, v, lo, hi)
  if not M.is_whole(v, lo, hi) then
    M.fail(where, ("%s must be a whole number from %d to %.0f"):format(what, lo, hi), v)
  end
  return v
end

--- Raises "plenary_async.<where>: argument #<pos> must be <what>, got
--- <type>" at the caller of the function that checks (level 3).
---@param where string
---@param pos integer
---@param what string
---@param v any
function M.argument(where, pos, what, v)
  error(("plenary_async.%s: argument #%d must be %s, got %s"):format(where, pos, what, M.shown(v)), 3)
end

--- `f` if it is callable (or nil, when `optional`); otherwise raises as
--- `argument` does: "a function" (or "a function or nil").
---@param where string
---@param pos integer
---@param f any
---@param optional? boolean
function M.callable(where, pos, f, optional)
  if not (M.is_callable(f) or (optional and f == nil)) then
    error(
      ("plenary_async.%s: argument #%d must be %s, got %s"):format(
        where,
        pos,
        optional and "a function or nil" or "a function",
        M.shown(f)
      ),
      3
    )
  end
  return f
end

--- Raises the error for an async function called outside a task, at the
--- caller of the function that checks (level 3).
---@param name string
---@return never
function M.not_in_task(name)
  error(
    ("plenary_async: %s is an async function; call it inside a task (a.run(fn, callback) or a.void(fn))"):format(name),
    3
  )
end

return M
