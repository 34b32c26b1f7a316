-- a.uv's I/O workloads, run by scripts/bench-lua.sh in headless Neovim, each
-- in one run on three sides: this module (plenary's `a.uv` names, on the core
-- that serves in this process: $PLENARY_ASYNC_BACKEND), plenary.async itself
-- (loaded from $PLENARY_DIR, a checkout of plenary.nvim; its column is empty
-- without one, and for TCP, whose reads plenary cannot await), and the same
-- work written on raw luv callbacks: the floor, what any library on luv can
-- at best approach. Prints a table: median wall time of 5 runs
-- ($PLENARY_BENCH_RUNS), the sides in turn in each run, and the medians of
-- each run's ratios to plenary and to the floor.
--
-- Files: 2,000 of 4 KiB in a fresh folder, read by 64 concurrent tasks and by
-- one (open, fstat, read, close), stat'ed by one, and written by one (open,
-- write, close). TCP on 127.0.0.1 in this one Neovim, an echo task and a
-- client task: 20,000 round trips of 64 bytes, and 64 MiB streamed in 64 KiB
-- writes.
local root = vim.fn.fnamemodify(debug.getinfo(1, "S").source:sub(2), ":p:h:h:h:h")
package.path = root .. "/lua/?.lua;" .. root .. "/lua/?/init.lua;" .. package.path
local ours = require("plenary_async")
local uv = vim.uv
local unpack = table.unpack or unpack

local plenary
if vim.env.PLENARY_DIR and vim.env.PLENARY_DIR ~= "" then
  local dir = vim.env.PLENARY_DIR .. "/lua/"
  package.path = dir .. "?.lua;" .. dir .. "?/init.lua;" .. package.path
  plenary = require("plenary.async")
end

local FILES = tonumber(vim.env.PLENARY_BENCH_FILES) or 2000
local SIZE = 4096
local READERS = 64
local ROUND_TRIPS = tonumber(vim.env.PLENARY_BENCH_ROUND_TRIPS) or 20000
local MESSAGE = string.rep("x", 64)
local CHUNK = string.rep("y", 65536)
local CHUNKS = 1024 -- 64 MiB
local RUNS = tonumber(vim.env.PLENARY_BENCH_RUNS) or 5

-- The files, made once with blocking calls (not measured).
local dir = assert(uv.fs_mkdtemp(uv.os_tmpdir() .. "/plenary-async-io-XXXXXX"))
local out = dir .. "/out"
assert(uv.fs_mkdir(out, 448))
local paths, outs = {}, {}
do
  local data = string.rep("z", SIZE)
  for i = 1, FILES do
    paths[i] = ("%s/%d"):format(dir, i)
    outs[i] = ("%s/%d"):format(out, i)
    local fd = assert(uv.fs_open(paths[i], "w", 420))
    assert(uv.fs_write(fd, data, 0) == SIZE)
    assert(uv.fs_close(fd))
  end
end

-- Workloads on a module with plenary.async's API (`a.run`, `a.uv.*`
-- returning `err, result`): this one or plenary.async. ------------------------

--- Reads file `i` whole (open, fstat, read, close) and checks its size.
local function read_file(a, i)
  local err, fd = a.uv.fs_open(paths[i], "r", 438)
  assert(not err, err)
  local err2, stat = a.uv.fs_fstat(fd)
  assert(not err2, err2)
  local err3, data = a.uv.fs_read(fd, stat.size, 0)
  assert(not err3 and #data == SIZE, err3)
  assert(not a.uv.fs_close(fd))
end

local tasks = {}

--- A task's callback for `a.run` on either module: this module's gives
--- `false, err` for a task that failed, plenary's raises that error itself.
local function finished(done)
  return function(ok, err)
    assert(ok ~= false, err)
    done()
  end
end

function tasks.read_concurrent(a, done)
  local next_file, left = 0, READERS
  for _ = 1, READERS do
    a.run(
      function()
        while next_file < FILES do
          next_file = next_file + 1
          read_file(a, next_file)
        end
      end,
      finished(function()
        left = left - 1
        if left == 0 then
          done()
        end
      end)
    )
  end
end

function tasks.read_sequential(a, done)
  a.run(function()
    for i = 1, FILES do
      read_file(a, i)
    end
  end, finished(done))
end

function tasks.stat(a, done)
  a.run(function()
    for i = 1, FILES do
      local err, stat = a.uv.fs_stat(paths[i])
      assert(not err and stat.size == SIZE, err)
    end
  end, finished(done))
end

function tasks.write(a, done)
  a.run(function()
    for i = 1, FILES do
      local err, fd = a.uv.fs_open(outs[i], "w", 420)
      assert(not err, err)
      local err2, n = a.uv.fs_write(fd, CHUNK:sub(1, SIZE), 0)
      assert(not err2 and n == SIZE, err2)
      assert(not a.uv.fs_close(fd))
    end
  end, finished(done))
end

--- This module's TCP: an echo task on a listening handle, and `client(c)`
--- in a task of its own on a connected one.
local function ours_tcp(a, echo, client, done)
  local server = a.uv.new_tcp()
  assert(a.uv.tcp_bind(server, "127.0.0.1", 0) == 0)
  local port = a.uv.getsockname(server).port
  a.run(function()
    assert(not a.uv.listen(server, 128))
    local conn = a.uv.new_tcp()
    assert(a.uv.accept(server, conn) == 0)
    echo(a, conn)
    a.uv.close(conn)
  end)
  a.run(function()
    local c = a.uv.new_tcp()
    assert(not a.uv.tcp_connect(c, "127.0.0.1", port))
    client(a, c)
    a.uv.close(c)
    a.uv.close(server)
  end, finished(done))
end

function tasks.tcp_round_trips(a, done)
  ours_tcp(a, function(_, conn)
    while true do
      local err, data = a.uv.read(conn)
      assert(not err, err)
      if not data then
        return
      end
      assert(not a.uv.write(conn, data))
    end
  end, function(_, c)
    for _ = 1, ROUND_TRIPS do
      assert(not a.uv.write(c, MESSAGE))
      local got = 0
      while got < #MESSAGE do
        local err, data = a.uv.read(c)
        assert(not err and data, err)
        got = got + #data
      end
    end
    assert(not a.uv.shutdown(c))
  end, finished(done))
end

function tasks.tcp_stream(a, done)
  local total = #CHUNK * CHUNKS
  ours_tcp(a, function(_, conn)
    local got = 0
    while got < total do
      local err, data = a.uv.read(conn)
      assert(not err and data, err)
      got = got + #data
    end
    assert(not a.uv.write(conn, "k"))
  end, function(_, c)
    for _ = 1, CHUNKS do
      assert(not a.uv.write(c, CHUNK))
    end
    local err, data = a.uv.read(c)
    assert(not err and data == "k", err)
  end, finished(done))
end

-- The floor: the same work on raw luv callbacks. --------------------------------

local floor = {}

--- Reads file `i` whole, then calls `k()`.
local function luv_read_file(i, k)
  uv.fs_open(paths[i], "r", 438, function(err, fd)
    assert(not err, err)
    uv.fs_fstat(fd, function(err2, stat)
      assert(not err2, err2)
      uv.fs_read(fd, stat.size, 0, function(err3, data)
        assert(not err3 and #data == SIZE, err3)
        uv.fs_close(fd, function(err4)
          assert(not err4, err4)
          k()
        end)
      end)
    end)
  end)
end

function floor.read_concurrent(done)
  local next_file, left = 0, READERS
  local function worker()
    if next_file == FILES then
      left = left - 1
      if left == 0 then
        done()
      end
      return
    end
    next_file = next_file + 1
    luv_read_file(next_file, worker)
  end
  for _ = 1, READERS do
    worker()
  end
end

function floor.read_sequential(done)
  local i = 0
  local function step()
    i = i + 1
    if i > FILES then
      return done()
    end
    luv_read_file(i, step)
  end
  step()
end

function floor.stat(done)
  local i = 0
  local function step(err, stat)
    assert(not err and (i == 0 or stat.size == SIZE), err)
    i = i + 1
    if i > FILES then
      return done()
    end
    uv.fs_stat(paths[i], step)
  end
  step()
end

function floor.write(done)
  local i = 0
  local data = CHUNK:sub(1, SIZE)
  local function step()
    i = i + 1
    if i > FILES then
      return done()
    end
    uv.fs_open(outs[i], "w", 420, function(err, fd)
      assert(not err, err)
      uv.fs_write(fd, data, 0, function(err2, n)
        assert(not err2 and n == SIZE, err2)
        uv.fs_close(fd, function(err3)
          assert(not err3, err3)
          step()
        end)
      end)
    end)
  end
  step()
end

--- luv's TCP: `on_data(conn, data)` for every chunk the server side reads;
--- `client(c, finish)` once connected (it calls `finish()` at its end).
local function luv_tcp(on_data, client, done)
  local server = uv.new_tcp()
  assert(server:bind("127.0.0.1", 0))
  local port = server:getsockname().port
  assert(server:listen(128, function(err)
    assert(not err, err)
    local conn = uv.new_tcp()
    assert(server:accept(conn))
    conn:read_start(function(err2, data)
      assert(not err2, err2)
      if data then
        on_data(conn, data)
      else
        conn:close()
      end
    end)
  end))
  local c = uv.new_tcp()
  c:connect("127.0.0.1", port, function(err)
    assert(not err, err)
    client(c, function()
      c:close()
      server:close()
      done()
    end)
  end)
end

function floor.tcp_round_trips(done)
  luv_tcp(function(conn, data)
    conn:write(data)
  end, function(c, finish)
    local left, got = ROUND_TRIPS, 0
    c:read_start(function(err, data)
      assert(not err and data, err)
      got = got + #data
      if got < #MESSAGE then
        return
      end
      got = 0
      left = left - 1
      if left == 0 then
        c:read_stop()
        c:shutdown(finish)
      else
        c:write(MESSAGE)
      end
    end)
    c:write(MESSAGE)
  end, done)
end

function floor.tcp_stream(done)
  local total, got = #CHUNK * CHUNKS, 0
  luv_tcp(function(conn, data)
    got = got + #data
    if got == total then
      conn:write("k")
    end
  end, function(c, finish)
    -- One write at a time, as the awaiting sides write.
    local left = CHUNKS
    local function write_next()
      if left == 0 then
        return
      end
      left = left - 1
      c:write(CHUNK, function(err)
        assert(not err, err)
        write_next()
      end)
    end
    write_next()
    c:read_start(function(err, data)
      assert(not err and data == "k", err)
      c:read_stop()
      finish()
    end)
  end, done)
end

-- Measuring ------------------------------------------------------------------

--- Runs `start(done)` until it calls `done()`; returns the wall time in ms.
local function time_once(start)
  collectgarbage()
  uv.update_time()
  local over = false
  local t0 = uv.hrtime()
  start(function()
    over = true
  end)
  assert(
    vim.wait(120000, function()
      return over
    end, 1),
    "a workload did not finish in 2 minutes"
  )
  return (uv.hrtime() - t0) / 1e6
end

--- The median of a list (sorted in a copy), or nil for an empty one.
local function median(xs)
  if #xs == 0 then
    return nil
  end
  local sorted = { unpack(xs) }
  table.sort(sorted)
  return sorted[math.ceil(#sorted / 2)]
end

local workloads = {
  {
    "read_concurrent",
    ("%d files of 4 KiB read by %d concurrent tasks (open, fstat, read, close)"):format(FILES, READERS),
  },
  { "read_sequential", ("%d files of 4 KiB read one after another"):format(FILES) },
  { "stat", ("%d fs_stat one after another"):format(FILES) },
  { "write", ("%d files of 4 KiB written one after another (open, write, close)"):format(FILES) },
  { "tcp_round_trips", ("%d TCP round trips of 64 bytes"):format(ROUND_TRIPS), tcp = true },
  { "tcp_stream", "64 MiB over TCP in 64 KiB writes", tcp = true },
}

io.stdout:write(
  ("a.uv's I/O, median of %d runs (ms); plenary.async %s; Neovim %s, %s\n\n"):format(
    RUNS,
    plenary and vim.env.PLENARY_DIR or "not loaded (set PLENARY_DIR to a plenary.nvim checkout)",
    tostring(vim.version()),
    jit.version
  )
)
io.stdout:write("| workload | raw luv (floor) | plenary.async | this module | / plenary | / floor |\n")
io.stdout:write("|---|---|---|---|---|---|\n")
-- $PLENARY_BENCH_ONLY: a Lua pattern; only the workloads whose key matches.
local only = vim.env.PLENARY_BENCH_ONLY
local function chosen(name)
  return not (only and only ~= "" and not name:find(only))
end

--- Runs workload `w` on every side and prints its row.
local function row(w)
  local name = w[1]
  local times = { floor = {}, plenary = {}, ours = {} }
  -- (Two runs of each side first, not counted: LuaJIT compiles the hot
  -- paths in the first ones.)
  for run = -1, RUNS do
    local f = time_once(floor[name])
    local p = plenary and not w.tcp and time_once(function(done)
      tasks[name](plenary, done)
    end)
    local o = time_once(function(done)
      tasks[name](ours, done)
    end)
    if run > 0 then
      times.floor[run], times.plenary[run], times.ours[run] = f, p or nil, o
    end
  end
  -- The ratios are the medians of each run's own ratio (the sides run in
  -- turn, so a run's sides share the machine's state of the moment).
  local to_plenary, to_floor = {}, {}
  for i = 1, RUNS do
    to_floor[i] = times.ours[i] / times.floor[i]
    if times.plenary[i] then
      to_plenary[i] = times.ours[i] / times.plenary[i]
    end
  end
  local f, p, o = median(times.floor), median(times.plenary), median(times.ours)
  local function ms(x)
    return x and ("%.1f"):format(x) or "-"
  end
  io.stdout:write(
    ("| %s | %s | %s | %s | %s | %s |\n"):format(
      w[2],
      ms(f),
      ms(p),
      ms(o),
      p and ("%.2f"):format(median(to_plenary)) or "-",
      ("%.2f"):format(median(to_floor))
    )
  )
end

for _, w in ipairs(workloads) do
  if chosen(w[1]) then
    row(w)
  end
end

-- $PLENARY_BENCH_PROFILE=mode: LuaJIT's sampling profiler (jit.p, that
-- mode, e.g. "vFl" or "Fl") over 10 more runs of this module's side of each
-- chosen workload, into $PLENARY_BENCH_PROFILE_OUT (standard output
-- without).
local profile = vim.env.PLENARY_BENCH_PROFILE
if profile and profile ~= "" then
  local p = require("jit.p")
  p.start(profile, vim.env.PLENARY_BENCH_PROFILE_OUT)
  for _, w in ipairs(workloads) do
    if chosen(w[1]) then
      for _ = 1, 10 do
        time_once(function(done)
          tasks[w[1]](ours, done)
        end)
      end
    end
  end
  p.stop()
end

vim.fn.delete(dir, "rf")
