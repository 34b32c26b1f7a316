-- `as_plenary()`: this module under plenary.async's names, with plenary's
-- own contracts where they differ from this module's:
--
-- | what              | this module (`require("plenary_async")`) | plenary (`as_plenary()`)                    |
-- |-------------------|------------------------------------------|---------------------------------------------|
-- | `run(fn, cb)`     | `cb(true, ...)` / `cb(false, traceback)` | `cb(...)`; an error is raised where the task |
-- |                   | errors without `cb` reported to Neovim   | was resumed ("The coroutine failed with this |
-- |                   |                                          | message: ..." and the task's traceback)     |
-- | `run` returns     | a task (`cancel`, `is_finished`)         | nothing                                     |
-- | `util.protected`  | calls `fn`: `true, ...` / `false, err`   | returns a function that does                |
-- | `util.run_all`    | `cb(results)`                            | `cb()`                                      |
--
-- Everything else is shared: the scheduler's order (eager resumption), the
-- channels, Condvar and Semaphore, `wrap`, `util.join`'s plain lists, and
-- the fixes of plenary's defects (listed in the README).
local task = require("plenary_async.task")
local validate = require("plenary_async.validate")
-- (Loaded by `as_plenary()`, once the module itself is.)
local M = require("plenary_async")
local util, tests = M.util, M.tests
local spawn, failure = task.spawn, task.failure

local P = {}

--- plenary's completion: the callback gets the results only; an error is
--- raised in whatever resumed the task (as plenary raises it), with our
--- message and the task's traceback.
local function plenary_done(t, ok, ...)
  if ok then
    local cb = t.cb
    if cb ~= nil then
      return cb(...)
    end
    return
  end
  error("The coroutine failed with this message: " .. tostring(failure(t, (...))), 0)
end

local async = {
  wrap = M.wrap,
  void = M.void,
  is_leaf_function = M.is_leaf_function,
  get_leaf_function_argc = M.get_leaf_function_argc,
}

--- plenary's `run(fn, callback)`: `callback(...)` gets the task's results.
function async.run(fn, callback)
  validate.callable("run", 1, fn)
  validate.callable("run", 2, callback, true)
  spawn(fn, plenary_done, callback)
end

local putil = {}
for k, v in pairs(util) do
  putil[k] = v
end

--- plenary's `protected(fn)`: a function that calls `fn` and returns
--- `true, ...` or `false, error`.
function putil.protected(fn)
  return function()
    return util.apcall(fn)
  end
end

--- plenary's `run_all(fns, callback)`: `callback()` once all are done.
function putil.run_all(fns, callback)
  util.run_all(fns, function()
    if callback then
      return callback()
    end
  end)
end

local ptests = {} ---@type table<string, any>
for k, v in pairs(tests) do
  ptests[k] = v
end

for k, v in pairs(async) do
  P[k] = v
end
P.util = putil
P.control = M.control
P.uv = M.uv
P.lsp = M.lsp
P.api = M.api
P.tests = ptests
P.structs = M.structs

-- `a.it` and friends are there from the start (plenary sets them in
-- add_to_env/add_globals only; the seed's snippet uses `a.it` directly).
P.describe = ptests.describe
P.it = ptests.it
P.pending = ptests.pending
P.before_each = ptests.before_each
P.after_each = ptests.after_each

local function add(env)
  env.a = P
end

--- Sets the global `a` to plenary.async, with `a.describe`, `a.it`, ...
function ptests.add_globals()
  add(_G)
end

--- Puts `a` (plenary.async, with `a.describe`, `a.it`, ...) into the
--- calling chunk's environment.
function ptests.add_to_env()
  local env = getfenv(2)
  add(env)
  setfenv(2, env)
end

local loaded = {
  ["plenary.async"] = P,
  ["plenary.async.async"] = async,
  ["plenary.async.util"] = putil,
  ["plenary.async.control"] = P.control,
  ["plenary.async.structs"] = P.structs,
  ["plenary.async.tests"] = ptests,
  ["plenary.async.api"] = P.api,
  ["plenary.async.uv_async"] = P.uv,
  ["plenary.async.lsp"] = P.lsp,
}

local X = { table = P, modules = loaded }

--- Puts every module into `package.loaded`; returns plenary.async's table.
function X.install()
  for name, mod in pairs(loaded) do
    package.loaded[name] = mod
  end
  return P
end

return X
