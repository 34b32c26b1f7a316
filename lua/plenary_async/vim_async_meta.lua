---@meta plenary_async.vim_async
-- LuaLS annotations for `require("plenary_async").vim_async` (and
-- `vim.async` after `require("plenary_async").as_vim_async()`): Neovim's
-- vim.async API (runtime/doc/lua-async.txt) on plenary-async's runtime.

---@class plenary_async.vim_async.Closable
---@field close fun(self, callback?: fun())
---@field is_closing? fun(self): boolean

--- A task: a handle that can be awaited, waited for or closed, and the
--- scope of the children created while it runs.
---@class plenary_async.vim_async.Task<R>: plenary_async.vim_async.Closable
---@field name? string
local Task = {}

--- Closes the task and its attached children, cooperatively (at their
--- checkpoints); `callback` runs once it has completed.
---@param callback? fun()
function Task:close(callback) end

--- Whether the task and its attached children have completed.
---@return boolean
function Task:completed() end

--- Makes the task top-level: its parent no longer waits for it, closes it
--- or fails with it. A pending child is scheduled to start.
---@return plenary_async.vim_async.Task<R>
function Task:detach() end

--- Calls `callback(err, ...)` when the task completes (at once if it has).
---@param callback fun(err?: any, ...: R...)
---@return fun() unsubscribe
function Task:on_complete(callback) end

--- From synchronous code: pumps the loop until the task completes (raises
--- "timeout" after `timeout` ms); its results, or its error raised.
---@param timeout? integer
---@return R...
function Task:wait(timeout) end

--- `pcall(task.wait, task, timeout)`.
---@param timeout? integer
---@return boolean, R...
function Task:pwait(timeout) end

--- Reports the task's error to Neovim when it completes failed.
---@return plenary_async.vim_async.Task<R>
function Task:raise_on_error() end

---@return "running"|"awaiting"|"normal"|"completed"
function Task:status() end

--- The task's stack, and those of the tasks it awaits (nested), as one
--- traceback, innermost frames first, each tagged with its task's name or
--- number; for a task that failed, its error's traceback.
---@param msg? string
---@param level? integer
---@return string
function Task:traceback(msg, level) end

---@class plenary_async.vim_async.Semaphore
local Semaphore = {}

--- Takes a permit; waits (first come, first served) while none is free.
---@async
function Semaphore:acquire() end

--- Gives a permit back; an error past the permits acquired.
function Semaphore:release() end

--- Runs `fn` holding a permit, released however `fn` ends.
---@async
---@generic R
---@param fn async fun(): R...
---@return R...
function Semaphore:with(fn) end

---@class plenary_async.vim_async.ConfigOpts
---@field wait? fun(timeout: integer, predicate: fun(): boolean): boolean
---@field schedule? fun(callback: fun())
---@field new_timer? fun(): uv.uv_timer_t
---@field debug? boolean

---@class plenary_async.vim_async
local M = {}

--- Replaces the event-loop bindings: `wait` (used by `Task:wait`) and
--- `new_timer` (used by `sleep` and `timeout`); `schedule` and `debug` are
--- accepted and have no effect here (tasks resume through this module's
--- scheduler, on Neovim's `vim.schedule`).
---@param opts plenary_async.vim_async.ConfigOpts
function M.config(opts) end

--- Creates a task (`run(name, fn, ...)` names it). Top-level tasks start at
--- once; one created inside a running task is its child, started at the
--- parent's next checkpoint.
---@generic T, R
---@param fn async fun(...: T...): R...
---@param ... T...
---@return plenary_async.vim_async.Task<R>
---@overload fun(name: string, fn: async fun(...), ...): plenary_async.vim_async.Task
function M.run(fn, ...) end

--- Suspends the running task until the awaitable completes: a task (its
--- results, or its error raised; the error fails the running task too:
--- use `pawait` to handle it), `fn(cb)`, or `argc, fn, ...` (the
--- callback's arguments, unchanged). A checkpoint; a closable `fn`
--- returns is closed if the task is closed meanwhile.
---@async
---@param ... any
---@return any ...
---@overload async fun(func: fun(callback: fun(...)): plenary_async.vim_async.Closable?): ...
---@overload async fun(argc: integer, func: fun(...), ...): ...
---@overload async fun(task: plenary_async.vim_async.Task): ...
function M.await(...) end

--- `await`, returning `ok, ...` for the awaited operation's failure (a
--- close or a pending failure of the running task is still raised).
---@async
---@param ... any
---@return boolean ok
---@return any ...
function M.pawait(...) end

--- Starts pending children and raises a pending close or failure; does
--- not yield.
function M.checkpoint() end

--- Whether the running task has been closed.
---@return boolean
function M.is_closing() end

--- The tasks in completion order (handles), one per call; nil at the end.
---@async
---@param tasks plenary_async.vim_async.Task[]
---@return async fun(): plenary_async.vim_async.Task?
function M.iter(tasks) end

--- Suspends the running task for `duration` ms (a closable timer).
---@async
---@param duration integer
function M.sleep(duration) end

--- Awaits `task` for at most `duration` ms; on expiry closes it and raises
--- "timeout" after its cleanup.
---@async
---@generic R
---@param duration integer
---@param task plenary_async.vim_async.Task<R>
---@return R...
function M.timeout(duration, task) end

--- `func` with its callback at `argc`, as an async function.
---@param argc integer
---@param func fun(...): plenary_async.vim_async.Closable?
---@return async fun(...): ...
function M.wrap(argc, func) end

--- A semaphore of `permits` (default 1).
---@param permits? integer
---@return plenary_async.vim_async.Semaphore
function M.semaphore(permits) end

return M
