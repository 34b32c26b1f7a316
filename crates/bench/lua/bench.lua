-- The Lua module's benchmark, run in headless Neovim by scripts/bench-lua.sh:
-- 100,000 a.run tasks, 100,000 mpsc messages between two tasks, 10,000
-- concurrent sleeps, and 10,000 tasks ping-ponging through channels, each
-- while a 1 ms vim.uv timer runs; reports the time and the timer's worst
-- lateness (how late Neovim's own timers get while the tasks run).
local root = vim.fn.fnamemodify(debug.getinfo(1, "S").source:sub(2), ":p:h:h:h:h")
package.path = root .. "/lua/?.lua;" .. root .. "/lua/?/init.lua;" .. package.path
local a = require("plenary_async")

-- PLENARY_BENCH_SCALE divides every count (default 1: the issue's sizes),
-- for a quicker run.
local scale = tonumber(vim.env.PLENARY_BENCH_SCALE) or 1
local function n(count)
  return math.floor(count / scale)
end

local function now_ms()
  return vim.uv.hrtime() / 1e6
end

--- Runs `body` (which starts the workload and calls `done()` when it has
--- finished), then measures, while the workload runs on, how late a 1 ms
--- repeating vim.uv timer fires. Starting the tasks is a synchronous burst
--- of the caller's own (like plenary, a.run starts each task at once), so
--- it is timed apart. Returns setup ms, total ms, worst lateness, ticks.
local function measure(body)
  local finished = false
  local start = now_ms()
  body(function()
    finished = true
  end)
  local setup = now_ms() - start
  local timer = vim.uv.new_timer()
  local last, worst, ticks = now_ms(), 0, 0
  timer:start(1, 1, function()
    local t = now_ms()
    worst = math.max(worst, t - last - 1)
    last = t
    ticks = ticks + 1
  end)
  assert(
    vim.wait(600000, function()
      return finished
    end, 1),
    "the workload did not finish"
  )
  local elapsed = now_ms() - start
  -- The gap since the last tick counts too: a workload that never lets the
  -- loop run shows up as one long gap, not as no data.
  worst = math.max(worst, now_ms() - last - 1)
  timer:stop()
  timer:close()
  return setup, elapsed, worst, ticks
end

local rows = {}
local function row(name, setup, elapsed, worst, ticks)
  table.insert(rows, ("| %s | %.1f ms | %.1f ms | %.1f ms | %d |"):format(name, elapsed, setup, worst, ticks))
end

row(
  ("%d a.run tasks (each yields once)"):format(n(100000)),
  measure(function(done)
    local left = n(100000)
    for _ = 1, n(100000) do
      a.run(function()
        a.util.scheduler()
      end, function()
        left = left - 1
        if left == 0 then
          done()
        end
      end)
    end
  end)
)

row(
  ("%d mpsc messages between two tasks"):format(n(100000)),
  measure(function(done)
    local sender, receiver = a.control.channel.mpsc()
    a.run(function()
      for i = 1, n(100000) do
        sender.send(i)
        if i % 100 == 0 then
          a.util.scheduler()
        end
      end
    end)
    a.run(function()
      for _ = 1, n(100000) do
        receiver.recv()
      end
    end, done)
  end)
)

row(
  ("%d concurrent util.sleep(10)"):format(n(10000)),
  measure(function(done)
    local left = n(10000)
    for _ = 1, n(10000) do
      a.run(function()
        a.util.sleep(10)
      end, function()
        left = left - 1
        if left == 0 then
          done()
        end
      end)
    end
  end)
)

row(
  ("%d tasks ping-ponging through mpsc channels (pairs, 10 rounds)"):format(2 * n(5000)),
  measure(function(done)
    local pairs_left = n(5000)
    for _ = 1, n(5000) do
      local to_b_tx, to_b_rx = a.control.channel.mpsc()
      local to_a_tx, to_a_rx = a.control.channel.mpsc()
      a.run(function()
        for i = 1, 10 do
          to_b_tx.send(i)
          to_a_rx.recv()
        end
      end, function()
        pairs_left = pairs_left - 1
        if pairs_left == 0 then
          done()
        end
      end)
      a.run(function()
        for _ = 1, 10 do
          to_a_tx.send(to_b_rx.recv())
        end
      end)
    end
  end)
)

-- The same ping-pong without plenary_async: bare coroutines and plain Lua
-- queues, resumed 128 at a time from vim.schedule, the next batch through a
-- 0 ms vim.defer_fn when one used up its budget (the runtime's own policy).
-- What remains of the timer's lateness here is what 10,000 live coroutines
-- cost LuaJIT's collector, which any coroutine-based library pays.
row(
  ("baseline: the same ping-pong on bare Lua coroutines, no plenary_async (%d coroutines)"):format(2 * n(5000)),
  measure(function(done)
    local ready, head, tail = {}, 1, 0
    local function wake(co)
      tail = tail + 1
      ready[tail] = co
    end
    local scheduled, ticking = false, false
    local tick
    local function schedule()
      if not scheduled and not ticking then
        scheduled = true
        vim.schedule(tick)
      end
    end
    tick = function()
      scheduled, ticking = false, true
      local budget = 128
      while head <= tail and budget > 0 do
        local co = ready[head]
        ready[head] = nil
        head = head + 1
        budget = budget - 1
        assert(coroutine.resume(co))
      end
      ticking = false
      if head <= tail then
        scheduled = true
        vim.defer_fn(tick, 0)
      end
    end
    -- A one-slot channel: a list of values and the coroutine waiting on it.
    local function channel()
      local ch = { items = {}, waiter = nil }
      local function send(v)
        table.insert(ch.items, v)
        if ch.waiter then
          local w = ch.waiter
          ch.waiter = nil
          wake(w)
          schedule()
        end
      end
      local function recv()
        while #ch.items == 0 do
          ch.waiter = coroutine.running()
          coroutine.yield()
        end
        return table.remove(ch.items, 1)
      end
      return send, recv
    end
    local pairs_left = n(5000)
    for _ = 1, n(5000) do
      local to_b_send, to_b_recv = channel()
      local to_a_send, to_a_recv = channel()
      wake(coroutine.create(function()
        for i = 1, 10 do
          to_b_send(i)
          to_a_recv()
        end
        pairs_left = pairs_left - 1
        if pairs_left == 0 then
          done()
        end
      end))
      wake(coroutine.create(function()
        for _ = 1, 10 do
          to_a_send(to_b_recv())
        end
      end))
    end
    schedule()
  end)
)

print(("The %s core"):format((require("plenary_async").backend())))
print("")
print(
  "| workload | total time | of which starting the tasks | worst lateness of a 1 ms vim.uv timer after the start | timer ticks |"
)
print("|---|---|---|---|---|")
for _, r in ipairs(rows) do
  print(r)
end
