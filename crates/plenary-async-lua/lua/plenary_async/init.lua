-- plenary.async's API on the plenary-async runtime. Compiled into the
-- module; receives the Rust core (`core`) and returns the public table.
local core = ...

local M = {}

local pack = table.pack or function(...)
  return { n = select("#", ...), ... }
end
local unpack = table.unpack or unpack

-- Coroutines that are tasks of ours. The core removes a task's entry when
-- the task ends; the keys are weak too, because LuaJIT's collector
-- traverses a strong table in one step (a long pause with many tasks).
local tasks = setmetatable({}, { __mode = "k" })
core.set_tasks(tasks)

local function new_task(fn, ...)
  local co
  if select("#", ...) == 0 then
    co = coroutine.create(fn)
  else
    local args = pack(...)
    co = coroutine.create(function()
      return fn(unpack(args, 1, args.n))
    end)
  end
  tasks[co] = true
  return co
end

-- Whether we run in a fast event (a raw libuv callback), where a new task
-- must not start at once: the API is not safe there.
local in_fast_event = vim.in_fast_event

local function in_task()
  local co = coroutine.running()
  return co ~= nil and tasks[co] == true
end

--- Errors raised in Rust arrive as userdata; Lua code expects strings.
local function plain(err)
  return (tostring(err):gsub("^runtime error: ", ""))
end

local function rethrow(ok, ...)
  if ok then
    return ...
  end
  error(plain((...)), 2)
end

--- `f` with its errors raised as strings (no table per call: allocation is
--- what LuaJIT's collector pauses for).
local function plain_errors(f)
  return function(...)
    return rethrow(pcall(f, ...))
  end
end

-- The async functions of the Rust core return `true, results...` when
-- their result is ready at once, or `parked` when the task has to wait: it
-- then yields, and the runtime resumes it with `true, results...` or
-- `false, message` (see park.rs).
local parked = core.parked
local function settle(ok, first, ...)
  if not ok then
    error(plain(first), 2)
  end
  if first == true then
    return ...
  end
  if first == parked then
    return settle(true, coroutine.yield())
  end
  error((...), 2)
end

-- The channels' operations (their ends are userdata of the core).
local oneshot_send, oneshot_recv = core.oneshot_send, core.oneshot_recv
local mpsc_send, mpsc_recv = core.mpsc_send, core.mpsc_recv
local counter_send, counter_recv = core.counter_send, core.counter_recv

--- A core async function, callable from task code.
local function awaiting(f)
  return function(...)
    return settle(pcall(f, ...))
  end
end

local function argument_error(fname, pos, what, value)
  error(("plenary_async.%s: argument #%d must be %s, got %s"):format(fname, pos, what, type(value)), 3)
end

--- Makes `f` an async function: called outside a task, it raises an error
--- that names it and says what to do, instead of yielding across a C
--- boundary or hanging.
local function not_in_task(name)
  error(
    ("plenary_async: %s is an async function; call it inside a task (a.run(fn, callback) or a.void(fn))"):format(name),
    3
  )
end

local function async(name, f)
  return function(...)
    if not in_task() then
      not_in_task(name)
    end
    return f(...)
  end
end

-- Errors of tasks nobody awaits go to Neovim's error reporting.
core.set_reporter(function(message)
  vim.schedule(function()
    error(message, 0)
  end)
end)

--- Runs `fn` as a task; `callback(success, ...)` gets its results, or
--- `false` and the error with the task's traceback.
function M.run(fn, callback)
  if type(fn) ~= "function" then
    argument_error("run", 1, "a function", fn)
  end
  if callback ~= nil and type(callback) ~= "function" then
    argument_error("run", 2, "a function or nil", callback)
  end
  return core.spawn(new_task(fn), callback, in_fast_event())
end

--- Returns a function that runs `fn(...)` as a task and returns at once;
--- errors are reported to Neovim, with the task's traceback.
function M.void(fn)
  if type(fn) ~= "function" then
    argument_error("void", 1, "a function", fn)
  end
  return function(...)
    core.spawn(new_task(fn, ...), nil, in_fast_event())
  end
end

--- Turns a callback-style function into an async function. The callback is
--- passed as argument number `argc`; the first call of it resumes the
--- waiting task with its arguments (later calls are ignored). `fn` runs in
--- a task of its own, so it may itself call async functions.
local await_callback = awaiting(core.await_callback)

function M.wrap(fn, argc)
  if type(fn) ~= "function" then
    argument_error("wrap", 1, "a function", fn)
  end
  if type(argc) ~= "number" or argc < 1 or argc % 1 ~= 0 then
    error(
      ("plenary_async.wrap: argument #2 (argc) must be the callback's position, a whole number >= 1, got %s"):format(
        tostring(argc)
      ),
      2
    )
  end
  return async("a wrapped function", function(...)
    local args = pack(...)
    return await_callback(function(cb)
      args[argc] = cb
      return new_task(fn, unpack(args, 1, argc))
    end)
  end)
end

-- util ------------------------------------------------------------------------

local util = {}
M.util = util

local sleep = awaiting(core.sleep)
util.sleep = async("util.sleep", function(ms)
  if type(ms) ~= "number" then
    argument_error("util.sleep", 1, "a number of milliseconds", ms)
  end
  return sleep(ms)
end)

local scheduler = awaiting(core.scheduler)
util.scheduler = async("util.scheduler", function()
  return scheduler()
end)

--- Runs `fn` as a task and waits for it (Neovim keeps processing events
--- meanwhile); raises an error if it takes longer than `timeout` ms (2000
--- by default), unlike plenary, which returns nothing on timeout.
function util.block_on(fn, timeout)
  if type(fn) ~= "function" then
    argument_error("util.block_on", 1, "a function", fn)
  end
  timeout = timeout or 2000
  if type(timeout) ~= "number" then
    argument_error("util.block_on", 2, "a number of milliseconds", timeout)
  end
  local done, result = false, nil
  M.run(fn, function(...)
    done, result = true, pack(...)
  end)
  if not vim.wait(timeout, function()
    return done
  end, 1) then
    error(("plenary_async.util.block_on: timed out after %d ms"):format(timeout), 2)
  end
  if not result[1] then
    error(result[2], 2)
  end
  return unpack(result, 2, result.n)
end

function util.will_block(fn, timeout)
  if type(fn) ~= "function" then
    argument_error("util.will_block", 1, "a function", fn)
  end
  return function(...)
    local args = pack(...)
    return util.block_on(function()
      return fn(unpack(args, 1, args.n))
    end, timeout)
  end
end

--- Runs the async functions concurrently and returns their results, one
--- packed table each, in order. `join({})` returns at once.
util.join = async("util.join", function(fns)
  if type(fns) ~= "table" then
    argument_error("util.join", 1, "a list of functions", fns)
  end
  local results, n = {}, #fns
  if n == 0 then
    return results
  end
  local finished, failure = 0, nil
  local counter_tx, counter_rx = core.counter()
  for i, fn in ipairs(fns) do
    if type(fn) ~= "function" then
      error(("plenary_async.util.join: element %d is not a function"):format(i), 2)
    end
    core.spawn(new_task(fn), function(ok, ...)
      if ok then
        results[i] = pack(...)
      else
        failure = failure or select(1, ...)
      end
      finished = finished + 1
      if finished == n then
        counter_send(counter_tx)
      end
    end)
  end
  settle(pcall(counter_recv, counter_rx, false))
  if failure then
    error(failure, 0)
  end
  return results
end)

--- Runs the async functions concurrently and calls `callback(results)` when
--- all are done. Not async itself.
function util.run_all(fns, callback)
  if type(fns) ~= "table" then
    argument_error("util.run_all", 1, "a list of functions", fns)
  end
  if callback ~= nil and type(callback) ~= "function" then
    argument_error("util.run_all", 2, "a function or nil", callback)
  end
  M.run(function()
    return util.join(fns)
  end, function(ok, results)
    if not ok then
      error(results, 0)
    end
    if callback then
      callback(results)
    end
  end)
end

--- Each function gets a callback; the first call of any of them wins and
--- its arguments are returned. The functions run as tasks, and the others
--- are cancelled once one has won (plenary lets them run on).
util.run_first = async("util.run_first", function(fns)
  if type(fns) ~= "table" then
    argument_error("util.run_first", 1, "a list of functions", fns)
  end
  for i, fn in ipairs(fns) do
    if type(fn) ~= "function" then
      error(("plenary_async.util.run_first: element %d is not a function"):format(i), 2)
    end
  end
  if #fns == 0 then
    return -- nothing can call back
  end
  local handles = {}
  local result = pack(await_callback(function(cb)
    return new_task(function()
      for i, fn in ipairs(fns) do
        handles[i] = core.spawn(new_task(fn, cb), nil)
      end
    end)
  end))
  for _, h in ipairs(handles) do
    h:cancel()
  end
  return unpack(result, 1, result.n)
end)

--- The first async function to return wins; its results are returned and
--- the others are cancelled.
util.race = async("util.race", function(fns)
  if type(fns) ~= "table" then
    argument_error("util.race", 1, "a list of functions", fns)
  end
  local wrapped = {}
  for i, fn in ipairs(fns) do
    if type(fn) ~= "function" then
      error(("plenary_async.util.race: element %d is not a function"):format(i), 2)
    end
  end
  for i, fn in ipairs(fns) do
    wrapped[i] = function(cb)
      cb(fn())
    end
  end
  return util.run_first(wrapped)
end)

--- Calls the async function `fn(...)` and returns `true, ...` or `false,
--- error` (LuaJIT lets a task yield inside pcall).
util.apcall = async("util.apcall", function(fn, ...)
  return pcall(fn, ...)
end)

--- Calls the async function `fn` and returns `true, ...` or `false, error`.
util.protected = async("util.protected", function(fn)
  return pcall(fn)
end)

-- control ---------------------------------------------------------------------

local control = { channel = {} }
M.control = control

-- Each end is a userdata of the core, bound here to the core's shared
-- functions by one small closure per operation.
--- A receiver's operation: `f(rx, last)`, callable from task code only.
local function receiving(name, f, rx, last)
  return function()
    if not in_task() then
      not_in_task(name)
    end
    return settle(pcall(f, rx, last))
  end
end

function control.channel.oneshot()
  local tx, rx = core.oneshot()
  return function(...)
    return rethrow(pcall(oneshot_send, tx, ...))
  end, receiving("the oneshot receiver", oneshot_recv, rx)
end

function control.channel.counter()
  local tx, rx = core.counter()
  return {
    send = function()
      counter_send(tx)
    end,
  }, {
    recv = receiving("counter receiver.recv", counter_recv, rx, false),
    last = receiving("counter receiver.last", counter_recv, rx, true),
  }
end

function control.channel.mpsc()
  local tx, rx = core.mpsc()
  return {
    send = function(...)
      return rethrow(pcall(mpsc_send, tx, ...))
    end,
  }, {
    recv = receiving("mpsc receiver.recv", mpsc_recv, rx, false),
    last = receiving("mpsc receiver.last", mpsc_recv, rx, true),
  }
end

-- Methods are bound to their object, so `cv:wait()` and `cv.wait()` both work
-- (the seed's snippets use both forms).
control.Condvar = {}
function control.Condvar.new()
  local cv = core.condvar()
  return {
    wait = async("Condvar:wait", function()
      return settle(pcall(cv.wait, cv))
    end),
    notify_all = function()
      cv:notify_all()
    end,
    notify_one = function()
      cv:notify_one()
    end,
  }
end

control.Semaphore = {}
local new_semaphore = plain_errors(core.semaphore)
function control.Semaphore.new(permits)
  local sem = new_semaphore(permits)
  return {
    acquire = async("Semaphore:acquire", function()
      return settle(pcall(sem.acquire, sem))
    end),
    available_permits = function()
      return sem:available_permits()
    end,
  }
end

-- uv --------------------------------------------------------------------------

--- plenary's `a.uv.fs_*`: async functions returning `err, result` (err is
--- nil on success, else a string like "ENOENT: no such file or directory:
--- /path"), on the plenary-async runtime's libuv requests.
M.uv = {}
for name, f in pairs(core.uv) do
  M.uv[name] = async("uv." .. name, awaiting(f))
end

--- Handles: `new_tcp()`, `new_pipe()`, `new_udp()` make handles of the
--- runtime (see `handle.rs`); the synchronous functions (`tcp_bind`,
--- `accept`, `getsockname`, ...) return luv's `0` or `nil, err, name`, and
--- the awaited ones (`tcp_connect`, `listen`, `read`, `write`, `close`, ...)
--- plenary's `err, ...`.
local handles = core.uv_handle_sync
local is_ours = handles._is_handle
for name, f in pairs(handles) do
  if name:sub(1, 1) ~= "_" then
    M.uv[name] = plain_errors(f)
  end
end

-- A luv handle (`vim.uv.new_tcp()`) still works, as in plenary: the call
-- goes to luv's function, awaited through `wrap` with the callback at the
-- position luv expects (plenary gave `close` the wrong one, so it never
-- resumed). A luv function that fails at once returns its error instead of
-- leaving the task waiting for a callback that will not come.
local luv_argc = {
  close = 2,
  tcp_connect = 4,
  pipe_connect = 3,
  listen = 3,
  write = 3,
  write2 = 4,
  shutdown = 2,
  udp_send = 5,
  udp_recv_start = 2,
}
local function via_luv(name, argc)
  return M.wrap(function(...)
    local args = pack(...)
    local cb = args[argc]
    local ok, err = vim.uv[name](unpack(args, 1, argc))
    if ok == nil and err ~= nil then
      cb(err)
    end
  end, argc)
end
for name, f in pairs(core.uv_handle) do
  local ours = async("uv." .. name, awaiting(f))
  local argc = luv_argc[name]
  local theirs = argc and via_luv(name, argc)
  M.uv[name] = function(handle, ...)
    if theirs and type(handle) == "userdata" and not is_ours(handle) then
      return theirs(handle, ...)
    end
    return ours(handle, ...)
  end
end

-- Methods of the runtime's handles: `tcp:connect(host, port)`,
-- `server:listen()`, `stream:read()`, `stream:write(data)`, ...
local uv = M.uv
local function by_kind(suffix)
  return function(handle, ...)
    return uv[handles._kind(handle) .. suffix](handle, ...)
  end
end
handles._set_methods({
  bind = by_kind("_bind"),
  connect = by_kind("_connect"),
  open = uv.pipe_open,
  listen = uv.listen,
  accept = uv.accept,
  read = uv.read,
  write = uv.write,
  shutdown = uv.shutdown,
  close = uv.close,
  is_closing = uv.is_closing,
  getsockname = uv.getsockname,
  getpeername = uv.getpeername,
  nodelay = uv.tcp_nodelay,
  keepalive = uv.tcp_keepalive,
  send = uv.udp_send,
  recv = uv.udp_recv_start,
})

-- lsp -------------------------------------------------------------------------

--- plenary's `a.lsp`: `buf_request_all(bufnr, method, params)` returns the
--- results of every client; `buf_request(bufnr, method, params)` returns
--- `err, result, ctx, config` of the first client to answer. Its handler is
--- called once per client: plenary resumes the task once per call (an
--- error from the second on); here the later calls are ignored.
M.lsp = {}
M.lsp.buf_request_all = M.wrap(function(bufnr, method, params, cb)
  vim.lsp.buf_request_all(bufnr, method, params, cb)
end, 4)
M.lsp.buf_request = M.wrap(function(bufnr, method, params, cb)
  vim.lsp.buf_request(bufnr, method, params, cb)
end, 4)

-- api -------------------------------------------------------------------------

--- `a.api.nvim_*(...)`: `vim.api`, callable from a task in any context: in a
--- fast event (a libuv callback) it first waits for the main loop, where
--- the API may be called. Async functions.
M.api = setmetatable({}, {
  __index = function(t, name)
    local f = vim.api[name]
    if type(f) ~= "function" then
      return nil
    end
    local wrapped = async("api." .. name, function(...)
      if vim.in_fast_event() then
        util.scheduler()
      end
      return f(...)
    end)
    rawset(t, name, wrapped)
    return wrapped
  end,
})

-- tests -----------------------------------------------------------------------

--- `a.tests.describe/it/pending/before_each/after_each`: the test
--- harness's own functions, with `it`, `before_each` and `after_each`
--- bodies run as tasks (limit: $PLENARY_TEST_TIMEOUT ms, else 2000; a
--- timeout fails the test, unlike plenary's).
local tests = {}
M.tests = tests

local function test_timeout()
  return tonumber(vim.env.PLENARY_TEST_TIMEOUT) or 2000
end

local function harness(name)
  local f = rawget(_G, name)
  if type(f) ~= "function" then
    error(("plenary_async.tests.%s: no global %s; run under a test harness"):format(name, name), 3)
  end
  return f
end

function tests.describe(name, fn)
  return harness("describe")(name, fn)
end

function tests.it(name, fn)
  return harness("it")(name, util.will_block(fn, test_timeout()))
end

function tests.pending(name, fn)
  return harness("pending")(name, fn)
end

function tests.before_each(fn)
  return harness("before_each")(util.will_block(fn, test_timeout()))
end

function tests.after_each(fn)
  return harness("after_each")(util.will_block(fn, test_timeout()))
end

--- Puts `a` (with `a.describe`, `a.it`, …) into the calling chunk's
--- environment, as plenary's `add_to_env` does.
function tests.add_to_env()
  local env = getfenv(2)
  env.a = env.a or {}
  for k, v in pairs(tests) do
    if k ~= "add_to_env" then
      env.a[k] = v
    end
  end
  for k, v in pairs(M) do
    if env.a[k] == nil then
      env.a[k] = v
    end
  end
end
M.it = tests.it
M.describe = tests.describe

-- plenary compatibility -------------------------------------------------------

--- Registers this module as `plenary.async` (and its submodules), so that
--- plugins written against plenary.async run on it unchanged.
function M.as_plenary()
  package.loaded["plenary.async"] = M
  package.loaded["plenary.async.util"] = util
  package.loaded["plenary.async.control"] = control
  package.loaded["plenary.async.tests"] = tests
  package.loaded["plenary.async.api"] = M.api
  package.loaded["plenary.async.uv_async"] = M.uv
  package.loaded["plenary.async.lsp"] = M.lsp
  return M
end

return M
