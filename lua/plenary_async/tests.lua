-- `a.tests`: `describe`, `it`, `pending`, `before_each`, `after_each`:
-- the test harness's own functions, with `it`, `before_each` and
-- `after_each` bodies run as tasks (limit: $PLENARY_TEST_TIMEOUT ms, else
-- 2000; a timeout fails the test, unlike plenary's).
local will_block = require("plenary_async.util").will_block

local tests = {}

local function test_timeout()
  return tonumber(vim.env.PLENARY_TEST_TIMEOUT) or 2000
end

local function harness(name)
  local f = rawget(_G, name)
  if type(f) ~= "function" then
    error(("plenary_async.tests.%s: no global %s; run under a test harness"):format(name, name), 3)
  end
  return f
end

function tests.describe(name, fn)
  return harness("describe")(name, fn)
end

function tests.it(name, fn)
  return harness("it")(name, will_block(fn, test_timeout()))
end

function tests.pending(name, fn)
  return harness("pending")(name, fn)
end

function tests.before_each(fn)
  return harness("before_each")(will_block(fn, test_timeout()))
end

function tests.after_each(fn)
  return harness("after_each")(will_block(fn, test_timeout()))
end

--- Puts `a` (with `a.describe`, `a.it`, …) into the calling chunk's
--- environment, as plenary's `add_to_env` does.
function tests.add_to_env()
  local env = getfenv(2)
  env.a = env.a or {}
  for k, v in pairs(tests) do
    if k ~= "add_to_env" then
      env.a[k] = v
    end
  end
  for k, v in pairs(require("plenary_async")) do
    if env.a[k] == nil then
      env.a[k] = v
    end
  end
end
--- Sets the global `a` to this module, with `a.describe`, `a.it`, ...
function tests.add_globals()
  local M = require("plenary_async")
  _G.a = M
  for k, v in pairs(tests) do
    if k ~= "add_to_env" and k ~= "add_globals" then
      M[k] = v
    end
  end
end

return tests
