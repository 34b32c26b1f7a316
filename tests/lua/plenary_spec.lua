-- plenary.async's semantics: the eager order of every primitive, run and
-- void inside a task, synchronous callbacks, the bounds (depth, bursts),
-- waiting inside a task (block_on, will_block, vim.wait) without deadlock,
-- the module tree of as_plenary(), the Deque, join's plain lists and both
-- `run` contracts. Written for this project from plenary's documented
-- behaviour; every `it` here runs in the main chunk, where plenary's order
-- is observable synchronously.
local a = require("plenary_async")
local p = a.as_plenary()
local channel = a.control.channel

local pack = require("support").pack

--- Whether the runtime still resumes tasks: a task that sleeps and then
--- reports back finishes.
local function still_resumes()
  local done = false
  a.run(function()
    a.util.sleep(1)
    a.util.scheduler()
    done = true
  end)
  return vim.wait(5000, function()
    return done
  end)
end

describe("eager resumption", function()
  it("tx(v) runs the waiting receiver before it returns", function()
    local tx, rx = channel.oneshot()
    local log = {}
    a.run(function()
      table.insert(log, "got " .. rx())
    end)
    table.insert(log, "sending")
    tx("v")
    table.insert(log, "sent")
    assert(table.concat(log, ",") == "sending,got v,sent", table.concat(log, ","))
  end)

  it("mpsc send and counter send run the receiver at once", function()
    local stx, srx = channel.mpsc()
    local ctx, crx = channel.counter()
    local got = {}
    a.run(function()
      while true do
        table.insert(got, srx.recv())
      end
    end)
    a.run(function()
      crx.recv()
      table.insert(got, "count")
    end)
    stx.send(1)
    assert(#got == 1 and got[1] == 1)
    stx.send(2)
    assert(#got == 2 and got[2] == 2)
    ctx.send()
    assert(got[3] == "count")
  end)

  it("notify_one wakes the longest waiter, notify_all every waiter, in order", function()
    local cv = a.control.Condvar.new()
    local log = {}
    for i = 1, 3 do
      a.run(function()
        cv:wait()
        table.insert(log, i)
      end)
    end
    cv:notify_one()
    assert(table.concat(log, ",") == "1")
    cv:notify_all()
    assert(table.concat(log, ",") == "1,2,3")
    cv.notify_all() -- nobody waits: nothing happens
    assert(#log == 3)
  end)

  it("permit:forget() hands the permit to the first waiter at once (FIFO; plenary serves the newest)", function()
    local sem = a.control.Semaphore.new(1)
    local order = {}
    local first
    a.run(function()
      first = sem:acquire()
    end)
    assert(first and sem.permits == 0)
    for i = 1, 3 do
      a.run(function()
        local permit = sem.acquire()
        table.insert(order, i)
        permit:forget()
      end)
    end
    assert(#order == 0)
    first:forget()
    assert(table.concat(order, ",") == "1,2,3", table.concat(order, ","))
    assert(sem.permits == 1 and sem:available_permits() == 1)
  end)

  it("a wrapped function's synchronous callback returns without yielding", function()
    local sync = a.wrap(function(x, cb)
      cb(x + 1, "more")
    end, 2)
    local log = {}
    a.run(function()
      local r = pack(sync(1))
      table.insert(log, r[1] .. r[2])
    end)
    table.insert(log, "after run")
    assert(table.concat(log, ",") == "2more,after run", table.concat(log, ","))
  end)

  it("a wrapped function called with its callback calls the original directly", function()
    local called_with
    local f = a.wrap(function(x, cb)
      called_with = x
      cb()
    end, 2)
    local got = false
    f(7, function()
      got = true
    end)
    assert(called_with == 7 and got)
    assert(a.is_leaf_function(f) and a.get_leaf_function_argc(f) == 2)
  end)

  it("run and void inside a task start the new task at once", function()
    local log = {}
    a.run(function()
      a.run(function()
        table.insert(log, "run child")
      end)
      table.insert(log, "after run")
      a.void(function()
        table.insert(log, "void child")
      end)()
      table.insert(log, "after void")
    end)
    assert(table.concat(log, ",") == "run child,after run,void child,after void", table.concat(log, ","))
  end)

  it("a wake from a fast event (a libuv callback) is deferred to a safe tick", function()
    local tx, rx = channel.oneshot()
    local fast_inside
    a.run(function()
      rx()
      fast_inside = vim.in_fast_event()
    end)
    local timer = vim.uv.new_timer()
    timer:start(1, 0, function()
      tx()
    end)
    assert(vim.wait(5000, function()
      return fast_inside ~= nil
    end))
    timer:close()
    assert(fast_inside == false, "the task ran inside the libuv callback")
  end)
end)

describe("bounds", function()
  it("1,000,000 sequential oneshot round trips inside one task complete", function()
    local n = 0
    a.run(function()
      for _ = 1, 1000000 do
        local tx, rx = channel.oneshot()
        a.run(function()
          tx(1)
        end)
        n = n + rx()
      end
    end)
    assert(vim.wait(60000, function()
      return n == 1000000
    end))
  end)

  it("a chain of wakes deeper than the depth bound is queued, not a stack overflow", function()
    -- Each task wakes the next as it wakes: eagerly that nests a resume per
    -- link; past the bound the rest go through the queue.
    local links = 1000
    local txs, rxs = {}, {}
    for i = 1, links do
      txs[i], rxs[i] = channel.oneshot()
    end
    local reached = 0
    for i = 1, links do
      a.run(function()
        rxs[i]()
        reached = i
        if i < links then
          txs[i + 1]()
        end
      end)
    end
    txs[1]()
    assert(reached >= 99 and reached < links, "the bound applies: reached " .. reached)
    assert(vim.wait(5000, function()
      return reached == links
    end))
  end)

  it("two tasks that ping-pong eagerly give the loop a turn (burst budget)", function()
    local fired = false
    local timer = vim.uv.new_timer()
    timer:start(0, 0, function()
      fired = true
    end)
    local to_b, from_b = channel.mpsc()
    local to_a, from_a = channel.mpsc()
    local rounds = 0
    a.run(function()
      while not fired do
        to_b.send(true)
        from_a.recv()
        rounds = rounds + 1
      end
      to_b.send(false)
    end)
    a.run(function()
      while from_b.recv() do
        to_a.send(true)
      end
    end)
    assert(vim.wait(10000, function()
      return fired
    end))
    timer:close()
    assert(rounds > 0)
  end)
end)

describe("waiting inside a task", function()
  it("util.block_on inside a task returns, and the runtime still resumes tasks", function()
    local got
    a.run(function()
      got = a.util.block_on(function()
        return "at once"
      end)
      got = got .. "," .. a.util.block_on(function()
        a.util.sleep(5)
        return "after a sleep"
      end)
    end)
    assert(
      vim.wait(5000, function()
        return got == "at once,after a sleep"
      end),
      tostring(got)
    )
    assert(still_resumes())
  end)

  it("nested block_on, will_block and vim.wait in tasks keep other tasks running", function()
    local log = {}
    local tx, rx = channel.mpsc()
    a.run(function()
      for _ = 1, 3 do
        table.insert(log, rx.recv())
      end
    end)
    a.run(function()
      a.util.block_on(function()
        a.util.block_on(function()
          a.run(function()
            a.util.sleep(2)
            tx.send("inner")
          end)
          vim.wait(1000, function()
            return #log == 1
          end)
          tx.send("nested")
        end)
        a.util.will_block(function(x)
          a.util.sleep(1)
          tx.send(x)
        end)("will_block")
      end)
    end)
    assert(
      vim.wait(5000, function()
        return #log == 3
      end),
      table.concat(log, ",")
    )
    assert(table.concat(log, ",") == "inner,nested,will_block", table.concat(log, ","))
    assert(still_resumes())
  end)

  it("errors, timeouts and failing callbacks inside tasks leave the runtime working", function()
    local outcomes = {}
    a.run(function()
      outcomes[1] = pcall(a.util.block_on, function()
        error("inner failure")
      end)
      outcomes[2] = pcall(a.util.block_on, function()
        a.util.sleep(1000)
      end, 5)
      outcomes[3] = pcall(vim.wait, 5, function()
        error("condition failure")
      end)
    end)
    assert(vim.wait(5000, function()
      return #outcomes == 3
    end))
    assert(outcomes[1] == false and outcomes[2] == false and outcomes[3] == false)
    assert(still_resumes())
  end)

  it("block_on refuses a fast event, with a clear error", function()
    local err
    local timer = vim.uv.new_timer()
    timer:start(0, 0, function()
      err = select(2, pcall(a.util.block_on, function() end))
    end)
    assert(vim.wait(5000, function()
      return err ~= nil
    end))
    timer:close()
    assert(tostring(err):find("fast event"), tostring(err))
    assert(still_resumes())
  end)
end)

describe("as_plenary()", function()
  it("provides every module of plenary.async's tree", function()
    local names = {
      "plenary.async",
      "plenary.async.async",
      "plenary.async.util",
      "plenary.async.control",
      "plenary.async.structs",
      "plenary.async.tests",
      "plenary.async.api",
      "plenary.async.uv_async",
      "plenary.async.lsp",
    }
    for _, name in ipairs(names) do
      assert(type(require(name)) == "table", name)
    end
    local async = require("plenary.async.async")
    for _, f in ipairs({ "wrap", "run", "void", "is_leaf_function", "get_leaf_function_argc" }) do
      assert(type(async[f]) == "function", f)
    end
    for _, f in ipairs({ "add_globals", "add_to_env", "describe", "it", "pending", "before_each", "after_each" }) do
      assert(type(require("plenary.async.tests")[f]) == "function", f)
    end
    assert(require("plenary.async") == p and p.util == require("plenary.async.util"))
    local sem = require("plenary.async.control").Semaphore.new(2)
    assert(sem.permits == 2)
  end)

  it("run passes the results only, as plenary; this module's run passes success first", function()
    local ours, compat
    a.run(function()
      return 1, 2
    end, function(...)
      ours = pack(...)
    end)
    p.run(function()
      return 1, 2
    end, function(...)
      compat = pack(...)
    end)
    assert(ours.n == 3 and ours[1] == true and ours[2] == 1 and ours[3] == 2)
    assert(compat.n == 2 and compat[1] == 1 and compat[2] == 2)
    assert(p.run(function() end) == nil)
  end)

  it("run raises a task's error where plenary raises it, with the task's traceback", function()
    local ok, err = pcall(p.run, function()
      local function failing_in_task()
        error("compat failure")
      end
      failing_in_task()
    end)
    assert(not ok)
    assert(err:find("The coroutine failed with this message:", 1, true), err)
    assert(err:find("compat failure") and err:find("failing_in_task"), err)
    -- Resumed later by tx(): the error is raised from tx, as in plenary.
    local tx, rx = channel.oneshot()
    p.run(function()
      rx()
      error("after the wait")
    end)
    ok, err = pcall(tx)
    assert(not ok and err:find("after the wait"), err)
  end)

  it("util.protected returns a function, as plenary (this module's calls)", function()
    local f = p.util.protected(function()
      error("x")
    end)
    assert(type(f) == "function")
    local got
    p.run(function()
      got = pack(f())
    end)
    assert(got and got[1] == false)
  end)

  it("add_to_env puts plenary.async as `a` into the calling chunk", function()
    local env = setmetatable({}, { __index = _G })
    local chunk = setfenv(function()
      require("plenary.async").tests.add_to_env()
    end, env)
    chunk()
    assert(rawget(env, "a") == p and type(env.a.it) == "function")
  end)
end)

describe("util.join", function()
  it("returns plain lists (vim.islist, no n field), in both APIs", function()
    for _, api in ipairs({ a, p }) do
      local results
      api.run(function()
        results = api.util.join({
          function()
            return 1, 2
          end,
          function()
            a.util.sleep(1)
            return "x"
          end,
        })
      end)
      assert(vim.wait(5000, function()
        return results ~= nil
      end))
      assert(vim.islist(results) and #results == 2)
      for _, r in ipairs(results) do
        assert(vim.islist(r) and r.n == nil)
      end
      assert(results[1][2] == 2 and results[2][1] == "x")
      assert(#vim.iter(results):flatten():totable() == 3)
    end
  end)
end)

describe("the Deque", function()
  it("pushes, pops and iterates with plenary's indices", function()
    local Deque = require("plenary.async.structs").Deque
    local d = Deque.new()
    assert(d:is_empty() and d:len() == 0)
    d:pushleft(1)
    d:pushleft(2)
    d:pushright(3)
    assert(d:len() == 3 and not d:is_empty())
    local left = {}
    for i, v in d:ipairs_left() do
      table.insert(left, i .. "=" .. v)
    end
    assert(table.concat(left, " ") == "-2=2 -1=1 0=3", table.concat(left, " "))
    local right = {}
    for i, v in d:ipairs_right() do
      table.insert(right, i .. "=" .. v)
    end
    assert(table.concat(right, " ") == "0=3 -1=1 -2=2", table.concat(right, " "))
    assert(d:popleft() == 2 and d:popright() == 3 and d:len() == 1)
    d:clear()
    assert(d:is_empty() and d:popleft() == nil and d:popright() == nil)
  end)
end)
