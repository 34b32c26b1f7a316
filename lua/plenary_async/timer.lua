-- `util.sleep`'s timers: one libuv timer for every sleeping task.
--
-- Sleeps are kept in a binary heap ordered by deadline (then by arrival,
-- so equal deadlines wake in order), and one `vim.uv` timer is armed for
-- the earliest. When it fires (a fast event: no API there) the due
-- sleepers are queued and the task queue's drain resumes them from
-- `vim.schedule`. A sleep costs a heap entry: no libuv handle, no closure.
--
-- Time is the loop's clock (`vim.uv.now()`, milliseconds), as for every
-- libuv timer, `vim.defer_fn` and plenary's sleep: `sleep(ms)` ends once
-- the loop's clock has passed its value at the call plus `ms`. The loop
-- reads its clock at the start of each turn, so code that keeps the loop
-- from turning for a while (a long computation, or creating 10,000 tasks)
-- starts its sleeps from the turn's start, as libuv's timers do; call
-- `vim.uv.update_time()` first to count from the present instead.
local task = require("plenary_async.task")
local validate = require("plenary_async.validate")
local enqueue = task.enqueue

local uv = vim.uv
local loop_now = uv.now
local floor, ceil = math.floor, math.ceil

local M = {}

-- The longest the libuv timer is armed for at once (about 24 days); a
-- longer sleep re-arms it when it fires.
local MAX_ARM = 2 ^ 31 - 1

local heap, n, seq = {}, 0, 0
---@type uv.uv_timer_t?
local timer = nil
local armed_at = nil -- the deadline the timer is armed for

local function before(x, y)
  if x.at ~= y.at then
    return x.at < y.at
  end
  return x.seq < y.seq
end

local function push(e)
  n = n + 1
  local i = n
  while i > 1 do
    local parent = floor(i / 2)
    local p = heap[parent]
    if not before(e, p) then
      break
    end
    heap[i] = p
    i = parent
  end
  heap[i] = e
end

--- Puts `e` at slot `i` or below, moving earlier children up.
local function sift_down(i, e)
  while true do
    local c = i * 2
    if c > n then
      break
    end
    if c < n and before(heap[c + 1], heap[c]) then
      c = c + 1
    end
    if not before(heap[c], e) then
      break
    end
    heap[i] = heap[c]
    i = c
  end
  heap[i] = e
end

local function pop()
  local top = heap[1]
  local last = heap[n]
  heap[n] = nil
  n = n - 1
  if n > 0 then
    sift_down(1, last)
  end
  return top
end

---@type fun()
local fire

local function arm()
  if n == 0 then
    armed_at = nil
    if timer then
      timer:stop()
    end
    return
  end
  local at = heap[1].at
  if armed_at == at then
    return
  end
  armed_at = at
  timer = timer or uv.new_timer()
  local wait = ceil(at - loop_now()) -- (a fractional `ms` rounds up)
  if wait < 0 then
    wait = 0
  elseif wait > MAX_ARM then
    wait = MAX_ARM
  end
  timer:start(wait, 0, fire)
end

fire = function()
  armed_at = nil
  local now = loop_now()
  while n > 0 and heap[1].at <= now do
    local e = pop()
    local f = e.fn
    if f then
      enqueue(f, false)
    else
      -- (`e` is the sleeping task itself; it leaves the heap here.)
      local id = e.sleep_id
      e.sleep_id = false
      if e.waiting == id and not e.done then
        e.waiting = false
        enqueue(e, false)
      end
    end
  end
  arm()
end

--- Checks a sleep's duration: a finite number of ms, >= 0.
function M.check(ms, fname)
  if not validate.is_number(ms, 0, validate.MAX_FINITE) then
    error(
      ("plenary_async.%s: expected a number of milliseconds >= 0 (finite), got %s"):format(fname, validate.shown(ms)),
      3
    )
  end
end

local new_wait, suspend = task.new_wait, task.suspend

-- Sleeps that stopped waiting (their task canceled, or its wait
-- interrupted) stay in the heap until their deadline, as entries that
-- `fire` skips. So that a canceled task with a long sleep does not keep
-- its record (and all it references) alive until then, the heap is
-- rebuilt without them once they are half of it.
local stale = 0

--- Whether heap entry `e` still stands for a wait.
local function live(e)
  if e.fn then
    return true -- a callback (`after`)
  end
  return e.sleep_id ~= false and e.waiting == e.sleep_id and not e.done
end

local function compact()
  local j = 0
  for i = 1, n do
    local e = heap[i]
    heap[i] = nil
    if live(e) then
      j = j + 1
      heap[j] = e
    else
      e.sleep_id = false
    end
  end
  n, stale = j, 0
  for i = floor(n / 2), 1, -1 do
    sift_down(i, heap[i])
  end
  arm()
end

--- Task `t`, which may be sleeping, stopped waiting (task.lua's
--- release_wait calls this).
function M.forget(t)
  if not t.sleep_id then
    return
  end
  stale = stale + 1
  if stale > 32 and stale * 2 > n then
    compact()
  end
end
task.forget_sleep = M.forget

--- Suspends the running task `t` for `ms` milliseconds (checked). The
--- task itself is the heap's entry (its `at`, `seq` and `sleep_id`
--- fields): a task sleeps once at a time, and its entry leaves the heap
--- only when it fires, so a sleep allocates nothing.
function M.sleep(t, ms)
  local id = new_wait()
  seq = seq + 1
  if t.sleep_id then
    -- Still in the heap from a sleep that was interrupted (a closed
    -- vim_async task): that entry stays as it is, and this sleep gets an
    -- entry of its own.
    push({
      at = loop_now() + ms,
      seq = seq,
      fn = function()
        task.wake(t, id)
      end,
    })
    arm()
    return suspend(t, id)
  end
  t.at, t.seq, t.sleep_id = loop_now() + ms, seq, id
  push(t)
  if armed_at ~= heap[1].at then
    arm()
  end
  return suspend(t, id)
end

--- Calls `cb()` (from the task queue, where the API is safe) after `ms`.
function M.after(ms, cb)
  seq = seq + 1
  push({ at = loop_now() + ms, seq = seq, fn = cb })
  arm()
end

return M
