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
local core = ...
local uv = vim.uv or vim.loop
local op, whole, data_arg, name_arg = core.op, core.whole, core.data_arg, core.name_arg
local type, error, pcall, tostring, setmetatable, select = type, error, pcall, tostring, setmetatable, select
local unpack = table.unpack or unpack

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
  -- Operations waiting on the handle (ended by close): job -> true.
  h.waiting = {}
  -- Readers, listeners or receivers waiting, first come first served.
  h.q, h.qh, h.qt = {}, 1, 0
  -- What arrived while nobody waited: chunks or datagrams.
  h.got, h.gh, h.gt = {}, 1, 0
  h.eof, h.reading = false, false
  h.ready, h.pending = 0, {} -- (listeners: connections to take, and taken)
  ours[h] = true
  return setmetatable(h, Handle)
end

local function handle_arg(v, fname, want)
  if type(v) ~= "table" or not ours[v] then
    error(
      ("plenary_async.uv.%s: expected a handle from plenary_async.uv.new_tcp/new_pipe/new_udp, got %s"):format(
        fname,
        type(v) == "userdata" and "another userdata" or type(v)
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

--- An awaited operation on `h`: `begin(job)` starts it; `job.done(...)`
--- ends it (once). A close of the handle ends it with ECANCELED; a cancel
--- of its task calls `job.on_cancel` if `begin` set one.
local function wait_on(h, begin)
  return op(function(done)
    local job = { live = true }
    job.done = function(...)
      if job.live then
        job.live = false
        h.waiting[job] = nil
        done(...)
      end
    end
    h.waiting[job] = true
    begin(job)
    return function()
      job.live = false
      h.waiting[job] = nil
      if job.on_cancel then
        job.on_cancel()
      end
    end
  end)
end

--- The first live job in the queue, taken out; nil if none.
local function take_job(h)
  while h.qh <= h.qt do
    local job = h.q[h.qh]
    h.q[h.qh] = nil
    h.qh = h.qh + 1
    if job.live then
      return job
    end
  end
  return nil
end

local function has_job(h)
  while h.qh <= h.qt do
    if h.q[h.qh].live then
      return true
    end
    h.q[h.qh] = nil
    h.qh = h.qh + 1
  end
  return false
end

local function queue_job(h, job)
  h.qt = h.qt + 1
  h.q[h.qt] = job
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
    local job = take_job(h)
    while job do
      if err then
        job.done(err)
      else
        job.done(nil)
      end
      job = take_job(h)
    end
    return
  end
  local job = take_job(h)
  if job then
    job.done(nil, data)
  else
    keep(h, data)
  end
  if not has_job(h) then
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
  local job = take_job(h)
  if not job then
    h.ready = h.ready + 1 -- (libuv holds it until it is taken)
    return
  end
  if err then
    return job.done(err)
  end
  job.done(take_connection(h))
end

local function bind_listener(h, fname, make, bind)
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
  local item = { err, data, addr, flags or {} }
  local job = take_job(h)
  if job then
    job.done(item[1], item[2], item[3], item[4])
  else
    keep(h, item)
  end
  if not has_job(h) and h.reading then
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
  return bind_listener(h, "tcp_bind", uv.new_tcp, function(lh)
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
  return bind_listener(h, "pipe_bind", function()
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
  if type(fd) ~= "number" or fd ~= fd or fd < 0 or fd > 2147483647 or math.floor(fd) ~= fd then
    error(("plenary_async.uv.pipe_open: %s is not a file descriptor"):format(tostring(fd)), 0)
  end
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

function sync.tcp_nodelay(h, on)
  h = handle_arg(h, "tcp_nodelay", "tcp")
  if h.state == "closed" then
    return sync_status(closed())
  elseif h.state ~= "conn" then
    return sync_status(not_connected(h))
  end
  local ok, err = try(h.h.nodelay, h.h, on and true or false)
  return sync_status(ok == nil and err or nil)
end

function sync.tcp_keepalive(h, on, delay)
  h = handle_arg(h, "tcp_keepalive", "tcp")
  delay = delay == nil and 60 or whole("tcp_keepalive", "delay", delay, 0, 4294967295)
  if h.state == "closed" then
    return sync_status(closed())
  elseif h.state ~= "conn" then
    return sync_status(not_connected(h))
  end
  local ok, err = try(h.h.keepalive, h.h, on and true or false, delay)
  return sync_status(ok == nil and err or nil)
end

local function connect(h, make, detail, call)
  local e = take_fresh(h, "connecting")
  if e then
    return true, e
  end
  local ch = make()
  return wait_on(h, function(job)
    local ok, err = try(call, ch, function(cerr)
      if not job.live then
        return
      end
      if cerr then
        h.state = "fresh"
        ch:close()
        return job.done(("%s: %s"):format(expand(cerr), detail))
      end
      h.h, h.state = ch, "conn"
      job.done(nil)
    end)
    if not ok then
      h.state = "fresh"
      ch:close()
      job.done(("%s: %s"):format(expand(err), detail))
      return
    end
    job.cancel_connect = ch
    -- A canceled connect (its task canceled) closes its handle and leaves
    -- the handle fresh, to try again.
    job.on_cancel = function()
      if not ch:is_closing() then
        ch:close()
      end
      if h.state == "connecting" then
        h.state = "fresh"
      end
    end
  end)
end

function async.tcp_connect(h, host, port)
  h = handle_arg(h, "tcp_connect", "tcp")
  host, port = name_arg("tcp_connect", host), port_arg("tcp_connect", port)
  local ip, e = ip_of(host)
  if not ip then
    return true, e
  end
  return connect(h, uv.new_tcp, ("%s:%d"):format(host, port), function(ch, cb)
    return ch:connect(ip, port, cb)
  end)
end

function async.pipe_connect(h, name)
  h = handle_arg(h, "pipe_connect", "pipe")
  name = name_arg("pipe_connect", name)
  return connect(h, function()
    return uv.new_pipe(false)
  end, name, function(ch, cb)
    return ch:connect(name, cb)
  end)
end

function async.listen(h, _)
  h = handle_arg(h, "listen")
  if h.state == "closed" then
    return true, closed()
  elseif h.state ~= "listening" then
    return true, fail("EINVAL", ("the %s handle is not bound (call %s_bind first)"):format(h.kind, h.kind))
  end
  if h.ready > 0 and not has_job(h) then
    h.ready = h.ready - 1
    return true, take_connection(h)
  end
  return wait_on(h, function(job)
    queue_job(h, job)
  end)
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

function async.read(h)
  h = handle_arg(h, "read")
  local e = unconnected(h)
  if e then
    return true, e
  end
  if not has_job(h) then
    local chunk = take_kept(h)
    if chunk then
      return true, nil, chunk
    end
    if h.eof then
      if h.eof == true then
        return true, nil
      end
      return true, h.eof
    end
  end
  return wait_on(h, function(job)
    queue_job(h, job)
    start_reading(h)
  end)
end

--- luv's `method(handle, ..., cb)` on the connected stream of `h`,
--- awaited: its callback's error, or nil.
local function stream_request(h, method, ...)
  local e = unconnected(h)
  if e then
    return true, e
  end
  local n, args = select("#", ...), { ... }
  return wait_on(h, function(job)
    args[n + 1] = function(err)
      job.done(expand(err))
    end
    local ok, err = try(h.h[method], h.h, unpack(args, 1, n + 1))
    if not ok then
      job.done(err)
    end
  end)
end

function async.write(h, data)
  h = handle_arg(h, "write")
  return stream_request(h, "write", data_arg("write", data))
end

function async.shutdown(h)
  return stream_request(handle_arg(h, "shutdown"), "shutdown")
end

function async.close(h)
  h = handle_arg(h, "close")
  if h.state == "closed" then
    return true
  end
  h.state = "closed"
  local jobs = {}
  for job in pairs(h.waiting) do
    jobs[#jobs + 1] = job
  end
  -- (Every waiting job ends, in the order they queued where they did.)
  local first = {}
  local job = take_job(h)
  while job do
    first[#first + 1] = job
    job = take_job(h)
  end
  for _, j in ipairs(first) do
    j.done(canceled())
  end
  for _, j in ipairs(jobs) do
    if j.cancel_connect and not j.cancel_connect:is_closing() then
      j.cancel_connect:close()
    end
    j.done(canceled())
  end
  if h.h and not h.h:is_closing() then
    h.h:close()
  end
  for _, p in ipairs(h.pending) do
    p:close()
  end
  h.pending, h.got, h.gh, h.gt = {}, {}, 1, 0
  return true
end

function async.udp_send(h, data, host, port)
  h = handle_arg(h, "udp_send", "udp")
  data = data_arg("udp_send", data)
  host, port = name_arg("udp_send", host), port_arg("udp_send", port)
  local ip, e = ip_of(host)
  if not ip then
    return true, e
  end
  local u, err = udp_socket(h, ip)
  if not u then
    return true, err
  end
  return wait_on(h, function(job)
    local ok, serr = try(u.send, u, data, ip, port, function(se)
      job.done(expand(se))
    end)
    if not ok then
      job.done(serr)
    end
  end)
end

function async.udp_recv_start(h)
  h = handle_arg(h, "udp_recv_start", "udp")
  local u, err = udp_socket(h, nil)
  if not u then
    return true, err
  end
  if not has_job(h) then
    local item = take_kept(h)
    if item then
      return true, item[1], item[2], item[3], item[4]
    end
  end
  return wait_on(h, function(job)
    queue_job(h, job)
    if not h.reading then
      h.reading = true
      local ok, rerr = try(u.recv_start, u, function(e, data, addr, flags)
        on_datagram(h, e, data, addr, flags)
      end)
      if not ok then
        h.reading = false
        take_job(h)
        job.done(rerr)
      end
    end
  end)
end

function async.write2()
  error(
    "plenary_async.uv.write2: sending handles over a pipe is not supported on the runtime's handles; use write",
    0
  )
end

return { sync = sync, async = async }
