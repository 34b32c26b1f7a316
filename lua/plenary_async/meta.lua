---@meta plenary_async
-- LuaLS annotations for `require("plenary_async")` (the module itself is
-- lua/plenary_async.so, built by scripts/build-lua.sh). Never loaded at run
-- time.

---@class plenary_async.Task
---@field cancel fun(self: plenary_async.Task) Drops the task at once (its pending waits are abandoned).
---@field is_finished fun(self: plenary_async.Task): boolean

---@class plenary_async.Permit
---@field forget fun(self: plenary_async.Permit) Releases the permit (plenary's name).

---@class plenary_async.Semaphore
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

---@async
---@param ms number milliseconds
function util.sleep(ms) end

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

---@class plenary_async.uv
--- plenary's `a.uv` file-system and DNS functions (so far: fs_open,
--- fs_close, fs_read, fs_write, fs_fstat, fs_fsync, fs_fdatasync,
--- fs_ftruncate, fs_sendfile, fs_stat, fs_lstat, fs_statfs, fs_unlink,
--- fs_mkdir, fs_rmdir, fs_rename, fs_mkdtemp, fs_scandir (a list of
--- `{ name, type }`), fs_realpath, fs_readlink, fs_access, fs_copyfile,
--- fs_symlink, fs_link, fs_chmod, fs_fchmod, fs_utime, fs_futime, fs_chown,
--- fs_fchown, getaddrinfo, getnameinfo): async functions returning
--- `err, result`.
---@field [string] async fun(...): string?, any

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

--- Turns a callback-style function into an async function; the callback is argument `argc`.
---@param fn fun(...)
---@param argc integer
---@return async fun(...): ...
function M.wrap(fn, argc) end

--- Registers this module as `plenary.async` (and its submodules).
---@return plenary_async
function M.as_plenary() end

return M
