-- A plugin-style scenario through as_plenary(), written for this project:
-- plenary.async used the way plugins use it, with the results plenary's
-- semantics give.
local a = require("plenary_async").as_plenary()
local uv = require("plenary.async").uv
local util = require("plenary.async.util")
local channel = require("plenary.async.control").channel

--- Reads a whole file with uv.fs_* (plenary's `err, result` returns).
local function read_file(path)
  local err, fd = uv.fs_open(path, "r", 438)
  assert(not err, err)
  local err2, stat = uv.fs_fstat(fd)
  assert(not err2, err2)
  local err3, data = uv.fs_read(fd, stat.size, 0)
  assert(not err3, err3)
  assert(not uv.fs_close(fd))
  return data
end

describe("a plugin on as_plenary()", function()
  it("reads files from a void autocmd handler, over mpsc, join, block_on and vim.wait", function()
    local dir = vim.fn.tempname()
    vim.fn.mkdir(dir, "p")
    for i = 1, 3 do
      vim.fn.writefile({ "line of file " .. i }, dir .. "/f" .. i .. ".txt")
    end

    -- A consumer task: collects what the handler produces.
    local tx, rx = channel.mpsc()
    local collected, consumer_done = {}, false
    a.run(function()
      while true do
        local name, text = rx.recv()
        if name == nil then
          break
        end
        collected[name] = text
      end
      consumer_done = true
    end)

    -- The handler: a void function on a user autocommand.
    local group = vim.api.nvim_create_augroup("plenary_async_plugin_spec", { clear = true })
    local handled = false
    vim.api.nvim_create_autocmd("User", {
      group = group,
      pattern = "PluginSpecRead",
      callback = a.void(function()
        local names = { "f1.txt", "f2.txt", "f3.txt" }
        local reads = {}
        for i, name in ipairs(names) do
          reads[i] = function()
            return name, read_file(dir .. "/" .. name)
          end
        end
        for _, r in ipairs(util.join(reads)) do
          tx.send(r[1], r[2])
        end
        -- block_on inside a task, with a timeout: other tasks keep running.
        local size = util.block_on(function()
          local _, stat = uv.fs_stat(dir .. "/f1.txt")
          return stat.size
        end, 5000)
        tx.send("size", size)
        tx.send(nil)
        handled = true
      end),
    })
    vim.api.nvim_exec_autocmds("User", { pattern = "PluginSpecRead" })
    assert(
      vim.wait(10000, function()
        return handled and consumer_done
      end),
      "the handler or the consumer did not finish"
    )
    vim.api.nvim_del_augroup_by_id(group)
    for i = 1, 3 do
      assert(collected["f" .. i .. ".txt"] == "line of file " .. i .. "\n", vim.inspect(collected))
    end
    assert(collected.size == #"line of file 1\n")
    vim.fn.delete(dir, "rf")
  end)

  it("orders a send from the main chunk as plenary does", function()
    local tx, rx = channel.oneshot()
    local log = {}
    a.run(function()
      local v = rx()
      log[#log + 1] = "task got " .. v
    end, function()
      log[#log + 1] = "callback"
    end)
    log[#log + 1] = "before send"
    tx("x")
    log[#log + 1] = "after send"
    assert(table.concat(log, ",") == "before send,task got x,callback,after send", table.concat(log, ","))
  end)
end)
