-- a.uv's file-system and DNS requests on luv (Neovim's `vim.uv`), awaited
-- by the running task: plenary's names, arguments and `err, result`
-- returns ("ENOENT: no such file or directory: /path", as luv formats
-- them). Bad input is refused here, before luv is called and before
-- anything is allocated or copied (tests/lua/bad_input_spec.lua,
-- sweep_spec.lua).
--
-- Each function takes the running task first (`uv.lua` finds it, and
-- gives plenary's callback form to luv directly). A request is one luv
-- call with one callback: the callback wakes the task with what luv gives
-- (from the loop, a fast event, so the task resumes from the scheduler's
-- queue, where Neovim's API may be called). While it runs, the request is
-- the task's `t.req`: a task canceled meanwhile cancels it (task.lua), and
-- a request that completes anyway gives back what it made (an open
-- descriptor is closed, a directory closed), so a canceled task leaks
-- nothing.
local task = require("plenary_async.task")
local validate = require("plenary_async.validate")
local waiters = require("plenary_async.waiters")

local uv = vim.uv
local wake, wake_later, suspend, new_wait = task.wake, task.wake_later, task.suspend, task.new_wait
local enqueue_values = task.enqueue_values
local type, error, pcall, tostring, setmetatable = type, error, pcall, tostring, setmetatable
local is_whole, fail, whole = validate.is_whole, validate.fail, validate.whole

local M = {}

-- Arguments ---------------------------------------------------------------------

local U32 = 4294967295
local U53 = 2 ^ 53
local FD_MAX = 2147483647
local PATH_MAX = 4096
local NAME_MAX = 1025
-- The most one read(2) (or sendfile) gives on Linux.
local MAX_READ = 0x7ffff000
-- luv allocates a read's whole size before it reads, and Windows commits
-- that memory (2 GiB took seconds under wine): a read larger than BIG_READ
-- is first bounded by what the file holds (a regular file's size, read
-- with a synchronous fstat; never below BIG_READ). A short read is still
-- a read: callers that want everything loop, as with read(2).
local BIG_READ = 16 * 1024 * 1024

--- `v`, a whole number in [lo, hi], named `what` in the error.
local function number(fname, what, v, lo, hi)
  if is_whole(v, lo, hi) then
    return v
  end
  return whole("uv." .. fname, what, v, lo, hi)
end
M.number = number

--- A file descriptor (also for uv_handle.lua's pipe_open).
local function fd_arg(fname, v)
  return number(fname, "a file descriptor", v, 0, FD_MAX)
end
M.fd_arg = fd_arg

--- The first bytes of a long string, for an error message (control
--- bytes as \<code>: a message never holds a NUL or a line break).
local function start(v)
  local shown = v:sub(1, 40):gsub("%c", function(c)
    return "\\" .. c:byte()
  end)
  if #v > 40 then
    return ("%s… (%d bytes)"):format(shown, #v)
  end
  return shown
end

local function text(fname, what, v)
  if type(v) == "number" then
    v = tostring(v)
  elseif type(v) ~= "string" then
    fail("uv." .. fname, what .. " must be a string", v)
  end
  if v:find("\0", 1, true) then
    error(("plenary_async.uv.%s: %s contains a NUL byte: %s"):format(fname, what, start(v)), 0)
  end
  return v
end

local function path_arg(fname, v)
  v = text(fname, "a path", v)
  if #v >= PATH_MAX then
    error("ENAMETOOLONG: name too long: " .. start(v), 0)
  end
  return v
end

--- A host name, address or service name (also for uv_handle.lua).
local function name_arg(fname, v)
  v = text(fname, "a name or address", v)
  if #v > NAME_MAX then
    error(("a name or address is at most %d bytes, got %s"):format(NAME_MAX, start(v)), 0)
  end
  return v
end
M.name_arg = name_arg

--- What a write takes: a string or a list of strings (also for
--- uv_handle.lua). An empty list is the empty string: luv would hand libuv
--- a write of no buffers, which libuv does not check (undefined behaviour:
--- Neovim can end with SIGBUS).
local function data_arg(fname, v)
  if type(v) == "string" then
    return v
  end
  if type(v) == "table" then
    if #v == 0 then
      return ""
    end
    for i = 1, #v do
      if type(v[i]) ~= "string" then
        fail("uv." .. fname, "data must be a string or a list of strings; item " .. i .. " is not", v[i])
      end
    end
    return v
  end
  fail("uv." .. fname, "data must be a string or a list of strings", v)
end
M.data_arg = data_arg

--- luv's flag strings.
local FLAGS = {}
for _, f in ipairs({ "r", "rs", "sr", "r+", "rs+", "sr+", "w", "wx", "xw", "w+", "wx+", "xw+" }) do
  FLAGS[f] = true
end
for _, f in ipairs({ "a", "ax", "xa", "a+", "ax+", "xa+" }) do
  FLAGS[f] = true
end
local function flags_arg(v)
  if type(v) == "string" then
    if not FLAGS[v] then
      if #v > 3 then
        error(
          ("plenary_async.uv.fs_open: unknown flags (a string of %d bytes; expected r, r+, w, w+, wx, a, a+, …)"):format(
            #v
          ),
          0
        )
      end
      error(("plenary_async.uv.fs_open: unknown flags %q (expected r, r+, w, w+, wx, a, a+, …)"):format(v), 0)
    end
    return v
  end
  if type(v) == "number" then
    return number("fs_open", "flags", v, 0, FD_MAX)
  end
  error(('plenary_async.uv.fs_open: flags must be a string like "r" or "w+", or a number, got %s'):format(type(v)), 0)
end

local function seconds(fname, which, v)
  if not validate.is_number(v, -1e15, 1e15) then
    error(
      ("plenary_async.uv.%s: %s must be a finite number of seconds since the epoch, got %s"):format(
        fname,
        which,
        validate.shown(v)
      ),
      0
    )
  end
  return v
end

--- An offset: a whole number; negative (or none) for the current position.
local function offset_arg(fname, v)
  if v == nil then
    return -1
  end
  v = number(fname, "offset", v, -U53, U53)
  return v < 0 and -1 or v
end

-- Requests ------------------------------------------------------------------------

-- A task's requests share one callback, made when its first request is,
-- not one closure per request: LuaJIT cannot compile the making of a
-- closure (bytecode FNEW), so a closure per request kept every request's
-- path in the interpreter, and cost four allocations (the closure and its
-- upvalues) per request. The task's record says which request is running:
-- `t.req` (luv's request, false once it is over), `t.req_id` (the wait it
-- ends), `t.req_dispose` (what disposes of its results if they come too
-- late). A request the task stops waiting for (`forget`: the task was
-- canceled or interrupted) takes the callback with it; the task's next
-- request makes a new one.

-- The callbacks of forgotten requests, each with what disposes of its
-- results (or true); an entry goes when its callback comes.
local forgotten = setmetatable({}, { __mode = "k" })

--- Forgets the request task `t` runs, if any: its callback, when it
--- comes, only disposes of the results. (task.lua calls it when `t` stops
--- waiting early, before it cancels `t.req`.)
local function forget(t)
  local cb = t.req_cb
  if cb then
    forgotten[cb] = t.req_dispose or true
    t.req_cb = false
  end
end
task.forget_request = forget

--- A callback for the requests of task `t`: it wakes `t` from the wait
--- `t.req_id` with what luv gives, or disposes of it once forgotten.
local function new_callback(t)
  local cb
  cb = function(...)
    if t.req_cb == cb and t.waiting == t.req_id and not t.done then
      -- (task.wake_later, written out: this is every request's path.)
      t.req, t.waiting = false, false
      return enqueue_values(t, ...)
    end
    local dispose = forgotten[cb]
    forgotten[cb] = nil
    if t.req_cb == cb then -- (over without a forget: none is known)
      t.req, dispose = false, t.req_dispose
    end
    if dispose and dispose ~= true then
      dispose(...)
    end
  end
  return cb
end

--- Awaits luv's `f(a1, ..., an, cb)` in task `t` and returns what `cb`
--- gets (`err, result`). A synchronous failure (luv returns `nil, err`)
--- returns its error at once. `dispose(...)` gets the results of a
--- request that completed after its task stopped waiting.
local function request(t, f, n, a1, a2, a3, a4, dispose)
  local cb = t.req_cb
  if not cb or t.req then
    -- (A request still running: the task's coroutine was resumed by
    -- someone else's `coroutine.resume` and went on.)
    forget(t)
    cb = new_callback(t)
    t.req_cb = cb
  end
  local id = new_wait()
  t.req_id, t.req_dispose = id, dispose or false
  local req, err
  if n == 1 then
    req, err = f(a1, cb)
  elseif n == 2 then
    req, err = f(a1, a2, cb)
  elseif n == 3 then
    req, err = f(a1, a2, a3, cb)
  else
    req, err = f(a1, a2, a3, a4, cb)
  end
  if req == nil then
    return err
  end
  t.req = req
  return suspend(t, id)
end

local function close_fd(err, fd)
  if err == nil and fd then
    uv.fs_close(fd, function() end)
  end
end

-- Files -----------------------------------------------------------------------------

function M.fs_open(t, path, flags, mode)
  path = path_arg("fs_open", path)
  flags = flags_arg(flags)
  mode = mode == nil and 438 or number("fs_open", "mode", mode, 0, U32)
  return request(t, uv.fs_open, 3, path, flags, mode, nil, close_fd)
end

function M.fs_close(t, fd)
  return request(t, uv.fs_close, 1, fd_arg("fs_close", fd))
end

function M.fs_read(t, fd, size, offset)
  fd = fd_arg("fs_read", fd)
  size = number("fs_read", "size", size, 0, U53)
  if size > MAX_READ then
    size = MAX_READ -- (the kernel's limit: a read never gives more)
  end
  offset = offset_arg("fs_read", offset)
  if size > BIG_READ then
    local st = uv.fs_fstat(fd)
    if st and st.type == "file" then
      size = math.min(size, math.max(st.size - math.max(offset, 0), BIG_READ))
    end
  end
  return request(t, uv.fs_read, 3, fd, size, offset)
end

function M.fs_write(t, fd, data, offset)
  fd = fd_arg("fs_write", fd)
  data = data_arg("fs_write", data)
  return request(t, uv.fs_write, 3, fd, data, offset_arg("fs_write", offset))
end

for _, name in ipairs({ "fs_fstat", "fs_fsync", "fs_fdatasync" }) do
  local f = uv[name]
  M[name] = function(t, fd)
    return request(t, f, 1, fd_arg(name, fd))
  end
end

function M.fs_ftruncate(t, fd, len)
  return request(t, uv.fs_ftruncate, 2, fd_arg("fs_ftruncate", fd), number("fs_ftruncate", "length", len, 0, U53))
end

for _, name in ipairs({
  "fs_stat",
  "fs_lstat",
  "fs_unlink",
  "fs_rmdir",
  "fs_mkdtemp",
  "fs_realpath",
  "fs_readlink",
  "fs_statfs",
}) do
  local f = uv[name]
  M[name] = function(t, path)
    return request(t, f, 1, path_arg(name, path))
  end
end

function M.fs_mkdir(t, path, mode)
  path = path_arg("fs_mkdir", path)
  mode = mode == nil and 511 or number("fs_mkdir", "mode", mode, 0, U32)
  return request(t, uv.fs_mkdir, 2, path, mode)
end

for _, name in ipairs({ "fs_rename", "fs_link" }) do
  local f = uv[name]
  M[name] = function(t, from, to)
    return request(t, f, 2, path_arg(name, from), path_arg(name, to))
  end
end

function M.fs_copyfile(t, from, to)
  return request(t, uv.fs_copyfile, 3, path_arg("fs_copyfile", from), path_arg("fs_copyfile", to), 0)
end

function M.fs_symlink(t, target, link)
  return request(t, uv.fs_symlink, 3, path_arg("fs_symlink", target), path_arg("fs_symlink", link), 0)
end

function M.fs_access(t, path, mode)
  path = path_arg("fs_access", path)
  local bad = "mode must be a number from 0 to 7 or a string of r, w, x"
  if type(mode) == "number" then
    if not is_whole(mode, 0, 7) then
      fail("uv.fs_access", bad, mode)
    end
  elseif type(mode) == "string" then
    if #mode > 3 or mode:find("[^rwxRWX]") then
      error(("plenary_async.uv.fs_access: %s; got a string with %q"):format(bad, mode:sub(1, 8)), 0)
    end
  else
    fail("uv.fs_access", bad, mode)
  end
  return request(t, uv.fs_access, 2, path, mode)
end

function M.fs_chmod(t, path, mode)
  return request(t, uv.fs_chmod, 2, path_arg("fs_chmod", path), number("fs_chmod", "mode", mode, 0, U32))
end

function M.fs_fchmod(t, fd, mode)
  return request(t, uv.fs_fchmod, 2, fd_arg("fs_fchmod", fd), number("fs_fchmod", "mode", mode, 0, U32))
end

function M.fs_sendfile(t, out_fd, in_fd, offset, len)
  out_fd, in_fd = fd_arg("fs_sendfile", out_fd), fd_arg("fs_sendfile", in_fd)
  offset = number("fs_sendfile", "offset", offset, 0, U53)
  len = number("fs_sendfile", "length", len, 0, U53)
  if len == 0 then
    -- (Nothing to send. libuv on Windows allocates a buffer of the length
    -- and aborts the process when that malloc(0) gives NULL.)
    return nil, 0
  end
  if len > MAX_READ then
    -- (One call sends at most this much on Linux, and libuv on Windows
    -- keeps the length in 32 bits: 2^32 would become 0, and abort as above.
    -- The caller sends the rest, as after any short sendfile.)
    len = MAX_READ
  end
  return request(t, uv.fs_sendfile, 4, out_fd, in_fd, offset, len)
end

function M.fs_utime(t, path, atime, mtime)
  path = path_arg("fs_utime", path)
  atime, mtime = seconds("fs_utime", "atime", atime), seconds("fs_utime", "mtime", mtime)
  return request(t, uv.fs_utime, 3, path, atime, mtime)
end

function M.fs_futime(t, fd, atime, mtime)
  fd = fd_arg("fs_futime", fd)
  atime, mtime = seconds("fs_futime", "atime", atime), seconds("fs_futime", "mtime", mtime)
  return request(t, uv.fs_futime, 3, fd, atime, mtime)
end

function M.fs_chown(t, path, uid, gid)
  path = path_arg("fs_chown", path)
  uid, gid = number("fs_chown", "uid", uid, 0, U32), number("fs_chown", "gid", gid, 0, U32)
  return request(t, uv.fs_chown, 3, path, uid, gid)
end

function M.fs_fchown(t, fd, uid, gid)
  fd = fd_arg("fs_fchown", fd)
  uid, gid = number("fs_fchown", "uid", uid, 0, U32), number("fs_fchown", "gid", gid, 0, U32)
  return request(t, uv.fs_fchown, 3, fd, uid, gid)
end

--- luv's scandir request as a list of `{ name, type }`.
local function entries_of(req)
  local list = {}
  while true do
    local name, kind = uv.fs_scandir_next(req)
    if name == nil then
      break
    end
    list[#list + 1] = { name = name, type = kind or "unknown" }
  end
  return list
end

function M.fs_scandir(t, path)
  local err, req = request(t, uv.fs_scandir, 1, path_arg("fs_scandir", path))
  if err ~= nil then
    return err
  end
  return nil, entries_of(req)
end

-- Directories: luv's, read by one request at a time (libuv's readdir
-- shares the directory's buffer: two at once would overwrite each other),
-- in batches of the size given to fs_opendir. The readers wait in line.

local Dir = {}
Dir.__index = Dir
Dir.__tostring = function(d)
  return "plenary_async.uv_dir: " .. d.path
end
local dirs = setmetatable({}, { __mode = "k" })

local function dir_arg(v)
  if type(v) ~= "table" or not dirs[v] then
    error("expected a directory from fs_opendir", 0)
  end
  return v
end

local function closed_dir(d)
  return ("EBADF: bad file descriptor: %s (closed)"):format(d.path)
end

local function close_dir_now(d)
  local dir = d.dir
  d.dir = nil
  pcall(uv.fs_closedir, dir, function() end)
end

---@type fun(d: table)
local next_read

--- Starts the readdir of reader `(rt, rid)` on the free directory `d`;
--- returns an error if it could not start.
---@return string?
local function begin_read(d, rt, rid)
  d.busy = true
  local ok, err = pcall(uv.fs_readdir, d.dir, function(e, entries)
    d.busy = false
    if d.closed and d.dir then
      close_dir_now(d)
    end
    wake_later(rt, rid, e, entries) -- (nothing if that reader stopped waiting)
    next_read(d)
  end)
  if not ok then
    d.busy = false
    return "EBADF: " .. tostring(err)
  end
  return nil
end

--- Serves the waiting readers while the directory is free.
next_read = function(d)
  while not d.busy do
    local rt, rid = waiters.pop(d.readers)
    if rt == nil then
      return
    end
    local err ---@type string?
    if d.closed then
      err = closed_dir(d)
    else
      err = begin_read(d, rt, rid)
    end
    if err then
      wake(rt, rid, err)
    end
  end
end

local function close_opened(err, dir)
  if err == nil and dir then
    pcall(uv.fs_closedir, dir, function() end)
  end
end

function M.fs_opendir(t, path, entries)
  path = path_arg("fs_opendir", path)
  local batch = 1
  if entries ~= nil then
    if not validate.is_number(entries, 1, math.huge) then
      error(("plenary_async.uv.fs_opendir: entries must be at least 1, got %s"):format(validate.shown(entries)), 0)
    end
    batch = number("fs_opendir", "entries", entries, 1, 65536)
  end
  local err, dir = request(t, function(p, cb)
    return uv.fs_opendir(p, cb, batch)
  end, 1, path, nil, nil, nil, close_opened)
  if err ~= nil then
    return err
  end
  local d = setmetatable({ dir = dir, path = path, busy = false, closed = false, readers = waiters.new() }, Dir)
  dirs[d] = true
  return nil, d
end

function M.fs_readdir(t, d)
  d = dir_arg(d)
  if d.closed then
    return closed_dir(d)
  end
  local id = new_wait()
  if d.busy then
    waiters.push(d.readers, t, id)
    return suspend(t, id)
  end
  local err = begin_read(d, t, id)
  if err then
    return err
  end
  return suspend(t, id)
end

function M.fs_closedir(_, d)
  d = dir_arg(d)
  if d.closed then
    return closed_dir(d)
  end
  d.closed = true
  if not d.busy and d.dir then
    close_dir_now(d)
  end
  next_read(d) -- (the waiting reads end with EBADF)
  return nil, true
end

-- DNS --------------------------------------------------------------------------------

function M.getaddrinfo(t, host, service)
  host = name_arg("getaddrinfo", host)
  if service ~= nil then
    service = name_arg("getaddrinfo", service)
  end
  return request(t, uv.getaddrinfo, 3, host, service, {})
end

--- luv's getnameinfo, whose refusal of a malformed address (raised) is
--- luv's EINVAL.
local function getnameinfo(addr, cb)
  local ok, req, err = pcall(uv.getnameinfo, addr, cb)
  if not ok then
    return nil, "EINVAL: invalid argument: " .. addr.ip
  end
  return req, err
end

function M.getnameinfo(t, ip, port)
  ip = name_arg("getnameinfo", ip)
  port = port == nil and 0 or number("getnameinfo", "port", port, 0, 65535)
  return request(t, getnameinfo, 1, { ip = ip, port = port })
end

return M
