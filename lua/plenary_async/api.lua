-- `a.api.nvim_*(...)`: `vim.api`, callable from a task in any context: in
-- a fast event (a libuv callback) it first waits for the main loop, where
-- the API may be called. Async functions.
local only_in_task = require("plenary_async.async").only_in_task
local util = require("plenary_async.util")

return setmetatable({}, {
  __index = function(t, name)
    local f = vim.api[name]
    if type(f) ~= "function" then
      return nil
    end
    local wrapped = only_in_task("api." .. name, function(...)
      if vim.in_fast_event() then
        util.scheduler()
      end
      return f(...)
    end)
    rawset(t, name, wrapped)
    return wrapped
  end,
})
