---@meta
-- Return types that Neovim 0.11.4's own annotations lack (runtime/lua/
-- vim/_meta/builtin.lua declares these with none), for the type check of
-- lua/ (.emmyrc.json). Never loaded at run time.

--- Whether the code runs in a fast event (a libuv callback).
---@return boolean
function vim.in_fast_event() end
