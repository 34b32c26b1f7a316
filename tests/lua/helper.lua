-- busted's helper for this suite (`.busted`): the module and the Rust
-- plugins on Lua's paths, `ROOT` (the checkout), and `ait`, an `it` whose
-- body runs as a task with a 10 s limit (a.tests.it).
local root = vim.fn.fnamemodify(debug.getinfo(1, "S").source:sub(2), ":p:h:h:h")
package.cpath = root .. "/crates/nvim/target/plugins/?.so;" .. package.cpath
package.path = root .. "/lua/?.lua;" .. root .. "/lua/?/init.lua;" .. root .. "/tests/lua/?.lua;" .. package.path

_G.ROOT = root

--- An `it` whose body runs as a task (it may await), with a limit in ms.
function _G.ait(name, body, timeout)
  return require("plenary_async").tests.it(name, body, { timeout = timeout or 10000 })
end
