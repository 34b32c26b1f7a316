-- a.tests (describe/it/before_each/after_each/pending/add_to_env) and a.api.
local a = require("plenary_async")

local log = {}
a.tests.describe("a.tests", function()
  a.tests.before_each(function()
    a.util.sleep(1) -- hooks may await
    table.insert(log, "before")
  end)
  a.tests.after_each(function()
    table.insert(log, "after")
  end)
  a.tests.it("runs an async body with its hooks", function()
    a.util.sleep(1)
    table.insert(log, "body")
  end)
  it("saw before, body, after in order", function()
    assert(table.concat(log, ",") == "before,body,after,before", table.concat(log, ","))
  end)
  a.tests.pending("is reported as pending", function() end)
end)

describe("a.tests.it", function()
  it("fails (not passes) a body that times out", function()
    local saved = vim.env.PLENARY_TEST_TIMEOUT
    vim.env.PLENARY_TEST_TIMEOUT = "20"
    local body
    local real_it = _G.it
    _G.it = function(_, fn)
      body = fn
    end
    a.tests.it("times out", function()
      a.util.sleep(1000)
    end)
    _G.it = real_it
    vim.env.PLENARY_TEST_TIMEOUT = saved
    local ok, err = pcall(body)
    assert(not ok and err:find("timed out"), tostring(err))
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
