-- Tasks: Lua coroutines, resumed the way plenary.async resumes them.
--
-- A task is a coroutine and a small record (`t`): its completion callback,
-- the wait it is in, whether it is done. A task waits by registering a
-- *wait* (a number that identifies this one wait: `t.waiting`) with
-- whatever will end it (a channel, a callback, a timer, a libuv request)
-- and yielding. Whatever ends it calls `wake(t, id, ...)`: a wake for a
-- wait that is over (a second callback call, a canceled task) is ignored,
-- so a callback resumes its task at most once.
--
-- The ordering model (plenary's, with bounds):
--
-- * Eager. A wake from a context where Neovim's API may be called (task
--   code, the main chunk, a vim.schedule callback, an autocmd) resumes the
--   woken task at once, up to its next wait, before the waking call
--   returns: after `tx(v)` or `cv:notify_all()` the woken tasks have run.
--   `run` starts a task the same way.
-- * Synchronous callbacks. A wrapped function whose callback is called
--   before it returns gives its results without the task yielding at all
--   (no nested resume: 1,000,000 such round trips use no stack).
-- * Bounded depth. An eager resume nested inside MAX_DEPTH (100) others is
--   queued instead, so chains of wakes never overflow the C stack.
-- * Bounded bursts. Eager resumes in one turn of the loop stop once
--   DRAIN_NS (1 ms) has passed since the turn's first one (the clock is
--   read once per BURST, 1,000, resumes, so a burst may overrun by that
--   many); past that, wakes are queued until the loop has turned. Two tasks
--   that ping-pong eagerly thus cannot hold Neovim, and quick task code
--   runs eagerly for the whole millisecond, not for a fixed count.
-- * Queued. Wakes from a fast event (a raw libuv callback, where the API is
--   not safe), and those past a bound, go to a first-in-first-out queue
--   that `drain` empties from `vim.schedule`. A drain runs for at most
--   DRAIN_NS (1 ms) and then lets the loop turn (a 0 ms timer) before the
--   next one.
-- * Re-entrant. Nothing here holds a lock across a resume: task code may
--   run Neovim's loop (`vim.wait`, `util.block_on`) and the tasks and
--   drains it runs meanwhile work as usual.
--
-- Strict tasks (`t.strict`: vim_async's, as Neovim's vim.async) are never
-- resumed eagerly: a wake queues them (they go on from a later drain, not
-- inside the waker's call), and they fail on
-- a plain `coroutine.yield()` in their code ("Unexpected
-- coroutine.yield()") and on a `coroutine.resume` of their coroutine by
-- anyone but the scheduler ("Unexpected coroutine.resume()", which that
-- resume also returns); plenary's tasks go on after a plain yield.
--
-- Coroutines are reused: a task started with no arguments runs on a
-- coroutine whose previous task's function returned (kept in a small
-- pool), not a new one, so a task that completes at once allocates no
-- coroutine. A task's `t.co` is its coroutine while it runs; once the task
-- is done the coroutine may run another task (check `t.done` first).
local co_create, co_resume, co_status, co_running =
  coroutine.create, coroutine.resume, coroutine.status, coroutine.running
-- (Typed as a plain function: the scheduler's own yields are not awaits.)
---@type fun(...): ...
local co_yield = coroutine.yield
local uv = vim.uv
local hrtime = uv.hrtime
---@type fun(): boolean (Neovim's annotation gives no return type)
local in_fast_event = vim.in_fast_event
local schedule = vim.schedule
local select, type, error, pcall = select, type, error, pcall
local traceback = debug.traceback

local unpack = unpack
---@return { n: integer, [integer]: any }
local function pack(...)
  return { n = select("#", ...), ... }
end

---@class plenary_async.task
---@field forget_sleep? fun(t: plenary_async.task.Record) timer.lua's: forgets the sleep of a task that stops waiting.
---@field forget_request? fun(t: plenary_async.task.Record) uv_fs.lua's: forgets the libuv request of a task that stops waiting.
local M = {}

--- `{ n = select("#", ...), ... }`: the values, nils included (every
--- module's one `pack`).
M.pack = pack

--- A task: the record `spawn` fills in and `start` runs (vim_async's task
--- handles are such records, with fields of their own).
---@class plenary_async.task.Record
---@field co thread Its coroutine while it runs (once `done`, another task's).
---@field done boolean
---@field canceled? boolean
---@field waiting integer|false The id of the wait it is in, or false.
---@field strict? boolean vim_async's: a plain `coroutine.yield()` fails it.
---@field on_done? fun(t: plenary_async.task.Record, ok: boolean, ...: any)
---@field cb? function
---@field seq? integer
---@field sleep_id? integer|false
---@field req? uv.uv_req_t|false The libuv request it waits on.
---@field req_cb? function|false uv_fs.lua's: the callback of its requests.
---@field req_id? integer|false uv_fs.lua's: the wait its running request ends.
---@field req_dispose? function|false uv_fs.lua's: what disposes of its running request's late results.
---@field closer? { close: function, is_closing?: function } What its wait closes if it ends early.
---@field closer_owned? boolean

local MAX_DEPTH, BURST = 100, 1000
M.DRAIN_NS = 1e6

---@type plenary_async.task.Record?
local current = nil -- the task being resumed (nil outside tasks)
local depth = 0 -- how many resumes are nested now
---@type number
local burst = 0
local burst_clock, burst_start = -1, 0

local next_wait = 0
--- A new wait id.
local function new_wait()
  next_wait = next_wait + 1
  return next_wait
end
M.new_wait = new_wait

--- The running task, or nil when the running code is not a task's own
--- coroutine (the main chunk, a callback, a coroutine of the user's).
local function running()
  local t = current
  if t ~= nil and t.co == co_running() then
    return t
  end
  return nil
end
M.running = running

-- The queue of deferred resumes: tasks (with the values to resume them
-- with) and plain functions (callbacks of a timer). Up to three values are
-- kept in the queue's own arrays (`q_n` of them; a nil as NIL, so that the
-- arrays have no holes), more in a packed table (`q_n` is -1): a wake from
-- a libuv callback allocates nothing but its queue slots.
local q_item, q_n, q_1, q_2, q_3 = {}, {}, {}, {}, {}
local NIL = {}
local q_head, q_tail = 1, 0
local drain_scheduled = false -- a drain will run (scheduled, or its timer armed)
local draining = 0 -- how many drains are running (nested: task code ran the loop)
---@type uv.uv_timer_t?
local drain_timer = nil
---@type fun()
local drain

local function schedule_drain()
  schedule(drain)
end

--- Makes sure a drain will run. From inside a drain, through a 0 ms timer:
--- a drain scheduled from a drain would run in the same burst of
--- vim.schedule callbacks, and the loop would never turn (no timers, no
--- I/O) while tasks keep waking each other.
local function request_drain()
  if drain_scheduled then
    return
  end
  drain_scheduled = true
  if draining > 0 then
    drain_timer = drain_timer or uv.new_timer()
    drain_timer:start(0, 0, schedule_drain)
  else
    schedule(drain)
  end
end

--- Queues `item` with `n` values (`a`, `b`, `c`, or a packed table in `a`
--- when `n` is -1).
local function push(item, n, a, b, c)
  local i = q_tail + 1
  q_tail = i
  q_item[i], q_n[i] = item, n
  if n ~= 0 then
    if a == nil then
      a = NIL
    end
    if b == nil then
      b = NIL
    end
    if c == nil then
      c = NIL
    end
    q_1[i], q_2[i], q_3[i] = a, b, c
  end
  request_drain()
end

--- Queues `item` (a task, or a function) to be resumed (called) with the
--- values of the packed table `args`, or with none.
local function enqueue(item, args)
  if args then
    return push(item, -1, args)
  end
  return push(item, 0)
end
M.enqueue = enqueue

--- Queues `item` to be resumed (called) with `...`.
local function enqueue_values(item, ...)
  local n = select("#", ...)
  if n <= 3 then
    return push(item, n, ...)
  end
  return push(item, -1, pack(...))
end
M.enqueue_values = enqueue_values

--- Reports an error that nobody awaits to Neovim (as a vim.schedule
--- callback's error: Neovim shows it).
local function report(message)
  schedule(function()
    error(message, 0)
  end)
end
M.report = report

---@type fun(t: plenary_async.task.Record, ok: boolean, ...: any): ...
local finish

-- What a task's coroutine yields when it waits (`suspend`): after a
-- resume, this value says "suspended" without asking coroutine.status
-- (a C call that makes a string), which a return or a plain
-- `coroutine.yield()` in task code still needs.
local SUSPENDED = {}

-- What a reused coroutine yields when its task's function returned
-- (followed by the results): the coroutine can run another task.
local FINISHED = {}

-- Coroutines waiting for a task to run (at most POOL of them).
---@type thread[]
local pool = {}
local pool_n, POOL = 0, 16

-- The function a pooled coroutine runs next: set right before the resume
-- that starts it.
---@type function?
local next_body = nil

--- Takes the function handed over in `next_body`.
---@return function
local function take_body()
  local fn = next_body
  next_body = nil
  ---@cast fn function
  return fn
end

--- A pooled coroutine's function: one task's function after another,
--- each handed over in `next_body`; yields FINISHED and its results after
--- each. (The function comes from a call, not a variable: no local holds
--- it while the coroutine waits in the pool, and a traceback names it by
--- its location, not by a variable's name.)
local function worker()
  while true do
    co_yield(FINISHED, take_body()())
  end
end

local function after_resume(t, outer, ok, first, ...)
  depth = depth - 1
  current = outer
  if ok then
    if first == SUSPENDED then
      return
    elseif first == FINISHED then
      if pool_n < POOL then
        pool_n = pool_n + 1
        pool[pool_n] = t.co
      end
      return finish(t, true, ...)
    end
  end
  if co_status(t.co) == "dead" then
    return finish(t, ok, first, ...)
  end
  if t.done then
    return
  end
  if t.strict then
    -- A plain `coroutine.yield()` where a strict task (vim_async's) may
    -- only await: the task fails (its coroutine is left where it yielded).
    return finish(t, false, "Unexpected coroutine.yield()")
  end
  if not t.waiting then
    -- A plain `coroutine.yield()` in task code: go on at the next turn.
    enqueue(t, false)
  end
end

--- Resumes `t` now with `...` (the caller checked that it may).
local function resume(t, ...)
  local outer = current
  current = t
  depth = depth + 1
  return after_resume(t, outer, co_resume(t.co, ...))
end

-- The loop's turns, counted by a check handle (run once per turn of the
-- loop, after it polled for I/O): the burst budget starts afresh on each.
-- (Cheaper than asking the loop's clock on every wake.)
local turn = 0
local turn_counter = uv.new_check()
turn_counter:start(function()
  turn = turn + 1
end)
turn_counter:unref() -- it never keeps the loop alive

--- Whether a wake may resume its task now rather than queue it.
local function eager()
  if depth >= MAX_DEPTH then
    return false
  end
  if turn ~= burst_clock then
    burst_clock, burst, burst_start = turn, 0, hrtime()
  elseif burst >= BURST then
    -- (math.huge: this turn's time is up, without reading the clock again.)
    if burst == math.huge or hrtime() - burst_start >= M.DRAIN_NS then
      burst = math.huge
      return false
    end
    burst = 0 -- another BURST before the clock is read again
  end
  if in_fast_event() then
    return false
  end
  burst = burst + 1
  return true
end

--- Ends the wait `id` of task `t` with the values `...`: the task goes on
--- from its wait (at once if it may, else from the queue). Does nothing
--- if the wait is already over or the task was canceled.
local function wake(t, id, ...)
  if t.waiting ~= id or t.done then
    return
  end
  t.waiting = false
  if not t.strict and eager() then
    return resume(t, ...)
  end
  -- (A strict task, vim_async's, always resumes from the queue: "the task
  -- resumes on a later event-loop turn", as vim.async's contract says.)
  return enqueue_values(t, ...)
end
M.wake = wake

--- `wake` from a libuv callback (a fast event, where a task is never
--- resumed at once): queues the task with `...`, if the wait is not over.
function M.wake_later(t, id, ...)
  if t.waiting ~= id or t.done then
    return
  end
  t.waiting = false
  return enqueue_values(t, ...)
end

-- What `interrupt` resumes a waiting task with: this marker and a
-- function that raises the reason (a close, a child's failure) in the task.
local INTERRUPTED = {}

--- Whether a closable says it is closing already (vim.async's Closable
--- may have `is_closing`, as luv handles do): it is not closed twice (a
--- luv handle would raise).
local function is_closing(closer)
  local f = closer.is_closing
  if f == nil then
    return false
  end
  local ok, closing = pcall(f, closer)
  return ok and closing == true
end

---@type fun(t: plenary_async.task.Record): boolean, ...
local release_wait
---@type fun(t: plenary_async.task.Record, handle: table, ...: any): ...
local close_owned

--- A strict task's coroutine, suspended in a wait, was resumed by someone
--- else's `coroutine.resume` (not by `resume`: `current` is not the task).
--- The resume fails with the error, and the task fails with it once that
--- resume is over (what it waited for is released).
local function foreign_resume(t)
  local message = "Unexpected coroutine.resume()"
  enqueue(function()
    if t.done then
      return
    end
    t.waiting = false
    local closer = t.closer
    if closer and t.closer_owned and not is_closing(closer) then
      -- (An owned closable: the task fails once its close callback ran.)
      t.closer = nil
      local closing = pcall(closer.close, closer, function()
        if not t.done then
          finish(t, false, message)
        end
      end)
      if closing then
        return
      end
    end
    local ok, err = release_wait(t)
    if not ok then
      report(err)
    end
    finish(t, false, message)
  end)
  error(message, 0)
end

local function after_wait(t, first, ...)
  if current ~= t and t.strict then
    return foreign_resume(t)
  end
  if first == INTERRUPTED then
    local raise = ... ---@type function
    return raise()
  end
  return first, ...
end

--- Waits (yields the running task `t`) for the wait `id`, which the caller
--- registered; returns the values `wake` passes, or raises what
--- `interrupt` says.
local function suspend(t, id)
  t.waiting = not t.done and id
  return after_wait(t, co_yield(SUSPENDED))
end
M.suspend = suspend

--- Empties the queue, for at most DRAIN_NS; re-arms itself through a 0 ms
--- timer if work is left, so the loop turns (runs its timers, polls I/O)
--- between two drains. Safe to re-enter (task code may run the loop).
drain = function()
  drain_scheduled = false
  draining = draining + 1
  local deadline = hrtime() + M.DRAIN_NS
  local count = 0
  while q_head <= q_tail do
    local i = q_head
    local item, n = q_item[i], q_n[i]
    local a, b, c
    if n ~= 0 then
      a, b, c = q_1[i], q_2[i], q_3[i]
      q_1[i], q_2[i], q_3[i] = nil, nil, nil
      if a == NIL then
        a = nil
      end
      if b == NIL then
        b = nil
      end
      if c == NIL then
        c = nil
      end
    end
    q_item[i] = nil
    q_head = i + 1
    if q_head > q_tail then
      q_head, q_tail = 1, 0
    end
    local f = item
    if type(item) ~= "function" then
      f = resume
      if item.done then
        f = nil
      end
    end
    local ok, err
    if f == nil then -- (a task canceled while queued)
      ok = true
    elseif f ~= item then
      if n == 0 then
        ok, err = pcall(f, item)
      elseif n == 1 then
        ok, err = pcall(f, item, a)
      elseif n == 2 then
        ok, err = pcall(f, item, a, b)
      elseif n == 3 then
        ok, err = pcall(f, item, a, b, c)
      else
        ---@cast a { n: integer }
        ok, err = pcall(f, item, unpack(a, 1, a.n))
      end
    elseif n == 0 then
      ok, err = pcall(f)
    elseif n == 1 then
      ok, err = pcall(f, a)
    elseif n == 2 then
      ok, err = pcall(f, a, b)
    elseif n == 3 then
      ok, err = pcall(f, a, b, c)
    else
      ---@cast a { n: integer }
      ok, err = pcall(f, unpack(a, 1, a.n))
    end
    if not ok then
      -- An error raised by a completion callback: Neovim reports it, as a
      -- vim.schedule callback's error; the rest of the queue goes on.
      report(err)
    end
    -- (The clock is read every 16 items: a read costs more than most
    -- resumes.)
    count = count + 1
    if q_head <= q_tail and count % 16 == 0 and hrtime() >= deadline then
      request_drain()
      break
    end
  end
  draining = draining - 1
end

-- Yielding to the loop (`util.scheduler`) ---------------------------------------

-- Tasks that yielded to the loop: queued by one vim.schedule callback, so
-- that what was scheduled before them runs first (as plenary's
-- `wrap(vim.schedule, 1)`), and then resumed by the drain, within its
-- budget (100,000 tasks that yield do not make one long burst).
local later, later_n, later_scheduled = {}, 0, false

local function flush_later()
  later_scheduled = false
  local items, n = later, later_n
  later, later_n = {}, 0
  for i = 1, n do
    local t = items[i]
    if t.waiting == t.later_id and not t.done then
      t.waiting = false
      q_tail = q_tail + 1
      q_item[q_tail], q_n[q_tail] = t, 0
    end
  end
  if draining == 0 then
    drain()
  else
    request_drain()
  end
end

--- Suspends the running task `t` until the loop has turned (from a
--- vim.schedule callback), where Neovim's API may be called.
function M.yield_to_loop(t)
  local id = new_wait()
  t.later_id = id
  later_n = later_n + 1
  later[later_n] = t
  if not later_scheduled then
    later_scheduled = true
    schedule(flush_later)
  end
  return suspend(t, id)
end

-- Completion ---------------------------------------------------------------

--- The message of a failed task, with the task's own stack.
local function failure(t, err)
  if type(err) == "string" and not err:find("stack traceback:", 1, true) then
    return traceback(t.co, err)
  end
  return err
end
M.failure = failure

finish = function(t, ok, ...)
  t.done = true
  if t.waiting then -- (a record that never waited may have no such field)
    t.waiting = false
  end
  local on_done = t.on_done
  if on_done == nil or t.canceled then
    if not ok then
      report(failure(t, (...)))
    end
    return
  end
  return on_done(t, ok, ...)
end

--- `run`'s completion: `cb(true, results...)` or `cb(false, message with
--- traceback)`.
local function done_with_status(t, ok, ...)
  if ok then
    return t.cb(true, ...)
  end
  return t.cb(false, failure(t, (...)))
end
M.done_with_status = done_with_status

--- Starts `fn(...)` as the task `t`, a record with the fields of
--- `spawn`'s (`co` is set here): at once (up to the first wait) unless in
--- a fast event, where it starts from the queue. Returns `t`. (vim_async's
--- task handles are such records.)
local function start(t, fn, ...)
  -- (Asked even inside a task: task code that runs the loop itself, as
  -- `vim.wait` does, lets libuv callbacks, fast events, run inside it.)
  local now = depth < MAX_DEPTH and not in_fast_event()
  if select("#", ...) > 0 then
    t.co = co_create(fn)
    if now then
      resume(t, ...)
    else
      enqueue(t, pack(...))
    end
    return t
  end
  local co = pool[pool_n]
  if co then
    pool[pool_n] = nil
    pool_n = pool_n - 1
  else
    co = co_create(worker)
  end
  t.co = co
  if now then
    next_body = fn
    resume(t)
  else
    enqueue(function()
      if not t.done then
        next_body = fn
        resume(t)
      end
    end)
  end
  return t
end
M.start = start

--- Starts `fn(...)` as a task; `on_done(t, ok, ...)` gets its end, `cb` is
--- kept in `t.cb` for it. Returns the task (see `start`).
function M.spawn(fn, on_done, cb, ...)
  -- Every field a task's hot paths set is in the constructor (`at`,
  -- `seq`, `sleep_id`: timer.lua's), so that its hash part is sized once.
  return start({
    co = false,
    on_done = on_done,
    cb = cb,
    waiting = false,
    done = false,
    at = 0,
    seq = 0,
    sleep_id = false,
    req = false,
    req_cb = false,
    req_id = false,
    req_dispose = false,
  }, fn, ...)
end

--- Runs `fn(...)` as a task and waits for it with `vim.wait`, Neovim
--- processing events (and other tasks running) meanwhile, for at most
--- `ms`: returns `{ n, ok, ... }` (its status and results, packed), or nil
--- and the task, still waiting, when the time is up (the caller cancels
--- it). The waits of `util.block_on` and `a.tests`.
---@param fn function
---@param ms integer
---@return { n: integer, [integer]: any }?, plenary_async.task.Record
function M.block(fn, ms, ...)
  local result = nil ---@type { n: integer, [integer]: any }?
  local t = M.spawn(fn, done_with_status, function(...)
    result = pack(...)
  end, ...)
  if result == nil then
    vim.wait(ms, function()
      return result ~= nil
    end, 1)
  end
  return result, t
end

--- Releases what task `t` waits on: its libuv request (`t.req`, set by
--- uv_fs.lua while one is running) is canceled, and the handle an awaited
--- callback-style call returned (`await_call` with `closable`; `t.closer`
--- is not in the constructor: it is set only on that path) is closed.
--- Returns `false, err` if closing it failed.
release_wait = function(t)
  if t.sleep_id and M.forget_sleep then
    M.forget_sleep(t) -- (timer.lua: its heap entry is stale now)
  end
  local req = t.req
  if req then
    t.req = false
    if M.forget_request then
      M.forget_request(t)
    end
    uv.cancel(req) -- (a request already running ends as usual; its callback sees the wait is over)
  end
  local closer = t.closer
  if closer then
    t.closer = nil
    if is_closing(closer) then
      return true
    end
    local ok, err = pcall(closer.close, closer)
    return ok, err
  end
  return true
end

--- Cancels task `t`: it is never resumed again; a libuv request it waits
--- for is canceled. (LuaJIT cannot close a coroutine: its stack is left to
--- the garbage collector.)
function M.cancel(t)
  if t.done then
    return
  end
  t.done = true
  t.canceled = true
  t.waiting = false
  local ok, err = release_wait(t)
  if not ok then
    report(err)
  end
end

--- Ends the wait task `t` is in, if any, by raising `raise()` in it (at
--- once if it may run now, else from the queue): what it waited for is
--- released (a closable handle closed, a libuv request canceled; a
--- channel or a sleep skips a wait that is over). A failure to close the
--- handle is raised instead. Returns whether the task was waiting.
function M.interrupt(t, raise)
  local id = t.waiting
  if not id or t.done then
    return false
  end
  local closer = t.closer
  if closer and t.closer_owned and not is_closing(closer) then
    -- An owned closable (vim_async's await): the task goes on once its
    -- close callback ran, so that what it held is released when the task
    -- reports. A new wait id: the awaited callback, if it still comes,
    -- does not end this one.
    t.closer, t.closer_owned = nil, nil
    release_wait(t) -- (the rest of what it waits on: a libuv request)
    local cid = new_wait()
    t.waiting = cid
    local ok, err = pcall(closer.close, closer, function()
      wake(t, cid, INTERRUPTED, raise)
    end)
    if not ok then
      -- (Its cleanup failed: the task goes on at once, with that error.)
      wake(t, cid, INTERRUPTED, function()
        error(err, 0)
      end)
    end
    return true
  end
  local ok, err = release_wait(t)
  if not ok then
    raise = function()
      error(err, 0)
    end
  end
  wake(t, id, INTERRUPTED, raise)
  return true
end

-- `await_call`'s `closable` for vim_async: the handle `f` returns is the
-- await's own. It is closed when the await ends, however it ends (after
-- the callback, or by a close of the task), and the task goes on once its
-- close callback ran (vim.async's contract: an await's closable is closed
-- before the task goes on or reports "closed").
local OWNED = {}
M.OWNED = OWNED

--- After an owned await ended with `...`: closes `handle` (unless it is
--- closing already) and waits in task `t` for its close callback; returns
--- `...`. An error `close` raises is raised.
function close_owned(t, handle, ...)
  if t.closer_owned then -- (storing nil adds an absent field in LuaJIT)
    t.closer, t.closer_owned = nil, nil
  end
  if not is_closing(handle) then
    local id = new_wait()
    local state = 0 -- 0: close is running; 1: waiting; 2: its callback ran
    local ok, err = pcall(handle.close, handle, function()
      if state == 1 then
        state = 2
        wake(t, id)
      else
        state = 2
      end
    end)
    if not ok then
      error(err, 0)
    end
    if state == 0 then
      state = 1
      suspend(t, id)
    end
  end
  return ...
end

--- The callback-style call `f(..., cb)` (`cb` at position `argc`), awaited
--- by the running task `t`: returns what `cb` is called with. If `cb` is
--- called before `f` returns, the task does not yield at all (no resume, no
--- stack). `cb` ends the wait once; later calls are ignored. `f` runs in
--- the task, so it may itself await (the task then waits for that first).
--- With `closable`, a value `f` returns that has a `close` method is
--- closed if the task is canceled while it waits (vim.async's convention).
function M.await_call(t, f, argc, closable, ...)
  local state, id = 0, 0 -- 0: f is running; 1: waiting; 2: called
  local early = nil ---@type { n: integer }?
  local function cb(...)
    if state == 0 then
      state, early = 2, pack(...)
    elseif state == 1 then
      state = 2
      if closable and t.waiting == id then
        t.closer = nil
      end
      return wake(t, id, ...)
    end
  end
  local n = select("#", ...)
  local handle
  if argc == 1 then
    handle = f(cb)
  elseif argc == 2 and n <= 1 then
    handle = f((...), cb)
  elseif argc == 3 and n <= 2 then
    local a1, a2 = ...
    handle = f(a1, a2, cb)
  else
    local args = pack(...)
    args[argc] = cb
    handle = f(unpack(args, 1, argc))
  end
  local owned = nil
  if closable and handle ~= nil then
    local ht = type(handle)
    if (ht == "table" or ht == "userdata") and handle.close ~= nil then
      if closable == OWNED then
        owned = handle
      elseif state ~= 2 then -- (a call whose callback came already waits on nothing)
        t.closer = handle
      end
    end
  end
  if state == 2 then
    ---@cast early { n: integer }
    if owned then
      return close_owned(t, owned, unpack(early, 1, early.n))
    end
    return unpack(early, 1, early.n)
  end
  state, id = 1, new_wait()
  if owned then
    t.closer, t.closer_owned = owned, true
    return close_owned(t, owned, suspend(t, id))
  end
  return suspend(t, id)
end

return M
