-- a.uv's handle functions: TCP, pipes and UDP on the runtime's own handles,
-- plenary's names and (err, result) returns; luv handles still accepted.
local a = require("plenary_async")
local uv = a.uv

--- A TCP server on 127.0.0.1 that echoes every connection; returns it and
--- its port.
local function echo_server()
  local server = uv.new_tcp()
  assert(uv.tcp_bind(server, "127.0.0.1", 0) == 0)
  local port = uv.getsockname(server).port
  a.void(function()
    while not uv.is_closing(server) do
      if uv.listen(server, 128) then
        return -- closed
      end
      local client = uv.new_tcp()
      assert(uv.accept(server, client) == 0)
      a.void(function()
        while true do
          local err, data = uv.read(client)
          assert(not err, err)
          if not data then
            break
          end
          assert(uv.write(client, data) == nil)
        end
        uv.close(client)
      end)()
    end
  end)()
  return server, port
end

describe("uv handles", function()
  ait("echo over TCP: connect, write, read, shutdown, close", function()
    local server, port = echo_server()
    local c = uv.new_tcp()
    assert(uv.tcp_connect(c, "127.0.0.1", port) == nil)
    assert(uv.getpeername(c).port == port)
    assert(uv.write(c, { "hel", "lo ", "world" }) == nil) -- a table of strings, as in luv
    local got = ""
    while #got < 11 do
      local err, data = uv.read(c)
      assert(not err and data, err)
      got = got .. data
    end
    assert(got == "hello world", got)
    -- A megabyte, every byte back in order.
    local big = string.rep("0123456789abcdef", 65536)
    a.void(function()
      assert(uv.write(c, big) == nil)
      assert(uv.shutdown(c) == nil)
    end)()
    local parts = {}
    while true do
      local err, data = uv.read(c)
      assert(not err, err)
      if not data then
        break -- the echo side closed after our shutdown
      end
      parts[#parts + 1] = data
    end
    assert(table.concat(parts) == big, "the echoed megabyte differs")
    uv.close(c)
    uv.close(server)
    assert(uv.is_closing(c) and uv.is_closing(server))
  end)

  ait("has methods on its handles", function()
    local server, port = echo_server()
    local c = uv.new_tcp()
    assert(c:connect("127.0.0.1", port) == nil)
    assert(c:nodelay(true) == 0)
    assert(c:write("ping") == nil)
    local err, data = c:read()
    assert(not err and data == "ping", err)
    assert(tostring(c):find("^plenary_async.uv_tcp: "), tostring(c))
    c:close()
    server:close()
  end)

  ait("returns connection errors as luv does", function()
    local probe = uv.new_tcp()
    assert(uv.tcp_bind(probe, "127.0.0.1", 0) == 0)
    local port = uv.getsockname(probe).port
    uv.close(probe) -- nothing listens there now
    local c = uv.new_tcp()
    local err = uv.tcp_connect(c, "127.0.0.1", port)
    assert(err == "ECONNREFUSED: connection refused: 127.0.0.1:" .. port, err)
    -- A failed connect leaves the handle fresh, as in luv: it may try again.
    local server, port2 = echo_server()
    assert(uv.tcp_connect(c, "127.0.0.1", port2) == nil)
    err = uv.tcp_connect(c, "127.0.0.1", port2)
    assert(err and err:find("^EISCONN"), err)
    uv.close(c)
    uv.close(server)
  end)

  ait("a connect whose task is canceled leaves the handle fresh, to connect again", function()
    -- (The task is canceled right after it starts waiting: its connect
    -- can only end on a later turn of the loop.)
    local server, port = echo_server()
    local c = uv.new_tcp()
    local resumed = false
    local t = a.run(function()
      uv.tcp_connect(c, "127.0.0.1", port)
      resumed = true
    end)
    t:cancel()
    assert(uv.tcp_connect(c, "127.0.0.1", port) == nil)
    assert(c:write("again") == nil)
    local err, data = c:read()
    assert(not err and data == "again", err)
    assert(not resumed)
    uv.close(c)
    uv.close(server)
  end)

  ait("close resumes the task (plenary registered it with the wrong argument count)", function()
    local ours = uv.new_tcp()
    assert(uv.close(ours) == nil)
    -- A luv handle is closed by luv, and this task resumes too.
    local theirs = vim.uv.new_tcp()
    uv.close(theirs)
    assert(theirs:is_closing())
  end)

  ait("close ends the operations waiting on the handle with ECANCELED", function()
    local server = uv.new_tcp()
    assert(uv.tcp_bind(server, "127.0.0.1", 0) == 0)
    local port = uv.getsockname(server).port
    local c = uv.new_tcp()
    local results = {}
    a.void(function()
      results.listen = uv.listen(server)
    end)()
    assert(uv.tcp_connect(c, "127.0.0.1", port) == nil)
    a.util.sleep(0)
    local conn = uv.new_tcp()
    assert(uv.accept(server, conn) == 0)
    local tx, rx = a.control.channel.oneshot()
    a.void(function()
      tx(uv.read(conn)) -- nothing is ever written: it waits
    end)()
    a.util.sleep(10)
    uv.close(conn)
    local err, data = rx()
    assert(err and err:find("^ECANCELED"), tostring(err))
    assert(data == nil)
    assert(results.listen == nil)
    -- Operations on a closed handle fail with EBADF; closing again is harmless.
    err = uv.write(conn, "x")
    assert(err and err:find("^EBADF: .*the handle is closed"), err)
    assert(uv.close(conn) == nil)
    uv.close(c)
    uv.close(server)
  end)

  ait("reads and writes from several tasks take turns", function()
    local server, port = echo_server()
    local c = uv.new_tcp()
    assert(uv.tcp_connect(c, "127.0.0.1", port) == nil)
    -- 20 writes of 1 MB: more than the socket takes at once, so they
    -- queue and wait.
    local size = 1000000
    local writers = {}
    for i = 1, 20 do
      writers[i] = function()
        assert(uv.write(c, string.rep(string.char(64 + i), size)) == nil)
      end
    end
    local parts, total = {}, 0
    a.util.join({
      function()
        a.util.join(writers)
      end,
      function()
        while total < 20 * size do
          local err, data = uv.read(c)
          assert(not err and data, err)
          parts[#parts + 1] = data
          total = total + #data
        end
      end,
    })
    local got = table.concat(parts)
    -- Each write's bytes arrive together, in the order the writes were made.
    for i = 1, 20 do
      local want = string.rep(string.char(64 + i), size)
      assert(got:sub((i - 1) * size + 1, i * size) == want, "write " .. i)
    end
    uv.close(c)
    uv.close(server)
  end)

  ait("pipes: bind, connect, open a descriptor", function()
    -- (Windows names pipes in its own namespace.)
    local path = jit.os == "Windows" and ([[\\.\pipe\plenary-async-]] .. vim.uv.hrtime())
      or (vim.fn.tempname() .. ".sock")
    local server = uv.new_pipe()
    assert(uv.pipe_bind(server, path) == 0)
    assert(uv.getsockname(server) == path)
    a.void(function()
      assert(uv.listen(server, 128) == nil)
      local conn = uv.new_pipe()
      assert(uv.accept(server, conn) == 0)
      assert(uv.write(conn, "over the pipe") == nil)
      uv.close(conn)
    end)()
    local c = uv.new_pipe()
    assert(uv.pipe_connect(c, path) == nil)
    local err, data = uv.read(c)
    assert(not err and data == "over the pipe", err)
    err, data = uv.read(c)
    assert(not err and data == nil, err) -- the end
    uv.close(c)
    uv.close(server)
    os.remove(path)

    local fds = vim.uv.pipe()
    local r = uv.new_pipe()
    assert(uv.pipe_open(r, fds.read) == 0)
    vim.uv.fs_write(fds.write, "from a descriptor")
    vim.uv.fs_close(fds.write)
    err, data = uv.read(r)
    assert(not err and data == "from a descriptor", err)
    uv.close(r)
  end)

  ait("UDP: bind, send, receive one datagram per call", function()
    local rx = uv.new_udp()
    assert(uv.udp_bind(rx, "127.0.0.1", 0) == 0)
    local port = uv.getsockname(rx).port
    local tx = uv.new_udp() -- bound on its first send, as in luv
    for i = 1, 3 do
      assert(uv.udp_send(tx, "datagram " .. i, "127.0.0.1", port) == nil)
    end
    local from = uv.getsockname(tx).port
    for i = 1, 3 do
      local err, data, addr, flags = uv.udp_recv_start(rx)
      assert(not err, err)
      assert(data == "datagram " .. i, data)
      assert(addr.ip == "127.0.0.1" and addr.port == from and addr.family == "inet")
      assert(type(flags) == "table")
    end
    uv.close(tx)
    uv.close(rx)
  end)

  ait("still accepts luv handles, as plenary did", function()
    local server, port = echo_server()
    local c = vim.uv.new_tcp()
    assert(uv.tcp_connect(c, "127.0.0.1", port) == nil)
    assert(uv.write(c, "via luv") == nil)
    assert(uv.shutdown(c) == nil)
    uv.close(c)
    -- A luv call that fails at once returns its error instead of hanging.
    local fresh = vim.uv.new_tcp()
    local err = uv.write(fresh, "x")
    assert(type(err) == "string" and #err > 0, tostring(err))
    uv.close(fresh)
    uv.close(server)
  end)

  ait("reads directories in batches: fs_opendir, fs_readdir, fs_closedir", function()
    local _, dir = uv.fs_mkdtemp(vim.fn.tempname() .. "-XXXXXX")
    for _, name in ipairs({ "a", "b", "c" }) do
      local _, fd = uv.fs_open(dir .. "/" .. name, "w", 420)
      uv.fs_close(fd)
    end
    local err, d = uv.fs_opendir(dir, 2)
    assert(not err, err)
    local names = {}
    local sizes = {}
    while true do
      local entries
      err, entries = uv.fs_readdir(d)
      assert(not err, err)
      if not entries then
        break
      end
      sizes[#sizes + 1] = #entries
      for _, e in ipairs(entries) do
        assert(e.type == "file")
        names[#names + 1] = e.name
      end
    end
    table.sort(names)
    assert(table.concat(names, ",") == "a,b,c", table.concat(names, ","))
    assert(table.concat(sizes, ",") == "2,1", table.concat(sizes, ","))
    local closed
    err, closed = uv.fs_closedir(d)
    assert(not err and closed == true, err)
    err = uv.fs_readdir(d)
    assert(err and err:find("^EBADF"), tostring(err))
    vim.fn.delete(dir, "rf")
  end)

  ait("the Neovim API works right after a read", function()
    local server, port = echo_server()
    local c = uv.new_tcp()
    assert(uv.tcp_connect(c, "127.0.0.1", port) == nil)
    uv.write(c, "line from the socket")
    local _, data = uv.read(c)
    local buf = vim.api.nvim_create_buf(false, true)
    vim.api.nvim_buf_set_lines(buf, 0, -1, false, { data })
    assert(vim.api.nvim_buf_get_lines(buf, 0, -1, false)[1] == "line from the socket")
    vim.api.nvim_buf_delete(buf, { force = true })
    uv.close(c)
    uv.close(server)
  end)

  ait("wrong handles and states give messages", function()
    local ok, err = pcall(uv.tcp_connect, "not a handle", "127.0.0.1", 1)
    assert(not ok and err:find("expected a handle"), err)
    ok, err = pcall(uv.tcp_connect, uv.new_pipe(), "127.0.0.1", 1)
    assert(not ok and err:find("expected a tcp handle, got a pipe handle"), err)
    err = uv.tcp_connect(uv.new_tcp(), "localhost", 80)
    assert(err and err:find("^EINVAL: .*not an IP address"), err)
    err = uv.write(uv.new_tcp(), "x")
    assert(err and err:find("^ENOTCONN"), err)
    err = uv.listen(uv.new_tcp(), 128)
    assert(err and err:find("^EINVAL: .*not bound"), err)
    local server = uv.new_tcp()
    uv.tcp_bind(server, "127.0.0.1", 0)
    local r, msg, name = uv.accept(server, uv.new_tcp())
    assert(r == nil and msg:find("^EAGAIN") and name == "EAGAIN", msg)
    ok, err = pcall(uv.write2, uv.new_pipe(), "x", uv.new_tcp())
    assert(not ok and err:find("not supported"), err)
    ok, err = pcall(uv.fs_opendir, "/", 0)
    assert(not ok and err:find("at least 1"), err)
    uv.close(server)
  end)
  ait("10,000 operations wait at once: files, directories, writes and reads on one stream", function()
    -- A waiting operation holds no Lua value (mlua gives each live value
    -- one of 8,000 slots; more used to abort Neovim).
    local N = 10000
    local dir = vim.fn.tempname()
    vim.fn.mkdir(dir, "p")
    vim.fn.writefile({ "x" }, dir .. "/f")
    local _, fd = uv.fs_open(dir .. "/f", "r", 438)
    local _, d = uv.fs_opendir(dir, 1)
    local server, port = echo_server()
    local c = uv.new_tcp()
    assert(uv.tcp_connect(c, "127.0.0.1", port) == nil)
    local fns = {}
    for i = 1, N do
      fns[i] = function()
        local kind = i % 4
        if kind == 0 then
          local err, st = uv.fs_stat(dir .. "/f")
          return err or st.size
        elseif kind == 1 then
          local err, data = uv.fs_read(fd, 1, 0)
          return err or #data
        elseif kind == 2 then
          return uv.write(c, "y") or 1
        else
          local err = uv.fs_readdir(d)
          return err or 1
        end
      end
    end
    local results = a.util.join(fns)
    for i = 1, N do
      local r = results[i][1]
      assert(r == (i % 4 == 0 and 2 or 1), ("operation %d: %s"):format(i, tostring(r)))
    end
    -- Every byte written comes back through the echo server.
    local got = 0
    while got < N / 4 do
      local err, data = uv.read(c)
      assert(not err and data, err)
      got = got + #data
    end
    assert(got == N / 4, got)
    -- 10,000 reads waiting on one stream all end (ECANCELED) when it closes.
    local ended = 0
    for _ = 1, N do
      a.run(function()
        local err = uv.read(c)
        assert(err and err:find("ECANCELED"), err)
        ended = ended + 1
      end)
    end
    uv.close(c)
    a.util.sleep(10)
    while ended < N do
      a.util.sleep(10)
    end
    uv.fs_closedir(d)
    uv.fs_close(fd)
    uv.close(server)
    vim.fn.delete(dir, "rf")
  end, 60000)
end)
