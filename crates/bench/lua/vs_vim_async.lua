-- vim_async against Neovim's own vim.async, same workloads, same run, run
-- by scripts/bench-lua.sh in headless Neovim. Neovim's vim.async is loaded
-- from $VIM_ASYNC_DIR, a folder with vim/async.lua and vim/async/*.lua:
-- exactly the files Neovim ships, made by async.nvim's own
-- scripts/vendor_nvim.lua (`nvim -l scripts/vendor_nvim.lua
-- $VIM_ASYNC_DIR/vim/async.lua` in a clone of async.nvim). They are never
-- part of this repository. Best of 5 runs each, the two modules taking
-- turns workload by workload; the ratio is vim_async's
-- time divided by vim.async's (the goal: at most 0.5).
local root = vim.fn.fnamemodify(debug.getinfo(1, "S").source:sub(2), ":p:h:h:h:h")
package.path = root .. "/lua/?.lua;" .. root .. "/lua/?/init.lua;" .. package.path
local a = require("plenary_async")
local va = a.vim_async

local dir = vim.env.VIM_ASYNC_DIR
if not dir or dir == "" or not vim.uv.fs_stat(dir .. "/vim/async.lua") then
  print("vim_async vs Neovim's vim.async: skipped (set VIM_ASYNC_DIR to a folder with vim/async.lua:")
  print("  git clone https://github.com/lewis6991/async.nvim && cd async.nvim")
  print("  nvim -l scripts/vendor_nvim.lua /some/folder/vim/async.lua; export VIM_ASYNC_DIR=/some/folder)")
  return
end
assert(vim.async == nil, "this Neovim has a vim.async of its own: compare against it directly")
package.path = dir .. "/?.lua;" .. dir .. "/?/init.lua;" .. package.path
local theirs = require("vim.async")
local tree = dofile(root .. "/crates/bench/lua/tree.lua")

local N = math.floor(100000 / (tonumber(vim.env.PLENARY_BENCH_SCALE) or 1))

local function now_ms()
  return vim.uv.hrtime() / 1e6
end

-- Each workload, written once against the vim.async API (both modules
-- have it): `m` is the module.
local workloads = {}

workloads[#workloads + 1] = {
  ("%d empty `run`s from the main chunk, until every one completed"):format(N),
  N,
  function(m, done)
    local left = N
    local function empty() end
    local function one()
      left = left - 1
      if left == 0 then
        done()
      end
    end
    for _ = 1, N do
      m.run(empty):on_complete(one)
    end
  end,
}

local function immediate(cb)
  cb(1)
end
workloads[#workloads + 1] = {
  ("%d `await(1, fn)` of an immediate callback, in one task"):format(N),
  N,
  function(m, done)
    m.run(function()
      local s = 0
      for _ = 1, N do
        s = s + m.await(1, immediate)
      end
      assert(s == N)
    end):on_complete(done)
  end,
}

local LEVELS, TASKS = 10, 1000
workloads[#workloads + 1] = {
  ("a %d-level tree of %d tasks, each sleeping, closed from the root: until every task completed (from `close()`)"):format(
    LEVELS,
    TASKS
  ),
  TASKS,
  function(m, done, clock)
    local top, all = tree.grow(m, LEVELS, TASKS)
    local left = #all
    for _, t in ipairs(all) do
      t:on_complete(function()
        left = left - 1
        if left == 0 then
          done()
        end
      end)
    end
    clock() -- (the time counts from here)
    top:close()
  end,
}

workloads[#workloads + 1] = {
  ("%d acquire + release of a free semaphore, in one task"):format(N),
  N,
  function(m, done)
    local sem = m.semaphore(1)
    m.run(function()
      for _ = 1, N do
        sem:acquire()
        sem:release()
      end
    end):on_complete(done)
  end,
}

--- Best of 5 of workload `w` on module `m`, in ms (from `clock()` if the
--- workload calls it).
local function measure(w, m)
  local best = math.huge
  for _ = 1, 5 do
    collectgarbage("collect")
    local finished = false
    local t0 = now_ms()
    w[3](m, function()
      finished = true
    end, function()
      t0 = now_ms()
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

print(
  ("vim_async against Neovim's vim.async (%s), best of 5; the %s core; Neovim %s"):format(
    dir,
    (a.backend()),
    tostring(vim.version())
  )
)
io.stdout:write(
  "\n| workload | vim_async (this module) | Neovim's vim.async | ratio (goal ≤ 0.5) |\n|---|---|---|---|\n"
)
for _, w in ipairs(workloads) do
  local ours = measure(w, va)
  local them = measure(w, theirs)
  print(
    ("| %s | %.1f ms (%.2f µs each) | %.1f ms (%.2f µs each) | %.2f |"):format(
      w[1],
      ours,
      ours * 1000 / w[2],
      them,
      them * 1000 / w[2],
      ours / them
    )
  )
end
