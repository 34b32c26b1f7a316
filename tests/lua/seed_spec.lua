-- The seed's Lua snippets (the description of plenary.async this project
-- implements), run as written through as_plenary(), except where the
-- description calls something that does not exist; each such place says so.
local a = require("plenary_async").as_plenary()
assert(require("plenary.async") == a)
local util = a.util

describe("the seed's snippets", function()
  it("a.wrap of a callback-style timer, awaited in a.run", function()
    -- As written: `a.wrap(vim.defer, 2)`. `vim.defer` does not exist
    -- (`vim.defer_fn(fn, ms)` takes its callback first), so a defer with the
    -- callback last stands in for it.
    local function defer(ms, cb)
      vim.defer_fn(cb, ms)
    end
    local sleep_async = a.wrap(defer, 2)
    local printed
    a.run(function()
      sleep_async(100) -- Awaits 100ms
      printed = "Done!"
    end)
    assert(vim.wait(5000, function()
      return printed == "Done!"
    end))
  end)

  it("a.run with a callback receiving success and the results", function()
    -- `some_async_operation` is the description's placeholder. This is the
    -- description's contract, which require("plenary_async") follows; plenary's
    -- own `run` (as_plenary) passes the results only (plenary_spec.lua).
    local ours = require("plenary_async")
    local function some_async_operation()
      util.sleep(1)
      return "result"
    end
    local got
    ours.run(function()
      local result = some_async_operation()
      return result
    end, function(success, ...)
      got = { success, ... }
    end)
    assert(vim.wait(5000, function()
      return got ~= nil
    end))
    assert(got[1] == true and got[2] == "result")
  end)

  it("a.void: fire and forget, with vim.schedule inside", function()
    local ran = false
    local schedule_async = a.void(function()
      vim.schedule(function()
        ran = true
      end)
    end)
    schedule_async()
    assert(vim.wait(5000, function()
      return ran
    end))
  end)

  it("oneshot: the receiver blocks until the sender is called", function()
    local tx, rx = a.control.channel.oneshot()
    local got
    a.run(function()
      local value = rx() -- Blocks here!
      got = value
    end)
    tx("hello") -- Unblocks the receiver
    assert(vim.wait(5000, function()
      return got == "hello"
    end))
  end)

  it("counter: each send unblocks a recv", function()
    local sender, receiver = a.control.channel.counter()
    local notes = {}
    a.run(function()
      receiver.recv()
      table.insert(notes, "Got notification!")
      receiver.recv()
      table.insert(notes, "Another notification!")
    end)
    sender.send()
    sender.send()
    assert(vim.wait(5000, function()
      return #notes == 2
    end))
  end)

  it("mpsc: two producers, one consumer", function()
    local sender, receiver = a.control.channel.mpsc()
    a.run(function()
      for i = 1, 5 do
        sender.send(i)
        a.util.sleep(10)
      end
    end)
    a.run(function()
      for i = 6, 10 do
        sender.send(i)
        a.util.sleep(10)
      end
    end)
    -- As written, the consumer's `while true do receiver.recv() end` runs at
    -- the top level, outside any task; there it raises a clear error (it
    -- would have to yield, and nothing could resume it):
    local ok, err = pcall(receiver.recv)
    assert(not ok and err:find("async function"), err)
    -- Inside a task, as the description means it (ten values, then stop):
    local received = {}
    a.run(function()
      while #received < 10 do
        local value = receiver.recv() -- Blocks if queue empty
        table.insert(received, value)
      end
    end)
    assert(vim.wait(5000, function()
      return #received == 10
    end))
  end)

  it("recv in util.block_on (blocks Neovim's main code, not its loop)", function()
    local sender, receiver = a.control.channel.mpsc()
    vim.defer_fn(function()
      sender.send("data")
    end, 10)
    local data = util.block_on(function()
      return receiver.recv()
    end)
    assert(data == "data")
  end)

  it("uv.fs_read, as written, misuses its arguments and says so", function()
    -- As written: `uv.fs_read("file.txt")`; plenary's fs_read takes a file
    -- descriptor, a size and an offset, so a path is refused.
    local uv = require("plenary.async").uv
    local ok, err = pcall(util.block_on, function()
      local content = uv.fs_read("file.txt")
      return content
    end)
    assert(not ok and err:find("fs_read"), err)
  end)

  -- The lsp snippet (`lsp.buf_request(0, "textDocument/hover", params)`)
  -- runs in lsp_spec.lua against fake servers; the worker pool in
  -- control_spec.lua.
end)

describe("async test", function()
  a.it("should do something async", function()
    local start = vim.uv.now()
    a.util.sleep(100)
    assert(vim.uv.now() - start >= 100)
  end)
end)
