-- `vim_async`: Neovim's `vim.async` API (runtime/doc/lua-async.txt) on
-- this runtime: structured tasks, beside plenary's API.
--
-- A vim_async task is a task of the scheduler (task.lua: the same
-- coroutines and waits as plenary's API, so each API can await the
-- other's functions) plus a node of the task tree (tree.lua, with the
-- rules of the runtime's plenary_async::scope::tree), which keeps who owns whom,
-- closes depth first, completes a task after its children and sends an
-- unobserved child failure up. This file decides what those events do to
-- a Lua task:
--
-- * close(id): the task is marked closing; a task suspended at a
--   checkpoint is interrupted (task.interrupt: the closable it awaits is
--   closed, and the task goes on once its close callback ran; a Rust
--   operation is dropped) and raises "closed" there; a child that has not
--   started completes as closed without running.
-- * child_failed(id, child): the child's error, as "child error: <err>",
--   becomes the task's pending failure, raised at its checkpoint
--   (interrupting a wait) and at every later one.
-- * completed(id, failed): the task's result is final (a task whose
--   function had returned fails if the tree says a child failed since);
--   its waiters and `on_complete` callbacks get it.
--
-- Checkpoints (await, pawait, checkpoint, and the end of the task's
-- function) start the task's pending children, then raise a pending
-- failure or "closed". Where vim.async's scheduling differs from
-- plenary's, vim_async tasks follow vim.async (task.lua's strict tasks):
-- a wake resumes them from the queue, never inside the waking call; an
-- await's closable is closed when the await ends; a plain
-- coroutine.yield() or a foreign coroutine.resume fails the task.
local task = require("plenary_async.task")
local tree = require("plenary_async.tree")
local sleeps = require("plenary_async.timer")
local validate = require("plenary_async.validate")
local waitlist = require("plenary_async.waiters")
local unpack = table.unpack or unpack
local pack = task.pack
local running, start_task, suspend, wake, new_wait = task.running, task.start, task.suspend, task.wake, task.new_wait
local interrupt, await_call, failure = task.interrupt, task.await_call, task.failure
local OWNED = task.OWNED -- (an await's closable is closed when the await ends)
local tree_new, tree_finish, tree_close = tree.new, tree.finish, tree.close
local tree_detach, tree_observe = tree.detach, tree.observe
local uv = vim.uv
local select, type, error, pcall, setmetatable, getmetatable = select, type, error, pcall, setmetatable, getmetatable
local co_status = coroutine.status

local M = {}

local CLOSED = "closed"

--- Live tasks by tree node number; finished ones stay reachable from
--- their handles only.
local by_id = {}

-- A task handle `T` is the scheduler's task record itself, with
-- task.lua's fields (`co`: false until it starts, and again once its
-- function ended; `waiting`; `done`: its function ended, or it was closed
-- before it started, so its node is finished; `on_done` and `strict`, in
-- the metatable) and these:
--
-- | field | meaning |
-- |---|---|
-- | id | its tree node's number |
-- | body, args | what it runs, until it starts (`args`: packed, nil: none; not `fn`: timer.lua's heap entries with an `fn` are callbacks) |
-- | parent | the task it is attached to (nil: top-level) |
-- | pending | its children that have not started yet (nil: none so far) |
-- | observed | someone awaits its outcome (its failure is not its parent's) |
-- | closing, failure | a close, or a failure (any value but nil: `error(false)` fails too), to raise at its checkpoints (nil: none) |
-- | is_done | it completed (function and children): its outcome is final |
-- | results, [1..results] | how many results it returned, and they; false: it failed with `err` (`tb`: its traceback: taken when its code raised, else made when asked for) |
-- | waiters | completion callbacks (nil: none) |
-- | awaiting | the task it waits for (for `traceback`; nil: none) |
-- | failed_children | its children that failed, by node number, until it completes |
-- | raised_from, raised_err | the last task whose error it got (awaited, or a child's failure) and the error it got, for its own error's traceback |
--
-- A task that runs and completes at once, awaited, sets 8 fields and one
-- result: the constructor has those (its hash part is sized once, at 8
-- slots, and one array slot holds a single result without a table); the
-- others are added when needed (a task that waits grows once).
---@class plenary_async.vim_async.Task : plenary_async.task.Record
---@field id integer
---@field body? function
---@field args? { n: integer, [integer]: any }
---@field parent? plenary_async.vim_async.Task<any>
---@field pending? plenary_async.vim_async.Task<any>[]|false
---@field observed? boolean
---@field closing? boolean
---@field failure? any
---@field is_done boolean
---@field results integer|false
---@field err? any
---@field tb? string
---@field waiters? function[]
---@field awaiting? plenary_async.vim_async.Task<any>
---@field failed_children? table<integer, plenary_async.vim_async.Task<any>>
---@field raised_from? plenary_async.vim_async.Task<any>
---@field raised_err? any
local Task = {}
Task.__index = Task

--- Records that task `T` failed on its parent (`failed_children`, by node
--- number): the parent's child_failed hook, or its completion, takes the
--- error from there (the child has completed by then: `by_id` has let it
--- go).
local function note_failed(T)
  local p = T.parent
  if p then
    local fc = p.failed_children
    if not fc then
      fc = {}
      p.failed_children = fc
    end
    fc[T.id] = T
  end
end

---@type fun(T: plenary_async.vim_async.Task<any>, ok: boolean, ...: any)
local on_done -- the scheduler's completion of vim_async tasks (marks them)

--- The running vim_async task, or nil.
---@return plenary_async.vim_async.Task<any>?
local function current()
  local T = running() --[[@as plenary_async.vim_async.Task<any>?]]
  if T ~= nil and T.on_done == on_done then
    return T
  end
  return nil
end

local function current_or_error(name)
  local T = current()
  if T == nil then
    error(("vim_async.%s: call it inside a task (vim_async.run)"):format(name), 3)
  end
  return T
end

local function raise_closed()
  error(CLOSED, 0)
end

--- The reason task `T` must stop at a checkpoint, as a raiser, or nil.
local function stop_reason(T)
  if T.failure ~= nil then
    local err = T.failure
    return function()
      error(err, 0)
    end
  end
  if T.closing then
    return raise_closed
  end
  return nil
end

---@type fun(T: plenary_async.vim_async.Task<any>)
local start

--- Starts the children in `pending`, the pending list of `T`, in the order
--- they were made.
local function start_pending(T, pending)
  T.pending = false -- children made while these start get a new list
  local i = 1
  local child = pending[1]
  while child ~= nil do
    pending[i] = nil
    if not child.co and not child.done and child.parent == T then
      start(child)
    end
    i = i + 1
    child = pending[i]
  end
  -- (`start` may have given T a new list: the checker does not see it.)
  ---@diagnostic disable-next-line: unnecessary-if
  if not T.pending then
    T.pending = pending -- empty again: reused
  end
end

--- A checkpoint of the running task `T`: pending children start, then a
--- pending failure or a close is raised. Does not yield.
local function checkpoint(T)
  local pending = T.pending
  if pending and pending[1] ~= nil then
    start_pending(T, pending)
  end
  if T.failure ~= nil then
    error(T.failure, 0)
  end
  if T.closing then
    error(CLOSED, 0)
  end
end

-- Tracebacks ---------------------------------------------------------------------

--- A label for the lines of task `T`'s frames in a traceback: its name,
--- or its number.
local function label(T)
  return "[" .. (T.name or ("task " .. T.id)) .. "] "
end

--- Adds the frames of `text` (a traceback: "...stack traceback:\n\t
--- frame..."), tagged with task `T`'s label, to `lines`; frames tagged
--- already (a nested task's) keep their tag. This module's own frames
--- (where every task waits, and how an error reaches a task) and
--- `error`'s say nothing the message does not: they are left out, so the
--- first frame of each task is its code's.
local function add_frames(lines, text, T)
  local tag = label(T)
  local body = text:match("stack traceback:\n(.*)$")
  if body == nil then
    return
  end
  for frame in ("\n" .. body):gmatch("\n\t?([^\n]*)") do
    if
      frame ~= ""
      and not frame:find("plenary_async[/\\][%w_]+%.lua:%d+:")
      and frame ~= "[C]: in function 'co_yield'"
      and frame ~= "[C]: in function 'error'"
    then
      if frame:find("^%[[^%]]*%] ") then
        lines[#lines + 1] = "\t" .. frame
      else
        lines[#lines + 1] = "\t" .. tag .. frame
      end
    end
  end
end

---@type fun(T: plenary_async.vim_async.Task<any>, err: any, own_stack?: boolean): string
local error_traceback

--- The traceback of failed task `T`'s error. A task whose own code raised
--- it has it already (taken from its dead coroutine when it failed); for
--- one that was closed, or that failed at its final checkpoint, it is made
--- when first asked for (closing a tree of tasks does not pay for
--- tracebacks nobody reads).
local function traceback_of(T)
  local tb = T.tb
  if tb == nil then
    tb = error_traceback(T, T.err)
    T.tb = tb
  end
  return tb
end

--- The traceback of task `T`'s error `err`: its own stack (`own_stack`:
--- its coroutine died with the error and is still there: a dead coroutine
--- keeps its frames), after that of the task whose error it raised
--- (awaited, or an unhandled child's), if any: "err\nstack
--- traceback:\n\t[inner] frame...\n\t[outer] frame...". A non-string
--- error, or one that has a traceback already, is kept as it is.
error_traceback = function(T, err, own_stack)
  local own = nil
  if own_stack then
    own = failure(T, err)
    if type(own) ~= "string" or own == err then
      return own
    end
  elseif type(err) ~= "string" then
    return err
  end
  local lines = {}
  local from = T.raised_from
  if from and T.raised_err == err and not from.results then
    local from_tb = traceback_of(from)
    if type(from_tb) == "string" then
      add_frames(lines, from_tb, from)
    end
  end
  if own then
    add_frames(lines, own, T)
  end
  if lines[1] == nil then
    return err
  end
  return tostring(err) .. "\nstack traceback:\n" .. table.concat(lines, "\n")
end

-- Completion --------------------------------------------------------------------

--- Calls `cb(err, ...)` with completed task `T`'s outcome (`nil,
--- results...` or its error).
local function call_with_outcome(T, cb)
  local n = T.results
  if n then
    return cb(nil, unpack(T, 1, n))
  end
  return cb(T.err)
end

local function deliver(T)
  local waiters = T.waiters
  T.waiters = false
  for i = 1, #waiters do
    local cb = waiters[i]
    if cb then
      call_with_outcome(T, cb)
    end
  end
end

--- Node `id` completed (the tree's `completed` event; `tree_failed`: the
--- tree says it failed): the task's result is final; its waiters and
--- `on_complete` callbacks get it.
local function complete(id, tree_failed)
  local T = by_id[id]
  if T == nil then
    return
  end
  by_id[id] = nil
  if tree_failed and T.results then
    -- Its function returned, then a child failed unhandled (the tree had
    -- finished its work, so no child_failed hook ran): it fails with that
    -- child's error, as if raised at its final checkpoint.
    local child = nil ---@type plenary_async.vim_async.Task<any>?
    for cid, c in pairs(T.failed_children or {}) do
      if not c.observed and (child == nil or cid < child.id) then
        child = c
      end
    end
    local err = "child error: " .. tostring(child and child.err or "a child task failed")
    T.results, T.err, T.raised_from, T.raised_err = false, err, child, err
    note_failed(T)
  end
  T.is_done = true
  if T.failed_children then
    -- (Only then: storing nil to a field a table does not have adds the
    -- field in LuaJIT, and a full record would grow.)
    T.failed_children = nil
  end
  if T.raise and not T.results and T.err ~= CLOSED then
    task.report(traceback_of(T))
  end
  if T.waiters then
    deliver(T)
  end
end

--- Finishes node `id` (its task's own work is over); completes the task
--- that the tree hands back (the tree holds back its last completion for
--- the caller, tree.lua).
local function finish_node(id, failed, observed)
  local c = tree_finish(id, failed, observed)
  if c > 0 then
    complete(c, false)
  elseif c < 0 then
    complete(-c, true)
  end
end

--- The task's own function ended (`ok`, results or error): the final
--- checkpoint starts pending children; the tree completes the task once
--- they are done.
on_done = function(T, ok, ...)
  local died = not ok -- (its coroutine died with the error: its frames are there now)
  local err
  if ok then
    -- The final checkpoint: pending children start (a task that failed
    -- leaves them to be closed unrun), a close or a failure still pending
    -- is the task's outcome.
    local pending = T.pending
    if pending and pending[1] ~= nil then
      start_pending(T, pending)
    end
    if T.failure ~= nil then
      ok, err = false, T.failure
    elseif T.closing then
      ok, err = false, CLOSED
    else
      local n = select("#", ...)
      if n == 1 then
        T[1] = ...
      elseif n > 1 then
        for i = 1, n do
          T[i] = (select(i, ...))
        end
      end
      T.results = n
    end
  else
    err = ...
    if err == nil then
      err = "error(nil)" -- (a nil error would read as success to on_complete)
    end
  end
  local failed = false
  if not ok then
    T.err = err
    failed = not (T.closing and err == CLOSED)
    if failed then
      note_failed(T)
      if died then
        T.tb = error_traceback(T, err, true)
      end
    end
  end
  -- The coroutine is let go (a pooled one runs other tasks now; a dead one
  -- would keep its frames' values alive as long as the handle).
  T.co = false
  finish_node(T.id, failed, T.observed)
end

-- (In the metatable: task.lua reads `t.on_done`, and `t.strict` (a plain
-- coroutine.yield() or a foreign coroutine.resume() fails the task, as
-- Neovim's vim.async does); not slots per task.)
Task.on_done = on_done
Task.strict = true

tree.set_hooks({
  close = function(id)
    local T = by_id[id]
    if T == nil or T.is_done then
      return
    end
    T.closing = true
    if not T.co then
      -- Closed before it ran: it completes as closed, its function unrun.
      T.done, T.err = true, CLOSED
      finish_node(id, false, false)
      return
    end
    interrupt(T, raise_closed)
  end,
  child_failed = function(id, child_id)
    local T = by_id[id]
    if T == nil or T.failure ~= nil then
      return
    end
    -- (The child's error, wrapped as vim.async does: "child error: ...".)
    local child = T.failed_children and T.failed_children[child_id]
    local err = "child error: " .. tostring(child and child.err or "a child task failed")
    T.failure, T.raised_from, T.raised_err = err, child, err
    if T.co then
      interrupt(T, stop_reason(T))
    end
  end,
  completed = complete,
})

start = function(T)
  local body, args = T.body, T.args
  T.body = false
  if args then
    T.args = nil
    start_task(T, body, unpack(args, 1, args.n))
  else
    start_task(T, body)
  end
end

-- Creating tasks -------------------------------------------------------------------

local function new_task(name, fn, ...)
  if type(fn) ~= "function" and not validate.is_callable(fn) then
    error(("vim_async.run: expected a function, got %s"):format(type(fn)), 3)
  end
  local parent = current()
  -- The fields of a task that completes at once (see the table above).
  local T = setmetatable({
    false, -- (the array slot of a single result)
    co = false,
    done = false,
    body = fn,
    parent = parent,
    is_done = false,
    id = 0,
    results = false,
  }, Task)
  if name ~= nil then
    T.name = name
  end
  if select("#", ...) > 0 then
    T.args = pack(...)
  end
  local id = tree_new(parent and parent.id or 0)
  T.id = id
  by_id[id] = T
  if parent == nil then
    start(T)
  elseif parent.closing or parent.failure ~= nil then
    -- Made under a closing parent: closed without running. (The tree
    -- closed its node at once, before `by_id` knew it: its close hook
    -- found no task.)
    T.closing, T.done, T.err = true, true, CLOSED
    finish_node(id, false, false)
  else
    local pending = parent.pending
    if not pending then
      parent.pending = { T }
    else
      pending[#pending + 1] = T
    end
  end
  return T
end

--- Runs `fn(...)` as a task; `run(name, fn, ...)` names it. A top-level
--- task starts at once; one made inside a running task is its child and
--- starts at the parent's next checkpoint.
function M.run(name, ...)
  if type(name) == "string" then
    return new_task(name, ...)
  end
  return new_task(nil, name, ...) -- (`...`, not `fn, ...`: no extra nil argument)
end

-- Awaiting -------------------------------------------------------------------------

--- Adds `cb(err, ...)` to the callbacks of `T`'s completion; returns the
--- list and the slot (set it to false to unsubscribe).
local function add_waiter(T, cb)
  local waiters = T.waiters
  if not waiters then
    waiters = {}
    T.waiters = waiters
  end
  local slot = #waiters + 1
  waiters[slot] = cb
  return waiters, slot
end

--- Suspends `T` until task `other` completes (an interruption of `T` is
--- raised).
local function wait_task(T, other)
  if not other.co and not other.done and other.parent == nil then
    start(other)
    if other.is_done then
      return
    end
  end
  local id = new_wait()
  local waiters, slot = add_waiter(other, function()
    wake(T, id)
  end)
  T.awaiting = other
  local ok, err = pcall(suspend, T, id)
  T.awaiting = nil
  if not ok then
    waiters[slot] = false
    error(err, 0)
  end
end

--- The running task `T` awaits task `other`: a checkpoint, then a wait
--- until `other` completed. `level`: the user's call, for errors.
local function await_task(T, other, level)
  if other == T then
    error("vim_async.await: a task cannot await itself", level)
  end
  -- Observed before the checkpoint starts it: its failure is this
  -- await's, not an unhandled one. (A task that has not ended tells its
  -- node when it does: tree_finish's `observed`.)
  if not other.observed then
    other.observed = true
    if other.done and not other.is_done then
      tree_observe(other.id)
    end
  end
  checkpoint(T)
  if not other.is_done then
    wait_task(T, other)
  end
end

local function returned(ok, ...)
  if ok then
    return ...
  end
  error((...), 0)
end

--- `await` and `pawait`'s function forms: `fn(cb)` or `argc, fn, ...`.
--- Returns `true, values...` or `false, err` (an error of the awaited
--- operation); a close or a pending failure of `T` is raised.
local function await_fn(T, a1, a2, ...)
  checkpoint(T)
  if type(a1) == "number" then
    return pcall(await_call, T, a2, a1, OWNED, ...)
  end
  return pcall(await_call, T, a1, 1, OWNED)
end

local function check_interrupted(T, ok, ...)
  if not ok then
    -- An error raised while the task is closing or failing is the
    -- interruption's (or comes after it): it is never protected.
    if T.closing or T.failure ~= nil then
      error((...), 0)
    end
    if (...) == nil then
      return false, "error(nil)" -- (a nil error would read as success)
    end
  end
  return ok, ...
end

--- The running task `T` awaits task `other`: `true, results...` or
--- `false, err`. With `terminal` (`await`, not `pawait`), a failure of
--- `other` fails `T` as well, as vim.async's contract says: it is kept as
--- T's pending failure, raised now and at every later checkpoint, and T
--- ends failed with it even if the raise is caught.
local function task_outcome(T, other, terminal)
  await_task(T, other, 4)
  local n = other.results
  if n then
    return true, unpack(other, 1, n)
  end
  local err = other.err
  T.raised_from, T.raised_err = other, err
  if terminal and T.failure == nil then
    T.failure = err
  end
  return false, err
end

--- Suspends the running task until the awaitable completes: a task (its
--- results; its error is raised and becomes this task's failure too, see
--- task_outcome), `fn(cb)` or `argc, fn, ...` (the callback's arguments;
--- an error `fn` raises is raised here). A checkpoint.
function M.await(a1, ...)
  local T = current() or current_or_error("await")
  if getmetatable(a1) == Task then
    return returned(task_outcome(T, a1, true))
  end
  return returned(check_interrupted(T, await_fn(T, a1, ...)))
end

--- Like `await`, but returns `ok, ...`: an error of the awaited operation
--- is returned, not raised (a close or a pending failure still is).
function M.pawait(a1, ...)
  local T = current() or current_or_error("pawait")
  if getmetatable(a1) == Task then
    return check_interrupted(T, task_outcome(T, a1, false))
  end
  return check_interrupted(T, await_fn(T, a1, ...))
end

--- Starts pending children and raises a pending close or failure; does
--- not yield.
function M.checkpoint()
  checkpoint(current_or_error("checkpoint"))
end

--- Whether the running task is closing.
function M.is_closing()
  local T = current()
  return T ~= nil and T.closing == true
end

-- The event-loop bindings `config` may replace (for tests, or a host
-- that wraps them): `Task:wait` pumps the loop with `wait`; `sleep` and
-- `timeout` make their timers with `new_timer`.
--- What `config` can replace (tests give Neovim-free stand-ins).
---@class plenary_async.vim_async.Runtime
---@field wait fun(ms: integer, cond?: (fun(): boolean), interval?: integer, fast_only?: boolean): boolean
---@field new_timer fun(): uv.uv_timer_t

---@type plenary_async.vim_async.Runtime
local runtime = { wait = vim.wait, new_timer = uv.new_timer }

local CONFIG_KEYS = { wait = "function", schedule = "function", new_timer = "function", debug = "boolean" }

--- Sets event-loop bindings (`vim.async.config`): `wait(timeout,
--- predicate)` and `new_timer()` replace the ones `Task:wait`, `sleep` and
--- `timeout` use (Neovim's are the default). `schedule` and `debug` are
--- accepted and have no effect here: tasks resume through this module's
--- scheduler, on Neovim's `vim.schedule`, shared with plenary's API, and
--- every task already keeps what a traceback needs.
function M.config(opts)
  if type(opts) ~= "table" then
    error(("vim_async.config: expected a table of options, got %s"):format(type(opts)), 2)
  end
  for key, value in pairs(opts) do
    local want = CONFIG_KEYS[key]
    if want == nil then
      error(("vim_async.config: unknown option %q (wait, schedule, new_timer, debug)"):format(tostring(key)), 2)
    end
    local ok = type(value) == want or (want == "function" and validate.is_callable(value))
    if not ok then
      error(("vim_async.config: option %q must be a %s, got %s"):format(key, want, type(value)), 2)
    end
  end
  if opts.wait ~= nil then
    runtime.wait = opts.wait
  end
  if opts.new_timer ~= nil then
    runtime.new_timer = opts.new_timer
  end
end

--- Neovim's own timers: `sleep` takes its fast path while `config` has not
--- replaced them.
local default_timer = uv.new_timer

--- Sleeps `ms` milliseconds. On Neovim's own timers (the default) the
--- task is an entry of the scheduler's sleep heap (timer.lua: one libuv
--- timer for every sleep, nothing allocated per sleep; a close leaves a
--- stale entry, with no handle to close and no callback to wait for);
--- with a `new_timer` from `config`, a closable timer of that factory.
function M.sleep(ms)
  if runtime.new_timer == default_timer then
    local T = current() or current_or_error("sleep")
    sleeps.check(ms, "vim_async.sleep")
    checkpoint(T)
    returned(check_interrupted(T, pcall(sleeps.sleep, T, ms)))
    return
  end
  M.await(1, function(cb)
    local timer = runtime.new_timer()
    timer:start(ms, 0, function()
      timer:close()
      cb()
    end)
    return timer
  end)
end

--- `fn` with the callback at `argc`, as an async function.
function M.wrap(argc, fn)
  return function(...)
    return M.await(argc, fn, ...)
  end
end

--- Awaits `other` for at most `ms`: on expiry it is closed, and "timeout"
--- is raised once its cleanup is done.
function M.timeout(ms, other)
  current_or_error("timeout")
  if not validate.is_number(ms, 0, math.huge) then
    error(
      ("vim_async.timeout: expected a duration in milliseconds (a number >= 0), got %s"):format(validate.shown(ms)),
      2
    )
  end
  if getmetatable(other) ~= Task then
    error(("vim_async.timeout: expected a task (vim_async.run), got %s"):format(type(other)), 2)
  end
  local expired = false
  local timer = runtime.new_timer()
  timer:start(ms, 0, function()
    expired = true
    other:close()
  end)
  local r = pack(pcall(M.pawait, other))
  if not timer:is_closing() then
    timer:close()
  end
  if not r[1] then
    error(r[2], 0) -- the running task was closed or failed
  end
  if expired then
    error("timeout", 0)
  end
  return returned(unpack(r, 2, r.n))
end

--- An iterator over `tasks` in completion order (task handles).
function M.iter(tasks)
  local T = current_or_error("iter")
  local done, head, total, given = {}, 1, #tasks, 0
  local waiting_id = nil ---@type integer?
  for i = 1, total do
    tasks[i]:on_complete(function()
      done[#done + 1] = tasks[i]
      if waiting_id then
        local id = waiting_id
        waiting_id = nil
        wake(T, id)
      end
    end)
  end
  return function()
    if given == total then
      return nil
    end
    checkpoint(T)
    if done[head] == nil then
      waiting_id = new_wait()
      suspend(T, waiting_id)
    end
    local nxt = done[head]
    head = head + 1
    given = given + 1
    return nxt
  end
end

-- Semaphore --------------------------------------------------------------------------

local Semaphore = {}
Semaphore.__index = Semaphore

--- A semaphore of `permits` (default 1).
function M.semaphore(permits)
  permits = permits or 1
  if not validate.is_whole(permits, 1, validate.MAX_FINITE) then
    error(("vim_async.semaphore: permits: expected positive integer, got %s"):format(validate.shown(permits)), 2)
  end
  -- (`granted`: the waits handed a permit by `release` and not yet back in
  -- their task, by wait id.)
  return setmetatable({ permits = permits, max = permits, waiting = waitlist.new(), granted = {} }, Semaphore)
end

--- Takes a permit, waiting (first come, first served) while none is free.
function Semaphore:acquire()
  local T = current_or_error("Semaphore:acquire")
  checkpoint(T)
  if self.permits > 0 and not waitlist.any(self.waiting) then
    self.permits = self.permits - 1
    return
  end
  local id = new_wait()
  waitlist.push(self.waiting, T, id)
  local ok, err = pcall(suspend, T, id)
  if self.granted[id] then
    self.granted[id] = nil
    if not ok then
      self:release() -- it was handed a permit as it was interrupted
    end
  end
  if not ok then
    error(err, 0)
  end
end

--- Gives a permit back (to the longest waiter, if any).
function Semaphore:release()
  local T, id = waitlist.pop(self.waiting)
  if T ~= nil then
    self.granted[id] = true
    wake(T, id)
    return
  end
  if self.permits >= self.max then
    error("vim_async: Semaphore:release() called more times than acquire()", 2)
  end
  self.permits = self.permits + 1
end

--- Runs `fn()` holding a permit; releases it however `fn` ends.
function Semaphore:with(fn)
  self:acquire()
  local r = pack(pcall(fn))
  self:release()
  return returned(unpack(r, 1, r.n))
end

M.Semaphore = Semaphore

-- Task methods -------------------------------------------------------------------------

--- Closes the task and its children (cooperatively); `cb()` runs when it
--- has completed.
function Task:close(cb)
  if cb ~= nil then
    self:on_complete(function()
      cb()
    end)
  end
  if not self.is_done then
    tree_close(self.id)
  end
end

--- Whether the task has completed (its function and its children).
function Task:completed()
  return self.is_done
end

--- Makes the task top-level; a pending child is scheduled to start.
function Task:detach()
  local parent = self.parent
  if parent ~= nil then
    self.parent = nil
    tree_detach(self.id)
    if not self.co and not self.done then
      -- A child waiting for its parent's checkpoint is scheduled to start
      -- (from the scheduler's queue, as the contract says), unless
      -- something starts it first (`wait`, an `await`).
      task.enqueue(function()
        if not self.co and not self.done then
          start(self)
        end
      end)
    end
  end
  return self
end

--- Calls `cb(err, ...)` when the task completes (at once if it has);
--- returns a function that unsubscribes.
function Task:on_complete(cb)
  if self.is_done then
    call_with_outcome(self, cb)
    return function() end
  end
  local waiters, slot = add_waiter(self, cb)
  return function()
    waiters[slot] = false
  end
end

--- Pumps the loop until the task completes (at most `timeout` ms: then
--- raises "timeout"); returns its results or raises its error.
function Task:wait(timeout)
  if not self.co and not self.done then
    start(self)
  end
  if not self.is_done then
    local done = runtime.wait(timeout or 2 ^ 31 - 1, function()
      return self.is_done
    end, 1)
    if not done then
      error("timeout", 2)
    end
  end
  local n = self.results
  if n then
    return unpack(self, 1, n)
  end
  error(self.err, 0)
end

function Task:pwait(timeout)
  return pcall(self.wait, self, timeout)
end

--- Reports the task's error (to Neovim) when it completes failed.
function Task:raise_on_error()
  self.raise = true
  if self.is_done and not self.results and self.err ~= CLOSED then
    task.report(traceback_of(self))
  end
  return self
end

--- "running", "normal" (it resumed another coroutine), "awaiting" or
--- "completed".
function Task:status()
  if self.is_done then
    return "completed"
  end
  if self.co and not self.done then -- (once done, its coroutine may run another task)
    local st = co_status(self.co)
    if st == "running" then
      return "running"
    elseif st == "normal" then
      return "normal"
    end
  end
  return "awaiting"
end

--- The task's stack, and those of the tasks it awaits (nested), as one
--- traceback: `msg` first, then the frames, innermost first (the task
--- awaited last, down to this one), each line tagged with its task's name
--- or number (this module's own frames left out). `level` skips that many
--- frames of this task's own stack. A
--- task that is not running or waiting gives the traceback of its error,
--- if it failed.
function Task:traceback(msg, level)
  if self.done then
    local tb = self.err ~= nil and traceback_of(self) -- (err: set when it failed)
    if tb then
      return msg and (tostring(msg) .. "\n" .. tb) or tb
    end
    return msg and tostring(msg) or ""
  end
  local chain = {} ---@type plenary_async.vim_async.Task<any>[]
  local T = self ---@type plenary_async.vim_async.Task<any>?
  while T do
    chain[#chain + 1] = T
    T = T.awaiting
  end
  local lines = {}
  for i = #chain, 1, -1 do
    local U = chain[i]
    if U.co and not U.done then
      add_frames(lines, debug.traceback(U.co, "", i == 1 and level or 0), U)
    end
  end
  local head = msg and (tostring(msg) .. "\n") or ""
  return head .. "stack traceback:\n" .. table.concat(lines, "\n")
end

return M
