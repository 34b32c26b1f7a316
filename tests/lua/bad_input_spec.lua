-- Every API function called with wrong arguments raises a Lua error with a
-- message; nothing crashes or aborts Neovim (if it did, the suite would
-- stop here without its final count).
local a = require("plenary_async")

local wrong = { "nil", 42, -1, 1.5, "text", {}, true, function() end }
local function value(v)
  if v == "nil" then
    return nil
  end
  return v
end

-- Plain functions (callable anywhere).
local plain = {
  ["run"] = a.run,
  ["void"] = a.void,
  ["wrap"] = a.wrap,
  ["util.block_on"] = function(x, y)
    return a.util.block_on(x, y)
  end,
  ["util.will_block"] = a.util.will_block,
  ["util.run_all"] = a.util.run_all,
  ["control.Semaphore.new"] = a.control.Semaphore.new,
  ["control.Condvar.new"] = a.control.Condvar.new,
  ["control.channel.oneshot"] = a.control.channel.oneshot,
  ["control.channel.mpsc"] = a.control.channel.mpsc,
  ["control.channel.counter"] = a.control.channel.counter,
}

-- Async functions (called inside a task).
local async = {
  ["util.sleep"] = a.util.sleep,
  ["util.join"] = a.util.join,
  ["util.race"] = a.util.race,
  ["util.run_first"] = a.util.run_first,
  ["util.apcall"] = a.util.apcall,
  ["util.protected"] = a.util.protected,
}

local function check(name, ok, err)
  if not ok then
    assert(type(err) == "string" and #err > 0, name .. ": the error is not a message: " .. tostring(err))
  end
end

describe("wrong arguments", function()
  it("to every plain function give an error message, never a crash", function()
    for name, f in pairs(plain) do
      for _, x in ipairs(wrong) do
        for _, y in ipairs({ "nil", 0, "x", {} }) do
          local ok, err = pcall(f, value(x), value(y))
          check(name, ok, err)
        end
      end
    end
  end)

  ait("to every async function give an error message, never a crash", function()
    for name, f in pairs(a.uv) do
      async["uv." .. name] = f
    end
    -- uv calls with string arguments touch relative paths: work in a
    -- scratch directory.
    local scratch = vim.fn.tempname()
    vim.fn.mkdir(scratch, "p")
    local cwd = vim.fn.getcwd()
    vim.fn.chdir(scratch)
    for name, f in pairs(async) do
      for _, x in ipairs(wrong) do
        if not (name == "util.sleep" and type(value(x)) == "number" and value(x) >= 0) then
          local ok, err = pcall(f, value(x))
          check(name, ok, err)
        end
      end
    end
    vim.fn.chdir(cwd)
    vim.fn.delete(scratch, "rf")
  end, 30000)

  ait("to channel ends and objects give an error message", function()
    local tx, rx = a.control.channel.oneshot()
    tx()
    rx()
    local ok, err = pcall(rx)
    check("oneshot receiver twice", ok, err)
    assert(not ok and err:find("only receive once"), err)
    local sem = a.control.Semaphore.new(0)
    ok, err = pcall(a.util.block_on, function()
      sem.acquire()
    end, 10)
    assert(not ok and err:find("timed out"), err)
  end)
  ait("a read far larger than its file gives the whole file, quickly", function()
    -- (Larger than the Lua core's 16 MiB bound, under which a read's size
    -- is not looked at.)
    local path = vim.fn.tempname()
    local f = assert(io.open(path, "wb"))
    local size = 17 * 1024 * 1024 + 3
    f:write(string.rep("ab", (size - 1) / 2), "c")
    f:close()
    local _, fd = a.uv.fs_open(path, "r", 438)
    local err, data = a.uv.fs_read(fd, 2 ^ 40, 0)
    assert(err == nil and #data == size and data:sub(-3) == "abc", tostring(err))
    err, data = a.uv.fs_read(fd, 2 ^ 40, size - 2)
    assert(err == nil and data == "bc", tostring(err))
    a.uv.fs_close(fd)
    os.remove(path)
  end)
  ait("an empty list of strings writes nothing, on a stream, a file and a socket", function()
    -- (luv would ask libuv for a write of no buffers, which libuv does not
    -- check: Neovim can end with SIGBUS.)
    local server = a.uv.new_tcp()
    assert(a.uv.tcp_bind(server, "127.0.0.1", 0) == 0)
    local c = a.uv.new_tcp()
    assert(a.uv.tcp_connect(c, "127.0.0.1", a.uv.getsockname(server).port) == nil)
    assert(a.uv.listen(server) == nil)
    local s = a.uv.new_tcp()
    assert(a.uv.accept(server, s) == 0)
    assert(a.uv.write(c, {}) == nil)
    assert(a.uv.write(c, { "after" }) == nil)
    local rerr, got = a.uv.read(s)
    assert(rerr == nil and got == "after", tostring(rerr or got))
    for _, h in ipairs({ c, s, server }) do
      a.uv.close(h)
    end
    local path = vim.fn.tempname()
    local _, fd = a.uv.fs_open(path, "w", 420)
    local err, n = a.uv.fs_write(fd, {}, 0)
    assert(err == nil and n == 0, tostring(err))
    a.uv.fs_close(fd)
    os.remove(path)
    local u = a.uv.new_udp()
    assert(a.uv.udp_bind(u, "127.0.0.1", 0) == 0)
    local port = a.uv.getsockname(u).port
    assert(a.uv.udp_send(u, {}, "127.0.0.1", port) == nil)
    local uerr, data = a.uv.udp_recv_start(u)
    assert(uerr == nil and data == "", tostring(uerr))
    a.uv.close(u)
  end)
  ait("the reported crashes and silent acceptances are errors now", function()
    local path = vim.fn.tempname()
    vim.fn.writefile({ "hello" }, path)
    local _, fd = a.uv.fs_open(path, "r", 438)
    -- A size beyond memory: a fallible reservation, at most one read's worth.
    for _, size in ipairs({ 2 ^ 35, 2 ^ 53 }) do
      local err, data = a.uv.fs_read(fd, size, 0)
      assert(err == nil and data == "hello\n" or err:find("^ENOMEM"), tostring(err))
    end
    a.uv.fs_close(fd)
    -- Times that no clock holds.
    for _, t in ipairs({ math.huge, -math.huge, 0 / 0, 2 ^ 63, 1e300 }) do
      local ok, err = pcall(a.uv.fs_utime, path, t, 1)
      assert(not ok and tostring(err):find("atime must be a finite number"), tostring(err))
      _, fd = a.uv.fs_open(path, "r", 438)
      ok, err = pcall(a.uv.fs_futime, fd, 1, t)
      assert(not ok and tostring(err):find("mtime must be a finite number"), tostring(err))
      a.uv.fs_close(fd)
    end
    -- Times before the epoch are times.
    assert(a.uv.fs_utime(path, -86400, -86400) == nil)
    -- fs_access: a number 0..7 or letters r, w, x; nothing else.
    for _, mode in ipairs({ {}, 1.5, 8, -1, "rq", true }) do
      local ok, err = pcall(a.uv.fs_access, path, mode)
      assert(not ok and tostring(err):find("mode must be a number from 0 to 7"), tostring(err))
    end
    assert(a.uv.fs_access(path, "rw") == nil and a.uv.fs_access(path, 4) == nil)
    -- The server handle passed as its own client.
    local server = a.uv.new_tcp()
    assert(a.uv.tcp_bind(server, "127.0.0.1", 0) == 0)
    local ok, err, name = a.uv.accept(server, server)
    assert(ok == nil and err:find("not the server itself") and name == "EINVAL", tostring(err))
    a.uv.close(server)
    -- Counts and times beyond their range.
    ok, err = pcall(a.wrap, function() end, 2 ^ 31)
    assert(not ok and err:find("from 1 to 64"), err)
    ok, err = pcall(a.util.block_on, function() end, 2 ^ 31)
    assert(not ok and err:find("timeout"), err)
    for _, ms in ipairs({ math.huge, 0 / 0, -1 }) do
      ok, err = pcall(a.util.sleep, ms)
      assert(not ok and err:find("milliseconds"), err)
    end
    -- A finite sleep beyond any clock is a sleep (that outlives the session).
    local first = a.util.race({
      function()
        a.util.sleep(1e300)
        return "1e300 ms"
      end,
      function()
        a.util.sleep(1)
        return "1 ms"
      end,
    })
    assert(first == "1 ms", tostring(first))
    -- Paths and names too long for the kernel are refused before a copy.
    ok, err = pcall(a.uv.fs_stat, string.rep("x", 5000))
    assert(not ok and tostring(err):find("ENAMETOOLONG: name too long: x+… %(5000 bytes%)"), tostring(err))
    ok, err = pcall(a.uv.getaddrinfo, string.rep("x", 5000))
    assert(not ok and tostring(err):find("at most 1025 bytes"), tostring(err))
    os.remove(path)
  end)
end)
