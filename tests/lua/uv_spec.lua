-- a.uv: plenary's fs_* names and (err, result) returns, on the runtime's
-- libuv requests (not luv).
local a = require("plenary_async")

describe("uv", function()
  ait("writes, reads, stats and removes a file", function()
    local err, dir = a.uv.fs_mkdtemp(vim.fn.tempname() .. "-XXXXXX")
    assert(not err, err)
    local path = dir .. "/file.txt"
    local fd
    err, fd = a.uv.fs_open(path, "w", 420)
    assert(not err and type(fd) == "number", err)
    local n
    err, n = a.uv.fs_write(fd, "hello\0world", 0)
    assert(not err and n == 11, err)
    assert(a.uv.fs_close(fd) == nil)
    err, fd = a.uv.fs_open(path, "r", 438)
    assert(not err, err)
    local data
    err, data = a.uv.fs_read(fd, 100, 0)
    assert(not err and data == "hello\0world", err)
    local stat
    err, stat = a.uv.fs_fstat(fd)
    assert(not err and stat.size == 11 and stat.type == "file", err)
    a.uv.fs_close(fd)
    err, stat = a.uv.fs_stat(dir)
    assert(not err and stat.type == "directory")
    assert(a.uv.fs_rename(path, path .. ".2") == nil)
    assert(a.uv.fs_copyfile(path .. ".2", path) == nil)
    assert(a.uv.fs_access(path, "R") == nil)
    assert(a.uv.fs_unlink(path) == nil)
    assert(a.uv.fs_unlink(path .. ".2") == nil)
    assert(a.uv.fs_rmdir(dir) == nil)
  end)

  ait("returns errors as luv does: NAME: message: path", function()
    local err, result = a.uv.fs_stat("/no/such/file")
    assert(result == nil)
    assert(err == "ENOENT: no such file or directory: /no/such/file", err)
    err = a.uv.fs_open("/no/such/file", "r", 438)
    assert(err:find("^ENOENT"), err)
    err = a.uv.fs_read(987654, 10, 0)
    assert(err and err:find("^EBADF"), tostring(err))
    err = a.uv.fs_rmdir("/")
    assert(err ~= nil)
  end)

  ait("refuses bad flags and descriptors with a message", function()
    local function raises(message, f, ...)
      local ok, err = pcall(f, ...)
      assert(not ok and err == message, tostring(err))
    end
    raises(
      'plenary_async.uv.fs_open: unknown flags "rw?" (expected r, r+, w, w+, wx, a, a+, …)',
      a.uv.fs_open,
      "/tmp/x",
      "rw?",
      438
    )
    raises(
      "plenary_async.uv.fs_close: a file descriptor must be a whole number from 0 to 2147483647, got -1",
      a.uv.fs_close,
      -1
    )
    raises("plenary_async.uv.fs_stat: a path must be a string, got a table", a.uv.fs_stat, {})
  end)

  ait("lists directories, sets times and modes, copies in the kernel", function()
    local _, dir = a.uv.fs_mkdtemp(vim.fn.tempname() .. "-XXXXXX")
    local _, fd = a.uv.fs_open(dir .. "/a", "w+", 420)
    a.uv.fs_write(fd, "0123456789")
    local _, out = a.uv.fs_open(dir .. "/b", "w", 420)
    local err, n = a.uv.fs_sendfile(out, fd, 2, 5)
    assert(not err and n == 5, err)
    a.uv.fs_close(out)
    assert(a.uv.fs_fdatasync(fd) == nil)
    assert(a.uv.fs_fchmod(fd, 384) == nil) -- 0600
    assert(a.uv.fs_futime(fd, 1000, 2000) == nil)
    local _, st = a.uv.fs_fstat(fd)
    -- (Windows keeps no Unix permission bits: only the time is checked there.)
    assert(st.mtime.sec == 2000 and (jit.os == "Windows" or st.mode % 512 == 384), vim.inspect(st))
    a.uv.fs_close(fd)
    assert(a.uv.fs_utime(dir .. "/b", 10, 20) == nil)
    local entries
    err, entries = a.uv.fs_scandir(dir)
    assert(not err and #entries == 2, err)
    table.sort(entries, function(x, y)
      return x.name < y.name
    end)
    assert(entries[1].name == "a" and entries[1].type == "file")
    local _, data = a.uv.fs_read(select(2, a.uv.fs_open(dir .. "/b", "r", 0)), 10, 0)
    assert(data == "23456", data)
    local _, fs = a.uv.fs_statfs(dir)
    assert(fs.bsize > 0)
    vim.fn.delete(dir, "rf")
  end)

  ait("resolves names", function()
    local err, found = a.uv.getaddrinfo("127.0.0.1", "80")
    assert(not err and found[1].addr == "127.0.0.1" and found[1].port == 80, err)
    local host
    err, host = a.uv.getnameinfo("127.0.0.1", 22)
    assert(not err and type(host) == "string", err)
    err = a.uv.getaddrinfo("nothing.invalid")
    assert(type(err) == "string", "an unknown host is an error")
  end)

  it("takes plenary's callback form outside a task: luv's own call", function()
    local got
    a.uv.fs_stat("/", function(err, stat)
      got = { err = err, type = stat and stat.type }
    end)
    assert(vim.wait(5000, function()
      return got ~= nil
    end, 1))
    assert(got.err == nil and got.type == "directory", vim.inspect(got))
    -- (Fewer arguments than the callback's position: the task form.)
    local ok, err = pcall(a.uv.fs_open, "/", function() end)
    assert(
      not ok
        and err
          == "plenary_async: uv.fs_open is an async function; call it inside a task (a.run(fn, callback) or a.void(fn))",
      err
    )
  end)

  -- A request the task stops waiting for gives back what it made when it
  -- completes anyway, and never wakes a later wait. The request: opening a
  -- FIFO for reading, which blocks a libuv worker until a writer opens it
  -- (a request that is running cannot be canceled). Linux's /proc tells
  -- the open descriptors.
  it("a canceled task's open that completes anyway is closed", function()
    if vim.fn.isdirectory("/proc/self/fd") == 0 or vim.fn.executable("mkfifo") == 0 then
      return pending("needs mkfifo and /proc/self/fd")
    end
    local uv = vim.uv
    local dir = vim.fn.tempname()
    vim.fn.mkdir(dir)
    local fifo = dir .. "/fifo"
    vim.fn.system({ "mkfifo", fifo })
    assert(vim.v.shell_error == 0)
    local function open_fds()
      return #vim.fn.readdir("/proc/self/fd")
    end
    local before = open_fds()
    local finished = false
    local t = a.run(function()
      a.uv.fs_open(fifo, "r", 0)
      finished = true
    end)
    -- A writer's non-blocking open succeeds once the worker's open is
    -- waiting for one (ENXIO before), and lets it complete: its callback
    -- can only come from a later turn of the loop, after the cancel.
    local writer
    assert(vim.wait(5000, function()
      writer = uv.fs_open(fifo, 1 + 2048, 0) -- O_WRONLY | O_NONBLOCK
      return writer ~= nil
    end, 1))
    t:cancel()
    uv.fs_close(writer)
    -- The late callback closes the reader's descriptor.
    assert(
      vim.wait(5000, function()
        return open_fds() == before
      end, 1),
      ("%d descriptors open, %d before"):format(open_fds(), before)
    )
    assert(not finished)
    -- The next task's requests are its own.
    local done, stat_err, stat_type
    a.run(function()
      local err, stat = a.uv.fs_stat(dir)
      stat_err, stat_type, done = err, stat and stat.type, true
    end)
    assert(vim.wait(5000, function()
      return done
    end, 1))
    assert(stat_err == nil and stat_type == "directory", stat_err)
    vim.fn.delete(dir, "rf")
  end)

  it("is async: outside a task it says so", function()
    local ok, err = pcall(a.uv.fs_stat, "/")
    assert(not ok and err:find("uv.fs_stat is an async function"), err)
  end)
end)
