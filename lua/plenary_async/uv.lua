-- `a.uv`: plenary's `a.uv` on luv. The file-system and DNS requests
-- (uv_fs.lua) and the handles' awaited functions (uv_handle.lua) are
-- async functions of task code, returning plenary's `err, result`; called
-- with every argument and a callback last (plenary's callback form), a
-- file-system or DNS function calls luv's own. `new_tcp()`, `new_pipe()`,
-- `new_udp()` make this module's handles; a luv handle
-- (`vim.uv.new_tcp()`) still works, as in plenary, through luv's own
-- functions. The handles have methods: `tcp:connect(host, port)`,
-- `server:listen()`, `stream:read()`, `stream:write(data)`, ...
local task = require("plenary_async.task")
local async = require("plenary_async.async")
local validate = require("plenary_async.validate")
local fs = require("plenary_async.uv_fs")
local handles = require("plenary_async.uv_handle")

local luv = vim.uv
local running = task.running
local not_in_task = validate.not_in_task
local type, pairs = type, pairs
local unpack = table.unpack or unpack
local pack = task.pack

local M = {} ---@type table<string, function>

--- `impl(t, ...)` as an async function named `name` (an error outside a
--- task), or luv's `theirs(...)` when its argument `argc` is a function
--- and none follows (plenary's callback form, its sync path). (Five fixed
--- parameters, the most any takes, rather than `...`: LuaJIT cannot
--- compile the forwarding of a vararg here, and this is every request's
--- path.)
local function request(name, impl, argc, theirs)
  local where = "uv." .. name
  assert(not argc or (argc >= 2 and argc <= 5), where .. ": the callback's position is 2 to 5")
  local function f(a1, a2, a3, a4, a5)
    if argc then
      -- (The argument at the callback's position, and the one after it.)
      local cb, after
      if argc == 2 then
        cb, after = a2, a3
      elseif argc == 3 then
        cb, after = a3, a4
      elseif argc == 4 then
        cb, after = a4, a5
      else
        cb = a5
      end
      if type(cb) == "function" and after == nil then
        return theirs(a1, a2, a3, a4, a5)
      end
    end
    local t = running()
    if t == nil then
      not_in_task(where)
    end
    return impl(t, a1, a2, a3, a4, a5)
  end
  if argc then
    async.register_leaf(f, argc)
  end
  return f
end

-- plenary's callback positions.
-- stylua: ignore
local plenary_argc = {
  fs_open = 4, fs_read = 4, fs_close = 2, fs_unlink = 2, fs_write = 4, fs_mkdir = 3,
  fs_mkdtemp = 2, fs_rmdir = 2, fs_scandir = 2, fs_stat = 2, fs_fstat = 2, fs_lstat = 2,
  fs_rename = 3, fs_fsync = 2, fs_fdatasync = 2, fs_ftruncate = 3, fs_sendfile = 5,
  fs_access = 3, fs_chmod = 3, fs_fchmod = 3, fs_utime = 4, fs_futime = 4, fs_link = 3,
  fs_symlink = 4, fs_readlink = 2, fs_realpath = 2, fs_chown = 4, fs_fchown = 4,
  fs_copyfile = 4, fs_opendir = 3, fs_readdir = 2, fs_closedir = 2,
  getaddrinfo = 4, getnameinfo = 2,
}
-- stylua: ignore
local FS = {
  "fs_open", "fs_close", "fs_read", "fs_write", "fs_fstat", "fs_fsync", "fs_fdatasync", "fs_ftruncate",
  "fs_stat", "fs_lstat", "fs_unlink", "fs_rmdir", "fs_mkdtemp", "fs_realpath", "fs_readlink", "fs_statfs",
  "fs_mkdir", "fs_rename", "fs_link", "fs_copyfile", "fs_symlink", "fs_access", "fs_chmod", "fs_fchmod",
  "fs_sendfile", "fs_utime", "fs_futime", "fs_chown", "fs_fchown", "fs_scandir", "fs_opendir", "fs_readdir",
  "fs_closedir", "getaddrinfo", "getnameinfo",
}
for _, name in ipairs(FS) do
  local theirs = luv[name]
  if name == "fs_opendir" then
    theirs = function(path, entries, cb)
      return luv.fs_opendir(path, cb, entries)
    end
  end
  M[name] = request(name, fs[name], theirs and plenary_argc[name], theirs)
end

--- The synchronous handle functions (`tcp_bind`, `accept`, `getsockname`,
--- ...) return luv's `0` or `nil, err, name`.
local sync = handles.sync
local is_ours = sync._is_handle
for name, f in pairs(sync) do
  if name:sub(1, 1) ~= "_" then
    M[name] = f
  end
end

-- A luv handle (`vim.uv.new_tcp()`) still works, as in plenary: the call
-- goes to luv's function, awaited through `wrap` with the callback at the
-- position luv expects (plenary gave `close` the wrong one, so it never
-- resumed). A luv function that fails at once returns its error instead of
-- leaving the task waiting for a callback that will not come.
local luv_argc = {
  close = 2,
  tcp_connect = 4,
  pipe_connect = 3,
  listen = 3,
  write = 3,
  write2 = 4,
  shutdown = 2,
  udp_send = 5,
  udp_recv_start = 2,
}
--- luv's `name` awaited (a luv handle given to this module). luv's own
--- argument errors are raised as this module's: "plenary_async.uv.<name>:
--- bad argument #1 (Expected uv_stream userdata)", without a position
--- in this file.
local function via_luv(name, argc)
  local where = "plenary_async.uv." .. name .. ": "
  return async.wrap(function(...)
    local args = pack(...)
    local cb = args[argc] --[[@as function]]
    local called, ok, err = pcall(luv[name], unpack(args, 1, argc))
    if not called then
      error(where .. tostring(ok):gsub("^[^\n]-:%d+: ", ""):gsub(" to '[^']*'", ""), 0)
    elseif ok == nil and err ~= nil then
      cb(err)
    end
  end, argc)
end
for name, impl in pairs(handles.async) do
  local where = "uv." .. name
  local argc = luv_argc[name]
  local theirs = argc and via_luv(name, argc)
  M[name] = function(handle, ...)
    if theirs and type(handle) == "userdata" and not is_ours(handle) then
      return theirs(handle, ...)
    end
    local t = running()
    if t == nil then
      not_in_task(where)
    end
    return impl(t, handle, ...)
  end
end

-- Methods of this module's handles.
local kind_of = sync._kind
local function by_kind(suffix)
  return function(handle, ...)
    return M[kind_of(handle) .. suffix](handle, ...)
  end
end
sync._set_methods({
  bind = by_kind("_bind"),
  connect = by_kind("_connect"),
  open = M.pipe_open,
  listen = M.listen,
  accept = M.accept,
  read = M.read,
  write = M.write,
  shutdown = M.shutdown,
  close = M.close,
  is_closing = M.is_closing,
  getsockname = M.getsockname,
  getpeername = M.getpeername,
  nodelay = M.tcp_nodelay,
  keepalive = M.tcp_keepalive,
  send = M.udp_send,
  recv = M.udp_recv_start,
})

return M
