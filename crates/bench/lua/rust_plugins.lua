-- Rust plugins' benchmark, run in headless Neovim by scripts/bench-lua.sh:
-- a Rust future awaited from a Lua task 100,000 times, one after another,
-- through plenary-async-nvim, against the tokio-on-a-thread pattern Rust
-- plugins use today (crates/nvim-oxi/bench: a tokio task on another thread, a
-- channel, a libuv async handle, vim.schedule). Reports the latency per
-- call and how late a 1 ms vim.uv timer fired meanwhile (worst and 99th
-- percentile). Each row is the best of 3 runs (by time), in this process.
local root = vim.fn.fnamemodify(debug.getinfo(1, "S").source:sub(2), ":p:h:h:h:h")
package.path = root .. "/lua/?.lua;" .. root .. "/lua/?/init.lua;" .. package.path
package.cpath = root .. "/crates/nvim/target/plugins/?.so;" .. package.cpath
local a = require("plenary_async")
local bench = require("nvim_bench")

local scale = tonumber(vim.env.PLENARY_BENCH_SCALE) or 1
local N = math.floor(100000 / scale)

local function now_ms()
  return vim.uv.hrtime() / 1e6
end

--- Runs `body` (a task body: N awaited calls) as a plenary_async task while
--- a 1 ms timer runs; returns ms, worst lateness, p99 lateness.
local function measure(body)
  local finished = false
  local gaps = {}
  local timer = vim.uv.new_timer()
  local last = now_ms()
  timer:start(1, 1, function()
    local t = now_ms()
    gaps[#gaps + 1] = t - last - 1
    last = t
  end)
  vim.uv.update_time()
  local start = now_ms()
  a.run(body, function(ok, err)
    assert(ok, err)
    finished = true
  end)
  assert(
    vim.wait(600000, function()
      return finished
    end, 1),
    "the workload did not finish"
  )
  local elapsed = now_ms() - start
  gaps[#gaps + 1] = now_ms() - last - 1
  timer:stop()
  timer:close()
  table.sort(gaps)
  local worst = gaps[#gaps]
  local p99 = gaps[math.max(1, math.floor(#gaps * 0.99))]
  return elapsed, worst, p99
end

local function best_of_3(body)
  local best
  for _ = 1, 3 do
    local r = { measure(body) }
    if best == nil or r[1] < best[1] then
      best = r
    end
  end
  return best
end

local ours = bench.ours
local ours_ready = bench.ours_ready
local tokio_call = bench.tokio_call
local await = a.await

local results = {
  {
    "plenary-async-nvim: `x = plugin.f(x)` (its future waits once)",
    best_of_3(function()
      local x = 0
      for _ = 1, N do
        x = ours(x) + 1
      end
      assert(x == N)
    end),
  },
  {
    "plenary-async-nvim: the same future, ready at once",
    best_of_3(function()
      local x = 0
      for _ = 1, N do
        x = ours_ready(x) + 1
      end
      assert(x == N)
    end),
  },
  {
    "plenary-async-nvim: callback style through `a.await(2, f, x)`",
    best_of_3(function()
      local x = 0
      for _ = 1, N do
        local _, v = await(2, ours, x)
        x = v + 1
      end
      assert(x == N)
    end),
  },
  {
    "tokio on a thread + channel + async handle + schedule, `a.await(2, f, x)`",
    best_of_3(function()
      local x = 0
      for _ = 1, N do
        local _, v = await(2, tokio_call, x)
        x = v + 1
      end
      assert(x == N)
    end),
  },
}
bench.stop()

local peer = results[4][2]
print(
  ("Rust future awaited from Lua, %d calls one after another (best of 3), Neovim %s"):format(N, tostring(vim.version()))
)
print("")
print("| workload | total | per call | vs tokio pattern | 1 ms timer: worst late | p99 late |")
print("|---|---|---|---|---|---|")
for _, r in ipairs(results) do
  local name, m = r[1], r[2]
  print(
    ("| %s | %.1f ms | %.2f µs | %.1fx | %.2f ms | %.2f ms |"):format(
      name,
      m[1],
      m[1] * 1000 / N,
      peer[1] / m[1],
      m[2],
      m[3]
    )
  )
end
