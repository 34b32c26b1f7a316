-- A busted helper that makes every test body async: with
-- `busted --helper=plenary_async.busted` (or `helper = "plenary_async.busted"`
-- in `.busted`), each `it` and each `before_each`/`after_each`/`setup`/
-- `teardown` runs as a task and may await, with `a.tests`'s limit
-- ($PLENARY_TEST_TIMEOUT ms, else 2000; `-Xhelper timeout=<ms>` sets it
-- for the run). Bodies already made by `a.tests.it` are left as they are.
--
-- busted announces every registration on its event bus, `{"register",
-- <descriptor>}`, and its own handler ends the announcement. The handler
-- here is put first: it announces the registration again with the body
-- made async, and ends the first announcement.
local tests = require("plenary_async.tests")

local ok, busted = pcall(require, "busted")
if not ok or type(busted) ~= "table" or busted.subscribe == nil then
  error("plenary_async.busted: load it as busted's helper (busted --helper=plenary_async.busted)", 0)
end

local timeout
for _, a in ipairs(_G.arg or {}) do
  local ms = a:match("^timeout=(.*)$")
  if ms ~= nil then
    timeout = tonumber(ms)
    if timeout == nil or timeout < 0 or timeout > 2 ^ 31 - 1 then
      error(
        ("plenary_async.busted: timeout must be a number of milliseconds from 0 to %d, got %q"):format(2 ^ 31 - 1, ms),
        0
      )
    end
  end
end

-- The descriptors whose bodies become async (the aliases, `spec`, `test`,
-- `setup` and `teardown`, are announced under these).
local descriptors = {
  it = "test",
  before_each = "before_each",
  after_each = "after_each",
  strict_setup = "setup",
  strict_teardown = "teardown",
  lazy_setup = "lazy_setup",
  lazy_teardown = "lazy_teardown",
}

local again = false
for descriptor, what in pairs(descriptors) do
  busted.subscribe({ "register", descriptor }, function(name, fn, trace, attributes)
    if again or type(fn) ~= "function" or tests._made[fn] then
      return nil, true -- on to busted's own handler
    end
    local label = descriptor == "it" and ("test %q"):format(tostring(name)) or what
    again = true
    local pok, err =
      pcall(busted.publish, { "register", descriptor }, name, tests._async_body(label, fn, timeout), trace, attributes)
    again = false
    if not pok then
      error(err, 0)
    end
    return nil, false
  end, { priority = 1 })
end

return true
