-- `:checkhealth plenary_async`: which core serves and why, the native
-- module's version against the Lua files', Neovim's version, and whether
-- Rust plugins (plenary-async-nvim) can attach on this Neovim.
local M = {}

--- Whether this Neovim exports libuv's functions to the modules it loads
--- (what a Rust plugin, and the native module, call): asked through
--- LuaJIT's FFI, which looks names up in the running executable.
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
  local n = tonumber(version)
  return true, ("libuv %d.%d.%d"):format(math.floor(n / 65536), math.floor(n / 256) % 256, n % 256)
end
M.host_exports_libuv = host_exports_libuv

function M.check()
  local health = vim.health
  health.start("plenary_async")
  local a = require("plenary_async")
  local backend = a._backend
  local name, why = a.backend()
  if name == "native" then
    health.ok(("core: native: %s"):format(why))
  elseif why:find("^no native module") or why:find(" is lua$") then
    health.ok(("core: lua (%s)"):format(why))
    health.info("the Lua core serves the whole API; the native module is optional (`nvim -l build.lua`)")
  else
    health.warn(("core: lua, because %s"):format(why), {
      "run `nvim -l build.lua` in the plugin's folder (it needs cargo), then restart Neovim",
    })
  end
  local native_version = backend.native_version
  if native_version == nil then
    health.info(("Lua files: version %s; no native module was loaded"):format(a.VERSION))
  elseif native_version == a.VERSION then
    health.ok(("native module and Lua files: version %s"):format(a.VERSION))
  else
    health.warn(("native module: version %s; Lua files: version %s"):format(native_version, a.VERSION))
  end
  local v = vim.version()
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
      { "plenary_async's Lua API works here on the Lua core; a Rust plugin's attach() reports this error" }
    )
  else
    health.info("whether Rust plugins can attach is unknown: " .. detail)
  end
end

return M
