-- Which core serves the Lua API: the native module (Rust: the
-- plenary-async runtime on Neovim's own loop) or the Lua core (luv, from
-- these files alone). Everything above the core (the scheduler, channels,
-- timers, vim_async's task tree, plenary's contracts) is Lua and the same
-- on both; the core is the part that does I/O:
--
-- | field | |
-- |---|---|
-- | `parked` | the value an async function returns, with a number, when it has to wait |
-- | `set_deliver(f)` | `f(id, true, results...)` or `f(id, false, message)` ends operation `id` |
-- | `cancel_op(id)` | drops operation `id` (its task was canceled) |
-- | `uv` | the `fs_*` functions, `getaddrinfo`, `getnameinfo`: `true, err, result` at once, or `parked, id` |
-- | `uv_handle` | the awaited handle functions (`tcp_connect`, `listen`, `read`, `write`, `close`, ...), the same way |
-- | `uv_handle_sync` | `new_tcp`, `new_pipe`, `new_udp`, the synchronous handle functions, `_is_handle`, `_kind`, `_set_methods` |
-- | `version` | (native) the version of the Lua files it was built with |
--
-- The choice, made once per Neovim (the first `require`):
--
-- 1. `$PLENARY_ASYNC_BACKEND` if set and not empty, else
--    `vim.g.plenary_async_backend`: `"lua"`, `"native"` or `"auto"` (the
--    default).
-- 2. Unless that says `"lua"`: the native module is `native.so` (`native.dll`
--    on Windows) beside this file, built by `nvim -l build.lua`. It is used
--    if it exists, loads on this Neovim, starts, and was built from Lua
--    files of this version (version.lua). Its version is read from a
--    separate entry point before anything starts: a module of another
--    version never attaches to the loop.
-- 3. Otherwise the Lua core serves. That is never an error: with
--    `"native"` forced, a module that cannot serve is reported once with
--    vim.notify (a warning) and the Lua core serves too.
--
-- `require("plenary_async").backend()` returns the name and the reason;
-- `:checkhealth plenary_async` (health.lua) shows them with the rest.
local M = {}

local uv = vim.uv or vim.loop

--- This folder (init.lua passes its own: a plugin manager's clone, a
--- luarocks tree, or the repository).
local dir = ...

local function is_windows()
  return (jit and jit.os == "Windows") or package.config:sub(1, 1) == "\\"
end

--- Where the native module is looked for.
function M.native_path()
  return dir .. "/native" .. (is_windows() and ".dll" or ".so")
end

local VERSION = dofile(dir .. "/version.lua")
M.VERSION = VERSION

local BUILD = "build it with `nvim -l build.lua` in the plugin's folder"

--- A loader's error on one line (Windows' messages end with CR LF), without
--- a traceback.
local function oneline(err)
  return (tostring(err):gsub("%s*stack traceback:.*$", ""):gsub("[\r\n]+", " "):gsub("%s+$", ""))
end

--- The native core, or nil and why not.
local function native()
  local path = M.native_path()
  if not uv.fs_stat(path) then
    return nil, ("no native module at %s (%s)"):format(path, BUILD)
  end
  local version_fn, err = package.loadlib(path, "luaopen_plenary_async_native_version")
  if not version_fn then
    return nil, ("the native module at %s cannot be loaded: %s"):format(path, oneline(err))
  end
  local ok, version = pcall(version_fn)
  if not ok or type(version) ~= "string" then
    return nil, ("the native module at %s does not say its version: %s"):format(path, oneline(version))
  end
  M.native_version = version
  if version ~= VERSION then
    return nil,
      ("the native module at %s was built from version %s of the Lua files, these are %s (%s again)"):format(
        path,
        version,
        VERSION,
        BUILD
      )
  end
  local open
  open, err = package.loadlib(path, "luaopen_plenary_async_native")
  if not open then
    return nil, ("the native module at %s cannot be loaded: %s"):format(path, oneline(err))
  end
  local core
  ok, core = pcall(open)
  if not ok or type(core) ~= "table" then
    return nil, ("the native module at %s cannot run on this Neovim: %s"):format(path, oneline(core))
  end
  return core, ("the native module %s (version %s)"):format(path, version)
end

local chosen

--- The core, its name ("native" or "lua") and the reason, chosen once.
function M.choose()
  if chosen then
    return chosen.core, chosen.name, chosen.reason
  end
  local env = vim.env.PLENARY_ASYNC_BACKEND
  local setting, from
  if env ~= nil and env ~= "" then
    setting, from = env, "$PLENARY_ASYNC_BACKEND"
  else
    setting, from = vim.g.plenary_async_backend, "vim.g.plenary_async_backend"
  end
  local note = nil
  if setting ~= nil and setting ~= "auto" and setting ~= "lua" and setting ~= "native" then
    note = ("%s is %q, which is not lua, native or auto: auto"):format(from, tostring(setting))
    setting = "auto"
  end
  local core, name, reason
  if setting == "lua" then
    name, reason = "lua", ("%s is lua"):format(from)
  else
    core, reason = native()
    if core then
      name = "native"
      if setting == "native" then
        reason = ("%s, as %s asks"):format(reason, from)
      end
    else
      name = "lua"
      if setting == "native" then
        reason = ("%s is native, but %s"):format(from, reason)
        vim.schedule(function()
          vim.notify("plenary_async: " .. reason .. "; the Lua core serves", vim.log.levels.WARN)
        end)
      end
    end
  end
  if not core then
    core = assert(loadfile(dir .. "/lua_core.lua"))(dir)
  end
  if note then
    reason = note .. "; " .. reason
  end
  chosen = { core = core, name = name, reason = reason }
  return core, name, reason
end

return M
