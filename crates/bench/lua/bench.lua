-- The Lua module's benchmark, run in headless Neovim by scripts/bench-lua.sh:
-- 100,000 a.run tasks, 100,000 mpsc messages between two tasks, 10,000
-- concurrent sleeps, and 10,000 tasks ping-ponging through channels, each
-- while a 1 ms vim.uv timer runs; reports the time and the timer's worst
-- lateness (how late Neovim's own timers get while the tasks run).
local root = vim.fn.fnamemodify(debug.getinfo(1, "S").source:sub(2), ":p:h:h:h:h")
package.cpath = root .. "/lua/?.so;" .. package.cpath
local a = require("plenary_async")

-- PLENARY_BENCH_SCALE divides every count (default 1: the issue's sizes).
-- Until the module stops holding one mlua reference per pending task, a
-- run is limited to under ~8,000 tasks alive at once (LuaJIT's 8,000-slot
-- limit on mlua's reference stack); scale 5 stays under it.
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
  assert(vim.wait(600000, function()
    return finished
  end, 1), "the workload did not finish")
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

row(("%d a.run tasks (each yields once)"):format(n(100000)), measure(function(done)
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
end))

row(("%d mpsc messages between two tasks"):format(n(100000)), measure(function(done)
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
end))

row(("%d concurrent util.sleep(10)"):format(n(10000)), measure(function(done)
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
end))

row(("%d tasks ping-ponging through mpsc channels (pairs, 10 rounds)"):format(2 * n(5000)), measure(function(done)
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
end))

print("| workload | total time | of which starting the tasks | worst lateness of a 1 ms vim.uv timer after the start | timer ticks |")
print("|---|---|---|---|---|")
for _, r in ipairs(rows) do
  print(r)
end
