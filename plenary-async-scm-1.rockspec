-- The Lua module as a rock: `luarocks make` (or rocks.nvim's install)
-- installs lua/plenary_async/, the whole API: plain Lua, no build step.
--
-- Every file of lua/plenary_async/ is listed (tests/lua/install_spec.lua
-- checks that none is missing).
rockspec_format = "3.0"
package = "plenary-async"
version = "scm-1"
source = {
  url = "git+https://example.invalid/plenary-async",
}
description = {
  summary = "plenary.async for Neovim plugins, in plain Lua",
  detailed = [[
plenary.async's API (run, void, wrap, util, control, uv, lsp, api, tests),
as_plenary() for plugins written against plenary.async, and Neovim's
vim.async API (vim_async), on Neovim's own loop.]],
  license = "MIT",
  labels = { "neovim", "async" },
}
dependencies = {
  "lua >= 5.1",
}
build = {
  type = "builtin",
  modules = {
    ["plenary_async.api"] = "lua/plenary_async/api.lua",
    ["plenary_async.async"] = "lua/plenary_async/async.lua",
    ["plenary_async.busted"] = "lua/plenary_async/busted.lua",
    ["plenary_async.control"] = "lua/plenary_async/control.lua",
    ["plenary_async.health"] = "lua/plenary_async/health.lua",
    ["plenary_async"] = "lua/plenary_async/init.lua",
    ["plenary_async.lsp"] = "lua/plenary_async/lsp.lua",
    ["plenary_async.meta"] = "lua/plenary_async/meta.lua",
    ["plenary_async.plenary"] = "lua/plenary_async/plenary.lua",
    ["plenary_async.structs"] = "lua/plenary_async/structs.lua",
    ["plenary_async.task"] = "lua/plenary_async/task.lua",
    ["plenary_async.tests"] = "lua/plenary_async/tests.lua",
    ["plenary_async.timer"] = "lua/plenary_async/timer.lua",
    ["plenary_async.tree"] = "lua/plenary_async/tree.lua",
    ["plenary_async.util"] = "lua/plenary_async/util.lua",
    ["plenary_async.uv"] = "lua/plenary_async/uv.lua",
    ["plenary_async.uv_fs"] = "lua/plenary_async/uv_fs.lua",
    ["plenary_async.uv_handle"] = "lua/plenary_async/uv_handle.lua",
    ["plenary_async.validate"] = "lua/plenary_async/validate.lua",
    ["plenary_async.version"] = "lua/plenary_async/version.lua",
    ["plenary_async.vim_async"] = "lua/plenary_async/vim_async.lua",
    ["plenary_async.vim_async_meta"] = "lua/plenary_async/vim_async_meta.lua",
    ["plenary_async.waiters"] = "lua/plenary_async/waiters.lua",
  },
  -- :help plenary_async (luarocks.nvim and rocks.nvim put doc/ on the runtimepath)
  copy_directories = { "doc" },
}
