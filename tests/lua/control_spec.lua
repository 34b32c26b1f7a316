-- a.control: channels, Condvar, Semaphore, and the seed's worker pool.
local a = require("plenary_async")
local channel = a.control.channel

local pack = require("support").pack

describe("oneshot", function()
  ait("delivers to a receiver that waits first", function()
    local tx, rx = channel.oneshot()
    vim.defer_fn(function()
      tx("hello")
    end, 5)
    assert(rx() == "hello")
  end)

  ait("keeps a value sent before anyone waits, with nil and false", function()
    local tx, rx = channel.oneshot()
    tx(false, nil, 3)
    local r = pack(rx())
    assert(r.n == 3 and r[1] == false and r[2] == nil and r[3] == 3)
  end)

  it("refuses a second send", function()
    local tx = channel.oneshot()
    tx(1)
    local ok, err = pcall(tx, 2)
    assert(not ok and err:find("only send once"), err)
  end)
end)

describe("counter", function()
  ait("each send unblocks one recv; last takes them all", function()
    local sender, receiver = channel.counter()
    local got = 0
    a.run(function()
      receiver.recv()
      got = 1
      receiver.recv()
      got = 2
    end)
    a.util.sleep(5)
    assert(got == 0)
    sender.send()
    a.util.sleep(5)
    assert(got == 1)
    sender.send()
    a.util.sleep(5)
    assert(got == 2)
    sender.send()
    sender.send()
    receiver.last()
  end)
end)

describe("mpsc", function()
  ait("carries values from several producers in each one's order", function()
    local sender, receiver = channel.mpsc()
    for p = 0, 1 do
      a.run(function()
        for i = 1, 5 do
          sender.send(p * 10 + i)
          a.util.sleep(1)
        end
      end)
    end
    local seen = { [0] = {}, [1] = {} }
    for _ = 1, 10 do
      local v = receiver.recv()
      table.insert(seen[math.floor(v / 10)], v % 10)
    end
    for p = 0, 1 do
      assert(table.concat(seen[p], ",") == "1,2,3,4,5", table.concat(seen[p], ","))
    end
  end)

  ait("last returns the newest value and drops the rest; nil values are carried", function()
    local sender, receiver = channel.mpsc()
    sender.send(1)
    sender.send(nil, "two")
    sender.send(3)
    assert(receiver.last() == 3)
    sender.send(nil)
    local r = pack(receiver.recv())
    assert(r.n == 1 and r[1] == nil)
  end)
end)

describe("Condvar", function()
  ait("notify_one wakes the longest waiter first (plenary picks at random)", function()
    local cv = a.control.Condvar.new()
    local woke_tx, woke_rx = a.control.channel.mpsc()
    for i = 1, 4 do
      -- (A task runs at once up to its first wait: all four wait in order.)
      a.run(function()
        cv:wait()
        woke_tx.send(i)
      end)
    end
    local order = {}
    for _ = 1, 4 do
      cv:notify_one()
      table.insert(order, woke_rx.recv()) -- the one it woke, once it ran
    end
    assert.are.same({ 1, 2, 3, 4 }, order)
  end)

  ait("notify_all wakes everyone waiting", function()
    local cv = a.control.Condvar.new()
    local woke_tx, woke_rx = a.control.channel.counter()
    for _ = 1, 5 do
      a.run(function()
        cv.wait() -- the dot form works too
        woke_tx.send()
      end)
    end
    cv:notify_all()
    for _ = 1, 5 do
      woke_rx.recv() -- (hangs, and the test's limit fails it, if one is not woken)
    end
  end)

  ait("notify_all wakes each task waiting at the call once, also one that waits again at once", function()
    -- Found by a plugin's suite: the list emptied by the call took the
    -- re-waiting tasks in again, and the same call woke them a second time.
    local cv = a.control.Condvar.new()
    local wakes = { 0, 0, 0 }
    for i = 1, 3 do
      a.run(function()
        while true do
          cv:wait()
          wakes[i] = wakes[i] + 1
        end
      end)
    end
    cv:notify_all() -- each woken task runs to its next wait before this returns
    assert(table.concat(wakes, ",") == "1,1,1", table.concat(wakes, ","))
    cv:notify_all()
    assert(table.concat(wakes, ",") == "2,2,2", table.concat(wakes, ","))
    -- One waiter: the call emptied the list before the task waited again.
    local alone = a.control.Condvar.new()
    local n = 0
    a.run(function()
      while true do
        alone:wait()
        n = n + 1
      end
    end)
    alone:notify_all()
    assert(n == 1, n)
  end)

  ait("has plenary's handles field: the waiters of the moment", function()
    -- (Found by a plugin's suite: plenary's objects carry it.)
    local cv = a.control.Condvar.new()
    assert(type(cv.handles) == "table" and #cv.handles == 0)
    local woken = 0
    for _ = 1, 3 do
      a.run(function()
        cv:wait()
        woken = woken + 1
      end)
    end
    assert(#cv.handles == 3, #cv.handles)
    cv:notify_one()
    assert(woken == 1 and #cv.handles == 2, #cv.handles)
    cv.handles[1]() -- a handle ends its waiter's wait, as plenary's callback does
    assert(woken == 2 and #cv.handles == 1, #cv.handles)
    cv:notify_all()
    assert(woken == 3 and #cv.handles == 0)
    local sem = a.control.Semaphore.new(1)
    local held = sem:acquire()
    a.run(function()
      sem:acquire():forget()
    end)
    assert(#sem.handles == 1 and sem.permits == 0)
    held:forget()
    assert(#sem.handles == 0 and sem.permits == 1)
  end)
end)

describe("Semaphore", function()
  ait("serves waiters first-in-first-out (plenary: last-in-first-out)", function()
    local sem = a.control.Semaphore.new(1)
    local held = sem:acquire()
    local got_tx, got_rx = a.control.channel.mpsc()
    for i = 1, 5 do
      a.run(function()
        local p = sem:acquire()
        got_tx.send(i)
        a.util.sleep(1)
        p:forget()
      end)
    end
    held:forget()
    local order = {}
    for _ = 1, 5 do
      table.insert(order, got_rx.recv()) -- each in turn, as it gets the permit
    end
    assert.are.same({ 1, 2, 3, 4, 5 }, order)
  end)

  it("rejects a negative or fractional permit count", function()
    local ok, err = pcall(a.control.Semaphore.new, -1)
    assert(not ok and err:find("permits >= 0"), err)
    ok = pcall(a.control.Semaphore.new, 1.5)
    assert(not ok)
    ok = pcall(a.control.Semaphore.new, "three")
    assert(not ok)
  end)

  it("runs the seed's worker pool with at most 3 workers at once", function()
    -- The seed's snippet, with its `semaphore.acquire()` (a dot call, which
    -- plenary's Semaphore would reject) and its consumer ending when the
    -- queue is drained.
    local MAX_WORKERS = 3
    local semaphore = a.control.Semaphore.new(MAX_WORKERS)
    local task_sender, task_receiver = channel.mpsc()
    local running, peak, done = 0, 0, 0
    a.run(function()
      for _ = 1, 10 do
        local task = task_receiver.recv()
        local permit = semaphore.acquire()
        a.run(function()
          running = running + 1
          peak = math.max(peak, running)
          a.util.sleep(task.duration)
          running = running - 1
          done = done + 1
          permit:forget()
        end)
      end
    end)
    for i = 1, 10 do
      task_sender.send({ name = "Task " .. i, duration = 20 })
    end
    assert(vim.wait(10000, function()
      return done == 10
    end))
    assert(peak == MAX_WORKERS, "peak " .. peak)
  end)
end)
