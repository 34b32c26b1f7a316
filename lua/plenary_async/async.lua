-- The ways into and out of tasks: `run`, `void`, `wrap`, `await`, and the
-- helpers every async function of this module is made with (`leaf`:
-- task code or plenary's callback form; `only_in_task`).
local task = require("plenary_async.task")
local validate = require("plenary_async.validate")

local running, spawn = task.running, task.spawn
local not_in_task, callable, is_whole = validate.not_in_task, validate.callable, validate.is_whole
local select, error, setmetatable = select, error, setmetatable
local unpack = table.unpack or unpack
local pack = task.pack

local M = {}

-- Async functions that take plenary's callback form ("leaf functions"),
-- with the callback's position.
local leaves = setmetatable({}, { __mode = "k" })

--- Registers `f` as a leaf function whose callback is argument `argc`.
function M.register_leaf(f, argc)
  leaves[f] = argc
end

--- An async operation named `name`: `body(t, ...)` runs in the running
--- task `t`. With exactly `argc` arguments (argc > 0) it is called in
--- plenary's callback form, the last argument the callback: `cb_body(...)`
--- if given, else the body runs in a task of its own that calls back.
---@param name string
---@param argc integer
---@param body fun(t: plenary_async.task.Record, ...: any): any...
---@param cb_body? function
---@param unlisted? boolean
function M.leaf(name, argc, body, cb_body, unlisted)
  local function in_task(...)
    local t = running()
    if t == nil then
      not_in_task(name)
    end
    return body(t, ...)
  end
  if argc == 0 then
    return in_task
  end
  local function f(...)
    if select("#", ...) == argc then
      if cb_body then
        return cb_body(...)
      end
      local args = pack(...)
      local cb = args[argc] --[[@as function]]
      spawn(function()
        cb(body(running() --[[@as plenary_async.task.Record]], unpack(args, 1, argc - 1)))
      end)
      return
    end
    return in_task(...)
  end
  if not unlisted then
    leaves[f] = argc
  end
  return f
end

--- `f`, callable from task code only, with a clear error elsewhere.
function M.only_in_task(name, f)
  return function(...)
    if running() == nil then
      not_in_task(name)
    end
    return f(...)
  end
end

-- Tasks ------------------------------------------------------------------------

--- A task as `run` returns it: `task:cancel()`, `task:is_finished()`.
local Task = {}
Task.__index = Task
function Task:cancel()
  task.cancel(self)
end
function Task:is_finished()
  return self.done
end

local done_with_status = task.done_with_status

--- Runs `fn` as a task, at once, up to its first wait; `callback(success,
--- ...)` gets its results, or `false` and the error with the task's
--- traceback. Without a callback, an error is reported to Neovim.
function M.run(fn, callback)
  callable("run", 1, fn)
  callable("run", 2, callback, true)
  return setmetatable(spawn(fn, callback and done_with_status, callback), Task)
end

--- Returns a function that runs `fn(...)` as a task and returns at once;
--- errors are reported to Neovim, with the task's traceback.
function M.void(fn)
  callable("void", 1, fn)
  return function(...)
    spawn(fn, nil, nil, ...)
  end
end

--- The largest callback position `wrap` takes.
local MAX_ARGC = 64

local function check_argc(where, argc)
  if not is_whole(argc, 1, MAX_ARGC) then
    error(
      ("plenary_async.%s: argument #%s (argc) must be the callback's position, a whole number from 1 to %d, got %s"):format(
        where,
        where == "wrap" and 2 or 1,
        MAX_ARGC,
        validate.shown(argc)
      ),
      3
    )
  end
end

--- Turns a callback-style function into an async function. The callback is
--- argument number `argc`. Called with all `argc` arguments (the callback
--- included), the result calls `fn` directly; called with fewer in a task,
--- it calls `fn` with a callback and waits for its first call, whose
--- arguments it returns (later calls are ignored). `fn` runs in the task:
--- it may itself call async functions.
function M.wrap(fn, argc)
  callable("wrap", 1, fn)
  check_argc("wrap", argc)
  local await_call = task.await_call
  local function wrapped(...)
    if select("#", ...) == argc then
      return fn(...)
    end
    local t = running()
    if t == nil then
      not_in_task("a wrapped function")
    end
    return await_call(t, fn, argc, false, ...)
  end
  leaves[wrapped] = argc
  return wrapped
end

--- Whether the running code is a task of this module (`run`, `void`, a
--- test): where async functions may be called.
function M.in_task()
  return running() ~= nil
end

--- Calls `fn` with the arguments `...` and a callback at position `argc`,
--- and waits for the callback's first call, whose arguments it returns;
--- for task code (`wrap` without making a function). If `fn` returns a
--- handle with a `close` method and the task is canceled while it waits,
--- the handle is closed (`vim.async`'s convention: a Rust plugin's future
--- is dropped, a process handle released).
function M.await(argc, fn, ...)
  check_argc("await", argc)
  callable("await", 2, fn)
  local t = running()
  if t == nil then
    not_in_task("await")
  end
  return task.await_call(t, fn, argc, true, ...)
end

--- Whether `f` is an async function that takes a callback (made by `wrap`).
function M.is_leaf_function(f)
  return leaves[f] ~= nil
end

--- The callback position of an async function made by `wrap`, or nil.
function M.get_leaf_function_argc(f)
  return leaves[f]
end

return M
