-- `a.tests`: async test bodies under any runner. `describe`, `it`,
-- `pending`, `before_each` and `after_each` hand the runner's own functions
-- (busted run by Neovim, lazy.nvim's minit, mini.test's busted emulation,
-- plenary's harness) bodies that run as tasks and may await; `wrap` is the
-- runner-neutral form (mini.test cases, child Neovims). A body that takes
-- longer than its limit fails with the stack it was waiting on, and its
-- task is canceled. Errors keep their value: a runner's assertion failure
-- (luassert's table) reaches the runner as a failure, not as an error.
local task = require("plenary_async.task")
local validate = require("plenary_async.validate")

local is_callable = validate.is_callable
local getfenv, type, error = getfenv, type, error
local unpack = table.unpack or unpack

local tests = {}

--- The limit when none is given: $PLENARY_TEST_TIMEOUT ms, else 2000.
local DEFAULT_TIMEOUT = 2000
--- The longest limit (vim.wait's).
local MAX_TIMEOUT = 2 ^ 31 - 1

--- Bodies made here, so that the busted helper does not wrap them twice.
local made = setmetatable({}, { __mode = "k" })
tests._made = made

local function check_opts(fname, opts, argn)
  if opts == nil then
    return nil
  end
  if type(opts) ~= "table" then
    validate.fail("tests." .. fname, ("argument #%d must be a table of options or nil"):format(argn), opts, 3)
  end
  local timeout = opts.timeout
  if timeout ~= nil and not validate.is_number(timeout, 0, MAX_TIMEOUT) then
    error(
      ("plenary_async.tests.%s: opts.timeout must be a number of milliseconds from 0 to %d, got %s"):format(
        fname,
        MAX_TIMEOUT,
        validate.shown(timeout)
      ),
      3
    )
  end
  return timeout
end

--- The limit of one body: the option, else $PLENARY_TEST_TIMEOUT (read
--- when the body runs), else 2000 ms.
local function limit(timeout)
  if timeout ~= nil then
    return timeout, "opts.timeout"
  end
  local env = tonumber(vim.env.PLENARY_TEST_TIMEOUT)
  if env ~= nil and env >= 0 and env <= MAX_TIMEOUT then
    return env, "PLENARY_TEST_TIMEOUT"
  end
  return DEFAULT_TIMEOUT, "the default"
end

--- The body waiting now, outside any task (nil: none).
local waiting = nil

--- Runs `fn(...)` as a task and waits for it (Neovim's loop runs
--- meanwhile). `what` names the body in a timeout's message.
local function block(what, fn, timeout, ...)
  if vim.in_fast_event() then
    error(("plenary_async.tests: %s cannot wait in a fast event (a libuv callback)"):format(what), 0)
  end
  if waiting ~= nil and task.running() == nil then
    -- Started by the loop that the waiting body runs: a runner that runs
    -- its tests from Neovim's event loop (mini.test's vim.schedule chain)
    -- would otherwise run them inside one another.
    error(
      ("plenary_async.tests: %s started while %s was still waiting: the runner runs its tests from Neovim's event loop (mini.test does), and a test that waits lets the next one start inside it. Run async code in a child Neovim there (MiniTest.new_child_neovim(); a.tests.wrap in child.lua)"):format(
        what,
        waiting
      ),
      0
    )
  end
  local ms, source = limit(timeout)
  local outer = waiting
  waiting = waiting or what
  local ok, result, t = pcall(task.block, fn, ms, ...)
  waiting = outer
  if not ok then
    error(result, 0)
  end
  if result == nil then
    -- The stack it waits on, before the cancel unwinds it.
    local where = debug.traceback(t.co, "", 0)
    task.cancel(t)
    error(
      ("%s timed out after %d ms (%s); the task was canceled while waiting here:%s"):format(what, ms, source, where),
      0
    )
  end
  ---@cast result -nil
  if not result[1] then
    -- The value as raised (a runner's failure object stays one); a string
    -- carries the task's traceback.
    error(result[2], 0)
  end
  return unpack(result, 2, result.n)
end

--- A body for the runner: `fn` run as a task, with its limit.
local function async_body(what, fn, timeout)
  local body = function(...)
    return block(what, fn, timeout, ...)
  end
  made[body] = true
  return body
end
tests._async_body = async_body

--- The runner's function `name`: looked up in the environments of the
--- callers (busted gives a spec file's functions through its environment,
--- not `_G`), then in `_G` (plenary's harness, mini.test's emulation).
local function runner(fname, name)
  for level = 3, 64 do
    local info = debug.getinfo(level, "f")
    if info == nil then
      break
    end
    local ok, env = pcall(getfenv, info.func)
    if ok and type(env) == "table" then
      local f = env[name]
      if is_callable(f) then
        return f
      end
    end
  end
  local f = rawget(_G, name)
  if is_callable(f) then
    return f
  end
  error(
    ("plenary_async.tests.%s: no `%s` in the calling file's environment or in _G; run the file under a test runner (busted, mini.test, plenary's harness)"):format(
      fname,
      name
    ),
    3
  )
end

local function check_name(fname, name)
  if type(name) ~= "string" then
    validate.fail("tests." .. fname, "argument #1 must be a string (the test's name)", name, 3)
  end
end

local function check_fn(fname, fn, argn)
  if not is_callable(fn) then
    validate.fail("tests." .. fname, ("argument #%d must be a function"):format(argn), fn, 3)
  end
end

--- The runner's `describe`.
function tests.describe(name, fn)
  check_name("describe", name)
  check_fn("describe", fn, 2)
  return runner("describe", "describe")(name, fn)
end

--- The runner's `it`, with `fn` run as a task.
function tests.it(name, fn, opts)
  check_name("it", name)
  check_fn("it", fn, 2)
  local timeout = check_opts("it", opts, 3)
  return runner("it", "it")(name, async_body(("test %q"):format(name), fn, timeout))
end

--- The runner's `pending`.
function tests.pending(name, fn)
  check_name("pending", name)
  return runner("pending", "pending")(name, fn)
end

--- The runner's `before_each`, with `fn` run as a task.
function tests.before_each(fn, opts)
  check_fn("before_each", fn, 1)
  local timeout = check_opts("before_each", opts, 2)
  return runner("before_each", "before_each")(async_body("before_each", fn, timeout))
end

--- The runner's `after_each`, with `fn` run as a task.
function tests.after_each(fn, opts)
  check_fn("after_each", fn, 1)
  local timeout = check_opts("after_each", opts, 2)
  return runner("after_each", "after_each")(async_body("after_each", fn, timeout))
end

--- `fn` as a blocking function for any runner: calling it runs `fn(...)`
--- as a task, waits for it and returns its results or raises its error.
function tests.wrap(fn, opts)
  check_fn("wrap", fn, 1)
  local timeout = check_opts("wrap", opts, 2)
  return async_body("the wrapped function", fn, timeout)
end

--- Puts `a` (with `a.describe`, `a.it`, …) into the calling chunk's
--- environment, as plenary's `add_to_env` does.
function tests.add_to_env()
  local env = getfenv(2)
  env.a = env.a or {}
  for k, v in pairs(tests) do
    if k ~= "add_to_env" and k:sub(1, 1) ~= "_" then
      env.a[k] = v
    end
  end
  for k, v in pairs(require("plenary_async")) do
    if env.a[k] == nil then
      env.a[k] = v
    end
  end
end

--- Sets the global `a` to this module, with `a.describe`, `a.it`, ...
function tests.add_globals()
  local M = require("plenary_async") ---@type table<string, any>
  rawset(_G, "a", M)
  for k, v in pairs(tests) do
    if k ~= "add_to_env" and k ~= "add_globals" and k:sub(1, 1) ~= "_" then
      M[k] = v
    end
  end
end

return tests
