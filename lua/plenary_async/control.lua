-- `a.control`: channels (oneshot, counter, mpsc), Condvar and Semaphore.
--
-- Written in Lua over the task scheduler (task.lua): a waiting task is
-- kept as (task, wait id) in a first-in-first-out list of waiters, and
-- woken through `task.wake`, so a wake from task code or the main chunk
-- runs the woken task at once (plenary's order), and a wake for a task
-- that is gone (canceled, or already woken) passes to the next waiter.
-- The async operations also take plenary's callback form (`rx(cb)`,
-- `cv.wait(cv, cb)`, `sem.acquire(sem, cb)`): a waiter is then a function.
local task = require("plenary_async.task")
local waiters = require("plenary_async.waiters")
local leaf = require("plenary_async.async").leaf
local validate = require("plenary_async.validate")

local suspend, new_wait, running = task.suspend, task.new_wait, task.running
local push, pop, resume, wait_in = waiters.push, waiters.pop, waiters.resume, waiters.wait
local select, error, setmetatable = select, error, setmetatable
local unpack = table.unpack or unpack
local pack = task.pack

local M = { channel = {} }

--- plenary's `handles` field of a Condvar or Semaphore: the waiters now
--- (waiters.snapshot), made when it is read, so `#cv.handles` counts them
--- (LuaJIT has no `__len` for tables, and a list kept up to date would
--- cost every wait a shift).
local function handles_of(w)
  return function(_, key)
    if key == "handles" then
      return waiters.snapshot(w)
    end
  end
end

-- Condvar ----------------------------------------------------------------------

local function condvar()
  local w = waiters.new()
  local cv = setmetatable({}, { __index = handles_of(w) }) --[[@as plenary_async.Condvar]]
  --- Waits for the next notification.
  cv.wait = leaf("Condvar:wait", 2, function(t)
    return wait_in(w, t)
  end, function(_, cb)
    push(w, cb, false)
  end, true)
  --- Wakes every task waiting now, in the order they came (each runs up to
  --- its next wait before this returns, unless in a fast event).
  function cv.notify_all()
    -- Take the waiters of this moment out of the list first: a woken task
    -- that waits again (at once, before this returns) joins a fresh list
    -- and is not woken twice by this call.
    if w.head >= w.tail then
      return
    end
    local now, n = waiters.take_all(w)
    for i = 1, n, 2 do
      local t, id = now[i], now[i + 1]
      -- Still waiting (not canceled or woken meanwhile by another resume).
      if waiters.live(t, id) then
        resume(t, id)
      end
    end
  end
  --- Wakes the task that has waited longest (plenary picks one at random).
  function cv.notify_one()
    local t, id = pop(w)
    if t ~= nil then
      resume(t, id)
    end
  end
  return cv
end

M.Condvar = { new = condvar }

-- Semaphore --------------------------------------------------------------------

local function check_permits(n)
  if not validate.is_whole(n, 0, validate.MAX_FINITE) then
    error(
      ("plenary_async.control.Semaphore.new: expected a whole number of permits >= 0, got %s"):format(validate.shown(n)),
      3
    )
  end
end

local function semaphore(n)
  check_permits(n)
  local w = waiters.new()
  local sem = setmetatable({ permits = n }, { __index = handles_of(w) })
  local function permit()
    local forgotten = false
    local p = {}
    --- Gives the permit back (plenary's name); a second call does nothing.
    function p.forget()
      if forgotten then
        return
      end
      forgotten = true
      local t, id = pop(w)
      if t == nil then
        sem.permits = sem.permits + 1
      else
        resume(t, id, permit())
      end
    end
    return p
  end
  local function take()
    if sem.permits > 0 then
      sem.permits = sem.permits - 1
      return permit()
    end
  end
  --- Waits for a permit and returns it; waiters are served first come,
  --- first served (plenary serves the newest first).
  sem.acquire = leaf("Semaphore:acquire", 2, function(t)
    return take() or wait_in(w, t)
  end, function(_, cb)
    local p = take()
    if p then
      return cb(p)
    end
    push(w, cb, false)
  end, true)
  --- The number of permits free now.
  function sem.available_permits()
    return sem.permits
  end
  return sem
end

M.Semaphore = { new = semaphore }

-- Channels ---------------------------------------------------------------------

-- A oneshot channel's state is one table (`st`), shared by its two ends
-- through functions made once: a channel costs a table and two closures.
-- The table is an array (a constructor of six slots: one allocation, and
-- indexing by constant is quicker than by name): `st[SENT]`,
-- `st[RECEIVED]`; `st[VALUE]` holds the values sent before a receiver
-- waits (one value as it is, several packed: `st[MANY]`); `st[WT]`,
-- `st[WID]` the waiting receiver (a task and its wait, or a callback).
local SENT, RECEIVED, VALUE, MANY, WT, WID = 1, 2, 3, 4, 5, 6

local function oneshot_send(st, ...)
  if st[SENT] then
    error("plenary_async: a oneshot channel can only send once", 3)
  end
  st[SENT] = true
  local t = st[WT]
  if t then
    st[WT] = false
    return resume(t, st[WID], ...)
  end
  if select("#", ...) == 1 then
    st[VALUE] = ...
  else
    st[VALUE], st[MANY] = pack(...), true
  end
end

--- Marks the one receive; whether the values are there already.
local function oneshot_take(st)
  if st[RECEIVED] then
    error("plenary_async: a oneshot channel can only receive once", 4)
  end
  st[RECEIVED] = true
  return st[SENT]
end

local function oneshot_values(st)
  local v = st[VALUE]
  st[VALUE] = nil
  if st[MANY] then
    return unpack(v, 1, v.n)
  end
  return v
end

local function oneshot_recv(st, ...)
  if select("#", ...) == 1 then
    -- plenary's callback form: `rx(cb)`.
    local cb = ... ---@type function
    if not validate.is_callable(cb) then
      validate.fail("control.channel.oneshot", "the receiver takes a callback (a function) or nothing", cb)
    end
    if oneshot_take(st) then
      return cb(oneshot_values(st))
    end
    st[WT], st[WID] = cb, false
    return
  end
  local t = running()
  if t == nil then
    validate.not_in_task("the oneshot receiver")
  end
  if oneshot_take(st) then
    return oneshot_values(st)
  end
  local id = new_wait()
  st[WT], st[WID] = t, id
  return suspend(t, id)
end

--- A oneshot channel: `tx(...)` sends once (not async), `rx()` waits for
--- the values and returns them (once).
function M.channel.oneshot()
  local st = { false, false, nil, false, false, false }
  return function(...)
    return oneshot_send(st, ...)
  end, function(...)
    return oneshot_recv(st, ...)
  end
end

--- A counter channel: `tx.send()` counts one; `rx.recv()` waits for a
--- count and takes it, `rx.last()` waits for one and takes them all.
function M.channel.counter()
  local count = 0
  local w = waiters.new()
  local tx, rx = {}, {}
  function tx.send()
    count = count + 1
    local t, id = pop(w)
    if t ~= nil then
      resume(t, id)
    end
  end
  rx.recv = leaf("counter receiver.recv", 0, function(t)
    while count == 0 do
      wait_in(w, t)
    end
    count = count - 1
  end)
  rx.last = leaf("counter receiver.last", 0, function(t)
    while count == 0 do
      wait_in(w, t)
    end
    count = 0
  end)
  return tx, rx
end

--- A multiple-producer channel: `tx.send(...)` queues the values (not
--- async), `rx.recv()` waits for the oldest and returns them, `rx.last()`
--- waits for one and returns the newest, dropping the rest.
function M.channel.mpsc()
  -- The queue: values from `head` to `tail`; one value is kept as it is,
  -- several packed (and marked in `many`).
  local values, many, head, tail = {}, {}, 1, 0
  local w = waiters.new()
  local tx, rx = {}, {}
  function tx.send(...)
    tail = tail + 1
    if select("#", ...) == 1 then
      values[tail] = ...
    else
      values[tail], many[tail] = pack(...), true
    end
    local t, id = pop(w)
    if t ~= nil then
      resume(t, id)
    end
  end
  local function take(i)
    local v = values[i]
    values[i] = nil
    if many[i] then
      many[i] = nil
      ---@cast v { n: integer }
      return unpack(v, 1, v.n)
    end
    return v
  end
  rx.recv = leaf("mpsc receiver.recv", 0, function(t)
    while head > tail do
      wait_in(w, t)
    end
    local i = head
    head = i + 1
    if head > tail then
      head, tail = 1, 0
    end
    return take(i)
  end)
  rx.last = leaf("mpsc receiver.last", 0, function(t)
    while head > tail do
      wait_in(w, t)
    end
    local i = tail
    for j = head, tail - 1 do
      values[j], many[j] = nil, nil
    end
    head, tail = 1, 0
    return take(i)
  end)
  return tx, rx
end

return M
