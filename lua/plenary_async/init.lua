-- plenary.async's API for Neovim plugins: `require("plenary_async")`.
--
-- This folder is the whole module, plain Lua with no build step: a plugin
-- manager's clone is an installed plugin. This file is the public surface
-- only; each piece is a module of its own that requires what it uses:
--
-- | module | |
-- |---|---|
-- | task.lua | the scheduler: how tasks start, wait and resume |
-- | async.lua | `run`, `void`, `wrap`, `await` |
-- | validate.lua | argument checks and their messages |
-- | waiters.lua | the first-in-first-out list of waiting tasks |
-- | timer.lua | sleeps: one libuv timer for all |
-- | util.lua, control.lua, structs.lua | `a.util`, `a.control`, `a.structs` |
-- | uv.lua (uv_fs.lua, uv_handle.lua) | `a.uv` on luv |
-- | lsp.lua, api.lua, tests.lua | `a.lsp`, `a.api`, `a.tests` |
-- | plenary.lua | `as_plenary()`: plenary's own contracts |
-- | vim_async.lua (tree.lua) | Neovim's `vim.async` API, structured tasks |
-- | health.lua | `:checkhealth plenary_async` |
local async = require("plenary_async.async")

local M = {}

M.run = async.run
M.void = async.void
M.wrap = async.wrap
M.await = async.await
M.in_task = async.in_task
M.is_leaf_function = async.is_leaf_function
M.get_leaf_function_argc = async.get_leaf_function_argc

M.util = require("plenary_async.util")
M.control = require("plenary_async.control")
M.structs = require("plenary_async.structs")
M.uv = require("plenary_async.uv")
M.lsp = require("plenary_async.lsp")
M.api = require("plenary_async.api")
M.tests = require("plenary_async.tests")
M.it = M.tests.it
M.describe = M.tests.describe
M.vim_async = require("plenary_async.vim_async")

--- The version of these Lua files (version.lua).
M.VERSION = require("plenary_async.version")

--- Which core serves `a.uv`, and why: always `"lua"` (luv, Neovim's own
--- `vim.uv`) since version 0.2.0, which removed the native module (it was
--- no faster: docs/BENCHMARKS.md). Kept for plugins that ask.
function M.backend()
  return "lua", "luv (vim.uv) serves a.uv: the one core since version 0.2.0"
end

--- Registers this module as `plenary.async` (and its submodules), with
--- plenary's own contracts where they differ from this module's (see
--- plenary.lua), so that plugins written against plenary.async run on it
--- unchanged. Returns that table.
function M.as_plenary()
  return require("plenary_async.plenary").install()
end

--- Installs `M.vim_async` as `vim.async` when Neovim has none (0.11, 0.12);
--- with `force`, also over a built-in one. Returns the table now in
--- `vim.async`.
function M.as_vim_async(force)
  if vim.async == nil or force then
    vim.async = M.vim_async
  end
  return vim.async
end

return M
