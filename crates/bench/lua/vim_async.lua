-- vim_async's benchmark, run by scripts/bench-lua.sh in headless Neovim:
-- the workloads of the vim.async issue on this module's `vim_async`
-- (structured tasks: a node of the task tree, tree.lua, per task), on its
-- plenary-style native API (`a.run`, `a.await`), and on a plenary-style
-- peer written here in plain Lua (plenary.async's model: a callback
-- resumes the coroutine directly; no tree, no close), all in the same
-- run. Best of 3 runs each. For scale: a public comparison measured
-- Neovim's own vim.async at about 0.94 µs per empty `run` and 1.9 µs per
-- awaited immediate callback (another machine).
local root = vim.fn.fnamemodify(debug.getinfo(1, "S").source:sub(2), ":p:h:h:h:h")
package.path = root .. "/lua/?.lua;" .. root .. "/lua/?/init.lua;" .. package.path
local a = require("plenary_async")
local va = a.vim_async

local N = math.floor(100000 / (tonumber(vim.env.PLENARY_BENCH_SCALE) or 1))

-- The peer: plenary's model in a few lines (peer.lua).
local peer = dofile(root .. "/crates/bench/lua/peer.lua")
local tree = dofile(root .. "/crates/bench/lua/tree.lua")

-- Measuring ---------------------------------------------------------------------------

local function now_ms()
  return vim.uv.hrtime() / 1e6
end

--- Runs `start(done)` and the loop until `done()` was called; best of 3 ms.
--- (A peer that fails, as plenary's model does when callbacks come back
--- at once 100,000 times in a row — each resume nests in the last —
--- gives its error's first line instead.)
local function best_of_3(start)
  local best = math.huge
  for _ = 1, 3 do
    collectgarbage("collect")
    local finished = false
    local t0 = now_ms()
    start(function()
      finished = true
    end)
    assert(
      vim.wait(600000, function()
        return finished
      end, 1),
      "the workload did not finish"
    )
    best = math.min(best, now_ms() - t0)
  end
  return best
end

local function peer_best_of_3(start)
  local ok, r = pcall(best_of_3, start)
  if ok then
    return r
  end
  return tostring(r):match("[^\n]*"):gsub("^.-: ", "")
end

local rows = {}
local function row(name, ours_va, native, peer_ms)
  table.insert(rows, { name, ours_va, native, peer_ms })
end

-- 1. run + await of a child task, N times in one task.
local function child()
  return 1
end
row(
  ("%d `run` + `await` of a child task"):format(N),
  best_of_3(function(done)
    va.run(function()
      local s = 0
      for _ = 1, N do
        s = s + va.await(va.run(child))
      end
      assert(s == N)
    end):on_complete(done)
  end),
  best_of_3(function(done)
    a.run(function()
      local s = 0
      for _ = 1, N do
        local ok, v = a.await(2, a.run, child)
        assert(ok)
        s = s + v
      end
      assert(s == N)
    end, done)
  end),
  peer_best_of_3(function(done)
    local run_child = peer.wrap(function(cb)
      peer.run(child, cb)
    end, 1)
    peer.run(function()
      local s = 0
      for _ = 1, N do
        s = s + run_child()
      end
      assert(s == N)
    end, done)
  end)
)

-- 2. await of a callback called at once, N times in one task.
local function immediate(cb)
  cb(1)
end
row(
  ("%d `await(1, fn)` of an immediate callback"):format(N),
  best_of_3(function(done)
    va.run(function()
      local s = 0
      for _ = 1, N do
        s = s + va.await(1, immediate)
      end
      assert(s == N)
    end):on_complete(done)
  end),
  best_of_3(function(done)
    a.run(function()
      local s = 0
      for _ = 1, N do
        s = s + a.await(1, immediate)
      end
      assert(s == N)
    end, done)
  end),
  peer_best_of_3(function(done)
    local await_immediate = peer.wrap(immediate, 1)
    peer.run(function()
      local s = 0
      for _ = 1, N do
        s = s + await_immediate()
      end
      assert(s == N)
    end, done)
  end)
)

-- 3. A 10-level tree of 1,000 tasks (a root and 999 descendants, each
-- waiting on a closable timer), closed from the root: the time from
-- `close()` until every task reports completed. vim_async only (the
-- others have no tree).
local LEVELS, TASKS = 10, 1000
local close_ms = math.huge
for _ = 1, 3 do
  local top, all = tree.grow(va, LEVELS, TASKS)
  local left = #all
  for _, t in ipairs(all) do
    t:on_complete(function()
      left = left - 1
    end)
  end
  local t0 = now_ms()
  top:close()
  assert(
    vim.wait(10000, function()
      return left == 0
    end, 1),
    "not every task closed: " .. left
  )
  close_ms = math.min(close_ms, now_ms() - t0)
end

print(("vim_async, best of 3; the %s core; Neovim %s"):format((a.backend()), tostring(vim.version())))
print("")
print("| workload | vim_async (this module) | native API (a.run / a.await) | plenary-style peer (plain Lua) |")
print("|---|---|---|---|")
local function cell(ms)
  if type(ms) ~= "number" then
    return "fails: " .. ms
  end
  return ("%.1f ms (%.2f µs each)"):format(ms, ms * 1000 / N)
end
for _, r in ipairs(rows) do
  print(("| %s | %s | %s | %s |"):format(r[1], cell(r[2]), cell(r[3]), cell(r[4])))
end
print(
  ("| a %d-level tree of %d tasks, each awaiting a timer, closed from the root: until every task reported closed | %.1f ms (%.2f µs per task) | — | — |"):format(
    LEVELS,
    TASKS,
    close_ms,
    close_ms * 1000 / TASKS
  )
)
