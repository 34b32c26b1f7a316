-- plenary.async's workloads, on this module through as_plenary() and, as the
-- peer in the same run, on a small plenary-style scheduler written here in
-- plain Lua (a callback resumes the coroutine directly, no run queue: the
-- model plenary.async uses). Run by scripts/bench-lua.sh in headless
-- Neovim; prints a table (median of 3 runs) with the worst lateness of a
-- 1 ms vim.uv timer during each workload.
local root = vim.fn.fnamemodify(debug.getinfo(1, "S").source:sub(2), ":p:h:h:h:h")
package.path = root .. "/lua/?.lua;" .. root .. "/lua/?/init.lua;" .. package.path
local ours = require("plenary_async").as_plenary()

local pack = function(...)
  return { n = select("#", ...), ... }
end
local unpack = table.unpack or unpack

-- The peer: plenary's model in a few lines (peer.lua), and its util and
-- control built on it here.
local peer = dofile(root .. "/crates/bench/lua/peer.lua")
peer.util, peer.control = {}, { channel = {} }

peer.util.sleep = peer.wrap(function(ms, cb)
  vim.defer_fn(cb, ms)
end, 2)

function peer.control.channel.oneshot()
  local value, waiting, sent
  local function tx(...)
    sent = true
    if waiting then
      return waiting(...)
    end
    value = pack(...)
  end
  local rx = peer.wrap(function(cb)
    if sent then
      return cb(unpack(value, 1, value.n))
    end
    waiting = cb
  end, 1)
  return tx, rx
end

function peer.control.channel.mpsc()
  local queue, head, tail, waiters = {}, 1, 0, {}
  local tx, rx = {}, {}
  function tx.send(...)
    tail = tail + 1
    queue[tail] = pack(...)
    local w = waiters
    waiters = {}
    for _, cb in ipairs(w) do
      cb()
    end
  end
  local wait = peer.wrap(function(cb)
    table.insert(waiters, cb)
  end, 1)
  function rx.recv()
    if head > tail then
      wait()
    end
    local v = queue[head]
    queue[head] = nil
    head = head + 1
    return unpack(v, 1, v.n)
  end
  return tx, rx
end

-- Measuring --------------------------------------------------------------------

local function now_ms()
  return vim.uv.hrtime() / 1e6
end

--- Runs `body(done)` until it calls `done()`; returns the time taken, the
--- worst lateness of a 1 ms timer meanwhile (a body that never lets the
--- loop run counts as one long gap) and the processor time Neovim used
--- (`os.clock()`: the work itself, without the time spent waiting for
--- timers), or nil and an error.
local function run_once(body)
  -- The loop's clock is read at the start of each turn; after the work
  -- above it is late, and libuv timers (vim.defer_fn: the peer's sleep)
  -- would count from the past and end early. Bring it up to date so that
  -- both sides' sleeps start now.
  vim.uv.update_time()
  local finished = false
  local timer = vim.uv.new_timer()
  local start = now_ms()
  local cpu0 = os.clock()
  local last, worst = start, 0
  timer:start(1, 1, function()
    local t = now_ms()
    worst = math.max(worst, t - last - 1)
    last = t
  end)
  local ok, err = pcall(body, function()
    finished = true
  end)
  if ok then
    ok = vim.wait(120000, function()
      return finished
    end, 1)
    err = "did not finish"
  end
  local elapsed = now_ms() - start
  local cpu = (os.clock() - cpu0) * 1000
  worst = math.max(worst, now_ms() - last - 1)
  timer:stop()
  timer:close()
  if not ok then
    return nil, err
  end
  return elapsed, worst, cpu
end

--- `run_once` after a full collection.
local function measure(body)
  collectgarbage()
  return run_once(body)
end

--- Bytes the Lua heap grows by per operation while `body` runs with the
--- collector stopped: what each operation allocates (`ops` of them).
local function allocated(body, ops)
  collectgarbage()
  collectgarbage("stop")
  local before = collectgarbage("count")
  local t = run_once(body)
  local after = collectgarbage("count")
  collectgarbage("restart")
  if not t then
    return nil
  end
  return (after - before) * 1024 / ops
end

local function median3(body)
  local times, worsts, cpus = {}, {}, {}
  for i = 1, 3 do
    local t, w, c = measure(body)
    if not t then
      return nil, w
    end
    times[i], worsts[i], cpus[i] = t, w, c
  end
  table.sort(times)
  table.sort(worsts)
  table.sort(cpus)
  return times[2], worsts[2], cpus[2]
end

local N = tonumber(vim.env.PLENARY_BENCH_N) or 100000

local workloads = {
  {
    ("%d `a.run(function() return 1 end, cb)` from the main chunk, until every callback ran"):format(N),
    function(a)
      return function(done)
        local left = N
        local function cb()
          left = left - 1
          if left == 0 then
            done()
          end
        end
        for _ = 1, N do
          a.run(function()
            return 1
          end, cb)
        end
      end
    end,
    N,
  },
  {
    ("%d mpsc ping-pong round trips between two tasks (`rx.recv(); tx.send(true)`)"):format(N),
    function(a)
      return function(done)
        local ping_tx, ping_rx = a.control.channel.mpsc()
        local pong_tx, pong_rx = a.control.channel.mpsc()
        a.run(function()
          for _ = 1, N do
            ping_rx.recv()
            pong_tx.send(true)
          end
        end)
        a.run(function()
          for _ = 1, N do
            ping_tx.send(true)
            pong_rx.recv()
          end
          done()
        end)
      end
    end,
    N,
  },
  {
    ("%d concurrent tasks each doing `util.sleep(1 + i %% 50)`, until all woke"):format(N / 10),
    function(a)
      return function(done)
        local left = N / 10
        for i = 1, N / 10 do
          a.run(function()
            a.util.sleep(1 + i % 50)
            left = left - 1
            if left == 0 then
              done()
            end
          end)
        end
      end
    end,
    N / 10,
  },
  {
    ("%d sequential oneshot round trips inside one task (`a.run(function() tx(1) end); rx()`)"):format(N),
    function(a)
      return function(done)
        local err
        a.run(function()
          local ok, e = pcall(function()
            for _ = 1, N do
              local tx, rx = a.control.channel.oneshot()
              a.run(function()
                tx(1)
              end)
              rx()
            end
          end)
          err = not ok and e
          done()
        end)
        if err then
          error(err, 0)
        end
      end
    end,
    N,
  },
}

local function cell(t, w, c)
  if not t then
    return ("fails: %s"):format(tostring(w):gsub("\n.*", ""):sub(1, 40))
  end
  return ("%.0f ms (CPU %.0f ms; timer %.1f ms late)"):format(t, c, w)
end

io.stdout:write(
  ("plenary.async's workloads, median of 3 runs; the %s core; Neovim %s, %s\n\n"):format(
    (require("plenary_async").backend()),
    tostring(vim.version()),
    jit.version
  )
)
-- The ratio is of the times (this module's over the peer's), then of the
-- processor times: where the time is set by the work awaited (sleeps), the
-- processor time is what the scheduler costs.
io.stdout:write(
  "| workload | plenary-style peer (plain Lua) | this module (as_plenary) | ratio (time; CPU) | bytes allocated per operation (peer / this module) |\n"
)
io.stdout:write("|---|---|---|---|---|\n")
local function bytes(b)
  return b and ("%.0f"):format(b) or "-"
end
for _, w in ipairs(workloads) do
  local pt, pw, pc = median3(w[2](peer))
  local ot, ow, oc = median3(w[2](ours))
  local ratio = (pt and ot) and ("%.2f; %.2f"):format(ot / pt, oc / pc) or "-"
  local pb, ob = allocated(w[2](peer), w[3]), allocated(w[2](ours), w[3])
  io.stdout:write(
    ("| %s | %s | %s | %s | %s / %s |\n"):format(w[1], cell(pt, pw, pc), cell(ot, ow, oc), ratio, bytes(pb), bytes(ob))
  )
end
