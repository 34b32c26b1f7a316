-- The hostile-argument sweep: every function and object method of the
-- module, every argument, each replaced by nil, 0, -1, 0.5, 2^31, 2^53,
-- 1e300, inf, -inf, nan, "", a string with a NUL byte, a 100 MB string and
-- wrong types (a table, a boolean, a function, a luv handle of another
-- kind), on fresh handles and on connected ones (where luv itself is reached: luv's
-- `write({})` on a stream is undefined behaviour in libuv and can end
-- Neovim with SIGBUS), called from four
-- places: outside a task, in a task before its first wait, in a task after
-- its first wait, and in a raw libuv callback (a fast event).
--
-- Every call must return (luv's `err` return counts) or raise a Lua error
-- with a message. An abort would end the suite without its count; a Rust
-- panic prints "panicked at" on stderr, which scripts/test-lua.sh turns into
-- a failure; a stuck runtime fails the last test here. A call that may
-- legitimately wait for ever (sleep(2^31), listen for a connection that
-- never comes) is canceled after a short limit.
--
-- The outcome of every call in a task is also compared, exactly, with
-- tests/lua/sweep_outcomes.txt: whether it raises and with which message,
-- and what a file-system call returns ("ENOENT: …", its error, or the
-- types of its results). A change to a rule or a message shows there as a
-- diff; `PLENARY_ASYNC_SWEEP_UPDATE=1 scripts/test-lua.sh
-- --filter=sweep` writes the file anew (review the diff before a commit).
local a = require("plenary_async")
local luv = vim.uv
local unpack = table.unpack or unpack
local pack = require("support").pack

local HUGE
local function nop() end
-- (`make`: a value made at each call, closed by `cleanup`.)
local function hostile()
  HUGE = HUGE or string.rep("x", 100 * 1024 * 1024)
  return {
    { "nil", nil },
    { "0", 0 },
    { "-1", -1 },
    { "0.5", 0.5 },
    { "2^31", 2 ^ 31 },
    { "2^53", 2 ^ 53 },
    { "1e300", 1e300 },
    { "inf", math.huge },
    { "-inf", -math.huge },
    { "nan", 0 / 0 },
    { '""', "" },
    { "a NUL byte", "a\0b" },
    { "a 100 MB string", HUGE },
    { "a table", {} },
    { "true", true },
    { "a function", nop },
    {
      "a luv check handle",
      make = function(ctx)
        local h = luv.new_check()
        table.insert(ctx.luv_handles, h)
        return h
      end,
    },
  }
end

-- The scratch world the templates use, rebuilt for each call: a file with
-- five bytes, open descriptors on it, handles in the states a call needs.
local dir = vim.fn.tempname()
local ctx = {}

local function file()
  local f = assert(io.open(dir .. "/f", "w"))
  f:write("hello")
  f:close()
  return dir .. "/f"
end

local function fd()
  local f = assert(luv.fs_open(file(), "r+", 438))
  table.insert(ctx.fds, f)
  return f
end

local function handle(kind)
  local h = a.uv["new_" .. kind]()
  table.insert(ctx.handles, h)
  return h
end

--- A pipe handle connected to a socket pair's other end (kept open, and
--- closed by `cleanup`): the stream functions reach luv's own.
local function connected()
  local fds = assert(luv.socketpair())
  table.insert(ctx.fds, fds[2])
  local h = handle("pipe")
  assert(a.uv.pipe_open(h, fds[1]) == 0)
  return h
end

local function listening()
  local s = handle("tcp")
  assert(a.uv.tcp_bind(s, "127.0.0.1", 0) == 0)
  return s
end

-- Closes what a call's template opened (and what the call returned).
local function cleanup(results, label)
  for _, f in ipairs(ctx.fds) do
    luv.fs_close(f) -- EBADF when the call closed it: fine
  end
  for _, h in ipairs(ctx.luv_handles) do
    if not h:is_closing() then
      h:close()
    end
  end
  for _, h in ipairs(ctx.handles) do
    if not a.uv.is_closing(h) then
      -- Closing a runtime handle is async; the runtime finishes it.
      a.run(function()
        a.uv.close(h)
      end)
    end
  end
  -- A descriptor the call opened (fs_open) goes back too.
  local opened = label and label:find("^uv%.fs_open,")
  if opened and results and results[1] and results[2] == nil and type(results[3]) == "number" then
    luv.fs_close(results[3])
  end
  ctx = { fds = {}, handles = {}, luv_handles = {} }
end

-- name -> function making the template's arguments (valid ones).
-- `fds` lists the positions holding a descriptor: 0 is not tried there,
-- because 0 is Neovim's own stdin, a valid descriptor that closing,
-- truncating or adopting into a pipe would really take away.
local templates = {
  ["run"] = { nop, nop },
  ["void"] = { nop },
  ["wrap"] = {
    function(cb)
      cb()
    end,
    1,
  },
  ["is_leaf_function"] = { nop },
  ["get_leaf_function_argc"] = { nop },
  ["util.block_on"] = { nop, 100 },
  ["util.will_block"] = { nop, 100 },
  ["util.run_all"] = { { nop }, nop },
  ["util.sleep"] = { 1 },
  ["util.scheduler"] = {},
  ["util.join"] = { { nop, nop } },
  ["util.race"] = { { nop } },
  ["util.run_first"] = {
    {
      function(cb)
        cb(1)
      end,
    },
  },
  ["util.apcall"] = { nop, 1 },
  ["util.protected"] = { nop },
  ["control.Semaphore.new"] = { 1 },
  ["control.Condvar.new"] = {},
  ["control.channel.oneshot"] = {},
  ["control.channel.mpsc"] = {},
  ["control.channel.counter"] = {},
  ["structs.Deque.new"] = {},
  ["lsp.buf_request_all"] = { 0, "textDocument/hover", {} },
  ["lsp.buf_request"] = { 0, "textDocument/hover", {} },
  ["uv.fs_open"] = function()
    return { file(), "r", 438 }
  end,
  ["uv.fs_close"] = function()
    return { fd() }, { 1 }
  end,
  ["uv.fs_read"] = function()
    return { fd(), 4, 0 }, { 1 }
  end,
  ["uv.fs_write"] = function()
    return { fd(), "data", 0 }, { 1 }
  end,
  ["uv.fs_fstat"] = function()
    return { fd() }, { 1 }
  end,
  ["uv.fs_stat"] = function()
    return { file() }
  end,
  ["uv.fs_lstat"] = function()
    return { file() }
  end,
  ["uv.fs_fsync"] = function()
    return { fd() }, { 1 }
  end,
  ["uv.fs_fdatasync"] = function()
    return { fd() }, { 1 }
  end,
  ["uv.fs_ftruncate"] = function()
    return { fd(), 1 }, { 1 }
  end,
  ["uv.fs_sendfile"] = function()
    return { fd(), fd(), 0, 5 }, { 1, 2 }
  end,
  ["uv.fs_statfs"] = function()
    return { file() }
  end,
  ["uv.fs_unlink"] = function()
    return { file() }
  end,
  ["uv.fs_mkdir"] = function()
    return { dir .. "/d", 493 }
  end,
  ["uv.fs_rmdir"] = function()
    return { dir .. "/d" }
  end,
  ["uv.fs_rename"] = function()
    return { file(), dir .. "/g" }
  end,
  ["uv.fs_mkdtemp"] = function()
    return { dir .. "/tXXXXXX" }
  end,
  ["uv.fs_scandir"] = function()
    return { dir }
  end,
  ["uv.fs_opendir"] = function()
    return { dir, 4 }
  end,
  ["uv.fs_readdir"] = { "a directory from fs_opendir" },
  ["uv.fs_closedir"] = { "a directory from fs_opendir" },
  ["uv.fs_realpath"] = function()
    return { file() }
  end,
  ["uv.fs_readlink"] = function()
    return { dir .. "/link" }
  end,
  ["uv.fs_access"] = function()
    return { file(), "r" }
  end,
  ["uv.fs_copyfile"] = function()
    return { file(), dir .. "/copy" }
  end,
  ["uv.fs_symlink"] = function()
    return { file(), dir .. "/sym" }
  end,
  ["uv.fs_link"] = function()
    return { file(), dir .. "/hard" }
  end,
  ["uv.fs_chmod"] = function()
    return { file(), 420 }
  end,
  ["uv.fs_fchmod"] = function()
    return { fd(), 420 }, { 1 }
  end,
  ["uv.fs_utime"] = function()
    return { file(), 1, 1 }
  end,
  ["uv.fs_futime"] = function()
    return { fd(), 1, 1 }, { 1 }
  end,
  ["uv.fs_chown"] = function()
    return { file(), luv.getuid and luv.getuid() or 0, luv.getgid and luv.getgid() or 0 }
  end,
  ["uv.fs_fchown"] = function()
    return { fd(), luv.getuid and luv.getuid() or 0, luv.getgid and luv.getgid() or 0 }, { 1 }
  end,
  ["uv.getaddrinfo"] = { "localhost", "80" },
  ["uv.getnameinfo"] = { "127.0.0.1", 80 },
  ["uv.new_tcp"] = {},
  ["uv.new_pipe"] = {},
  ["uv.new_udp"] = {},
  ["uv.tcp_bind"] = function()
    return { handle("tcp"), "127.0.0.1", 0 }
  end,
  ["uv.pipe_bind"] = function()
    return { handle("pipe"), dir .. "/sock" }
  end,
  ["uv.pipe_open"] = function()
    return { handle("pipe"), fd() }, { 2 }
  end,
  ["uv.udp_bind"] = function()
    return { handle("udp"), "127.0.0.1", 0 }
  end,
  ["uv.accept"] = function()
    return { listening(), handle("tcp") }
  end,
  ["uv.getsockname"] = function()
    return { listening() }
  end,
  ["uv.getpeername"] = function()
    return { handle("tcp") }
  end,
  ["uv.tcp_nodelay"] = function()
    return { handle("tcp"), true }
  end,
  ["uv.tcp_keepalive"] = function()
    return { handle("tcp"), true, 10 }
  end,
  ["uv.is_closing"] = function()
    return { handle("tcp") }
  end,
  ["uv.tcp_connect"] = function()
    local s = listening()
    return { handle("tcp"), "127.0.0.1", a.uv.getsockname(s).port }
  end,
  ["uv.pipe_connect"] = function()
    return { handle("pipe"), dir .. "/nosock" }
  end,
  ["uv.listen"] = function()
    return { listening(), 1 }
  end,
  ["uv.read"] = function()
    return { handle("tcp") }
  end,
  ["uv.write"] = function()
    return { handle("tcp"), "data" }
  end,
  ["uv.write2"] = function()
    return { handle("pipe"), "data", handle("tcp") }
  end,
  ["uv.shutdown"] = function()
    return { handle("tcp") }
  end,
  ["uv.close"] = function()
    return { handle("tcp") }
  end,
  ["uv.udp_send"] = function()
    return { handle("udp"), "data", "127.0.0.1", 9 }
  end,
  ["uv.udp_recv_start"] = function()
    return { handle("udp") }
  end,
}

-- On a connected stream, where a socket pair can be made and opened as a
-- pipe (not under wine: a Windows pipe handle cannot open a socket).
do
  local ok, fds = pcall(luv.socketpair)
  local opened = false
  if ok and fds then
    local h = a.uv.new_pipe()
    opened = a.uv.pipe_open(h, fds[1]) == 0
    a.run(function()
      a.uv.close(h)
    end)
    if not opened then
      luv.fs_close(fds[1])
    end
    luv.fs_close(fds[2])
  end
  if opened then
    templates["uv.write@connected"] = function()
      return { connected(), "data" }
    end
    templates["uv.read@connected"] = function()
      return { connected() }
    end
    templates["uv.shutdown@connected"] = function()
      return { connected() }
    end
    templates["uv.close@connected"] = function()
      return { connected() }
    end
  end
end

-- Object methods: `make()` returns the object; `args` the method's other
-- arguments (hostile values go into each, and into `self` for `:` methods).
local function methods()
  local list = {}
  local function add(name, make, method, args, colon)
    table.insert(list, { name = name, make = make, method = method, args = args or {}, colon = colon })
  end
  local function sem()
    return a.control.Semaphore.new(1)
  end
  add("Semaphore.acquire", sem, "acquire")
  add("Semaphore.available_permits", sem, "available_permits")
  add("Permit.forget", function()
    return a.control.Semaphore.new(1).acquire()
  end, "forget")
  local function cv()
    local c = a.control.Condvar.new()
    -- so that wait() returns: a notification once the waiter is in.
    a.run(function()
      a.util.scheduler()
      c.notify_all()
    end)
    return c
  end
  add("Condvar.wait", cv, "wait")
  add("Condvar.notify_all", cv, "notify_all")
  add("Condvar.notify_one", cv, "notify_one")
  local function ends(kind)
    return function()
      local tx, rx = a.control.channel[kind]()
      if kind ~= "oneshot" then
        tx.send(1)
      end
      return { tx = tx, rx = rx }
    end
  end
  add("oneshot sender", ends("oneshot"), "tx", { 1 })
  add("oneshot receiver", function()
    local e = ends("oneshot")()
    e.tx(1)
    return e
  end, "rx")
  for _, kind in ipairs({ "mpsc", "counter" }) do
    add(kind .. ".send", ends(kind), "tx.send", { 1 })
    add(kind .. ".recv", ends(kind), "rx.recv")
    add(kind .. ".last", ends(kind), "rx.last")
  end
  local function deque()
    local d = a.structs.Deque.new()
    d:pushright(1)
    return d
  end
  for _, m in ipairs({ "pushleft", "pushright" }) do
    add("Deque:" .. m, deque, m, { 1 }, true)
  end
  for _, m in ipairs({ "popleft", "popright", "len", "is_empty", "clear", "ipairs_left", "ipairs_right" }) do
    add("Deque:" .. m, deque, m, {}, true)
  end
  local function task()
    return a.run(nop)
  end
  add("Task:cancel", task, "cancel", {}, true)
  add("Task:is_finished", task, "is_finished", {}, true)
  local tcp_methods = { "bind", "connect", "listen", "accept", "read", "write", "shutdown", "close" }
  vim.list_extend(tcp_methods, { "is_closing", "getsockname", "getpeername", "nodelay", "keepalive" })
  local tcp_args = {
    bind = { "127.0.0.1", 0 },
    connect = { "127.0.0.1", 9 },
    listen = { 1 },
    write = { "data" },
    nodelay = { true },
    keepalive = { true, 10 },
  }
  for _, m in ipairs(tcp_methods) do
    add("tcp:" .. m, function()
      return handle("tcp")
    end, m, tcp_args[m], true)
  end
  add("udp:send", function()
    return handle("udp")
  end, "send", { "data", "127.0.0.1", 9 }, true)
  add("udp:recv", function()
    return handle("udp")
  end, "recv", {}, true)
  add("pipe:open", function()
    return handle("pipe")
  end, "open", { "not a descriptor" }, true)
  return list
end

--- The function a template's name gives (`uv.write@connected`: uv.write,
--- on the template named after the `@`).
local function lookup(path)
  local v = a
  for part in path:gsub("@.*$", ""):gmatch("[^.]+") do
    v = v[part]
  end
  return v
end

--- A hostile value for one call.
local function value(v)
  if v.make then
    return v.make(ctx)
  end
  return v[2]
end

-- Every call of the sweep: { label, f, args, n }, built lazily (templates
-- open descriptors and handles).
local function each_call(visit)
  -- (In the order of the names: a call may leave files that a later one
  -- finds, so the order is part of the outcome table.)
  local names = vim.tbl_keys(templates)
  table.sort(names)
  for _, name in ipairs(names) do
    local template = templates[name]
    local f = lookup(name)
    assert(type(f) == "function", name .. " is not a function")
    local function make()
      if type(template) == "function" then
        return template()
      end
      return template, {}
    end
    local args0, fd_positions = make()
    local n = #args0
    cleanup()
    for pos = 1, n do
      for _, v in ipairs(hostile()) do
        if not (v[2] == 0 and vim.tbl_contains(fd_positions or {}, pos)) then
          local args = make()
          args = { unpack(args, 1, n) }
          args[pos] = value(v)
          visit(("%s, argument %d = %s"):format(name, pos, v[1]), f, args, n)
        end
      end
    end
    if n == 0 then
      visit(name .. "()", f, {}, 0)
    end
  end
  for _, m in ipairs(methods()) do
    local n = #m.args + (m.colon and 1 or 0)
    for pos = 1, n do
      for _, v in ipairs(hostile()) do
        -- (A permit cannot be made outside a task: skipped there.)
        local made, obj = pcall(m.make)
        local method = obj
        for part in m.method:gmatch("[^.]+") do
          method = made and method[part]
        end
        local args = m.colon and { obj, unpack(m.args) } or { unpack(m.args) }
        args[pos] = value(v)
        if made then
          visit(("%s, argument %d = %s"):format(m.name, pos, v[1]), method, args, n)
        end
      end
    end
    if n == 0 or m.colon then
      -- A `.` method called with a hostile value anyway (`rx.recv(0)`).
      for _, v in ipairs(hostile()) do
        local made, obj = pcall(m.make)
        local method = obj
        for part in m.method:gmatch("[^.]+") do
          method = made and method[part]
        end
        if made then
          visit(("%s, extra argument = %s"):format(m.name, v[1]), method, { value(v) }, 1)
        end
      end
    end
  end
end

-- Each failure is a string with a message; nothing says "panicked".
local problems
local function judge(label, ok, err)
  if not ok and (type(err) ~= "string" or #err == 0 or err:find("panick")) then
    table.insert(problems, label .. ": " .. tostring(err))
  end
end

local function report(place, count)
  assert(count > 1000, place .. ": too few calls were tried: " .. count)
  assert(#problems == 0, place .. ":\n" .. table.concat(problems, "\n"))
end

-- The longest a call may wait before it is canceled as "waits legitimately".
local LIMIT = 50
-- File-system calls always end (libuv's worker threads run them): they are
-- awaited up to this bound, past which they count as hung.
local FS_LIMIT = 60000

--- Whether the call labelled `label` is a file-system request whose
--- result the outcome table keeps (chown's depends on who runs the suite).
local function fs_call(label)
  return label:find("^uv%.fs_") ~= nil and not label:find("^uv%.fs_f?chown")
end

-- The outcome table (tests/lua/sweep_outcomes.txt): one line per call in a
-- task, "<label>: <outcome>", sorted.
local OUTCOMES = ROOT .. "/tests/lua/sweep_outcomes.txt"

--- The outcome of a call, as the table says it: the message it raised
--- (the scratch folder as <dir>), or for a file-system call the error
--- name it returned, else that it did not raise.
local function outcome(label, result)
  if result and not result[1] then
    -- (Where this checkout and Neovim's runtime are, and addresses, are
    -- the machine's: shown as <root>, <runtime>, 0x…; a line number in
    -- them as <line>, so that an edit elsewhere in the file changes
    -- nothing here.)
    local message = tostring(result[2])
      :gsub(vim.pesc(dir), "<dir>")
      :gsub("[^%s]*[/\\]lua[/\\]plenary_async[/\\]", "<root>/lua/plenary_async/")
      :gsub("[^%s]*[/\\]runtime[/\\]lua[/\\]vim[/\\]", "<runtime>/lua/vim/")
      :gsub("(<[a-z]+>/lua/[%w_/]+%.lua):%d+:", "%1:<line>:")
      :gsub("0x%x+", "0x…")
    return "raises: " .. message:gsub("%c", function(c)
      return ("\\%d"):format(c:byte())
    end)
  end
  if result and fs_call(label) then
    local err = result[2]
    if err == nil then
      return "returns no error"
    end
    return "returns " .. tostring(err):match("^[A-Z0-9_]+")
  end
  return "does not raise"
end

--- Compares `lines` with the outcome table; writes the table instead
--- when $PLENARY_ASYNC_SWEEP_UPDATE is set.
local function compare_outcomes(lines)
  table.sort(lines)
  if os.getenv("PLENARY_ASYNC_SWEEP_UPDATE") then
    vim.fn.writefile(lines, OUTCOMES)
    return
  end
  local want = vim.fn.readfile(OUTCOMES)
  if vim.fn.has("win32") == 1 then
    -- Windows: what the file system returns is the system's, and a
    -- connected pipe cannot be made there (no @connected calls); so of
    -- the calls made on both, those that raise on either are compared (a
    -- call raises on both or on neither, with the same message).
    local function by_label(list)
      local map = {}
      for _, line in ipairs(list) do
        map[line:match("^(.-): ")] = line
      end
      return map
    end
    local want_map, got_map = by_label(want), by_label(lines)
    want, lines = {}, {}
    for label, w in pairs(want_map) do
      local g = got_map[label]
      if g and (w:find(": raises: ", 1, true) or g:find(": raises: ", 1, true)) then
        want[#want + 1], lines[#lines + 1] = w, g
      end
    end
    table.sort(want)
    table.sort(lines)
  end
  local diff = vim.diff(table.concat(want, "\n") .. "\n", table.concat(lines, "\n") .. "\n", { ctxlen = 0 })
  assert(
    diff == "",
    (
      "the outcomes differ from tests/lua/sweep_outcomes.txt (- the table, + this run; "
      .. "PLENARY_ASYNC_SWEEP_UPDATE=1 writes it anew):\n%s"
    ):format(diff)
  )
end

local function sweep_in_tasks(after_wait)
  problems = {}
  local count = 0
  local lines = {}
  each_call(function(label, f, args, n)
    count = count + 1
    if os.getenv("SWEEP_TRACE") then
      io.stderr:write(label, "\n")
      io.stderr:flush()
    end
    local result
    local tx, rx = a.control.channel.oneshot()
    local t = a.run(function()
      if after_wait then
        a.util.scheduler()
      end
      result = pack(pcall(f, unpack(args, 1, n)))
      tx()
    end)
    if not result then
      local limit = fs_call(label) and FS_LIMIT or LIMIT
      a.util.race({
        rx,
        function()
          a.util.sleep(limit)
        end,
      })
      assert(result or limit == LIMIT, label .. ": did not end in " .. FS_LIMIT .. " ms")
    end
    if not result then
      t:cancel()
    else
      judge(label, result[1], result[2])
    end
    lines[#lines + 1] = label .. ": " .. outcome(label, result)
    cleanup(result, label)
  end)
  report(after_wait and "in a task after its first wait" or "in a task before its first wait", count)
  return lines
end

describe("the hostile-argument sweep", function()
  vim.fn.mkdir(dir, "p")
  ctx = { fds = {}, handles = {}, luv_handles = {} }
  -- Calls that take a relative path (a number turned into a name) make
  -- their files in the scratch directory.
  local cwd

  before_each(function()
    cwd = vim.fn.getcwd()
    vim.fn.chdir(dir)
  end)
  after_each(function()
    vim.fn.chdir(cwd)
  end)

  it("outside a task: errors with messages", function()
    problems = {}
    local count = 0
    each_call(function(label, f, args, n)
      count = count + 1
      local r = pack(pcall(f, unpack(args, 1, n)))
      judge(label, r[1], r[2])
      cleanup(r, label)
    end)
    report("outside a task", count)
  end)

  ait("in a task, before its first wait; its outcomes are the table's", function()
    compare_outcomes(sweep_in_tasks(false))
  end, 600000)

  ait("in a task, after its first wait", function()
    sweep_in_tasks(true)
  end, 600000)

  it("in a raw libuv callback (a fast event)", function()
    problems = {}
    local count, done = 0, false
    local timer = luv.new_timer()
    timer:start(0, 0, function()
      each_call(function(label, f, args, n)
        count = count + 1
        local r = pack(pcall(f, unpack(args, 1, n)))
        judge(label, r[1], r[2])
        cleanup(r, label)
      end)
      done = true
    end)
    assert(vim.wait(600000, function()
      return done
    end, 10))
    timer:close()
    report("in a raw libuv callback", count)
  end)

  ait("leaves the runtime working: sleep, channels, a file read", function()
    HUGE = nil
    collectgarbage()
    a.util.sleep(1)
    local tx, rx = a.control.channel.oneshot()
    a.run(function()
      a.util.sleep(1)
      tx(42)
    end)
    assert(rx() == 42)
    local err, opened = a.uv.fs_open(file(), "r", 438)
    assert(err == nil, err)
    local err2, data = a.uv.fs_read(opened, 100, 0)
    assert(err2 == nil and data == "hello", err2)
    assert(a.uv.fs_close(opened) == nil)
    vim.fn.delete(dir, "rf")
  end)
end)
