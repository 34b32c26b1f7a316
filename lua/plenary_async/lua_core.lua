-- The core: `a.uv` on luv (Neovim's `vim.uv`). The scheduler (task.lua)
-- sees it through a small interface: `parked`, `set_deliver`, `cancel_op`,
-- `uv` (the fs and DNS functions), `uv_handle` and `uv_handle_sync`
-- (lua_handle.lua). It gives plenary's names, arguments and `err, result`
-- returns ("ENOENT: no such file or directory: /path", as luv formats
-- them), and refuses bad input before anything is allocated or copied.
--
-- An operation is a luv request or handle call with a callback. It ends at
-- once (`true, results...`) when luv calls back before returning or fails
-- synchronously; otherwise it returns `parked, id` and its callback, from
-- the loop, calls `deliver(id, true, results...)`. `cancel_op(id)` cancels
-- the request (luv's `cancel`); an operation that still completes after
-- that gives back what it made (an open descriptor is closed, a directory
-- closed), so a canceled task leaks nothing.
local folder = ... -- (this folder, from init.lua)
local uv = vim.uv or vim.loop
local select, type, error, pcall, tostring = select, type, error, pcall, tostring
local floor = math.floor

local pack = function(...)
  return { n = select("#", ...), ... }
end
local unpack = table.unpack or unpack

local core = {}

local parked = {}
core.parked = parked

local deliver = function() end
function core.set_deliver(f)
  deliver = f
end

--- Running operations: id -> a cancel function, or true.
local ops = {}
local next_id = 0

--- Starts an operation: `begin(done)` calls luv and returns a function that
--- cancels it (or nil); `done(...)` ends it with its results. `dispose(...)`
--- gets the results of an operation canceled before it ended.
local function op(begin, dispose)
  local state, early, id = 0, nil, 0 -- 0: begin runs; 1: parked; 2: ended
  local function done(...)
    if state == 0 then
      state, early = 2, pack(...)
    elseif state == 1 then
      state = 2
      if ops[id] then
        ops[id] = nil
        deliver(id, true, ...)
      elseif dispose then
        dispose(...)
      end
    end
  end
  local cancel = begin(done)
  if state == 2 then
    return true, unpack(early, 1, early.n)
  end
  state = 1
  next_id = next_id + 1
  id = next_id
  ops[id] = cancel or true
  return parked, id
end
core.op = op

function core.cancel_op(id)
  local cancel = ops[id]
  ops[id] = nil
  if type(cancel) == "function" then
    pcall(cancel)
  end
end

-- Arguments ---------------------------------------------------------------------

local function fail(fname, what, v)
  local shown = type(v) == "number" and tostring(v) or ("a " .. type(v))
  error(("plenary_async.uv.%s: %s, got %s"):format(fname, what, shown), 0)
end

--- A whole number in [lo, hi].
local function whole(fname, what, v, lo, hi)
  if type(v) ~= "number" or v ~= v or v < lo or v > hi or floor(v) ~= v then
    fail(fname, ("%s must be a whole number from %d to %.0f"):format(what, lo, hi), v)
  end
  return v
end
core.whole = whole

local function fd_arg(fname, v)
  if type(v) ~= "number" or v ~= v or v < 0 or v > 2147483647 or floor(v) ~= v then
    error(("plenary_async.uv.%s: %s is not a file descriptor"):format(fname, tostring(v)), 0)
  end
  return v
end

local PATH_MAX = 4096
local NAME_MAX = 1025

--- The first bytes of a long string, for an error message.
local function start(v)
  if #v > 40 then
    return ("%s… (%d bytes)"):format(v:sub(1, 40), #v)
  end
  return v
end

local function text(fname, what, v)
  if type(v) == "number" then
    v = tostring(v)
  elseif type(v) ~= "string" then
    fail(fname, what .. " must be a string", v)
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
local function name_arg(fname, v)
  v = text(fname, "a name or address", v)
  if #v > NAME_MAX then
    error(("a name or address is at most %d bytes, got %s"):format(NAME_MAX, start(v)), 0)
  end
  return v
end
core.name_arg = name_arg

local function data_arg(fname, v)
  if type(v) == "string" then
    return v
  end
  if type(v) == "table" then
    for i = 1, #v do
      if type(v[i]) ~= "string" then
        fail(fname, "data must be a string or a list of strings; item " .. i .. " is not", v[i])
      end
    end
    return v
  end
  fail(fname, "data must be a string or a list of strings", v)
end
core.data_arg = data_arg

--- luv's flag strings, as the native core takes them.
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
        error(("plenary_async.uv.fs_open: unknown flags (a string of %d bytes; expected r, r+, w, w+, wx, a, a+, …)"):format(#v), 0)
      end
      error(("plenary_async.uv.fs_open: unknown flags %q (expected r, r+, w, w+, wx, a, a+, …)"):format(v), 0)
    end
    return v
  end
  if type(v) == "number" then
    return whole("fs_open", "flags", v, 0, 2147483647)
  end
  error(("plenary_async.uv.fs_open: flags must be a string like \"r\" or \"w+\", or a number, got %s"):format(type(v)), 0)
end

local function seconds(fname, which, v)
  if type(v) ~= "number" or v ~= v or v == math.huge or v == -math.huge or v > 1e15 or v < -1e15 then
    error(("plenary_async.uv.%s: %s must be a finite number of seconds since the epoch, got %s"):format(fname, which, tostring(v)), 0)
  end
  return v
end

local U32 = 4294967295
local MAX_READ = 0x7ffff000
-- luv allocates a read's whole size before it reads, and Windows commits
-- that memory (2 GiB took seconds under wine): a read larger than BIG_READ
-- is first bounded by what the file holds (a regular file's size, read
-- with a synchronous fstat; never below BIG_READ). A short read is still
-- a read: callers that want everything loop, as with read(2).
local BIG_READ = 16 * 1024 * 1024
local U53 = 2 ^ 53

-- Requests ------------------------------------------------------------------------

--- After a luv call that took a callback: ends the operation with the
--- error if luv failed at once (`nil, err`), else returns the function
--- that cancels its request.
local function started(done, req, err)
  if req == nil and err ~= nil then
    done(err)
    return nil
  end
  return function()
    if type(req) == "userdata" then
      uv.cancel(req)
    end
  end
end

--- A luv fs (or DNS) call `f(args..., cb)`, awaited: `err, result` as luv
--- gives them. A synchronous failure (luv returns `nil, err`) ends it too.
local function request(f, n, args, convert, dispose)
  return op(function(done)
    local cb = function(err, ...)
      if convert and err == nil then
        return done(convert(...))
      end
      return done(err, ...)
    end
    args[n + 1] = cb
    return started(done, f(unpack(args, 1, n + 1)))
  end, dispose)
end

local function close_fd(err, fd)
  if err == nil and fd then
    uv.fs_close(fd, function() end)
  end
end

local M = {}
core.uv = M

function M.fs_open(path, flags, mode)
  path = path_arg("fs_open", path)
  flags = flags_arg(flags)
  mode = mode == nil and 438 or whole("fs_open", "mode", mode, 0, U32)
  return request(uv.fs_open, 3, { path, flags, mode }, nil, close_fd)
end

function M.fs_close(fd)
  fd = fd_arg("fs_close", fd)
  return request(uv.fs_close, 1, { fd })
end

function M.fs_read(fd, size, offset)
  fd = fd_arg("fs_read", fd)
  size = whole("fs_read", "size", size, 0, U53)
  if size > MAX_READ then
    size = MAX_READ -- (the kernel's limit: a read never gives more)
  end
  offset = offset == nil and -1 or whole("fs_read", "offset", offset, -U53, U53)
  if offset < 0 then
    offset = -1
  end
  if size > BIG_READ then
    local st = uv.fs_fstat(fd)
    if st and st.type == "file" then
      size = math.min(size, math.max(st.size - math.max(offset, 0), BIG_READ))
    end
  end
  return request(uv.fs_read, 3, { fd, size, offset })
end

function M.fs_write(fd, data, offset)
  fd = fd_arg("fs_write", fd)
  data = data_arg("fs_write", data)
  offset = offset == nil and -1 or whole("fs_write", "offset", offset, -U53, U53)
  if offset < 0 then
    offset = -1
  end
  return request(uv.fs_write, 3, { fd, data, offset })
end

for _, name in ipairs({ "fs_fstat", "fs_fsync", "fs_fdatasync" }) do
  local f = uv[name]
  M[name] = function(fd)
    return request(f, 1, { fd_arg(name, fd) })
  end
end

function M.fs_ftruncate(fd, len)
  return request(uv.fs_ftruncate, 2, { fd_arg("fs_ftruncate", fd), whole("fs_ftruncate", "length", len, 0, U53) })
end

for _, name in ipairs({ "fs_stat", "fs_lstat", "fs_unlink", "fs_rmdir", "fs_mkdtemp", "fs_realpath", "fs_readlink", "fs_statfs" }) do
  local f = uv[name]
  M[name] = function(path)
    return request(f, 1, { path_arg(name, path) })
  end
end

function M.fs_mkdir(path, mode)
  mode = mode == nil and 511 or whole("fs_mkdir", "mode", mode, 0, U32)
  return request(uv.fs_mkdir, 2, { path_arg("fs_mkdir", path), mode })
end

for _, name in ipairs({ "fs_rename", "fs_link" }) do
  local f = uv[name]
  M[name] = function(from, to)
    return request(f, 2, { path_arg(name, from), path_arg(name, to) })
  end
end

function M.fs_copyfile(from, to)
  return request(uv.fs_copyfile, 3, { path_arg("fs_copyfile", from), path_arg("fs_copyfile", to), 0 })
end

function M.fs_symlink(target, link)
  return request(uv.fs_symlink, 3, { path_arg("fs_symlink", target), path_arg("fs_symlink", link), 0 })
end

function M.fs_access(path, mode)
  path = path_arg("fs_access", path)
  local bad = "mode must be a number from 0 to 7 or a string of r, w, x"
  if type(mode) == "number" then
    whole("fs_access", bad, mode, 0, 7)
  elseif type(mode) == "string" then
    if #mode > 3 or mode:find("[^rwxRWX]") then
      error(("plenary_async.uv.fs_access: %s; got a string with %q"):format(bad, mode:sub(1, 8)), 0)
    end
  else
    fail("fs_access", bad, mode)
  end
  return request(uv.fs_access, 2, { path, mode })
end

function M.fs_chmod(path, mode)
  return request(uv.fs_chmod, 2, { path_arg("fs_chmod", path), whole("fs_chmod", "mode", mode, 0, U32) })
end

function M.fs_fchmod(fd, mode)
  return request(uv.fs_fchmod, 2, { fd_arg("fs_fchmod", fd), whole("fs_fchmod", "mode", mode, 0, U32) })
end

function M.fs_sendfile(out_fd, in_fd, offset, len)
  out_fd, in_fd = fd_arg("fs_sendfile", out_fd), fd_arg("fs_sendfile", in_fd)
  offset = whole("fs_sendfile", "offset", offset, 0, U53)
  len = whole("fs_sendfile", "length", len, 0, U53)
  if len == 0 then
    -- (Nothing to send. libuv on Windows allocates a buffer of the length
    -- and aborts the process when that malloc(0) gives NULL.)
    return true, nil, 0
  end
  if len > MAX_READ then
    -- (One call sends at most this much on Linux, and libuv on Windows
    -- keeps the length in 32 bits: 2^32 would become 0, and abort as above.
    -- The caller sends the rest, as after any short sendfile.)
    len = MAX_READ
  end
  return request(uv.fs_sendfile, 4, { out_fd, in_fd, offset, len })
end

function M.fs_utime(path, atime, mtime)
  path = path_arg("fs_utime", path)
  atime, mtime = seconds("fs_utime", "atime", atime), seconds("fs_utime", "mtime", mtime)
  return request(uv.fs_utime, 3, { path, atime, mtime })
end

function M.fs_futime(fd, atime, mtime)
  atime, mtime = seconds("fs_futime", "atime", atime), seconds("fs_futime", "mtime", mtime)
  return request(uv.fs_futime, 3, { fd_arg("fs_futime", fd), atime, mtime })
end

function M.fs_chown(path, uid, gid)
  path = path_arg("fs_chown", path)
  return request(uv.fs_chown, 3, { path, whole("fs_chown", "uid", uid, 0, U32), whole("fs_chown", "gid", gid, 0, U32) })
end

function M.fs_fchown(fd, uid, gid)
  fd = fd_arg("fs_fchown", fd)
  return request(uv.fs_fchown, 3, { fd, whole("fs_fchown", "uid", uid, 0, U32), whole("fs_fchown", "gid", gid, 0, U32) })
end

--- luv's scandir handle as the native core's list of `{ name, type }`.
local function entries_of(req)
  local list = {}
  while true do
    local name, kind = uv.fs_scandir_next(req)
    if name == nil then
      break
    end
    list[#list + 1] = { name = name, type = kind or "unknown" }
  end
  return nil, list
end

function M.fs_scandir(path)
  return request(uv.fs_scandir, 1, { path_arg("fs_scandir", path) }, entries_of)
end

-- Directories: luv's, read by one request at a time (libuv's readdir
-- shares the directory's buffer: two at once would overwrite each other),
-- in batches of the size given to fs_opendir.

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

--- Runs the next queued readdir of `d`, if it is free.
local function next_read(d)
  if d.busy then
    return
  end
  while d.head <= d.tail do
    local job = d.queue[d.head]
    d.queue[d.head] = nil
    d.head = d.head + 1
    if not job.canceled then
      if d.closed then
        job.done(closed_dir(d))
      else
        d.busy = true
        local ok, err = pcall(uv.fs_readdir, d.dir, function(e, entries)
          d.busy = false
          if d.closed and d.dir then
            local dir = d.dir
            d.dir = nil
            pcall(uv.fs_closedir, dir, function() end)
          end
          job.done(e, entries)
          next_read(d)
        end)
        if not ok then
          d.busy = false
          job.done("EBADF: " .. tostring(err))
        else
          return
        end
      end
    end
  end
end

function M.fs_opendir(path, entries)
  path = path_arg("fs_opendir", path)
  local batch = 1
  if entries ~= nil then
    if type(entries) ~= "number" or entries ~= entries or entries < 1 then
      error(("plenary_async.uv.fs_opendir: entries must be at least 1, got %s"):format(tostring(entries)), 0)
    end
    batch = whole("fs_opendir", "entries", entries, 1, 65536)
  end
  return op(function(done)
    local req, err = uv.fs_opendir(path, function(e, dir)
      if e ~= nil then
        return done(e)
      end
      local d = setmetatable({ dir = dir, path = path, busy = false, closed = false, queue = {}, head = 1, tail = 0 }, Dir)
      dirs[d] = true
      done(nil, d)
    end, batch)
    return started(done, req, err)
  end, function(_, d)
    if d then
      M.fs_closedir(d)
    end
  end)
end

function M.fs_readdir(d)
  d = dir_arg(d)
  if d.closed then
    return true, closed_dir(d)
  end
  local job = { canceled = false }
  return op(function(done)
    job.done = done
    d.tail = d.tail + 1
    d.queue[d.tail] = job
    next_read(d)
    return function()
      job.canceled = true
    end
  end)
end

function M.fs_closedir(d)
  d = dir_arg(d)
  if d.closed then
    return true, closed_dir(d)
  end
  d.closed = true
  if not d.busy and d.dir then
    local dir = d.dir
    d.dir = nil
    pcall(uv.fs_closedir, dir, function() end)
  end
  next_read(d) -- (the queued reads end with EBADF)
  return true, nil, true
end

-- DNS --------------------------------------------------------------------------------

function M.getaddrinfo(host, service)
  host = name_arg("getaddrinfo", host)
  if service ~= nil then
    service = name_arg("getaddrinfo", service)
  end
  return request(uv.getaddrinfo, 3, { host, service, {} })
end

function M.getnameinfo(ip, port)
  ip = name_arg("getnameinfo", ip)
  port = port == nil and 0 or whole("getnameinfo", "port", port, 0, 65535)
  return op(function(done)
    local ok, req, err = pcall(uv.getnameinfo, { ip = ip, port = port }, function(e, host, service)
      done(e, host, service)
    end)
    if not ok then
      done("EINVAL: invalid argument: " .. ip)
      return nil
    end
    return started(done, req, err)
  end)
end

local handles = assert(loadfile(folder .. "/lua_handle.lua"))(core)
core.uv_handle, core.uv_handle_sync = handles.async, handles.sync

return core
