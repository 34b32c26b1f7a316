-- Every API function called with wrong arguments raises a Lua error with a
-- message; nothing crashes or aborts Neovim (if it did, the suite would
-- stop here without its final count).
local a = require("plenary_async")

local wrong = { "nil", 42, -1, 1.5, "text", {}, true, function() end }
local function value(v)
  if v == "nil" then
    return nil
  end
  return v
end

-- Plain functions (callable anywhere).
local plain = {
  ["run"] = a.run,
  ["void"] = a.void,
  ["wrap"] = a.wrap,
  ["util.block_on"] = function(x, y)
    return a.util.block_on(x, y)
  end,
  ["util.will_block"] = a.util.will_block,
  ["util.run_all"] = a.util.run_all,
  ["control.Semaphore.new"] = a.control.Semaphore.new,
  ["control.Condvar.new"] = a.control.Condvar.new,
  ["control.channel.oneshot"] = a.control.channel.oneshot,
  ["control.channel.mpsc"] = a.control.channel.mpsc,
  ["control.channel.counter"] = a.control.channel.counter,
}

-- Async functions (called inside a task).
local async = {
  ["util.sleep"] = a.util.sleep,
  ["util.join"] = a.util.join,
  ["util.race"] = a.util.race,
  ["util.run_first"] = a.util.run_first,
  ["util.apcall"] = a.util.apcall,
  ["util.protected"] = a.util.protected,
}

local function check(name, ok, err)
  if not ok then
    assert(type(err) == "string" and #err > 0, name .. ": the error is not a message: " .. tostring(err))
  end
end

describe("wrong arguments", function()
  it("to every plain function give an error message, never a crash", function()
    for name, f in pairs(plain) do
      for _, x in ipairs(wrong) do
        for _, y in ipairs({ "nil", 0, "x", {} }) do
          local ok, err = pcall(f, value(x), value(y))
          check(name, ok, err)
        end
      end
    end
  end)

  ait("to every async function give an error message, never a crash", function()
    for name, f in pairs(a.uv) do
      async["uv." .. name] = f
    end
    -- uv calls with string arguments touch relative paths: work in a
    -- scratch directory.
    local scratch = vim.fn.tempname()
    vim.fn.mkdir(scratch, "p")
    local cwd = vim.fn.getcwd()
    vim.fn.chdir(scratch)
    for name, f in pairs(async) do
      for _, x in ipairs(wrong) do
        if not (name == "util.sleep" and type(value(x)) == "number" and value(x) >= 0) then
          local ok, err = pcall(f, value(x))
          check(name, ok, err)
        end
      end
    end
    vim.fn.chdir(cwd)
    vim.fn.delete(scratch, "rf")
  end, 30000)

  ait("to channel ends and objects give an error message", function()
    local tx, rx = a.control.channel.oneshot()
    tx()
    rx()
    local ok, err = pcall(rx)
    check("oneshot receiver twice", ok, err)
    assert(not ok and err:find("only receive once"), err)
    local sem = a.control.Semaphore.new(0)
    ok, err = pcall(a.util.block_on, function()
      sem.acquire()
    end, 10)
    assert(not ok and err:find("timed out"), err)
  end)
end)
