---@meta plenary_async
-- LuaLS annotations for `require("plenary_async")` (the module itself is
-- lua/plenary_async/init.lua and its siblings). Never loaded at run time.

---@class plenary_async.Task
---@field cancel fun(self: plenary_async.Task) Drops the task at once (its pending waits are abandoned).
---@field is_finished fun(self: plenary_async.Task): boolean

---@class plenary_async.Permit
---@field forget fun(self: plenary_async.Permit) Releases the permit (plenary's name).

---@class plenary_async.Semaphore
---@field permits integer The permits free now (plenary's field).
---@field acquire async fun(self?: plenary_async.Semaphore): plenary_async.Permit Waits for a permit; waiters are served first-in-first-out.
---@field available_permits fun(self?: plenary_async.Semaphore): integer

---@class plenary_async.Condvar
---@field wait async fun(self?: plenary_async.Condvar) Waits until notified.
---@field notify_all fun(self?: plenary_async.Condvar) Wakes every task waiting now.
---@field notify_one fun(self?: plenary_async.Condvar) Wakes the longest waiter.

---@class plenary_async.CounterSender
---@field send fun() Adds one notification.

---@class plenary_async.CounterReceiver
---@field recv async fun() Waits for a notification and takes it.
---@field last async fun() Waits for a notification and takes them all.

---@class plenary_async.MpscSender
---@field send fun(...: any) Queues the values (nil and false included).

---@class plenary_async.MpscReceiver
---@field recv async fun(): ... Waits for the next message.
---@field last async fun(): ... Waits for a message, returns the newest, drops the rest.

---@class plenary_async.channel
local channel = {}

--- A channel for one message: the sender is a plain function, the receiver
--- an async function.
---@return fun(...: any) send
---@return async fun(): ... recv
function channel.oneshot() end

---@return plenary_async.CounterSender
---@return plenary_async.CounterReceiver
function channel.counter() end

---@return plenary_async.MpscSender
---@return plenary_async.MpscReceiver
function channel.mpsc() end

---@class plenary_async.control
---@field channel plenary_async.channel
---@field Condvar { new: fun(): plenary_async.Condvar }
---@field Semaphore { new: fun(permits: integer): plenary_async.Semaphore }

---@class plenary_async.util
local util = {}

--- Suspends the task for `ms` milliseconds (finite, >= 0), counted on the
--- loop's clock as libuv's timers count (`vim.uv.now()`, read at the
--- start of each turn of the loop). `sleep(ms, cb)` calls `cb` after them.
---@async
---@param ms number milliseconds
---@param cb? fun()
function util.sleep(ms, cb) end

--- Waits for the next loop turn (a context where the API is safe).
---@async
function util.scheduler() end

--- Runs `fn` as a task and waits for it; raises an error after `timeout` ms (2000).
---@param fn async fun(): ...
---@param timeout? integer
---@return ...
function util.block_on(fn, timeout) end

---@param fn async fun(...): ...
---@param timeout? integer
---@return fun(...): ...
function util.will_block(fn, timeout) end

--- Runs the functions concurrently; returns one packed result table each.
---@async
---@param fns (async fun(): ...)[]
---@return table[]
function util.join(fns) end

---@param fns (async fun(): ...)[]
---@param callback? fun(results: table[])
function util.run_all(fns, callback) end

--- Each function gets a callback; the first call wins, the others are cancelled.
---@async
---@param fns (fun(cb: fun(...)))[]
---@return ...
function util.run_first(fns) end

--- The first function to return wins; the others are cancelled.
---@async
---@param fns (async fun(): ...)[]
---@return ...
function util.race(fns) end

---@async
---@param fn async fun(...): ...
---@return boolean ok
---@return ...
function util.apcall(fn, ...) end

---@async
---@param fn async fun(): ...
---@return boolean ok
---@return ...
function util.protected(fn) end

---@class plenary_async.tests
---@field describe fun(name: string, fn: fun())
---@field it fun(name: string, fn: async fun())
---@field pending fun(name: string, fn?: fun())
---@field before_each fun(fn: async fun())
---@field after_each fun(fn: async fun())
---@field add_to_env fun()
---@field add_globals fun() Sets the global `a` to this module, with `a.it`, `a.describe`, ...

---@alias plenary_async.uv.err string? nil on success, else luv's message: `"ENOENT: no such file or directory: /path"`

---@class plenary_async.uv.stat
---@field dev integer
---@field mode integer
---@field nlink integer
---@field uid integer
---@field gid integer
---@field rdev integer
---@field ino integer
---@field size integer
---@field blksize integer
---@field blocks integer
---@field atime { sec: integer, nsec: integer }
---@field mtime { sec: integer, nsec: integer }
---@field ctime { sec: integer, nsec: integer }
---@field type "file"|"directory"|"link"|"fifo"|"socket"|"char"|"block"|"unknown"

---@alias plenary_async.uv.entry { name: string, type: string }
---@alias plenary_async.uv.addr { ip: string, port: integer, family: "inet"|"inet6" }

--- A handle of the runtime: `new_tcp()`, `new_pipe()` or `new_udp()`. Its
--- methods are the `uv` functions of the same name without the prefix
--- (`h:connect(...)`, `h:bind(...)`, `h:listen()`, `h:accept(c)`, `h:read()`,
--- `h:write(data)`, `h:shutdown()`, `h:close()`, `h:send(...)`, `h:recv()`,
--- `h:getsockname()`, `h:getpeername()`, `h:nodelay(on)`, `h:keepalive(on, s)`,
--- `h:open(fd)`, `h:is_closing()`).
---@class plenary_async.uv.Handle : userdata

--- A directory from `fs_opendir`.
---@class plenary_async.uv.Dir : userdata

--- plenary's `a.uv`: the same names, arguments and `err, result` returns,
--- on the runtime's libuv requests and handles (not luv). Async functions
--- must be called inside a task; the synchronous ones (`new_*`, `*_bind`,
--- `pipe_open`, `accept`, `getsockname`, `getpeername`, `tcp_nodelay`,
--- `tcp_keepalive`) return luv's `0`, or `nil, err, name`. Handle
--- functions also take luv handles (`vim.uv.new_tcp()`), which luv serves.
---@class plenary_async.uv
---@field fs_open async fun(path: string, flags: string|integer, mode: integer): plenary_async.uv.err, integer?
---@field fs_close async fun(fd: integer): plenary_async.uv.err, boolean?
---@field fs_read async fun(fd: integer, size: integer, offset?: integer): plenary_async.uv.err, string? at most 2,147,479,552 bytes per call (one read(2)); `ENOMEM` if the buffer cannot be had
---@field fs_write async fun(fd: integer, data: string, offset?: integer): plenary_async.uv.err, integer?
---@field fs_fstat async fun(fd: integer): plenary_async.uv.err, plenary_async.uv.stat?
---@field fs_stat async fun(path: string): plenary_async.uv.err, plenary_async.uv.stat?
---@field fs_lstat async fun(path: string): plenary_async.uv.err, plenary_async.uv.stat?
---@field fs_fsync async fun(fd: integer): plenary_async.uv.err, boolean?
---@field fs_fdatasync async fun(fd: integer): plenary_async.uv.err, boolean?
---@field fs_ftruncate async fun(fd: integer, len: integer): plenary_async.uv.err, boolean?
---@field fs_sendfile async fun(out_fd: integer, in_fd: integer, offset: integer, len: integer): plenary_async.uv.err, integer?
---@field fs_statfs async fun(path: string): plenary_async.uv.err, { type: integer, bsize: integer, blocks: integer, bfree: integer, bavail: integer, files: integer, ffree: integer }?
---@field fs_unlink async fun(path: string): plenary_async.uv.err, boolean?
---@field fs_mkdir async fun(path: string, mode?: integer): plenary_async.uv.err, boolean?
---@field fs_rmdir async fun(path: string): plenary_async.uv.err, boolean?
---@field fs_rename async fun(path: string, new_path: string): plenary_async.uv.err, boolean?
---@field fs_mkdtemp async fun(template: string): plenary_async.uv.err, string?
---@field fs_scandir async fun(path: string): plenary_async.uv.err, plenary_async.uv.entry[]?
---@field fs_opendir async fun(path: string, entries?: integer): plenary_async.uv.err, plenary_async.uv.Dir?
---@field fs_readdir async fun(dir: plenary_async.uv.Dir): plenary_async.uv.err, plenary_async.uv.entry[]? `nil` entries at the end
---@field fs_closedir async fun(dir: plenary_async.uv.Dir): plenary_async.uv.err, boolean?
---@field fs_realpath async fun(path: string): plenary_async.uv.err, string?
---@field fs_readlink async fun(path: string): plenary_async.uv.err, string?
---@field fs_access async fun(path: string, mode: integer|string): plenary_async.uv.err, boolean?
---@field fs_copyfile async fun(path: string, new_path: string): plenary_async.uv.err, boolean?
---@field fs_symlink async fun(path: string, new_path: string): plenary_async.uv.err, boolean?
---@field fs_link async fun(path: string, new_path: string): plenary_async.uv.err, boolean?
---@field fs_chmod async fun(path: string, mode: integer): plenary_async.uv.err, boolean?
---@field fs_fchmod async fun(fd: integer, mode: integer): plenary_async.uv.err, boolean?
---@field fs_utime async fun(path: string, atime: number, mtime: number): plenary_async.uv.err, boolean?
---@field fs_futime async fun(fd: integer, atime: number, mtime: number): plenary_async.uv.err, boolean?
---@field fs_chown async fun(path: string, uid: integer, gid: integer): plenary_async.uv.err, boolean?
---@field fs_fchown async fun(fd: integer, uid: integer, gid: integer): plenary_async.uv.err, boolean?
---@field getaddrinfo async fun(host: string, service?: string): plenary_async.uv.err, { addr: string, port: integer, family: string, socktype: string, protocol: integer }[]?
---@field getnameinfo async fun(ip: string, port?: integer): plenary_async.uv.err, string?, string?
---@field new_tcp fun(): plenary_async.uv.Handle
---@field new_pipe fun(): plenary_async.uv.Handle
---@field new_udp fun(): plenary_async.uv.Handle
---@field tcp_bind fun(tcp: plenary_async.uv.Handle, host: string, port: integer): 0?, string?, string? binds and listens (connections queue for `listen`)
---@field pipe_bind fun(pipe: plenary_async.uv.Handle, name: string): 0?, string?, string?
---@field pipe_open fun(pipe: plenary_async.uv.Handle, fd: integer): 0?, string?, string?
---@field udp_bind fun(udp: plenary_async.uv.Handle, host: string, port: integer): 0?, string?, string?
---@field accept fun(server: plenary_async.uv.Handle, client: plenary_async.uv.Handle): 0?, string?, string? takes the connection `listen` announced
---@field getsockname fun(h: plenary_async.uv.Handle): plenary_async.uv.addr|string|nil, string?
---@field getpeername fun(h: plenary_async.uv.Handle): plenary_async.uv.addr?, string?
---@field tcp_nodelay fun(tcp: plenary_async.uv.Handle, on: boolean): 0?, string?, string?
---@field tcp_keepalive fun(tcp: plenary_async.uv.Handle, on: boolean, delay?: integer): 0?, string?, string?
---@field is_closing fun(h: plenary_async.uv.Handle): boolean
---@field tcp_connect async fun(tcp: plenary_async.uv.Handle|uv.uv_tcp_t, host: string, port: integer): plenary_async.uv.err
---@field pipe_connect async fun(pipe: plenary_async.uv.Handle|uv.uv_pipe_t, name: string): plenary_async.uv.err
---@field listen async fun(server: plenary_async.uv.Handle|uv.uv_stream_t, backlog?: integer): plenary_async.uv.err waits for the next connection
---@field read async fun(stream: plenary_async.uv.Handle): plenary_async.uv.err, string? the next chunk; `nil` at the end
---@field write async fun(stream: plenary_async.uv.Handle|uv.uv_stream_t, data: string|string[]): plenary_async.uv.err
---@field write2 async fun(stream: uv.uv_pipe_t, data: string|string[], send: uv.uv_stream_t): plenary_async.uv.err luv handles only
---@field shutdown async fun(stream: plenary_async.uv.Handle|uv.uv_stream_t): plenary_async.uv.err
---@field close async fun(handle: plenary_async.uv.Handle|uv.uv_handle_t) ends the handle's waiting operations with ECANCELED
---@field udp_send async fun(udp: plenary_async.uv.Handle|uv.uv_udp_t, data: string|string[], host: string, port: integer): plenary_async.uv.err
---@field udp_recv_start async fun(udp: plenary_async.uv.Handle|uv.uv_udp_t): plenary_async.uv.err, string?, plenary_async.uv.addr?, table? the next datagram

---@class plenary_async.lsp
---@field buf_request_all async fun(bufnr: integer, method: string, params: table): table<integer, { err: lsp.ResponseError?, result: any }>
---@field buf_request async fun(bufnr: integer, method: string, params: table): lsp.ResponseError?, any, lsp.HandlerContext, table?

---@class plenary_async
---@field lsp plenary_async.lsp
---@field uv plenary_async.uv
---@field util plenary_async.util
---@field control plenary_async.control
---@field tests plenary_async.tests
---@field api table<string, async fun(...): ...> `vim.api`, callable from tasks in any context.
---@field structs { Deque: table } plenary's Deque: `new`, `pushleft`, `pushright`, `popleft`, `popright`, `len`, `is_empty`, `ipairs_left`, `ipairs_right`, `clear`.
---@field it fun(name: string, fn: async fun())
---@field describe fun(name: string, fn: fun())
local M = {}

--- Runs `fn` as a task; `callback(success, ...)` gets its results or its error with traceback.
---@param fn async fun(): ...
---@param callback? fun(success: boolean, ...: any)
---@return plenary_async.Task
function M.run(fn, callback) end

--- A function that starts `fn(...)` as a task and returns at once.
---@param fn async fun(...)
---@return fun(...)
function M.void(fn) end

--- Turns a callback-style function into an async function; the callback is argument `argc` (1 to 64).
--- Called with all `argc` arguments (the callback included) it calls `fn`
--- directly. Called with fewer in a task, it calls `fn` in the task (so `fn`
--- may itself await) and returns the arguments of the callback's first call;
--- later calls are ignored. A callback called before `fn` returns gives its
--- values without the task yielding. If `fn` raises, the caller gets the
--- error. As in plenary, a callback that is never called leaves the task
--- waiting: bound the wait with `util.block_on(fn, timeout)` or a
--- `util.race` against `util.sleep`.
---@param fn fun(...)
---@param argc integer
---@return async fun(...): ...
function M.wrap(fn, argc) end

--- Whether the running code is a task of this module (`run`, `void`, a
--- test): where async functions may be called.
---@return boolean
function M.in_task() end

--- For task code: calls `fn(..., cb)` with the callback at position `argc`
--- (1 to 64; missing arguments are nil) and returns the arguments of the
--- callback's first call (`wrap` without making a function). If `fn`
--- returns a handle with a `close` method and the task is canceled while
--- it waits, the handle is closed (`vim.async`'s convention: a Rust
--- plugin's future is dropped).
---@async
---@param argc integer
---@param fn fun(...): any?
---@param ... any
---@return any ...
function M.await(argc, fn, ...) end

--- Whether `f` is an async function that takes plenary's callback form (made by `wrap`).
---@param f function
---@return boolean
function M.is_leaf_function(f) end

--- The callback position of an async function made by `wrap`, or nil.
---@param f function
---@return integer?
function M.get_leaf_function_argc(f) end

--- Registers this module as `plenary.async` and every submodule of its tree,
--- with plenary's contracts (`run`'s callback gets the results only; see the README).
---@return plenary_async
function M.as_plenary() end

--- Which core serves `a.uv`, and why: always `"lua"` (luv, Neovim's
--- `vim.uv`) since version 0.2.0, which removed the native module; kept
--- for plugins that ask.
---@return "lua" name
---@return string reason
function M.backend() end

--- The version of the Lua files (lua/plenary_async/version.lua).
---@type string
M.VERSION = ""

return M
