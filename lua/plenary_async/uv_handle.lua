-- a.uv's handles: `a.uv.new_tcp()`, `new_pipe()`, `new_udp()` on luv
-- (tests/lua/uv_handle_spec.lua).
--
-- A handle starts empty and becomes what its first operation makes it:
-- connected (`tcp_connect`, `pipe_connect`, `pipe_open`, `accept`),
-- listening (`tcp_bind`, `pipe_bind`: bound and listening at once) or a
-- bound UDP socket (`udp_bind`, or its first send or receive). Each
-- awaited operation returns once:
--
-- - `listen(server)` waits for the next connection and leaves it for
--   `accept(server, client)`;
-- - `read(stream)` returns the next chunk (`nil` at the end of the stream);
-- - `udp_recv_start(udp)` returns the next datagram.
--
-- Reads (and `listen`, and receives) are served in call order; luv reads
-- only while a reader waits (what arrives meanwhile is kept, and reading
-- stops), so a stream nobody reads does not fill Neovim's memory. Writes
-- go to libuv's queue in call order. `close(handle)` ends the operations
-- still waiting on it with `ECANCELED`.
local task = require("plenary_async.task")
local validate = require("plenary_async.validate")
local waiters = require("plenary_async.waiters")
local fs = require("plenary_async.uv_fs")

local uv = vim.uv
local whole, data_arg, name_arg = fs.number, fs.data_arg, fs.name_arg
local wake, wake_later, suspend, new_wait = task.wake, task.wake_later, task.suspend, task.new_wait
local push, pop, any = waiters.push, waiters.pop, waiters.any
local type, error, pcall, tostring, setmetatable = type, error, pcall, tostring, setmetatable

-- A connected stream reads ahead while what nobody has read yet is below
-- this many bytes, and stops reading above it (a stream nobody reads does
-- not fill Neovim's memory).
local HIGH_WATER = 64 * 1024
-- The largest write tried at once (`uv.try_write`) before it is queued.
local TRY_WRITE = 16 * 1024

-- libuv's messages (uv_strerror), for the errors made here.
local REASON = {
  EISCONN = "socket is already connected",
  EALREADY = "connection already in progress",
  EBADF = "bad file descriptor",
  ECANCELED = "operation canceled",
  ENOTCONN = "socket is not connected",
  EINVAL = "invalid argument",
  EAGAIN = "resource temporarily unavailable",
  ECONNREFUSED = "connection refused",
  ECONNRESET = "connection reset by peer",
  ECONNABORTED = "software caused connection abort",
  EPIPE = "broken pipe",
  ETIMEDOUT = "connection timed out",
  ENOENT = "no such file or directory",
  EACCES = "permission denied",
  EADDRINUSE = "address already in use",
  EADDRNOTAVAIL = "address not available",
  ENETUNREACH = "network is unreachable",
  EHOSTUNREACH = "host is unreachable",
  ENOTSOCK = "socket operation on non-socket",
  EOF = "end of file",
}
--- luv gives its callbacks the error's name alone ("ECONNREFUSED"): the
--- message as luv's synchronous calls give it.
local function expand(err)
  if err == nil or err:find(":", 1, true) then
    return err
  end
  return ("%s: %s"):format(err, REASON[err] or err:lower())
end
local function fail(name, detail)
  return ("%s: %s: %s"):format(name, REASON[name], detail)
end
local function canceled()
  return fail("ECANCELED", "the handle was closed")
end
local function closed()
  return fail("EBADF", "the handle is closed")
end

local Handle = {}
local methods = {}
Handle.__index = function(_, k)
  return methods[k]
end
Handle.__tostring = function(h)
  return ("plenary_async.uv_%s: %s"):format(h.kind, h.addr)
end
local ours = setmetatable({}, { __mode = "k" })

local function new(kind)
  local h = {}
  local addr = tostring(h):match("0x%x+") or tostring(h)
  h.kind, h.addr, h.state, h.h = kind, addr, "fresh", false
  -- Tasks waiting on the handle for a connect, write, shutdown or send
  -- (ended by close): wait id -> task.
  h.ops = {}
  -- Readers, listeners or receivers waiting, first come first served.
  h.readers = waiters.new()
  -- What arrived while nobody waited: chunks (and their bytes) or datagrams.
  h.got, h.gh, h.gt, h.kept = {}, 1, 0, 0
  h.eof, h.reading, h.connecting = false, false, false
  h.ready, h.pending = 0, {} -- (listeners: connections to take, and taken)
  ours[h] = true
  return setmetatable(h, Handle)
end

local function handle_arg(v, fname, want)
  if type(v) ~= "table" or not ours[v] then
    error(
      ("plenary_async.uv.%s: expected a handle from plenary_async.uv.new_tcp/new_pipe/new_udp, got %s"):format(
        fname,
        type(v) == "userdata" and "another userdata" or validate.shown(v)
      ),
      0
    )
  end
  if want and v.kind ~= want then
    error(("plenary_async.uv.%s: expected a %s handle, got a %s handle"):format(fname, want, v.kind), 0)
  end
  return v
end

--- luv's synchronous return: `0`, or `nil, err, name`.
local function sync_status(err)
  if err == nil then
    return 0
  end
  return nil, err, err:match("^[^:]*")
end

--- The fresh state taken for a new role, or why not.
local function take_fresh(h, next_state)
  local s = h.state
  if s == "fresh" then
    h.state = next_state
    return nil
  elseif s == "closed" then
    return closed()
  elseif s == "connecting" then
    return fail("EALREADY", "a connect is in progress")
  end
  return fail("EISCONN", ("the %s handle is already in use"):format(h.kind))
end

local function not_connected(h)
  return fail("ENOTCONN", ("the %s handle is not connected"):format(h.kind))
end

--- An IP address for luv (which takes no names), or an error string.
local function ip_of(host)
  if host:find("^%d+%.%d+%.%d+%.%d+$") or host:find(":", 1, true) then
    return host
  end
  return nil, fail("EINVAL", host .. " is not an IP address (resolve names with getaddrinfo)")
end

local function port_arg(fname, port)
  return whole(fname, "port", port, 0, 65535)
end

--- luv calls whose failure is raised (a malformed address) as luv's `err`.
local function try(f, ...)
  local ok, r, err = pcall(f, ...)
  if not ok then
    return nil, fail("EINVAL", tostring(r))
  end
  if r == nil and err ~= nil then
    return nil, err
  end
  return r
end

-- Waiting ------------------------------------------------------------------------

--- Awaits, in task `t`, luv's `f(h.h, a1, cb)` (`a1` may be nil: then
--- `f(h.h, cb)`) on the luv handle of `h`: returns the error its callback
--- gets, or nil. A close of `h` ends the wait with ECANCELED.
local function stream_call(h, t, f, a1)
  local id = new_wait()
  local ops = h.ops
  local function cb(err)
    ops[id] = nil
    return wake_later(t, id, expand(err))
  end
  local ok, r, err
  if a1 == nil then
    ok, r, err = pcall(f, h.h, cb)
  else
    ok, r, err = pcall(f, h.h, a1, cb)
  end
  if not ok then
    return fail("EINVAL", tostring(r))
  elseif r == nil and err ~= nil then
    return expand(err)
  end
  ops[id] = t
  return suspend(t, id)
end

--- Waits in task `t` in the line of readers (or listeners, receivers) of
--- `h`; returns what the one that serves it passes.
local function wait_in_line(h, t)
  local id = new_wait()
  push(h.readers, t, id)
  return suspend(t, id)
end

local function keep(h, item)
  h.gt = h.gt + 1
  h.got[h.gt] = item
end

local function take_kept(h)
  if h.gh > h.gt then
    return nil
  end
  local item = h.got[h.gh]
  h.got[h.gh] = nil
  h.gh = h.gh + 1
  if h.gh > h.gt then
    h.gh, h.gt = 1, 0
  end
  return item
end

-- Streams: reads --------------------------------------------------------------------

local start_reading

local function stop_reading(h)
  if h.reading then
    h.reading = false
    pcall(h.h.read_stop, h.h)
  end
end

local function on_read(h, err, data)
  err = expand(err)
  if err ~= nil or data == nil then
    -- The end, or a failure: every reader waiting now gets it, and so does
    -- every later one.
    h.eof = err or true
    stop_reading(h)
    local t, id = pop(h.readers)
    while t do
      wake(t, id, err)
      t, id = pop(h.readers)
    end
    return
  end
  local t, id = pop(h.readers)
  if t then
    return wake_later(t, id, nil, data)
  end
  keep(h, data)
  h.kept = h.kept + #data
  if h.kept >= HIGH_WATER then
    stop_reading(h)
  end
end

start_reading = function(h)
  if h.reading or h.eof then
    return
  end
  h.reading = true
  local ok, r, err = pcall(h.h.read_start, h.h, function(e, data)
    on_read(h, e, data)
  end)
  if not ok or (r == nil and err ~= nil) then
    h.reading = false
    on_read(h, ok and err or tostring(r), nil)
  end
end

-- Listeners ---------------------------------------------------------------------------

--- Takes one connection libuv holds into a new luv handle, for accept.
local function take_connection(h)
  local client = h.kind == "tcp" and uv.new_tcp() or uv.new_pipe(false)
  local ok, r, err = pcall(h.h.accept, h.h, client)
  if not ok or r == nil then
    client:close()
    return ok and err or tostring(r)
  end
  h.pending[#h.pending + 1] = client
  return nil
end

local function on_connection(h, err)
  err = expand(err)
  if h.state ~= "listening" then
    return
  end
  local t, id = pop(h.readers)
  if not t then
    h.ready = h.ready + 1 -- (libuv holds it until it is taken)
    return
  end
  if err then
    return wake(t, id, err)
  end
  wake(t, id, take_connection(h))
end

local function bind_listener(h, make, bind)
  local e = take_fresh(h, "fresh")
  if e then
    return sync_status(e)
  end
  local lh = make()
  local ok, err = try(bind, lh)
  if not ok then
    lh:close()
    return sync_status(err)
  end
  ok, err = try(lh.listen, lh, 128, function(e2)
    on_connection(h, e2)
  end)
  if not ok then
    lh:close()
    return sync_status(err)
  end
  h.h, h.state = lh, "listening"
  return 0
end

-- UDP -----------------------------------------------------------------------------------

--- The UDP socket, bound to the wildcard address of `host`'s family first
--- if the handle is fresh (as luv does on a first send or receive).
local function udp_socket(h, host)
  if h.state == "fresh" then
    local u = uv.new_udp()
    local ok, err = try(u.bind, u, host and host:find(":", 1, true) and "::" or "0.0.0.0", 0)
    if not ok then
      u:close()
      return nil, err
    end
    h.h, h.state = u, "udp"
  end
  if h.state == "closed" then
    return nil, closed()
  end
  return h.h
end

local function on_datagram(h, err, data, addr, flags)
  err = expand(err)
  if err == nil and data == nil then
    return -- (luv's "nothing more for now")
  end
  local t, id = pop(h.readers)
  if t then
    wake(t, id, err, data, addr, flags or {})
  else
    keep(h, { err, data, addr, flags or {} })
  end
  if h.reading and not any(h.readers) then
    h.reading = false
    pcall(h.h.recv_stop, h.h)
  end
end

-- The functions -------------------------------------------------------------------------

local sync, async = {}, {}

for _, kind in ipairs({ "tcp", "pipe", "udp" }) do
  sync["new_" .. kind] = function()
    return new(kind)
  end
end

function sync._is_handle(v)
  return type(v) == "table" and ours[v] == true
end

function sync._set_methods(t)
  methods = t
end

function sync._kind(h)
  return handle_arg(h, "_kind").kind
end

function sync.is_closing(h)
  return handle_arg(h, "is_closing").state == "closed"
end

function sync.tcp_bind(h, host, port)
  h = handle_arg(h, "tcp_bind", "tcp")
  host, port = name_arg("tcp_bind", host), port_arg("tcp_bind", port)
  local ip, e = ip_of(host)
  if not ip then
    return sync_status(e)
  end
  return bind_listener(h, uv.new_tcp, function(lh)
    local ok, err = lh:bind(ip, port)
    if ok == nil and err then
      return nil, ("%s: %s:%d"):format(err, host, port)
    end
    return ok
  end)
end

function sync.pipe_bind(h, name)
  h = handle_arg(h, "pipe_bind", "pipe")
  name = name_arg("pipe_bind", name)
  return bind_listener(h, function()
    return uv.new_pipe(false)
  end, function(lh)
    local ok, err = lh:bind(name)
    if ok == nil and err then
      return nil, ("%s: %s"):format(err, name)
    end
    return ok
  end)
end

function sync.pipe_open(h, fd)
  h = handle_arg(h, "pipe_open", "pipe")
  fs.fd_arg("pipe_open", fd)
  local e = take_fresh(h, "fresh")
  if e then
    return sync_status(e)
  end
  local p = uv.new_pipe(false)
  local ok, err = try(p.open, p, fd)
  if not ok then
    p:close()
    return sync_status(err)
  end
  h.h, h.state = p, "conn"
  return 0
end

function sync.udp_bind(h, host, port)
  h = handle_arg(h, "udp_bind", "udp")
  host, port = name_arg("udp_bind", host), port_arg("udp_bind", port)
  local ip, e = ip_of(host)
  if not ip then
    return sync_status(e)
  end
  e = take_fresh(h, "fresh")
  if e then
    return sync_status(e)
  end
  local u = uv.new_udp()
  local ok, err = try(u.bind, u, ip, port)
  if not ok then
    u:close()
    return sync_status(err)
  end
  h.h, h.state = u, "udp"
  return 0
end

function sync.accept(server, client)
  local s = handle_arg(server, "accept")
  local c = handle_arg(client, "accept", s.kind)
  if s.state == "closed" then
    return sync_status(closed())
  elseif s.state ~= "listening" then
    return sync_status(fail("EINVAL", "the server handle is not listening"))
  elseif s == c then
    return sync_status(fail("EINVAL", "the client must be a new handle, not the server itself"))
  end
  local e = take_fresh(c, "fresh")
  if e then
    return sync_status(e)
  end
  local conn = table.remove(s.pending, 1)
  if not conn then
    return sync_status(fail("EAGAIN", "no connection is waiting (await listen first)"))
  end
  c.h, c.state = conn, "conn"
  return 0
end

function sync.getsockname(h)
  h = handle_arg(h, "getsockname")
  local s = h.state
  if s == "closed" then
    return nil, closed()
  elseif s == "fresh" or s == "connecting" or (s == "conn" and h.kind == "pipe") then
    return nil, not_connected(h)
  end
  local r, err = try(h.h.getsockname, h.h)
  if r == nil then
    return nil, err
  end
  return r
end

function sync.getpeername(h)
  h = handle_arg(h, "getpeername")
  if h.state == "closed" then
    return nil, closed()
  elseif h.state ~= "conn" or h.kind ~= "tcp" then
    return nil, not_connected(h)
  end
  local r, err = try(h.h.getpeername, h.h)
  if r == nil then
    return nil, err
  end
  return r
end

--- `on`, if it is a boolean (luv's rule: no truthy values).
local function enable_arg(fname, on)
  if type(on) ~= "boolean" then
    validate.fail("uv." .. fname, "enable must be a boolean", on)
  end
  return on
end

function sync.tcp_nodelay(h, on)
  h = handle_arg(h, "tcp_nodelay", "tcp")
  on = enable_arg("tcp_nodelay", on)
  if h.state == "closed" then
    return sync_status(closed())
  elseif h.state ~= "conn" then
    return sync_status(not_connected(h))
  end
  local ok, err = try(h.h.nodelay, h.h, on)
  return sync_status(ok == nil and err or nil)
end

function sync.tcp_keepalive(h, on, delay)
  h = handle_arg(h, "tcp_keepalive", "tcp")
  on = enable_arg("tcp_keepalive", on)
  delay = delay == nil and 60 or whole("tcp_keepalive", "delay", delay, 0, 4294967295)
  if h.state == "closed" then
    return sync_status(closed())
  elseif h.state ~= "conn" then
    return sync_status(not_connected(h))
  end
  local ok, err = try(h.h.keepalive, h.h, on, delay)
  return sync_status(ok == nil and err or nil)
end

--- Connects `h` (fresh) through a new luv handle `make()` with
--- `call(ch, cb)`, awaited in task `t`. A connect whose task is canceled
--- closes that luv handle and leaves `h` fresh, to try again.
local function connect(h, t, make, detail, call)
  local e = take_fresh(h, "connecting")
  if e then
    return e
  end
  local ch = make()
  local id = new_wait()
  local guard = {}
  --- (The task's `closer` while it waits: task.lua closes it on a cancel.)
  function guard.close()
    h.ops[id] = nil
    if not ch:is_closing() then
      ch:close()
    end
    if h.state == "connecting" then
      h.state = "fresh"
      h.connecting = false
    end
  end
  local ok, err = try(call, ch, function(cerr)
    h.ops[id] = nil
    if t.closer == guard then
      t.closer = nil
    end
    if h.state ~= "connecting" or h.connecting ~= ch then
      return -- (closed, or canceled, meanwhile)
    end
    h.connecting = false
    if cerr then
      h.state = "fresh"
      ch:close()
      return wake(t, id, ("%s: %s"):format(expand(cerr), detail))
    end
    h.h, h.state = ch, "conn"
    wake(t, id, nil)
  end)
  if not ok then
    h.state = "fresh"
    ch:close()
    return ("%s: %s"):format(expand(err), detail)
  end
  h.connecting = ch
  h.ops[id] = t
  t.closer = guard
  return suspend(t, id)
end

function async.tcp_connect(t, h, host, port)
  h = handle_arg(h, "tcp_connect", "tcp")
  host, port = name_arg("tcp_connect", host), port_arg("tcp_connect", port)
  local ip, e = ip_of(host)
  if not ip then
    return e
  end
  return connect(h, t, uv.new_tcp, ("%s:%d"):format(host, port), function(ch, cb)
    return ch:connect(ip, port, cb)
  end)
end

function async.pipe_connect(t, h, name)
  h = handle_arg(h, "pipe_connect", "pipe")
  name = name_arg("pipe_connect", name)
  return connect(
    h,
    t,
    function()
      return uv.new_pipe(false)
    end,
    name,
    function(ch, cb)
      return ch:connect(name, cb)
    end
  )
end

function async.listen(t, h, backlog)
  h = handle_arg(h, "listen")
  -- (The handle listens from its bind on: the backlog is checked as
  -- luv's is, an int, and not used.)
  if backlog ~= nil then
    whole("listen", "backlog", backlog, 0, 2147483647)
  end
  if h.state == "closed" then
    return closed()
  elseif h.state ~= "listening" then
    return fail("EINVAL", ("the %s handle is not bound (call %s_bind first)"):format(h.kind, h.kind))
  end
  if h.ready > 0 and not any(h.readers) then
    h.ready = h.ready - 1
    return take_connection(h)
  end
  return wait_in_line(h, t)
end

--- Why a stream operation cannot start on `h` (closed, or not
--- connected), or nil.
local function unconnected(h)
  if h.state == "closed" then
    return closed()
  elseif h.state ~= "conn" then
    return not_connected(h)
  end
end

function async.read(t, h)
  h = handle_arg(h, "read")
  local e = unconnected(h)
  if e then
    return e
  end
  if not any(h.readers) then
    local chunk = take_kept(h)
    if chunk then
      h.kept = h.kept - #chunk
      if h.kept < HIGH_WATER then
        start_reading(h) -- (read ahead again)
      end
      return nil, chunk
    end
    if h.eof then
      if h.eof == true then
        return nil
      end
      return h.eof
    end
  end
  local id = new_wait()
  push(h.readers, t, id)
  start_reading(h)
  if h.eof then
    -- (read_start failed at once: the waiters, this one too, were ended.)
    return h.eof ~= true and h.eof or nil
  end
  return suspend(t, id)
end

local try_write = uv.try_write

function async.write(t, h, data)
  h = handle_arg(h, "write")
  data = data_arg("write", data)
  local e = unconnected(h)
  if e then
    return e
  end
  if type(data) == "string" and #data <= TRY_WRITE then
    -- A small write that the socket takes whole is done at once (libuv
    -- refuses a try while earlier writes wait, so the order holds), without
    -- waiting for the loop to call back; the rest of one taken in part is
    -- queued. (A larger one goes to libuv's queue at once, which writes
    -- what it can at once too: copying the rest of a large one the socket
    -- took in part costs more than the wait saves.)
    local n = try_write(h.h, data)
    if n == #data then
      return nil
    elseif n and n > 0 then
      data = data:sub(n + 1)
    end
  end
  return stream_call(h, t, h.h.write, data)
end

function async.shutdown(t, h)
  h = handle_arg(h, "shutdown")
  local e = unconnected(h)
  if e then
    return e
  end
  return stream_call(h, t, h.h.shutdown, nil)
end

function async.close(_, h)
  h = handle_arg(h, "close")
  if h.state == "closed" then
    return
  end
  h.state = "closed"
  -- Every wait ends with ECANCELED: the readers (listeners, receivers) in
  -- the order they came, then the rest.
  local t, id = pop(h.readers)
  while t do
    wake(t, id, canceled())
    t, id = pop(h.readers)
  end
  local ops = h.ops
  h.ops = {}
  for oid, ot in pairs(ops) do
    wake(ot, oid, canceled())
  end
  if h.connecting and not h.connecting:is_closing() then
    h.connecting:close()
  end
  if h.h and not h.h:is_closing() then
    h.h:close()
  end
  for _, p in ipairs(h.pending) do
    p:close()
  end
  h.pending, h.got, h.gh, h.gt, h.kept = {}, {}, 1, 0, 0
end

function async.udp_send(t, h, data, host, port)
  h = handle_arg(h, "udp_send", "udp")
  data = data_arg("udp_send", data)
  host, port = name_arg("udp_send", host), port_arg("udp_send", port)
  local ip, e = ip_of(host)
  if not ip then
    return e
  end
  local u, err = udp_socket(h, ip)
  if not u then
    return err
  end
  local id = new_wait()
  local ops = h.ops
  local ok, serr = try(u.send, u, data, ip, port, function(se)
    ops[id] = nil
    wake(t, id, expand(se))
  end)
  if not ok then
    return serr
  end
  ops[id] = t
  return suspend(t, id)
end

function async.udp_recv_start(t, h)
  h = handle_arg(h, "udp_recv_start", "udp")
  local u, err = udp_socket(h, nil)
  if not u then
    return err
  end
  if not any(h.readers) then
    local item = take_kept(h)
    if item then
      return item[1], item[2], item[3], item[4]
    end
  end
  if not h.reading then
    h.reading = true
    local ok, rerr = try(u.recv_start, u, function(e, data, addr, flags)
      on_datagram(h, e, data, addr, flags)
    end)
    if not ok then
      h.reading = false
      return rerr
    end
  end
  return wait_in_line(h, t)
end

function async.write2()
  error("plenary_async.uv.write2: sending handles over a pipe is not supported on the runtime's handles; use write", 0)
end

return { sync = sync, async = async }
