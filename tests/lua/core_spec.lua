-- run, void, wrap, util and the module itself.
local a = require("plenary_async")

local support = require("support")
local pack, child = support.pack, support.child

describe("the module", function()
  it("is plain Lua: no library of its own, and backend() says luv serves", function()
    local files = vim.fn.glob(ROOT .. "/lua/plenary_async/*", false, true)
    for _, f in ipairs(files) do
      assert(f:find("%.lua$"), "not a Lua file: " .. f)
    end
    local name, why = a.backend()
    assert(name == "lua", name)
    assert(why == "luv (vim.uv) serves a.uv: the one core since version 0.2.0", why)
    assert(a.VERSION == "0.2.0", a.VERSION)
  end)

  it(":checkhealth reports the version and a setting that does nothing now", function()
    local health = {}
    local saved = vim.health
    vim.health = {
      start = function() end,
      ok = function(m)
        table.insert(health, "ok " .. m)
      end,
      warn = function(m)
        table.insert(health, "warn " .. m)
      end,
      info = function(m)
        table.insert(health, "info " .. m)
      end,
    }
    vim.g.plenary_async_backend = "native"
    local ok, err = pcall(require("plenary_async.health").check)
    vim.g.plenary_async_backend = nil
    vim.health = saved
    assert(ok, err)
    assert(health[1] == "ok version 0.2.0: plain Lua; a.uv on luv (vim.uv)", health[1])
    assert(
      health[2] == 'warn vim.g.plenary_async_backend is "native", which does nothing since version 0.2.0',
      health[2]
    )
    assert(health[3]:find("^ok Neovim %d+%.%d+%.%d+$"), health[3])
    if require("plenary_async.health").host_exports_libuv() then
      assert(
        health[4]:find("^ok Rust plugins can attach: this Neovim exports libuv's functions %(libuv 1%.%d+%.%d+%)$"),
        health[4]
      )
    else -- (Neovim 0.11 for Windows)
      assert(
        health[4]
          == "warn Rust plugins cannot attach: this Neovim exports no libuv functions (Neovim's Windows builds; neovim PR #40322 would add them)",
        health[4]
      )
    end
  end)

  it("ships LuaLS annotations that parse and cover the API", function()
    local meta = ROOT .. "/lua/plenary_async/meta.lua"
    local chunk = assert(loadfile(meta))
    assert(type(chunk) == "function")
    local text = table.concat(vim.fn.readfile(meta), "\n")
    assert(text:find("^%-%-%-@meta plenary_async"))
    for _, name in ipairs({ "run", "void", "wrap", "as_plenary" }) do
      assert(text:find("function M%." .. name .. "%("), name)
      assert(type(a[name]) == "function", name)
    end
    for name, f in pairs(a.util) do
      assert(
        type(f) ~= "function" or text:find("function util%." .. name .. "%("),
        "util." .. name .. " is not annotated"
      )
    end
    local uv_class = text:match("%-%-%-@class plenary_async%.uv\n(.-)\n\n")
    for name in pairs(a.uv) do
      assert(uv_class:find("---@field " .. name .. " ", 1, true), "uv." .. name .. " is not annotated")
    end
  end)

  it("registers itself as plenary.async on request", function()
    local m = a.as_plenary()
    assert(require("plenary.async") == m)
    assert(require("plenary.async.util") == m.util)
    assert(require("plenary.async.control") == a.control)
  end)
end)

describe("run", function()
  it("starts the task at once and calls back with success and the results", function()
    local log = {}
    a.run(function()
      table.insert(log, "started")
      a.util.sleep(5)
      return 1, nil, false
    end, function(...)
      table.insert(log, pack(...))
    end)
    table.insert(log, "run returned")
    assert(log[1] == "started" and log[2] == "run returned", "plenary starts the task synchronously")
    assert(vim.wait(5000, function()
      return #log == 3
    end))
    local r = log[3]
    assert(r.n == 4 and r[1] == true and r[2] == 1 and r[3] == nil and r[4] == false)
  end)

  it("hands an error to the callback with the task's own traceback", function()
    local result
    a.run(function()
      a.util.sleep(1)
      local function deep_in_the_task()
        error("task failure")
      end
      deep_in_the_task()
    end, function(ok, err)
      result = { ok, err }
    end)
    assert(vim.wait(5000, function()
      return result ~= nil
    end))
    assert(result[1] == false)
    assert(result[2]:find("task failure"), result[2])
    assert(result[2]:find("deep_in_the_task"), "the traceback names the task's function:\n" .. result[2])
  end)

  it("rejects what is not a function", function()
    local ok, err = pcall(a.run, 42)
    assert(not ok and err:find("argument #1 must be a function"), err)
    ok, err = pcall(a.run, function() end, "not a callback")
    assert(not ok and err:find("argument #2"), err)
  end)
end)

describe("void", function()
  it("returns a function that starts a task and returns at once", function()
    local done = false
    local f = a.void(function(x)
      a.util.sleep(1)
      done = x
    end)
    assert(f("arg") == nil)
    assert(vim.wait(5000, function()
      return done == "arg"
    end))
  end)
end)

describe("errors nobody awaits", function()
  it("go to Neovim's error reporting, with the task's traceback (void, and run without a callback)", function()
    local out = child({
      'local a = require("plenary_async")',
      "a.void(function() a.util.sleep(1); error('boom in void') end)()",
      "a.run(function() a.util.sleep(1); error('boom in run') end)",
      "vim.wait(300, function() return false end)",
    })
    -- The traceback shows the task's own function (the void's and the run's).
    local fn3 = ("in function <%s:%d>"):format(out.script, out.line(2))
    local fn4 = ("in function <%s:%d>"):format(out.script, out.line(3))
    for _, want in ipairs({ "boom in void", fn3, "boom in run", fn4 }) do
      assert(out.stderr:find(want, 1, true), ("%q is not reported:\n%s"):format(want, out.stderr))
    end
  end)
end)

describe("async functions outside a task", function()
  it("raise a clear error naming the function instead of yielding across C", function()
    local ok, err = pcall(a.util.sleep, 10)
    assert(not ok)
    assert(err:find("util.sleep is an async function"), err)
    assert(err:find("a.run"), err)
    local _, rx = a.control.channel.oneshot()
    ok, err = pcall(rx)
    assert(not ok and err:find("oneshot receiver is an async function"), err)
  end)
end)

describe("await", function()
  it("closes a returned handle only while the task waits on that call", function()
    local closed = {}
    local function closable(name)
      return {
        close = function()
          table.insert(closed, name)
        end,
      }
    end
    local tx, rx = a.control.channel.oneshot()
    local t = a.run(function()
      -- A callback that comes before the function returns: nothing to
      -- close later.
      a.await(1, function(cb)
        cb()
        return closable("answered at once")
      end)
      rx() -- the task now waits on a channel
    end)
    t:cancel()
    assert(vim.deep_equal(closed, {}), vim.inspect(closed))
    -- While it waits on the call, a cancel closes what the call returned.
    local t2 = a.run(function()
      a.await(1, function(_cb)
        return closable("pending")
      end)
    end)
    t2:cancel()
    assert(vim.deep_equal(closed, { "pending" }), vim.inspect(closed))
    tx()
  end)
end)

describe("wrap", function()
  ait("awaits a callback-style function", function()
    local double = a.wrap(function(x, cb)
      vim.defer_fn(function()
        cb(x * 2, "second")
      end, 5)
    end, 2)
    local r = pack(double(21))
    assert(r.n == 2 and r[1] == 42 and r[2] == "second")
  end)

  ait("lets the wrapped function itself call async functions (plenary cannot)", function()
    local slow = a.wrap(function(x, cb)
      a.util.sleep(5) -- plenary: "attempt to yield across C-call boundary"
      cb(x + 1)
    end, 2)
    assert(slow(1) == 2)
  end)

  ait("resumes once even if the callback is called twice", function()
    local resumed = 0
    local twice = a.wrap(function(cb)
      cb("first")
      cb("second")
    end, 1)
    local v = twice()
    resumed = resumed + 1
    a.util.sleep(5)
    assert(v == "first" and resumed == 1)
  end)

  ait("raises an error of the wrapped function in the awaiting task", function()
    local failing = a.wrap(function(_)
      error("inside the wrapped function")
    end, 1)
    local ok, err = pcall(failing)
    assert(not ok and tostring(err):find("inside the wrapped function"), tostring(err))
  end)

  it("rejects a non-function and a bad callback position", function()
    local ok, err = pcall(a.wrap, "nope", 1)
    assert(not ok and err:find("must be a function"), err)
    ok, err = pcall(a.wrap, function() end, 0)
    assert(not ok and err:find("argc"), err)
  end)
end)

describe("util", function()
  it("block_on returns the results and raises on timeout (plenary returns nothing)", function()
    local r = pack(a.util.block_on(function()
      a.util.sleep(1)
      return "value", nil
    end))
    assert(r.n == 2 and r[1] == "value")
    local ok, err = pcall(a.util.block_on, function()
      a.util.sleep(1000)
    end, 20)
    assert(not ok and err:find("timed out after 20 ms"), err)
  end)

  it("a canceled task's long sleep does not keep the task alive until its deadline", function()
    local held = setmetatable({}, { __mode = "k" })
    local tasks = {}
    -- Sleepers that are not canceled wake in deadline order through the
    -- heap's rebuilds.
    local woke = {}
    for i = 5, 1, -1 do
      a.run(function()
        a.util.sleep(10 + i)
        table.insert(woke, i)
      end)
    end
    for i = 1, 200 do
      local big = { i }
      held[big] = true
      tasks[i] = a.run(function()
        local mine = big -- the task's stack references it while it sleeps
        a.util.sleep(3600000)
        return mine
      end)
    end
    for _, t in ipairs(tasks) do
      t:cancel()
    end
    tasks = nil -- luacheck: ignore 311 (dropped, so the collector may take them)
    collectgarbage("collect")
    collectgarbage("collect")
    local left = 0
    for _ in pairs(held) do
      left = left + 1
    end
    -- (Stale entries are dropped once they are half the heap: all but the
    -- few canceled after the last rebuild are gone.)
    assert(left <= 33, left .. " of 200 canceled sleepers are still referenced")
    assert(vim.wait(5000, function()
      return #woke == 5
    end, 1))
    assert(vim.deep_equal(woke, { 1, 2, 3, 4, 5 }), vim.inspect(woke))
  end)

  it("block_on raises the task's error", function()
    local ok, err = pcall(a.util.block_on, function()
      error("failed inside")
    end)
    assert(not ok and err:find("failed inside"), err)
  end)

  it("will_block wraps a function", function()
    local f = a.util.will_block(function(x)
      a.util.sleep(1)
      return x * 3
    end)
    assert(f(5) == 15)
  end)

  ait("join runs everything concurrently and keeps the order; join({}) returns at once", function()
    assert(#a.util.join({}) == 0)
    -- Concurrent: the first finishes only after the second has sent to it,
    -- so run one after the other they would never end.
    local tx, rx = a.control.channel.oneshot()
    local results = a.util.join({
      function()
        return "a", rx()
      end,
      function()
        a.util.sleep(1)
        tx("from b")
        return "b", 2
      end,
    })
    assert.are.same({ { "a", "from b" }, { "b", 2 } }, results)
  end)

  ait("join starts every function though the first fails before its first wait", function()
    -- (plenary's join raises the first one's error at once, from its loop:
    -- the functions after it never start. run_all is join in a task.)
    local started = {}
    local ok, err = pcall(a.util.join, {
      function()
        error("fails at once", 0)
      end,
      function()
        started[#started + 1] = "second"
        a.util.sleep(1)
        started[#started + 1] = "second ended"
      end,
    })
    assert(not ok and vim.split(err, "\n")[1] == "fails at once", err)
    assert.are.same({ "second", "second ended" }, started)
  end)

  ait("race returns the first to finish and cancels the others", function()
    local loser_finished = false
    local go, wait_go = a.control.channel.oneshot()
    local winner = a.util.race({
      function()
        wait_go()
        loser_finished = true
        return "slow"
      end,
      function()
        a.util.sleep(1)
        return "fast"
      end,
    })
    assert(winner == "fast")
    -- A oneshot's send runs its waiting receiver before it returns: had the
    -- loser still been waiting, it would finish here.
    go()
    assert(not loser_finished, "the loser ran on (plenary does not cancel it)")
  end)

  ait("run_first takes the first callback and cancels the other functions", function()
    local loser_called = false
    local go, wait_go = a.control.channel.oneshot()
    local v = a.util.run_first({
      function(cb)
        wait_go()
        loser_called = true
        cb("slow")
      end,
      function(cb)
        cb("fast")
      end,
    })
    assert(v == "fast")
    go() -- (runs the loser at once, were it still waiting)
    assert(not loser_called)
  end)

  ait("apcall and protected turn errors into false, message", function()
    local ok, err = a.util.apcall(function(x)
      a.util.sleep(1)
      error("bad " .. x)
    end, "input")
    assert(ok == false and tostring(err):find("bad input"), tostring(err))
    local ok2, v = a.util.protected(function()
      a.util.sleep(1)
      return "fine"
    end)
    assert(ok2 == true and v == "fine")
  end)

  ait("scheduler yields to the loop", function()
    local other = false
    a.run(function()
      other = true
    end)
    a.util.scheduler()
    assert(other)
  end)

  ait("sleep counts on the loop's clock, as libuv's timers and plenary's sleep do", function()
    local start = vim.uv.now()
    a.util.sleep(20)
    assert(vim.uv.now() >= start + 20, vim.uv.now() - start)
    -- With the clock brought up to date first, it counts from the present.
    vim.uv.update_time()
    local precise = vim.uv.hrtime()
    a.util.sleep(20)
    assert(vim.uv.hrtime() - precise >= 19e6, (vim.uv.hrtime() - precise) / 1e6)
    -- Fractions of a millisecond round up; sleep(0) waits for the timer.
    start = vim.uv.now()
    a.util.sleep(1.5)
    assert(vim.uv.now() >= start + 2)
    a.util.sleep(0)
  end)

  it("sleep rejects what is not a duration", function()
    local ok, err = pcall(a.util.block_on, function()
      a.util.sleep("soon")
    end)
    assert(not ok and err:find("a number of milliseconds"), err)
  end)
end)

describe("Neovim's API", function()
  ait("is safe to call right after a sleep (no E5560, no crash)", function()
    a.util.sleep(10)
    local buf = vim.api.nvim_create_buf(false, true)
    vim.api.nvim_buf_set_lines(buf, 0, -1, false, { "set from a task" })
    assert(vim.api.nvim_buf_get_lines(buf, 0, -1, false)[1] == "set from a task")
    vim.api.nvim_buf_delete(buf, { force = true })
  end)
end)

describe("Neovim's loop", function()
  it("a task started from a libuv callback while a task runs the loop starts where the API is safe", function()
    -- vim.wait in task code runs the loop: luv callbacks (fast events) run
    -- inside it, while the task is the one being resumed.
    local api_ok = nil
    a.run(function()
      local timer = vim.uv.new_timer()
      timer:start(1, 0, function()
        timer:close()
        a.run(function()
          api_ok = pcall(vim.api.nvim_get_current_buf)
        end)
      end)
      vim.wait(5000, function()
        return api_ok ~= nil
      end, 1)
    end)
    assert(vim.wait(5000, function()
      return api_ok ~= nil
    end, 1))
    assert(api_ok == true, "the new task ran in the fast event")
  end)

  it("keeps firing a 1 ms vim.uv timer while 10,000 tasks ping-pong", function()
    local fired = 0
    local timer = vim.uv.new_timer()
    timer:start(1, 1, function()
      fired = fired + 1
    end)
    -- Each pair ping-pongs until the timer has fired 5 more times: the
    -- tasks only finish if Neovim's loop gets to run its timers meanwhile.
    -- (Were the runtime to hold the loop, they would go on forever.)
    local finished = 0
    for _ = 1, 5000 do
      local to_b_tx, to_b_rx = a.control.channel.mpsc()
      local to_a_tx, to_a_rx = a.control.channel.mpsc()
      a.run(function()
        local start = fired
        while fired < start + 5 do
          to_b_tx.send(true)
          to_a_rx.recv()
        end
        to_b_tx.send(false)
      end, function(ok, err)
        assert(ok, err)
        finished = finished + 1
      end)
      a.run(function()
        while to_b_rx.recv() do
          to_a_tx.send(true)
        end
      end)
    end
    local ok = vim.wait(120000, function()
      return finished == 5000
    end, 10)
    timer:stop()
    timer:close()
    assert(ok, ("%d of 5000 pairs finished; the timer fired %d times"):format(finished, fired))
  end)
end)
