-- `:checkhealth plenary_async`: the version of the Lua files, Neovim's
-- version, a setting left from the native module's time, and whether Rust
-- plugins (plenary-async-nvim) can attach on this Neovim.
local M = {}

--- Whether this Neovim exports libuv's functions to the modules it loads
--- (what a Rust plugin calls): asked through LuaJIT's FFI, which looks
--- names up in the running executable.
local function host_exports_libuv()
  local ok, ffi = pcall(require, "ffi")
  if not ok then
    return nil, "LuaJIT's FFI is not available to ask"
  end
  pcall(ffi.cdef, "unsigned int uv_version(void);")
  local found, version = pcall(function()
    return ffi.C.uv_version()
  end)
  if not found then
    return false, tostring(version)
  end
  local n = assert(tonumber(version)) -- (uv_version() returns an unsigned int)
  return true, ("libuv %d.%d.%d"):format(math.floor(n / 65536), math.floor(n / 256) % 256, n % 256)
end
M.host_exports_libuv = host_exports_libuv

function M.check()
  local health = vim.health
  health.start("plenary_async")
  local a = require("plenary_async")
  health.ok(("version %s: plain Lua; a.uv on luv (vim.uv)"):format(a.VERSION))
  if vim.g.plenary_async_backend ~= nil then
    health.warn(
      ("vim.g.plenary_async_backend is %q, which does nothing since version 0.2.0"):format(
        tostring(vim.g.plenary_async_backend)
      ),
      { "remove the setting: the native module is gone, and luv serves a.uv" }
    )
  end
  local v = (vim.version --[[@as fun(): vim.Version]])()
  local shown = ("%d.%d.%d"):format(v.major, v.minor, v.patch)
  if vim.fn.has("nvim-0.10") == 1 then
    health.ok("Neovim " .. shown)
  else
    health.warn("Neovim " .. shown .. ": plenary_async is tested on 0.10 and later")
  end
  local exports, detail = host_exports_libuv()
  if exports then
    health.ok(("Rust plugins can attach: this Neovim exports libuv's functions (%s)"):format(detail))
  elseif exports == false then
    health.warn(
      "Rust plugins cannot attach: this Neovim exports no libuv functions (Neovim's Windows builds; neovim PR #40322 would add them)",
      { "plenary_async's Lua API works here; a Rust plugin's attach() reports this error" }
    )
  else
    health.info("whether Rust plugins can attach is unknown: " .. detail)
  end
end

return M
