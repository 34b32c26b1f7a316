-- `a.util`: sleep, scheduler, block_on, will_block, join, run_all,
-- run_first, race, apcall, protected (plenary's util, with its defects
-- fixed: README's table).
local task = require("plenary_async.task")
local timer = require("plenary_async.timer")
local async = require("plenary_async.async")
local validate = require("plenary_async.validate")

local running, spawn = task.running, task.spawn
local leaf = async.leaf
local is_callable, argument_error, not_in_task = validate.is_callable, validate.argument, validate.not_in_task
local type, error, pcall = type, error, pcall
local unpack = table.unpack or unpack
local pack = task.pack

local util = {}

local check_ms, sleep, after = timer.check, timer.sleep, timer.after
--- Suspends the running task for `ms` milliseconds (plenary's callback
--- form, `sleep(ms, cb)`, calls `cb` after them). Written out rather than
--- made by `leaf`: it is the most frequent wait, and a shallow call path
--- keeps a task's coroutine stack at its initial size.
function util.sleep(ms, cb)
  check_ms(ms, "util.sleep")
  if cb ~= nil then
    if not is_callable(cb) then
      argument_error("util.sleep", 2, "a function or nil", cb)
    end
    return after(ms, cb)
  end
  local t = running()
  if t == nil then
    not_in_task("util.sleep")
  end
  return sleep(t, ms)
end
async.register_leaf(util.sleep, 2)

local schedule = vim.schedule
util.scheduler = leaf("util.scheduler", 1, function(t)
  return task.yield_to_loop(t)
end, function(cb)
  schedule(cb)
end)

--- The longest `block_on` waits, in ms (vim.wait's limit).
local MAX_WAIT = 2 ^ 31 - 1

--- Runs `fn` as a task and waits for it, Neovim processing events (and
--- other tasks running) meanwhile; also inside a task. Returns its results;
--- raises its error, or an error if it takes longer than `timeout` ms
--- (2000 by default; the task is then canceled). Plenary returns nothing
--- on timeout.
function util.block_on(fn, timeout)
  if not is_callable(fn) then
    argument_error("util.block_on", 1, "a function", fn)
  end
  timeout = timeout or 2000
  if not validate.is_number(timeout, 0, MAX_WAIT) then
    error(
      ("plenary_async.util.block_on: argument #2 (timeout) must be a number of milliseconds from 0 to %d, got %s"):format(
        MAX_WAIT,
        validate.shown(timeout)
      ),
      2
    )
  end
  if vim.in_fast_event() then
    error("plenary_async.util.block_on: cannot wait in a fast event (a libuv callback); use a.run there", 2)
  end
  local result, t = task.block(fn, timeout)
  if result == nil then
    task.cancel(t)
    error(("plenary_async.util.block_on: timed out after %d ms"):format(timeout), 2)
  end
  ---@cast result -nil
  if not result[1] then
    error(result[2], 2)
  end
  return unpack(result, 2, result.n)
end

--- `block_on` as a function: `will_block(fn, timeout)(...)` blocks on `fn(...)`.
function util.will_block(fn, timeout)
  if not is_callable(fn) then
    argument_error("util.will_block", 1, "a function", fn)
  end
  return function(...)
    local args = pack(...)
    return util.block_on(function()
      return fn(unpack(args, 1, args.n))
    end, timeout)
  end
end

--- Checks that `fns` is a list of functions (no position: the message
--- names the function, which may be reached through a task's frames).
local function check_list(fname, fns)
  if type(fns) ~= "table" then
    validate.fail(fname, "argument #1 must be a list of functions", fns)
  end
  for i = 1, #fns do
    if not is_callable(fns[i]) then
      validate.fail(fname, ("argument #1's element %d must be a function"):format(i), fns[i])
    end
  end
end

--- Runs the async functions concurrently and returns their results in
--- order, each a plain list `{ ... }` (as plenary). `join({})` returns at
--- once. If one fails, its error is raised here once all have ended.
util.join = leaf("util.join", 0, function(t, fns)
  check_list("util.join", fns)
  local n = #fns
  local results = {}
  if n == 0 then
    return results
  end
  local finished, failure = 0, nil
  local id = nil ---@type integer?
  local function on_done(_, ok, ...)
    finished = finished + 1
    if not ok and failure == nil then
      failure = ...
    end
    if finished == n and id then
      task.wake(t, id)
    end
  end
  for i = 1, n do
    spawn(fns[i], function(child, ok, ...)
      if ok then
        results[i] = { ... }
        return on_done(child, true)
      end
      return on_done(child, false, task.failure(child, (...)))
    end)
  end
  if finished < n then
    id = task.new_wait()
    task.suspend(t, id)
  end
  if failure ~= nil then
    error(failure, 0)
  end
  return results
end)

--- Runs the async functions concurrently and calls `callback(results)`
--- when all are done. Not async itself.
function util.run_all(fns, callback)
  check_list("util.run_all", fns)
  if callback ~= nil and not is_callable(callback) then
    argument_error("util.run_all", 2, "a function or nil", callback)
  end
  spawn(function()
    return util.join(fns)
  end, function(child, ok, results)
    if not ok then
      error(task.failure(child, results), 0)
    end
    if callback then
      return callback(results)
    end
  end)
end

--- Each function gets a callback; the first call of any of them wins and
--- its arguments are returned. The functions run as tasks (they may
--- await), and the others are canceled once one has won (plenary lets
--- them run on). With no functions, returns at once.
util.run_first = leaf("util.run_first", 2, function(t, fns)
  check_list("util.run_first", fns)
  if #fns == 0 then
    return
  end
  local children = {}
  local function cancel_all()
    for i = 1, #children do
      task.cancel(children[i])
    end
  end
  local result = pack(task.await_call(t, function(cb)
    for i = 1, #fns do
      local fn = fns[i]
      children[i] = spawn(function()
        return fn(cb)
      end)
    end
  end, 1, false))
  cancel_all()
  return unpack(result, 1, result.n)
end)

--- The first async function to return wins; its results are returned and
--- the others are canceled.
util.race = leaf("util.race", 0, function(_, fns)
  check_list("util.race", fns)
  local wrapped = {}
  for i = 1, #fns do
    local fn = fns[i]
    wrapped[i] = function(cb)
      cb(fn())
    end
  end
  return util.run_first(wrapped)
end)

--- Calls the async function `fn(...)` and returns `true, ...` or `false,
--- error` (LuaJIT lets a task yield inside pcall).
util.apcall = leaf("util.apcall", 0, function(_, fn, ...)
  return pcall(fn, ...)
end)

--- Calls the async function `fn` and returns `true, ...` or `false, error`.
util.protected = leaf("util.protected", 0, function(_, fn)
  return pcall(fn)
end)

return util
