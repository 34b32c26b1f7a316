-- plenary.async's API for Neovim plugins: `require("plenary_async")`.
--
-- This folder is the whole module: a plugin manager's clone is an
-- installed plugin, plain Lua with no build step. The pieces, each a file
-- of this folder: task.lua (the scheduler: how tasks start, wait and
-- resume), timer.lua (sleep), structs.lua (Deque), control.lua (channels,
-- Condvar, Semaphore), tree.lua (vim_async's task tree), plenary.lua
-- (`as_plenary()`: plenary's own contracts), vim_async.lua (`vim.async`'s
-- API), and the I/O of `a.uv` on luv: lua_core.lua (files and DNS) and
-- lua_handle.lua (TCP, pipes, UDP).
local source = debug.getinfo(1, "S").source
local here = (source:sub(1, 1) == "@" and source:sub(2) or source):match("^(.*)[/\\][^/\\]*$") or "."
local core = assert(loadfile(here .. "/lua_core.lua"))(here)

local M = {}

local pack = function(...)
  return { n = select("#", ...), ... }
end
local unpack = table.unpack or unpack
local select, type, error, pcall = select, type, error, pcall

-- What the files share.
local shared = { pack = pack, unpack = unpack }
local function load(name)
  local chunk = assert(loadfile(here .. "/" .. name .. ".lua"))
  local mod = chunk(core, shared)
  shared[name] = mod
  return mod
end
shared.tree = dofile(here .. "/tree.lua")

--- Which core serves `a.uv`, and why: always `"lua"` (luv, Neovim's own
--- `vim.uv`) since version 0.2.0, which removed the native module (it was
--- no faster: docs/BENCHMARKS.md). Kept for plugins that ask.
function M.backend()
  return "lua", "luv (vim.uv) serves a.uv: the one core since version 0.2.0"
end
M.VERSION = dofile(here .. "/version.lua")

local task = load("task")
local running, spawn = task.running, task.spawn

--- Errors for calling an async function where it cannot wait.
local function not_in_task(name)
  error(
    ("plenary_async: %s is an async function; call it inside a task (a.run(fn, callback) or a.void(fn))"):format(name),
    3
  )
end
shared.not_in_task = not_in_task

local function argument_error(fname, pos, what, value)
  error(("plenary_async.%s: argument #%d must be %s, got %s"):format(fname, pos, what, type(value)), 3)
end
shared.argument_error = argument_error

local function is_callable(f)
  if type(f) == "function" then
    return true
  end
  local mt = getmetatable(f)
  return type(mt) == "table" and type(rawget(mt, "__call")) == "function"
end
shared.is_callable = is_callable

-- Async functions that take plenary's callback form ("leaf functions"),
-- with the callback's position.
local leaves = setmetatable({}, { __mode = "k" })

--- An async operation named `name`: `body(t, ...)` runs in the running
--- task `t`. With exactly `argc` arguments (argc > 0) it is called in
--- plenary's callback form, the last argument the callback: `cb_body(...)`
--- if given, else the body runs in a task of its own that calls back.
local function leaf(name, argc, body, cb_body, unlisted)
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
      local cb = args[argc]
      spawn(function()
        cb(body(running(), unpack(args, 1, argc - 1)))
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
shared.leaf = leaf

--- `f` (an async function of the core or of Lua) callable from task code
--- only, with a clear error elsewhere.
local function async(name, f)
  return function(...)
    if running() == nil then
      not_in_task(name)
    end
    return f(...)
  end
end
shared.async = async

local timer = load("timer")
load("structs")
local control = load("control")
M.control = control

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

local native_done = task.native_done

--- Runs `fn` as a task, at once, up to its first wait; `callback(success,
--- ...)` gets its results, or `false` and the error with the task's
--- traceback. Without a callback, an error is reported to Neovim.
function M.run(fn, callback)
  if not is_callable(fn) then
    argument_error("run", 1, "a function", fn)
  end
  if callback ~= nil and not is_callable(callback) then
    argument_error("run", 2, "a function or nil", callback)
  end
  return setmetatable(spawn(fn, callback and native_done, callback), Task)
end

--- Returns a function that runs `fn(...)` as a task and returns at once;
--- errors are reported to Neovim, with the task's traceback.
function M.void(fn)
  if not is_callable(fn) then
    argument_error("void", 1, "a function", fn)
  end
  return function(...)
    spawn(fn, nil, nil, ...)
  end
end

--- The largest callback position `wrap` takes.
local MAX_ARGC = 64

--- Turns a callback-style function into an async function. The callback is
--- argument number `argc`. Called with all `argc` arguments (the callback
--- included), the result calls `fn` directly; called with fewer in a task,
--- it calls `fn` with a callback and waits for its first call, whose
--- arguments it returns (later calls are ignored). `fn` runs in the task:
--- it may itself call async functions.
function M.wrap(fn, argc)
  if not is_callable(fn) then
    argument_error("wrap", 1, "a function", fn)
  end
  if type(argc) ~= "number" or argc ~= argc or argc < 1 or argc > MAX_ARGC or argc % 1 ~= 0 then
    error(
      ("plenary_async.wrap: argument #2 (argc) must be the callback's position, a whole number from 1 to %d, got %s"):format(
        MAX_ARGC,
        tostring(argc)
      ),
      2
    )
  end
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
  if type(argc) ~= "number" or argc ~= argc or argc < 1 or argc > MAX_ARGC or argc % 1 ~= 0 then
    error(
      ("plenary_async.await: argument #1 (argc) must be the callback's position, a whole number from 1 to %d, got %s"):format(
        MAX_ARGC,
        tostring(argc)
      ),
      2
    )
  end
  if not is_callable(fn) then
    argument_error("await", 2, "a function", fn)
  end
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

-- util -------------------------------------------------------------------------

local util = {}
M.util = util

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
leaves[util.sleep] = 2

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
  if type(timeout) ~= "number" or timeout ~= timeout or timeout < 0 or timeout > MAX_WAIT then
    error(
      ("plenary_async.util.block_on: argument #2 (timeout) must be a number of milliseconds from 0 to %d, got %s"):format(
        MAX_WAIT,
        tostring(timeout)
      ),
      2
    )
  end
  if vim.in_fast_event() then
    error("plenary_async.util.block_on: cannot wait in a fast event (a libuv callback); use a.run there", 2)
  end
  local result
  local t = spawn(fn, native_done, function(...)
    result = pack(...)
  end)
  if result == nil then
    vim.wait(timeout, function()
      return result ~= nil
    end, 1)
  end
  if result == nil then
    task.cancel(t)
    error(("plenary_async.util.block_on: timed out after %d ms"):format(timeout), 2)
  end
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

local function check_list(fname, fns)
  if type(fns) ~= "table" then
    argument_error(fname, 1, "a list of functions", fns)
  end
  for i = 1, #fns do
    if not is_callable(fns[i]) then
      error(("plenary_async.%s: element %d is not a function"):format(fname, i), 3)
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
  local finished, failure, id = 0, nil, nil
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

local awaiting = task.awaiting
local plain = task.plain
local function rethrow(ok, ...)
  if ok then
    return ...
  end
  error(plain((...)), 2)
end
--- `f` with its errors raised as strings.
local function plain_errors(f)
  return function(...)
    return rethrow(pcall(f, ...))
  end
end

-- uv --------------------------------------------------------------------------

--- plenary's `a.uv.fs_*`: async functions returning `err, result` (err is
--- nil on success, else a string like "ENOENT: no such file or directory:
--- /path"), on the plenary-async runtime's libuv requests.
M.uv = {}
for name, f in pairs(core.uv) do
  M.uv[name] = async("uv." .. name, awaiting(f))
end

-- The task tree (tree.lua), for the structured tasks built on it and
-- their tests: nodes are numbers.
local tree = shared.tree
M._tree = {
  new = tree.new,
  --- (The completion that finish hands back goes to the hook here.)
  finish = function(id, failed, observed)
    local c = tree.finish(id, failed, observed)
    if c ~= 0 then
      tree.completed(c)
    end
  end,
  close = tree.close,
  detach = tree.detach,
  observe = tree.observe,
  state = tree.state,
  children = tree.children,
  set_hooks = tree.set_hooks,
}

-- plenary's callback form: called with every argument, the callback last,
-- a file-system or DNS function calls luv's directly (plenary's sync path),
-- with plenary's callback positions.
local plenary_argc = {
  fs_open = 4, fs_read = 4, fs_close = 2, fs_unlink = 2, fs_write = 4, fs_mkdir = 3,
  fs_mkdtemp = 2, fs_rmdir = 2, fs_scandir = 2, fs_stat = 2, fs_fstat = 2, fs_lstat = 2,
  fs_rename = 3, fs_fsync = 2, fs_fdatasync = 2, fs_ftruncate = 3, fs_sendfile = 5,
  fs_access = 3, fs_chmod = 3, fs_fchmod = 3, fs_utime = 4, fs_futime = 4, fs_link = 3,
  fs_symlink = 4, fs_readlink = 2, fs_realpath = 2, fs_chown = 4, fs_fchown = 4,
  fs_copyfile = 4, fs_opendir = 3, fs_readdir = 2, fs_closedir = 2,
  getaddrinfo = 4, getnameinfo = 2,
}
local luv = vim.uv or vim.loop
for name, argc in pairs(plenary_argc) do
  local ours = M.uv[name]
  local theirs = luv[name]
  if name == "fs_opendir" then
    theirs = function(path, entries, cb)
      return luv.fs_opendir(path, cb, entries)
    end
  end
  if ours and theirs then
    local f = function(...)
      if select("#", ...) == argc and type(select(argc, ...)) == "function" then
        return theirs(...)
      end
      return ours(...)
    end
    leaves[f] = argc
    M.uv[name] = f
  end
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
local kind_of = plain_errors(handles._kind)
local function by_kind(suffix)
  return function(handle, ...)
    return uv[kind_of(handle) .. suffix](handle, ...)
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
--- Sets the global `a` to this module, with `a.describe`, `a.it`, ...
function tests.add_globals()
  _G.a = M
  for k, v in pairs(tests) do
    if k ~= "add_to_env" and k ~= "add_globals" then
      M[k] = v
    end
  end
end
M.it = tests.it
M.describe = tests.describe
shared.tests = tests

-- plenary compatibility ---------------------------------------------------------

M.structs = shared.structs
shared.M = M
local plenary = load("plenary")

--- Registers this module as `plenary.async` (and its submodules), with
--- plenary's own contracts where they differ from this module's (see
--- plenary.lua), so that plugins written against plenary.async run on it
--- unchanged. Returns that table.
-- vim.async's API (vim_async.lua): structured tasks on the same scheduler.
shared.is_callable = is_callable
M.vim_async = load("vim_async")

--- Installs `M.vim_async` as `vim.async` when Neovim has none (0.11, 0.12);
--- with `force`, also over a built-in one. Returns the table now in
--- `vim.async`.
function M.as_vim_async(force)
  if vim.async == nil or force then
    vim.async = M.vim_async
  end
  return vim.async
end

function M.as_plenary()
  return plenary.install()
end

return M
