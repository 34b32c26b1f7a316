---@meta luv
-- Types of luv (`vim.uv`) for the type check of lua/ (.emmyrc.json):
-- Neovim 0.11's runtime names the type `uv` (`---@type uv vim.uv`) but
-- ships no definition of it, and no registry here carries luv's
-- annotations. This file declares what lua/ calls, with luv's signatures
-- (luv's docs/docs.md); a function not declared here is still callable
-- (the `[string]` field), untyped. Never loaded at run time.

---@alias uv.callback fun(err: string?, ...: any)

---@class uv.uv_handle_t : userdata
local handle = {}
---@param callback? fun()
function handle:close(callback) end
---@return boolean
function handle:is_closing() end
---@return boolean
function handle:is_active() end
function handle:ref() end
function handle:unref() end

---@class uv.uv_timer_t : uv.uv_handle_t
local timer = {}
---@param timeout integer
---@param repeat_ integer
---@param callback fun()
---@return 0? success
---@return string? err
function timer:start(timeout, repeat_, callback) end
---@return 0? success
---@return string? err
function timer:stop() end
---@return 0? success
---@return string? err
function timer:again() end

---@class uv.uv_check_t : uv.uv_handle_t
local check = {}
---@param callback fun()
---@return 0? success
function check:start(callback) end
---@return 0? success
function check:stop() end

---@class uv.uv_stream_t : uv.uv_handle_t
local stream = {}
---@param callback fun(err: string?, data: string?)
---@return 0? success
---@return string? err
---@return string? name
function stream:read_start(callback) end
---@return 0? success
function stream:read_stop() end
---@param data string|string[]
---@param callback? fun(err: string?)
---@return uv.uv_write_t|nil req
---@return string? err
---@return string? name
function stream:write(data, callback) end
---@param data string|string[]
---@return integer? written
---@return string? err
---@return string? name
function stream:try_write(data) end
---@param callback? fun(err: string?)
---@return uv.uv_shutdown_t|nil req
---@return string? err
function stream:shutdown(callback) end
---@param backlog integer
---@param callback fun(err: string?)
---@return 0? success
---@return string? err
---@return string? name
function stream:listen(backlog, callback) end
---@param client uv.uv_stream_t
---@return 0? success
---@return string? err
---@return string? name
function stream:accept(client) end

---@class uv.socketinfo
---@field ip string
---@field port integer
---@field family string

---@class uv.uv_tcp_t : uv.uv_stream_t
local tcp = {}
---@param host string
---@param port integer
---@param flags? table
---@return 0? success
---@return string? err
---@return string? name
function tcp:bind(host, port, flags) end
---@param host string
---@param port integer
---@param callback fun(err: string?)
---@return uv.uv_connect_t|nil req
---@return string? err
---@return string? name
function tcp:connect(host, port, callback) end
---@param enable boolean
---@return 0? success
---@return string? err
function tcp:nodelay(enable) end
---@param enable boolean
---@param delay? integer
---@return 0? success
---@return string? err
function tcp:keepalive(enable, delay) end
---@return uv.socketinfo? addr
---@return string? err
---@return string? name
function tcp:getsockname() end
---@return uv.socketinfo? addr
---@return string? err
---@return string? name
function tcp:getpeername() end
---@param fd integer
---@return 0? success
---@return string? err
function tcp:open(fd) end

---@class uv.uv_pipe_t : uv.uv_stream_t
local pipe = {}
---@param name string
---@return 0? success
---@return string? err
---@return string? name
function pipe:bind(name) end
---@param name string
---@param callback fun(err: string?)
---@return uv.uv_connect_t|nil req
---@return string? err
function pipe:connect(name, callback) end
---@param fd integer
---@return 0? success
---@return string? err
---@return string? name
function pipe:open(fd) end
---@return string? name
---@return string? err
function pipe:getsockname() end
---@return string? name
---@return string? err
function pipe:getpeername() end
---@param data string|string[]
---@param send_handle uv.uv_stream_t
---@param callback? fun(err: string?)
---@return uv.uv_write_t|nil req
---@return string? err
function pipe:write2(data, send_handle, callback) end

---@class uv.uv_udp_t : uv.uv_handle_t
local udp = {}
---@param host string
---@param port integer
---@param flags? table
---@return 0? success
---@return string? err
---@return string? name
function udp:bind(host, port, flags) end
---@param data string|string[]
---@param host string
---@param port integer
---@param callback fun(err: string?)
---@return uv.uv_udp_send_t|nil req
---@return string? err
---@return string? name
function udp:send(data, host, port, callback) end
---@param callback fun(err: string?, data: string?, addr: uv.socketinfo?, flags: table)
---@return 0? success
---@return string? err
---@return string? name
function udp:recv_start(callback) end
---@return 0? success
function udp:recv_stop() end
---@return uv.socketinfo? addr
---@return string? err
function udp:getsockname() end

---@class uv.uv_req_t : userdata
---@class uv.uv_fs_t : uv.uv_req_t
---@class uv.uv_write_t : uv.uv_req_t
---@class uv.uv_shutdown_t : uv.uv_req_t
---@class uv.uv_connect_t : uv.uv_req_t
---@class uv.uv_udp_send_t : uv.uv_req_t
---@class uv.uv_getaddrinfo_t : uv.uv_req_t
---@class uv.uv_getnameinfo_t : uv.uv_req_t
---@class uv.luv_dir_t : userdata
---@class uv.uv_fs_scandir_t : userdata

---@class uv.fs_stat.result
---@field type string
---@field size integer
---@field mode integer
---@field mtime { sec: integer, nsec: integer }
---@field atime { sec: integer, nsec: integer }
---@field ctime { sec: integer, nsec: integer }

---@class uv
---@field [string] function
local uv = {}

---@return uv.uv_timer_t
function uv.new_timer() end
---@return uv.uv_check_t
function uv.new_check() end
---@param flags? integer|{ family?: string }
---@return uv.uv_tcp_t
function uv.new_tcp(flags) end
---@param ipc? boolean
---@return uv.uv_pipe_t
function uv.new_pipe(ipc) end
---@param flags? integer|{ family?: string }
---@return uv.uv_udp_t
function uv.new_udp(flags) end
---@return integer ms
function uv.now() end
---@return integer ns
function uv.hrtime() end
function uv.update_time() end
---@return integer sec
---@return integer usec
function uv.gettimeofday() end
---@param req uv.uv_req_t
---@return 0? success
---@return string? err
function uv.cancel(req) end
---@return string? cwd
---@return string? err
function uv.cwd() end
---@param path string
---@return 0? success
---@return string? err
function uv.chdir(path) end
---@param ms integer
function uv.sleep(ms) end
---@param fd integer|userdata
---@return string kind
function uv.guess_handle(fd) end
---@overload fun(path: string, callback: fun(err: string?, stat: uv.fs_stat.result?)): uv.uv_fs_t
---@param path string
---@return uv.fs_stat.result? stat
---@return string? err
function uv.fs_stat(path) end
---@overload fun(path: string, callback: fun(err: string?, stat: uv.fs_stat.result?)): uv.uv_fs_t
---@param path string
---@return uv.fs_stat.result? stat
---@return string? err
function uv.fs_lstat(path) end
---@overload fun(fd: integer, callback: fun(err: string?, stat: uv.fs_stat.result?)): uv.uv_fs_t
---@param fd integer
---@return uv.fs_stat.result? stat
---@return string? err
function uv.fs_fstat(fd) end
---@param fd integer
---@param callback? fun(err: string?, ok: boolean?)
---@return boolean|uv.uv_fs_t|nil
---@return string? err
function uv.fs_close(fd, callback) end
---@param path string
---@param mode integer
---@return boolean? ok
---@return string? err
function uv.fs_mkdir(path, mode) end
---@param path string
---@return boolean? ok
---@return string? err
function uv.fs_rmdir(path) end
---@param path string
---@param callback? fun(err: string?, dir: uv.luv_dir_t?)
---@param entries? integer
---@return uv.luv_dir_t|uv.uv_fs_t|nil
---@return string? err
function uv.fs_opendir(path, callback, entries) end
---@param path string
---@return uv.uv_fs_scandir_t? handle
---@return string? err
function uv.fs_scandir(path) end
---@param handle uv.uv_fs_scandir_t
---@return string? name
---@return string? type
function uv.fs_scandir_next(handle) end
