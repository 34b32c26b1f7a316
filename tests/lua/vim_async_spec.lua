-- vim_async: Neovim's vim.async API (runtime/doc/lua-async.txt) on this
-- runtime, a spec per sentence of the contract, and the awaits across the
-- two APIs.
local a = require("plenary_async")
local va = a.vim_async

--- A task that never ends by itself, with a closable handle (a libuv
--- timer that is never started) whose closing it records.
local function forever(record)
  return va.await(1, function(_cb)
    local timer = vim.uv.new_timer()
    return {
      close = function(_, cb)
        record.closed = true
        timer:close(cb)
      end,
    }
  end)
end

describe("vim_async: tasks and children", function()
  it("starts a top-level task at once, a child at its parent's next checkpoint", function()
    local log = {}
    local parent = va.run(function()
      table.insert(log, "parent")
      va.run(function()
        table.insert(log, "child")
      end)
      table.insert(log, "parent goes on")
      va.checkpoint()
      table.insert(log, "after the checkpoint")
    end)
    table.insert(log, "run returned")
    parent:wait(1000)
    assert(
      vim.deep_equal(log, { "parent", "parent goes on", "child", "after the checkpoint", "run returned" }),
      vim.inspect(log)
    )
  end)

  it("completes a parent only after its children, awaited or not", function()
    local child
    local parent = va.run(function()
      child = va.run(function()
        va.sleep(20)
        return "late"
      end)
      return "parent's"
    end)
    assert(not parent:completed())
    assert(parent:wait(1000) == "parent's")
    assert(child:completed() and child:wait() == "late")
  end)

  it("a parent's completion callbacks see its children completed", function()
    local child, seen
    local parent = va.run(function()
      child = va.run(function()
        va.sleep(5)
      end)
    end)
    parent:on_complete(function()
      seen = child:completed()
    end)
    parent:wait(1000)
    assert(seen == true)
  end)

  it("fails the parent with an unhandled child failure and closes the other children (waiting, or returned)", function()
    -- The parent still waiting at a checkpoint, or its function returned
    -- already (the failure then comes after its final checkpoint).
    for _, parent_ends in ipairs({ "waiting", "returned" }) do
      local sibling
      local parent = va.run(function()
        sibling = va.run(function()
          va.sleep(10000)
        end)
        va.run(function()
          va.sleep(5)
          error("child broke", 0)
        end)
        if parent_ends == "waiting" then
          va.sleep(10000)
        end
        return "returned first"
      end)
      local ok, err = parent:pwait(2000)
      assert(not ok and err == "child error: child broke", parent_ends .. ": " .. tostring(err))
      local sok, serr = sibling:pwait(100)
      assert(not sok and serr == "closed", parent_ends .. ": " .. tostring(serr))
    end
    -- And it goes up: the grandparent fails in turn.
    local top = va.run(function()
      va.run(function()
        va.run(function()
          va.sleep(5)
          error("deepest", 0)
        end)
      end)
    end)
    local tok, terr = top:pwait(2000)
    assert(not tok and terr == "child error: child error: deepest", tostring(terr))
  end)

  it("lets a parent handle a child's failure with pawait", function()
    local parent = va.run(function()
      local ok, err = va.pawait(va.run(function()
        error("handled", 0)
      end))
      assert(not ok and err == "handled")
      return "went on"
    end)
    assert(parent:wait(1000) == "went on")
  end)

  it("detach() makes a child top-level: not waited for, not closed with the parent", function()
    local free
    local parent = va.run(function()
      free = va.run(function()
        va.sleep(30)
        return "free"
      end):detach()
      va.sleep(1)
    end)
    parent:close()
    assert(not parent:pwait(1000))
    assert(free:wait(1000) == "free")
  end)

  it("detach() of a child that has not started schedules its start", function()
    local log = {}
    local free
    local parent = va.run(function()
      free = va.run(function()
        table.insert(log, "child runs")
      end)
      free:detach()
      table.insert(log, "detach returned")
    end)
    table.insert(log, "parent's run returned")
    parent:wait(1000)
    free:wait(1000)
    assert(vim.deep_equal(log, { "detach returned", "parent's run returned", "child runs" }), vim.inspect(log))
  end)

  it("a task created outside the parent is not closed with it", function()
    local outside = va.run(function()
      va.sleep(20)
      return "kept"
    end)
    local parent = va.run(function()
      va.await(outside)
    end)
    parent:close()
    local ok, err = parent:pwait(1000)
    assert(not ok and err == "closed")
    assert(outside:wait(1000) == "kept")
  end)
end)

describe("vim_async: close", function()
  it("closes recursively, the awaited closable of each level first", function()
    local rec1, rec2 = {}, {}
    local child
    local root = va.run(function()
      child = va.run(function()
        forever(rec2)
      end)
      forever(rec1)
    end)
    vim.wait(20)
    root:close()
    local ok, err = root:pwait(1000)
    assert(not ok and err == "closed", tostring(err))
    assert(rec1.closed and rec2.closed)
    assert(not child:pwait(10))
  end)

  it("closes a child that has not started without running it", function()
    local ran = false
    local child
    local parent = va.run(function()
      child = va.run(function()
        ran = true
      end)
      error("before the checkpoint", 0)
    end)
    assert(not parent:pwait(1000))
    assert(not ran)
    local ok, err = child:pwait(10)
    assert(not ok and err == "closed")
  end)

  it("closes an await's closable when the await ends, and goes on after its close callback", function()
    local log = {}
    --- A closable whose close callback comes a loop turn later.
    local function closable(name)
      return {
        close = function(_, cb)
          table.insert(log, name .. " close")
          vim.schedule(function()
            table.insert(log, name .. " closed")
            cb()
          end)
        end,
      }
    end
    local t = va.run(function()
      local v = va.await(function(cb)
        vim.schedule(function()
          cb("later")
        end)
        return closable("a")
      end)
      table.insert(log, "a returned " .. v)
      local w = va.await(function(cb)
        cb("at once") -- a callback before the function returns
        return closable("b")
      end)
      table.insert(log, "b returned " .. w)
    end)
    t:wait(1000)
    assert(
      vim.deep_equal(log, { "a close", "a closed", "a returned later", "b close", "b closed", "b returned at once" }),
      vim.inspect(log)
    )
    -- A luv handle it returned is closed once the await is over.
    local timer
    va.run(function()
      va.await(function(cb)
        timer = vim.uv.new_timer()
        timer:start(1, 0, cb)
        return timer
      end)
    end):wait(1000)
    assert(timer:is_closing(), "the timer is closed")
  end)

  it("a closed task reports closed after its awaited closable's close callback", function()
    local log = {}
    local t = va.run(function()
      va.await(function(_cb)
        return {
          close = function(_, cb)
            table.insert(log, "close")
            vim.defer_fn(function()
              table.insert(log, "close callback")
              cb()
            end, 10)
          end,
        }
      end)
    end)
    t:on_complete(function(err)
      table.insert(log, "completed: " .. tostring(err))
    end)
    t:close()
    assert(not t:pwait(1000))
    assert(vim.deep_equal(log, { "close", "close callback", "completed: closed" }), vim.inspect(log))
  end)

  it("does not close twice an awaited closable that says it is closing", function()
    local closes = 0
    local t = va.run(function()
      va.await(function(_cb)
        return {
          is_closing = function()
            return true
          end,
          close = function()
            closes = closes + 1
          end,
        }
      end)
    end)
    t:close()
    local ok, err = t:pwait(1000)
    assert(not ok and err == "closed", tostring(err))
    assert(closes == 0, closes)
  end)

  it("is_closing() turns true inside a closed task; cleanup can run before the checkpoint", function()
    local cleaned = false
    local t = va.run(function()
      local ok, err = pcall(va.sleep, 10000)
      assert(not ok and err == "closed")
      assert(va.is_closing())
      cleaned = true
      va.checkpoint() -- delivers the close again
    end)
    t:close()
    local ok, err = t:pwait(1000)
    assert(not ok and err == "closed" and cleaned)
  end)

  it("a closed task awaiting a process releases its handle and leaves the process running", function()
    local handle, pid
    local t = va.run(function()
      va.await(3, function(cmd, opts, on_exit)
        handle, pid = vim.uv.spawn(cmd, opts, on_exit)
        return handle
      end, vim.v.progpath, { args = { "--clean", "--headless", "--cmd", "sleep 30", "--cmd", "qa!" } })
    end)
    vim.wait(10)
    t:close()
    local ok, err = t:pwait(1000)
    assert(not ok and err == "closed", tostring(err))
    assert(handle:is_closing(), "the process handle was closed")
    -- Documented: closing the wait does not kill the process.
    assert(vim.uv.kill(pid, 0) == 0, "the process still runs")
    vim.uv.kill(pid, "sigkill")
  end)

  ait("a closed task leaves a plenary channel consistent", function()
    local tx, rx = a.control.channel.mpsc()
    local t = va.run(function()
      rx.recv()
    end)
    t:close()
    assert(not t:pwait(100))
    tx.send("for the next receiver")
    assert(rx.recv() == "for the next receiver")
  end)

  ait("a closed task releases its a.uv handle operation", function()
    local server = a.uv.new_tcp()
    a.uv.tcp_bind(server, "127.0.0.1", 0)
    local port = a.uv.getsockname(server).port
    local client = a.uv.new_tcp()
    a.run(function()
      a.uv.listen(server)
    end)
    assert(a.uv.tcp_connect(client, "127.0.0.1", port) == nil)
    local reader = va.run(function()
      return a.uv.read(client)
    end)
    a.util.sleep(5)
    reader:close()
    assert(not reader:pwait(100))
    -- The read was dropped: a new read on the handle is served.
    local conn = a.uv.new_tcp()
    a.uv.accept(server, conn)
    a.uv.write(conn, "hello")
    local err, data = a.uv.read(client)
    assert(err == nil and data == "hello", tostring(err))
    for _, h in ipairs({ conn, client, server }) do
      a.uv.close(h)
    end
  end)
end)

describe("vim_async: await, timeout, iter, wait", function()
  it("await returns callback values unchanged, raises a task's error; pawait returns ok", function()
    local t = va.run(function()
      local x, y = va.await(2, function(v, cb)
        cb(v, "two")
      end, "one")
      assert(x == "one" and y == "two")
      local ok, err = va.pawait(function()
        error("boom", 0)
      end)
      assert(not ok and err == "boom")
      local ok0, err0 = va.pawait(function()
        error() -- a nil error is reported as one
      end)
      assert(not ok0 and err0 == "error(nil)", tostring(err0))
      local ok1, err1 = va.pawait(va.run(function()
        error("handled", 0)
      end))
      assert(not ok1 and err1 == "handled")
      return "fine"
    end)
    assert(t:wait(1000) == "fine")
  end)

  it("pawait does not protect a close or a failure pending on the running task", function()
    local record, caught = {}, {}
    local t = va.run(function()
      local ok, err = pcall(va.pawait, function(_cb)
        return {
          close = function(_, cb)
            record.closed = true
            cb()
          end,
        }
      end)
      caught.close = { ok, err }
    end)
    t:close()
    assert(not t:pwait(1000))
    assert(vim.deep_equal(caught.close, { false, "closed" }), vim.inspect(caught))
    assert(record.closed)
    local p = va.run(function()
      va.run(function()
        error("sibling broke", 0)
      end)
      -- The child runs at this checkpoint and fails: the checkpoint raises,
      -- and the failure stays pending on the task.
      local first_ok, first_err = pcall(va.checkpoint)
      caught.checkpoint = { first_ok, first_err }
      local ok, err = pcall(va.pawait, function(cb)
        cb("never returned")
      end)
      caught.failure = { ok, err }
    end)
    assert(not p:pwait(1000))
    assert(vim.deep_equal(caught.checkpoint, { false, "child error: sibling broke" }), vim.inspect(caught))
    assert(vim.deep_equal(caught.failure, { false, "child error: sibling broke" }), vim.inspect(caught))
  end)

  it("await of a task that fails fails the awaiting task, even if the raise is caught", function()
    local log = {}
    local t = va.run(function()
      local ok, err = pcall(
        va.await,
        va.run(function()
          error("inner", 0)
        end)
      )
      table.insert(log, { ok, err })
      local ok2, err2 = pcall(va.sleep, 1) -- the failure is raised again at the next checkpoint
      table.insert(log, { ok2, err2 })
      return "not the outcome"
    end)
    local ok, err = t:pwait(1000)
    assert(not ok and err == "inner", tostring(err))
    assert(vim.deep_equal(log, { { false, "inner" }, { false, "inner" } }), vim.inspect(log))
    -- A task that fails with a nil error reports one.
    local nilerr = va.run(function()
      error()
    end)
    local ok3, err3 = nilerr:pwait(1000)
    assert(not ok3 and err3 == "error(nil)", tostring(err3))
  end)

  it("timeout closes the task on expiry and raises timeout after its cleanup", function()
    local cleaned = false
    local t = va.run(function()
      local slow = va.run(function()
        local ok = pcall(va.sleep, 10000)
        cleaned = not ok
      end):detach()
      va.timeout(10, slow)
    end)
    local ok, err = t:pwait(1000)
    assert(not ok and err == "timeout", tostring(err))
    assert(cleaned, "the timed out task ran its cleanup first")
  end)

  it("timeout returns the results of a task that completes in time, or raises its error", function()
    local v = va.run(function()
      local quick = va.run(function()
        va.sleep(1)
        return "done", 2
      end)
      local x, y = va.timeout(5000, quick)
      local failing = va.run(function()
        va.sleep(1)
        error("own error", 0)
      end)
      local ok, err = pcall(va.timeout, 5000, failing)
      return x, y, ok, err
    end)
    local x, y, ok, err = v:wait(2000)
    assert(x == "done" and y == 2, tostring(x))
    assert(not ok and err == "own error", tostring(err))
  end)

  it("timeout of an attached child closes what the child awaits before it raises", function()
    local record, log = {}, {}
    local t = va.run(function()
      local child = va.run(function()
        forever(record)
      end)
      local ok, err = pcall(va.timeout, 10, child)
      table.insert(log, { ok, err, record.closed, child:completed() })
    end)
    t:wait(2000)
    assert(vim.deep_equal(log, { { false, "timeout", true, true } }), vim.inspect(log))
  end)

  it("timeout in a task that is closed raises closed, closes its timer, and the detached task goes on", function()
    -- (No race with the clock: the deadline is far, the detached task
    -- waits for a callback this test calls, and the timers are recorded.)
    local timers = {}
    va.config({
      new_timer = function()
        local timer = vim.uv.new_timer()
        table.insert(timers, timer)
        return timer
      end,
    })
    local gate, slow_done, slow = nil, false, nil
    local t = va.run(function()
      slow = va.run(function()
        va.await(function(cb)
          gate = cb
        end)
        slow_done = true
      end):detach()
      va.timeout(600000, slow)
    end)
    va.config({ new_timer = vim.uv.new_timer })
    assert(vim.wait(1000, function()
      return gate ~= nil and t:status() == "awaiting"
    end, 1))
    t:close()
    local ok, err = t:pwait(1000)
    assert(not ok and err == "closed", tostring(err))
    assert(#timers == 1 and timers[1]:is_closing(), "the timeout's timer is closed")
    assert(not slow:completed(), "the detached task goes on")
    gate()
    slow:wait(1000)
    assert(slow_done)
  end)

  it("timeout checks its arguments", function()
    local t = va.run(function()
      local ok1, e1 = pcall(va.timeout, "10", va.run(function() end))
      local ok2, e2 = pcall(va.timeout, 10, {})
      return ok1, e1, ok2, e2
    end)
    local ok1, e1, ok2, e2 = t:wait(1000)
    assert(not ok1 and e1:find("vim_async.timeout: expected a duration in milliseconds", 1, true), e1)
    assert(not ok2 and e2:find("vim_async.timeout: expected a task", 1, true), e2)
  end)

  it("iter yields tasks in completion order", function()
    local order = {}
    local t = va.run(function()
      local tasks = {}
      for i, ms in ipairs({ 30, 10, 20 }) do
        tasks[i] = va.run(function()
          va.sleep(ms)
          return i
        end)
      end
      for done in va.iter(tasks) do
        table.insert(order, va.await(done))
      end
    end)
    t:wait(2000)
    assert(vim.deep_equal(order, { 2, 3, 1 }), vim.inspect(order))
  end)

  it("wait(ms) pumps the loop from sync code and raises timeout; pwait returns ok", function()
    local t = va.run(function()
      va.sleep(10000)
    end)
    local ok, err = pcall(t.wait, t, 10)
    assert(not ok and tostring(err):find("timeout", 1, true), tostring(err))
    t:close()
    local pok, perr = t:pwait(100)
    assert(not pok and perr == "closed")
  end)

  it("on_complete observes, and its unsubscribe works", function()
    local got, never = nil, false
    local t = va.run(function()
      va.sleep(5)
      return 7
    end)
    t:on_complete(function(err, v)
      got = { err, v }
    end)
    local unsubscribe = t:on_complete(function()
      never = true
    end)
    unsubscribe()
    t:wait(1000)
    assert(got[1] == nil and got[2] == 7 and not never)
  end)

  it("status: running, awaiting, normal, completed", function()
    local inside, normal
    local t
    t = va.run(function()
      inside = t and t:status()
      va.sleep(5)
      inside = t:status()
      coroutine.wrap(function()
        normal = t:status()
      end)()
    end)
    assert(t:status() == "awaiting")
    t:wait(1000)
    assert(inside == "running" and normal == "normal" and t:status() == "completed")
  end)

  it("traceback() includes the nested task awaited: one traceback, innermost frames first, tagged by task", function()
    local function inner_body()
      va.sleep(10000)
    end
    local function outer_body()
      va.await(va.run("inner", inner_body))
    end
    local t = va.run("outer", outer_body)
    vim.wait(10)
    local tb = t:traceback("where")
    assert(tb:find("^where\nstack traceback:\n"), tb)
    local _, headers = tb:gsub("stack traceback:", "")
    assert(headers == 1, "one header: " .. tb)
    local inner_at = tb:find("\t[inner] ", 1, true)
    local outer_at = tb:find("\t[outer] ", 1, true)
    assert(inner_at and outer_at and inner_at < outer_at, "inner frames, then outer ones: " .. tb)
    local function at(f)
      local info = debug.getinfo(f, "S")
      return ("%s:%d"):format(info.short_src, info.linedefined + 1)
    end
    assert(tb:find("[inner] " .. at(inner_body), 1, true), tb)
    assert(tb:find("[outer] " .. at(outer_body), 1, true), tb)
    assert(not tb:find("plenary_async/", 1, true), "no frames of the module itself: " .. tb)
    -- An unnamed task is tagged by its number.
    local u = va.run(function()
      va.sleep(10000)
    end)
    assert(u:traceback():find("^stack traceback:\n\t%[task %d+%] "), u:traceback())
    t:close()
    u:close()
    t:pwait(100)
    u:pwait(100)
  end)

  it("raise_on_error reports a failure to Neovim with its traceback, not a close", function()
    local out = require("support").child({
      'local va = require("plenary_async").vim_async',
      'va.run("failing", function() va.sleep(1); error("reported failure", 0) end):raise_on_error()',
      'local c = va.run("closed", function() va.sleep(10000) end):raise_on_error()',
      "c:close()",
      "vim.wait(300, function() return false end)",
    })
    local stderr = out.stderr
    assert(stderr:find("reported failure\nstack traceback:", 1, true), stderr)
    assert(stderr:find("[failing] ", 1, true), stderr)
    assert(not stderr:find("closed", 1, true), "a close is not reported: " .. stderr)
  end)

  it("an error carries the task's traceback", function()
    local t = va.run(function()
      va.sleep(1)
      error("deep")
    end)
    local ok, err = t:pwait(1000)
    assert(not ok and tostring(err):find("deep", 1, true))
    assert(t:traceback(err):find("stack traceback", 1, true))
  end)

  it("an error raised through awaits and child failures carries every task's frames, innermost first", function()
    local function failing_body()
      va.sleep(1)
      error("deep", 0)
    end
    local function middle_body()
      va.await(va.run("failing", failing_body))
    end
    local function top_body()
      va.run("middle", middle_body) -- not awaited: its failure is the top task's
      va.sleep(10000)
    end
    local top = va.run("top", top_body)
    local ok, err = top:pwait(2000)
    assert(not ok and err == "child error: deep", tostring(err))
    local tb = top:traceback()
    local function at(f, offset)
      local info = debug.getinfo(f, "S")
      return ("%s:%d"):format(info.short_src, info.linedefined + offset)
    end
    local f = tb:find("[failing] " .. at(failing_body, 2), 1, true)
    local m = tb:find("[middle] " .. at(middle_body, 1), 1, true)
    local t = tb:find("[top] " .. at(top_body, 2), 1, true)
    assert(tb:find("^child error: deep\nstack traceback:\n") and f and m and t and f < m and m < t, tb)
  end)

  it("a semaphore limits holders, first come first served", function()
    local log = {}
    va.run(function()
      local sem = va.semaphore(2)
      for i = 1, 4 do
        va.run(function()
          sem:with(function()
            table.insert(log, "start" .. i)
            va.sleep(5)
            table.insert(log, "end" .. i)
          end)
        end)
      end
    end):wait(1000)
    -- At most two hold a permit at once, and the waiters get theirs in the
    -- order they asked (a released permit's waiter resumes from the queue,
    -- on a later turn: both first holders may end before it starts).
    local holding, most, starts = 0, 0, {}
    for _, e in ipairs(log) do
      if e:find("^start") then
        holding = holding + 1
        table.insert(starts, e)
      else
        holding = holding - 1
      end
      most = math.max(most, holding)
    end
    assert(most == 2 and #log == 8, vim.inspect(log))
    assert(vim.deep_equal(starts, { "start1", "start2", "start3", "start4" }), vim.inspect(log))
    local ok = pcall(function()
      va.semaphore(1):release()
    end)
    assert(not ok, "releasing more than acquired is an error")
  end)

  it("resumes a suspended task on a later turn, never inside the call that woke it", function()
    local log = {}
    local sem = va.semaphore(1)
    local t = va.run(function()
      sem:acquire()
      va.run(function()
        sem:acquire()
        table.insert(log, "waiter acquired")
        sem:release()
      end)
      va.checkpoint() -- the child starts and waits for the permit
      table.insert(log, "before release")
      sem:release()
      table.insert(log, "after release")
    end)
    t:wait(1000)
    assert(vim.deep_equal(log, { "before release", "after release", "waiter acquired" }), vim.inspect(log))
  end)

  it("semaphore checks its permits", function()
    for _, permits in ipairs({ 0, -1, 1.5, math.huge, "2" }) do
      local ok, err = pcall(va.semaphore, permits)
      assert(
        not ok and tostring(err):find("vim_async.semaphore: permits: expected positive integer", 1, true),
        tostring(err)
      )
    end
  end)

  it("error(false) is a failure too", function()
    local t = va.run(function()
      local ok, err = pcall(
        va.await,
        va.run(function()
          error(false, 0)
        end)
      )
      assert(ok == false and err == false)
      return "not the outcome"
    end)
    local ok, err = t:pwait(1000)
    assert(ok == false and err == false, tostring(err))
  end)

  it("wrap(argc, fn) makes an async function", function()
    local f = va.wrap(2, function(x, cb)
      vim.defer_fn(function()
        cb(x * 2)
      end, 1)
    end)
    assert(va.run(function()
      return f(21)
    end):wait(1000) == 42)
  end)
end)

describe("vim_async: allocation", function()
  it("a child that runs and completes at once allocates its record and nothing more", function()
    -- (Bytes, with the collector stopped: deterministic, unlike time. The
    -- record is about 280 bytes; a field added on this path makes LuaJIT
    -- double its hash part, and a coroutine per task would add ~480.)
    local function child()
      return 1
    end
    local function run_await(n)
      local done = false
      va.run(function()
        for _ = 1, n do
          va.await(va.run(child))
        end
      end):on_complete(function()
        done = true
      end)
      assert(vim.wait(5000, function()
        return done
      end, 1))
    end
    run_await(2000) -- warm up (traces compiled, coroutines pooled)
    collectgarbage("collect")
    collectgarbage("stop")
    local before = collectgarbage("count")
    run_await(5000)
    local per_task = (collectgarbage("count") - before) * 1024 / 5000
    collectgarbage("restart")
    assert(per_task < 560, ("%.0f bytes per run + await"):format(per_task))
  end)
end)

describe("vim_async: config", function()
  it("replaces the loop bindings that wait, sleep and timeout use, and checks its options", function()
    local waits, timers = 0, 0
    va.config({
      wait = function(ms, pred)
        waits = waits + 1
        return vim.wait(ms, pred)
      end,
      new_timer = function()
        timers = timers + 1
        return vim.uv.new_timer()
      end,
      schedule = vim.schedule,
      debug = true,
    })
    local ok, err = pcall(function()
      va.run(function()
        va.sleep(1)
      end):wait(1000)
    end)
    va.config({ wait = vim.wait, new_timer = vim.uv.new_timer })
    assert(ok, tostring(err))
    assert(waits == 1 and timers == 1, ("%d waits, %d timers"):format(waits, timers))
    local bad = {
      { "nope", "expected a table of options" },
      { { colour = 1 }, 'unknown option "colour"' },
      { { wait = 1 }, 'option "wait" must be a function, got number' },
      { { debug = "yes" }, 'option "debug" must be a boolean, got string' },
    }
    for _, case in ipairs(bad) do
      local ok2, err2 = pcall(va.config, case[1])
      assert(not ok2 and tostring(err2):find(case[2], 1, true), tostring(err2))
    end
  end)
end)

describe("vim_async: coroutine safety", function()
  it("a plain coroutine.yield() fails the task (a plenary task goes on after one)", function()
    local t = va.run(function()
      coroutine.yield("not an await")
      return "went on"
    end)
    local ok, err = t:pwait(1000)
    assert(not ok and tostring(err):find("^Unexpected coroutine.yield%(%)"), tostring(err))
    assert(t:completed())
    local plenary_result
    a.run(function()
      coroutine.yield()
      return "went on"
    end, function(_, v)
      plenary_result = v
    end)
    vim.wait(1000, function()
      return plenary_result ~= nil
    end)
    assert(plenary_result == "went on", tostring(plenary_result))
  end)

  it("a coroutine.resume of a task's coroutine fails, fails the task and closes what it awaited", function()
    local record, co = {}, nil
    local t = va.run(function()
      co = coroutine.running()
      forever(record)
    end)
    local status, err = coroutine.resume(co)
    assert(status == false and err == "Unexpected coroutine.resume()", tostring(err))
    local ok, terr = t:pwait(1000)
    assert(not ok and tostring(terr):find("^Unexpected coroutine.resume%(%)"), tostring(terr))
    assert(record.closed, "the awaited handle was closed")
  end)
end)

describe("vim_async: one runtime, two APIs", function()
  it("a vim_async task awaits plenary-style functions and channels", function()
    local tx, rx = a.control.channel.oneshot()
    local t = va.run(function()
      a.util.sleep(2)
      return rx()
    end)
    vim.defer_fn(function()
      tx("sent")
    end, 5)
    assert(t:wait(1000) == "sent")
  end)

  ait("a plenary task awaits a vim_async task through a.wrap of on_complete", function()
    local t = va.run(function()
      va.sleep(2)
      return "from vim_async"
    end)
    local err, v = a.wrap(function(cb)
      t:on_complete(cb)
    end, 1)()
    assert(err == nil and v == "from vim_async")
  end)

  it("as_vim_async installs vim.async when Neovim has none", function()
    local saved = rawget(vim, "async")
    vim.async = nil
    assert(a.as_vim_async() == va and vim.async == va)
    local mine = {}
    vim.async = mine
    assert(a.as_vim_async() == mine, "never replaces one unless asked")
    assert(a.as_vim_async(true) == va)
    vim.async = saved
  end)
end)

describe("vim_async: annotations", function()
  it("ship a LuaLS file that parses and covers the table and the Task methods", function()
    local meta = ROOT .. "/lua/plenary_async/vim_async_meta.lua"
    assert(loadfile(meta))
    local text = table.concat(vim.fn.readfile(meta), "\n")
    for name, f in pairs(va) do
      if type(f) == "function" then
        assert(text:find("function M%." .. name .. "%("), "not annotated: " .. name)
      end
    end
    for _, m in ipairs({
      "close",
      "completed",
      "detach",
      "on_complete",
      "wait",
      "pwait",
      "raise_on_error",
      "status",
      "traceback",
    }) do
      assert(text:find("function Task:" .. m .. "%("), "not annotated: Task:" .. m)
    end
  end)
end)
