-- Rust plugins on Neovim's loop (crates/nvim/plenary-async-nvim): the
-- example plugins (crates/nvim/examples) and the test plugin
-- (crates/nvim/tests/probe), built by scripts/build-plugins.sh, loaded into
-- this Neovim beside the plenary_async Lua module.
local a = require("plenary_async")
local uv = vim.uv

-- Only where Rust plugins can attach: a Neovim that exports libuv's
-- functions (not Neovim 0.11's Windows build; :checkhealth says the same).
if not require("plenary_async.health").host_exports_libuv() then
  pending("Rust plugins: this Neovim exports no libuv functions, so no Rust plugin can attach")
  return
end

local function plugin(name)
  local ok, mod = pcall(require, name)
  assert(ok, ("%s is not built (scripts/build-plugins.sh): %s"):format(name, tostring(mod)))
  return mod
end

local probe = plugin("nvim_probe")
local ex = plugin("mlua_example")
local oxi = plugin("oxi_example")

--- Waits (running the loop) until `cond()` holds; fails after 10 s.
local function wait_for(what, cond)
  assert(vim.wait(10000, cond, 2), "timed out waiting for " .. what)
end

--- Captures vim.notify's messages while `fn` runs and until `cond(msgs)`.
local function notified(fn, cond)
  local msgs = {}
  local saved = vim.notify
  vim.notify = function(msg, level)
    table.insert(msgs, { msg = msg, level = level })
  end
  local ok, err = pcall(function()
    fn()
    wait_for("a message", function()
      return cond(msgs)
    end)
  end)
  vim.notify = saved
  assert(ok, err)
  return msgs
end

--- A 1 ms repeating libuv timer: how late it fired at worst, while `fn` runs.
local function lateness_during(fn)
  local timer = uv.new_timer()
  local worst, last = 0, nil
  timer:start(1, 1, function()
    local now = uv.hrtime()
    if last then
      worst = math.max(worst, (now - last) / 1e6 - 1)
    end
    last = now
  end)
  local ok, err = pcall(fn)
  timer:stop()
  timer:close()
  assert(ok, err)
  return worst
end

describe("Rust plugins: the libraries", function()
  it("link neither libuv nor Lua: Neovim's are used", function()
    for _, name in ipairs({ "nvim_probe", "mlua_example", "oxi_example" }) do
      local so = ("%s/crates/nvim/target/plugins/%s.so"):format(ROOT, name)
      local needed = vim.fn.system({ "readelf", "-d", so })
      assert(vim.v.shell_error == 0, needed)
      assert(needed:find("NEEDED"), "readelf printed no dependencies")
      assert(not needed:find("libuv"), name .. " depends on a libuv:\n" .. needed)
      assert(not needed:find("lua"), name .. " depends on a Lua library:\n" .. needed)
      -- libuv's and luv's functions are looked up in Neovim by name at
      -- attach, not linked: no such symbol, defined or undefined.
      local symbols = vim.fn.system({ "nm", "-D", so })
      assert(not symbols:find(" uv_"), name .. " names libuv symbols")
      -- (nvim-oxi itself links luv's `luv_loop`; ours do not.)
      assert(name == "oxi_example" or not symbols:find(" luv_"), name .. " names luv symbols")
      assert(symbols:find(" U lua_"), name .. ": Lua should come from Neovim")
    end
  end)
end)

describe("Rust plugins: exported async functions", function()
  ait("are awaited in a plenary_async task", function()
    assert(probe.sleep(5) == 5)
    assert(probe.ready(42) == 42)
    assert(probe.yield_once(7) == 7)
  end)

  it("take a callback outside a task: (nil, results) or (error)", function()
    local got
    probe.sleep(1, function(err, v)
      got = { err, v }
    end)
    wait_for("the callback", function()
      return got ~= nil
    end)
    assert(got[1] == nil and got[2] == 1, vim.inspect(got))
    local failed
    probe.fail("no luck", function(err)
      failed = err
    end)
    wait_for("the failure", function()
      return failed ~= nil
    end)
    assert(failed == "no luck", vim.inspect(failed))
  end)

  it("call back before returning when the future is ready at once", function()
    local got
    probe.ready(3, function(_, v)
      got = v
    end)
    assert(got == 3)
  end)

  ait("raise a Rust error as a Lua error with its message", function()
    local ok, err = pcall(probe.fail, "rust says no")
    assert(not ok and tostring(err):find("rust says no", 1, true), tostring(err))
  end)

  ait("give the runtime's libuv errors as luv writes them, awaited and called back", function()
    local missing = vim.fn.tempname() .. "/missing"
    local want = "ENOENT: no such file or directory: " .. missing
    for _, name in ipairs({ "stat", "stat_boxed" }) do
      local ok, err = pcall(probe[name], missing)
      assert(not ok and err == want, name .. ": " .. tostring(err))
      local tx, rx = a.control.channel.oneshot()
      probe[name](missing, function(e)
        tx(e)
      end)
      local called_back = rx()
      assert(called_back == want, name .. ": " .. tostring(called_back))
    end
  end)

  it("say how to call them when called outside a task without a callback", function()
    local ok, err = pcall(function()
      local _ = probe.sleep(1)
    end)
    assert(
      not ok and err:find("call it inside a plenary_async task, or pass its 1 argument(s) and a callback", 1, true),
      err
    )
    assert(err:find("rust_plugins_spec.lua:", 1, true), "the caller's position: " .. err)
  end)

  it("refuse arguments that do not convert, with the function's name", function()
    local ok, err = pcall(probe.sleep, "soon", function() end)
    assert(not ok and err:find("sleep: bad arguments", 1, true), err)
    a.run(function()
      ok, err = pcall(probe.sleep, "soon")
    end)
    assert(not ok and err:find("sleep: bad arguments", 1, true), err)
  end)

  ait("work through plenary's a.wrap and through a.await", function()
    local wrapped = a.wrap(probe.sleep, 2)
    local err, v = wrapped(2)
    assert(err == nil and v == 2)
    err, v = a.await(2, probe.yield_once, 9)
    assert(err == nil and v == 9)
  end)

  ait("turn a panic in the future into the caller's error", function()
    local ok, err = pcall(probe.panic_after_await)
    assert(not ok and tostring(err):find("panicked: the probe's panic", 1, true), tostring(err))
  end)

  ait("are polled from a fast event's call only at the next tick", function()
    local err, v = a.await(1, function(cb)
      local t = uv.new_timer()
      t:start(1, 0, function()
        t:close()
        -- A fast event: the call defers its first poll.
        probe.yield_once(5, cb)
      end)
    end)
    assert(err == nil and v == 5)
  end)
end)

describe("Rust plugins: where task code runs", function()
  ait("task code may call Neovim's API after each kind of await", function()
    local buf = vim.api.nvim_get_current_buf()
    local seen = probe.api_after_awaits(vim.fn.tempname():match("^(.*)/"))
    local expected = {
      "timer",
      "fs",
      "pipe",
      "process",
      "channel",
      "lua callback (fast event)",
      "schedule",
      "tokio",
    }
    assert(vim.deep_equal(seen, expected), vim.inspect(seen))
    assert(vim.api.nvim_buf_get_lines(buf, 0, -1, false)[1] == "tokio")
  end)
end)

describe("Rust plugins: cancellation across the boundary", function()
  it("canceling a Lua task drops the Rust future it awaits", function()
    local task = a.run(function()
      probe.hold()
    end)
    wait_for("the future to start", function()
      return probe.live() == 1
    end)
    task:cancel()
    assert(probe.live() == 0, "the future was not dropped")
  end)

  it("closing a vim_async task that awaits a Rust future drops the future", function()
    local va = a.vim_async
    local t = va.run(function()
      va.await(1, probe.hold)
    end)
    wait_for("the future to start", function()
      return probe.live() == 1
    end)
    t:close()
    local ok, err = t:pwait(1000)
    assert(not ok and err == "closed", tostring(err))
    assert(probe.live() == 0, "the future was not dropped")
  end)

  it("closing a callback-style call's handle drops the future (vim.async's convention)", function()
    local called = false
    local handle = probe.hold(function()
      called = true
    end)
    assert(probe.live() == 1 and not handle:is_closing())
    local closed = false
    handle:close(function()
      closed = true
    end)
    assert(probe.live() == 0 and closed and handle:is_closing())
    vim.wait(20)
    assert(not called, "a closed call's callback ran")
  end)

  ait("a dropped Rust future leaves nothing waiting on the Lua callback", function()
    local stored, closed = nil, false
    local result = probe.drop_call(function(cb)
      stored = cb
      return {
        close = function()
          closed = true
        end,
      }
    end, 5)
    assert(result == "dropped" and closed, "the handle was not closed")
    stored("late") -- calling the callback now does nothing
  end)

  ait("a Rust future awaits a Lua callback and a plenary_async Lua task", function()
    local v = probe.call_lua(function(cb)
      vim.defer_fn(function()
        cb("from Lua", 2)
      end, 1)
    end)
    assert(v == "from Lua")
    local x, y = probe.lua_task(function()
      a.util.sleep(2)
      return "task", 3
    end)
    assert(x == "task" and y == 3)
    local ok, err = pcall(probe.lua_task, function()
      a.util.sleep(1)
      error("lua task failed")
    end)
    assert(not ok and tostring(err):find("lua task failed", 1, true), tostring(err))
  end)

  ait("dropping the Rust await of a Lua task cancels the task", function()
    local reached = false
    local r = probe.drop_lua_task(function()
      a.util.sleep(50)
      reached = true
    end, 5)
    assert(r == "dropped")
    a.util.sleep(80)
    assert(not reached, "the Lua task ran on")
  end)
end)

describe("Rust plugins: errors", function()
  it("a detached task's panic reaches vim.notify with where it was spawned", function()
    local msgs = notified(probe.spawn_panic, function(m)
      return #m > 0
    end)
    local m = msgs[1]
    assert(m.level == vim.log.levels.ERROR)
    assert(m.msg:find("the detached probe task's panic", 1, true), m.msg)
    assert(m.msg:find("tests/probe/src/lib.rs:", 1, true), m.msg)
  end)

  it("a spawned task's error reaches vim.notify with where it was spawned", function()
    local msgs = notified(probe.spawn_error, function(m)
      return #m > 0
    end)
    assert(msgs[1].msg:find("the probe task's error", 1, true), msgs[1].msg)
    assert(msgs[1].msg:find("tests/probe/src/lib.rs:", 1, true), msgs[1].msg)
  end)
end)

describe("Rust plugins: the tokio bridge", function()
  ait("fetches from a local HTTP server with reqwest, awaited on Neovim's loop", function()
    local port = probe.serve()
    local body = probe.http_get(("http://127.0.0.1:%d/hello"):format(port))
    assert(body == "hello from Neovim's loop", body)
  end)

  ait("gives a tokio task's panic as an error", function()
    local message = probe.tokio_panic()
    assert(message == "the tokio task panicked: tokio boom", message)
  end)

  ait("canceling the awaiting task aborts the request midway", function()
    local port = probe.serve()
    local before = probe.slow_closed()
    local task = a.run(function()
      probe.http_get(("http://127.0.0.1:%d/slow"):format(port))
    end)
    a.util.sleep(50) -- the request is sent; the server holds the answer
    task:cancel()
    -- The tokio task is aborted: reqwest drops the connection.
    for _ = 1, 500 do
      if probe.slow_closed() > before then
        break
      end
      a.util.sleep(10)
    end
    assert(probe.slow_closed() == before + 1, "the connection was not closed")
  end)
end)

describe("Rust plugins: the example plugins", function()
  it("stream a command's output into a buffer line by line as it arrives", function()
    local buf = vim.api.nvim_create_buf(false, true)
    local code
    local worst = lateness_during(function()
      ex.stream({ "sh", "-c", "echo one; sleep 0.3; echo two; printf three" }, buf, function(err, c)
        assert(err == nil, err)
        code = c
      end)
      wait_for("the first line", function()
        return vim.api.nvim_buf_get_lines(buf, 0, -1, false)[1] == "one"
      end)
      -- The command is still running: the first line came as it was printed.
      assert(code == nil)
      wait_for("the command's end", function()
        return code ~= nil
      end)
    end)
    assert(code == 0)
    assert(vim.deep_equal(vim.api.nvim_buf_get_lines(buf, 0, -1, false), { "one", "two", "three" }))
    print(("      (a 1 ms timer was at worst %.1f ms late meanwhile)"):format(worst))
    assert(worst < 250, "the editor was blocked")
  end)

  it("mirror a directory into a buffer and refresh it on change", function()
    local dir = vim.fn.tempname()
    vim.fn.mkdir(dir, "p")
    vim.fn.writefile({}, dir .. "/first.txt")
    local buf = vim.api.nvim_create_buf(false, true)
    local watcher
    local function lines()
      return vim.api.nvim_buf_get_lines(buf, 0, -1, false)
    end
    local worst = lateness_during(function()
      watcher = ex.watch(dir, buf)
      wait_for("the listing", function()
        return vim.deep_equal(lines(), { "first.txt" })
      end)
      -- Another process changes the directory (the test's own writes would
      -- hold the loop themselves).
      vim.system({ "sh", "-c", "for i in $(seq 1 100); do : > burst$i.txt; done; : > second.txt" }, { cwd = dir })
      wait_for("the refresh", function()
        return #lines() == 102 and lines()[102] == "second.txt"
      end)
      vim.system({ "sh", "-c", "rm -f burst*.txt first.txt" }, { cwd = dir })
      wait_for("the refresh after removals", function()
        return vim.deep_equal(lines(), { "second.txt" })
      end)
    end)
    print(("      (a 1 ms timer was at worst %.1f ms late meanwhile)"):format(worst))
    assert(worst < 250, "the editor was blocked")
    watcher:close()
    vim.fn.writefile({}, dir .. "/third.txt")
    vim.wait(100)
    assert(vim.deep_equal(lines(), { "second.txt" }), "refreshed after stop")
    vim.fn.delete(dir, "rf")
  end)

  it("read and parse many files concurrently, in order", function()
    local dir = vim.fn.tempname()
    vim.fn.mkdir(dir, "p")
    local paths = {}
    for i = 1, 200 do
      paths[i] = ("%s/%d.json"):format(dir, i)
      vim.fn.writefile({ vim.json.encode({ n = i, name = "file " .. i, tags = { "a", "b" } }) }, paths[i])
    end
    local values
    local worst = lateness_during(function()
      ex.parse_all(paths, function(err, v)
        assert(err == nil, err)
        values = v
      end)
      wait_for("the parsed files", function()
        return values ~= nil
      end)
    end)
    print(("      (a 1 ms timer was at worst %.1f ms late meanwhile)"):format(worst))
    assert(worst < 250, "the editor was blocked")
    assert(#values == 200)
    for i = 1, 200 do
      assert(values[i].n == i and values[i].name == "file " .. i and values[i].tags[2] == "b")
    end
    vim.fn.writefile({ "{ not json" }, paths[7])
    local ok, err
    a.util.block_on(function()
      ok, err = pcall(ex.parse_all, paths)
    end, 10000)
    assert(not ok and tostring(err):find("7.json", 1, true), tostring(err))
    vim.fn.delete(dir, "rf")
  end)

  ait("nvim-oxi: async functions that use nvim-oxi's API after awaiting", function()
    local file = vim.fn.tempname()
    vim.fn.writefile({ "one two", "three" }, file)
    assert(oxi.word_count(file) == 3)
    local buf = oxi.scratch_from({ "printf", "a\\nb\\n" })
    assert(vim.deep_equal(vim.api.nvim_buf_get_lines(buf, 0, -1, false), { "a", "b" }))
    os.remove(file)
  end)
end)

describe("Rust plugins: two plugins and the Lua module at once", function()
  ait("each with its own copy of the runtime, on the same loop, side by side", function()
    local dir = vim.fn.tempname()
    vim.fn.mkdir(dir, "p")
    local paths = {}
    for i = 1, 20 do
      paths[i] = ("%s/%d.json"):format(dir, i)
      vim.fn.writefile({ tostring(i) }, paths[i])
    end
    local results = {}
    -- All pending at the same time, interleaved on the one loop.
    a.util.join({
      function()
        results.mlua = ex.parse_all(paths)
      end,
      function()
        results.oxi = oxi.word_count(paths[1])
      end,
      function()
        results.probe = probe.sleep(20)
      end,
      function()
        local err, stat = a.uv.fs_stat(dir)
        results.lua = err == nil and stat.type
      end,
      function()
        a.util.sleep(10)
        results.sleep = true
      end,
    })
    assert(#results.mlua == 20 and results.mlua[20] == 20, vim.inspect(results.mlua))
    assert(results.oxi == 1 and results.probe == 20 and results.lua == "directory" and results.sleep)
    vim.fn.delete(dir, "rf")
  end)
end)

describe("Rust plugins: quitting Neovim", function()
  it("with plugin tasks pending (timers, sockets, a tokio request) exits at once, with status 0", function()
    local start = uv.hrtime()
    local out = require("support").child({
      'local a = require("plenary_async")',
      'local probe = require("nvim_probe")',
      'local ex = require("mlua_example")',
      "for i = 1, 50 do probe.hold(function() end) end",
      "for i = 1, 50 do a.run(function() probe.sleep(600000) end) end",
      "local port = probe.serve()",
      "a.run(function() probe.http_get(('http://127.0.0.1:%d/slow'):format(port)) end)",
      "ex.stream({ 'sleep', '600' }, 0, function() end)",
      'vim.defer_fn(function() vim.cmd("qall!") end, 200)',
      "vim.wait(10000, function() return false end)",
      "os.exit(3) -- not reached: qall! has ended Neovim",
    }, { plugins = true })
    local seconds = (uv.hrtime() - start) / 1e9
    assert(out.code == 0, ("exit status %s, signal %s, stderr: %s"):format(out.code, out.signal, out.stderr))
    assert(seconds < 20, ("took %.1f s"):format(seconds))
  end)

  it("by os.exit(code, true), which closes the Lua state first, exits with that code (no crash)", function()
    -- The plugins keep Lua values in thread-locals, dropped at the
    -- process's exit: they are released when the state closes, not after.
    local out = require("support").child({
      'local a = require("plenary_async")',
      'local probe = require("nvim_probe")',
      'local ex = require("mlua_example")',
      'require("oxi_example")',
      "a.run(function() probe.sleep(600000) end)",
      "os.exit(3, true)",
    }, { plugins = true })
    assert(
      out.code == 3 and out.signal == 0,
      ("exit status %s, signal %s, stderr: %s"):format(out.code, out.signal, out.stderr)
    )
  end)
end)
