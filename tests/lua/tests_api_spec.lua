-- a.tests (describe/it/before_each/after_each/pending/add_to_env) and a.api.
local a = require("plenary_async")

local support = require("support")

--- Runs busted, in a Neovim of its own, on a spec of tests/fixtures with
--- busted's `args`; returns what busted reported (its json output).
local function busted_on(fixture, args)
  local cmd = { vim.v.progpath, "--clean", "-l", ROOT .. "/tests/busted.lua", "-o", "json" }
  vim.list_extend(cmd, { "--lpath=" .. ROOT .. "/lua/?.lua;" .. ROOT .. "/lua/?/init.lua" })
  vim.list_extend(cmd, args or {})
  table.insert(cmd, ROOT .. "/tests/fixtures/" .. fixture)
  -- (Run from the fixtures' folder: no .busted there.)
  local r = vim.system(cmd, { text = true, cwd = ROOT .. "/tests/fixtures" }):wait(60000)
  local json = r.stdout:match("({.*})%s*$")
  assert(json, ("busted printed no report (exit %s): %s %s"):format(r.code, r.stdout, r.stderr))
  local report = vim.json.decode(json)
  report.code = r.code
  return report
end

local function names(list)
  local out = {}
  for _, t in ipairs(list) do
    table.insert(out, t.name)
  end
  return out
end

describe("a.tests under busted run by Neovim", function()
  it("reports a plenary user's async spec as busted reports any: passes, failures, errors, timeouts", function()
    local r = busted_on("plenary_style.lua")
    assert.are.same({
      "a plenary user's spec passes after awaiting",
      "a plenary user's spec saw after_each run after every test, failed or not",
      "through plenary.async.tests awaits",
    }, names(r.successes))
    -- An assertion that fails inside the task is a failure (luassert's
    -- own error value reaches busted), not an error, and not a pass.
    assert.are.same({ "a plenary user's spec fails an assertion after awaiting" }, names(r.failures))
    assert.are.same({
      "a plenary user's spec raises an error after awaiting",
      "a plenary user's spec outlives its limit",
    }, names(r.errors))
    assert.are.equal(1, r.code) -- busted's exit status on failures
    -- The error carries the task's traceback, the timeout where it waited.
    local boom, late = r.errors[1].message, r.errors[2].message
    assert.is_truthy(boom:find("plenary_style.lua:30: boom after awaiting\nstack traceback:", 1, true), boom)
    assert.is_truthy(
      late:find(
        'test "outlives its limit" timed out after 50 ms (opts.timeout); the task was canceled while waiting here:\nstack traceback:',
        1,
        true
      ),
      late
    )
    assert.is_truthy(late:find("plenary_style.lua:34:", 1, true), late)
  end)

  it("with the busted helper, makes plain it and hooks async, with -Xhelper's limit", function()
    local r = busted_on("helper_style.lua", { "--helper=plenary_async.busted", "-Xhelper", "timeout=100" })
    assert.are.same({
      "every body is async awaits in the body",
      "every body is async made by a.tests.it too: not wrapped twice",
    }, names(r.successes))
    assert.are.same({ "every body is async fails an assertion after awaiting" }, names(r.failures))
    assert.are.same({ "every body is async outlives the helper's limit" }, names(r.errors))
    local late = r.errors[1].message
    assert.is_truthy(
      late:find('test "outlives the helper\'s limit" timed out after 100 ms (opts.timeout)', 1, true),
      late
    )
  end)
end)

describe("a.tests", function()
  it("outside any runner says what is missing", function()
    local out = support.child({
      'local a = require("plenary_async")',
      "local ok, err = pcall(a.tests.it, 'x', function() end)",
      "io.stdout:write(err)",
    })
    assert.are.equal(
      "plenary_async.tests.it: no `it` in the calling file's environment or in _G; run the file under a test runner (busted, mini.test, plenary's harness)",
      out.stdout
    )
  end)

  it("rejects bad arguments with the whole message, at the caller", function()
    local cases = {
      {
        a.tests.it,
        { 1, function() end },
        "plenary_async.tests.it: argument #1 must be a string (the test's name), got 1",
      },
      { a.tests.it, { "x", "f" }, "plenary_async.tests.it: argument #2 must be a function, got a string" },
      {
        a.tests.it,
        { "x", function() end, 5 },
        "plenary_async.tests.it: argument #3 must be a table of options or nil, got 5",
      },
      {
        a.tests.before_each,
        { function() end, { timeout = -1 } },
        "plenary_async.tests.before_each: opts.timeout must be a number of milliseconds from 0 to 2147483647, got -1",
      },
      { a.tests.wrap, { nil }, "plenary_async.tests.wrap: argument #1 must be a function, got nil" },
    }
    for _, c in ipairs(cases) do
      local ok, err = pcall(function()
        c[1](unpack(c[2], 1, 3))
      end)
      assert.is_false(ok)
      assert.are.equal("tests_api_spec.lua", err:match("([%w_]+%.lua):%d+: "), err)
      assert.are.equal(c[3], err:gsub("^[^:]+:%d+: ", ""))
    end
  end)

  it("wrap: a blocking function for any runner, returning the task's results", function()
    local f = a.tests.wrap(function(x, y)
      a.util.sleep(1)
      return x + y, "done"
    end)
    local sum, word = f(2, 3)
    assert.are.same({ 5, "done" }, { sum, word })
  end)

  it("wrap: a timeout cancels the task and names the limit's source", function()
    local saved = vim.env.PLENARY_TEST_TIMEOUT
    vim.env.PLENARY_TEST_TIMEOUT = "20"
    local reached = false
    local ok, err = pcall(a.tests.wrap(function()
      a.util.sleep(200)
      reached = true
    end))
    vim.env.PLENARY_TEST_TIMEOUT = saved
    assert.is_false(ok)
    assert.is_truthy(
      err:find(
        "^the wrapped function timed out after 20 ms %(PLENARY_TEST_TIMEOUT%); the task was canceled while waiting here:\nstack traceback:"
      ),
      err
    )
    -- Canceled: it never resumes, even once its sleep would have ended.
    vim.wait(300, function()
      return reached
    end)
    assert.is_false(reached)
  end)

  it("add_to_env puts a.it and friends into the caller's environment", function()
    local chunk = loadstring("require('plenary_async').tests.add_to_env(); return a")
    local env = setmetatable({}, { __index = _G })
    setfenv(chunk, env)
    local got = chunk()
    assert(type(got.it) == "function" and type(got.describe) == "function")
    assert(type(got.util.sleep) == "function")
  end)
end)

describe("a.api", function()
  ait("calls the API from a task, even after a raw libuv callback", function()
    local buf = a.api.nvim_create_buf(false, true)
    -- Resume from a luv timer callback (a fast event, where vim.api errors).
    local after_timer = a.wrap(function(cb)
      local t = vim.uv.new_timer()
      t:start(5, 0, function()
        t:close()
        cb(vim.in_fast_event())
      end)
    end, 1)
    assert(after_timer() ~= nil)
    a.api.nvim_buf_set_lines(buf, 0, -1, false, { "via a.api" })
    assert(a.api.nvim_buf_get_lines(buf, 0, -1, false)[1] == "via a.api")
    a.api.nvim_buf_delete(buf, { force = true })
  end)

  it("is async: outside a task it says so", function()
    local ok, err = pcall(a.api.nvim_get_current_buf)
    assert(not ok and err:find("api.nvim_get_current_buf is an async function"), err)
  end)
end)

describe("a task started from a raw libuv callback", function()
  it("does not run there (fast event) but from the next tick, where the API works", function()
    local result
    local t = vim.uv.new_timer()
    t:start(1, 0, function()
      t:close()
      require("plenary_async").run(function()
        result = { vim.in_fast_event(), pcall(vim.api.nvim_get_current_buf) }
      end)
    end)
    assert(vim.wait(5000, function()
      return result ~= nil
    end))
    assert(result[1] == false, "the task ran in a fast event")
    assert(result[2] == true, "the API failed in the task: " .. tostring(result[3]))
  end)
end)
