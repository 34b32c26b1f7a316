-- The build step: builds the native core of `require("plenary_async")`
-- and puts it at lua/plenary_async/native.so (native.dll on Windows).
--
--   nvim -l build.lua            (any OS; no shell needed)
--
-- lazy.nvim runs this file by itself after an install or update (a
-- `build.lua` at a plugin's root); other managers take the command above
-- as their build step (README, "Install"). The step is optional: without
-- it, and wherever it cannot run, the Lua core serves the same API.
--
-- * Without cargo it says so and ends successfully (the Lua core serves).
-- * It asks cargo where the library went (`--message-format=json`), so a
--   `CARGO_TARGET_DIR` or a `build.target-dir` setting is honoured.
-- * The new library replaces the old one by a rename, never by writing
--   into it: a Neovim that has the old one loaded keeps running it.
local uv = vim.uv or vim.loop

local source = debug.getinfo(1, "S").source
local root = (source:sub(1, 1) == "@" and source:sub(2) or source):match("^(.*)[/\\][^/\\]*$") or "."
root = vim.fn.fnamemodify(root, ":p"):gsub("[/\\]$", "")
local windows = (jit and jit.os == "Windows") or package.config:sub(1, 1) == "\\"
local dest = root .. "/lua/plenary_async/native" .. (windows and ".dll" or ".so")

-- Standard output under `nvim -l` (which sets `arg`); the message area (or
-- lazy.nvim's build log) when sourced inside Neovim.
local function say(msg)
  if _G.arg then
    io.stdout:write("plenary_async: ", msg, "\n")
    io.stdout:flush()
  else
    print("plenary_async: " .. msg)
  end
end

if vim.fn.executable("cargo") == 0 then
  say("cargo was not found, so the native module is not built; the Lua core serves (install Rust from https://rustup.rs and run `nvim -l build.lua` again to build it)")
  return
end

local result = vim
  .system({
    "cargo",
    "build",
    "--release",
    "--manifest-path",
    root .. "/crates/nvim/Cargo.toml",
    "-p",
    "plenary-async-lua",
    "--message-format=json-render-diagnostics",
  }, { text = true, cwd = root })
  :wait()

if result.code ~= 0 then
  error(
    ("plenary_async: cargo build failed (exit %d); the Lua core serves meanwhile:\n%s"):format(
      result.code,
      result.stderr or ""
    ),
    0
  )
end

-- The cdylib's file among cargo's artefacts: .so on Linux and the BSDs,
-- .dylib on macOS, .dll on Windows (not its import library).
local built
for line in (result.stdout or ""):gmatch("[^\n]+") do
  local ok, msg = pcall(vim.json.decode, line)
  if ok and type(msg) == "table" and msg.reason == "compiler-artifact" and msg.target and msg.target.name == "plenary_async_native" then
    for _, f in ipairs(msg.filenames or {}) do
      if f:match("%.so$") or f:match("%.dylib$") or f:match("%.dll$") then
        built = f
      end
    end
  end
end
if not built then
  error("plenary_async: cargo built, but named no library of plenary_async_native among its artefacts", 0)
end

local tmp = dest .. ".new"
local ok, err = uv.fs_copyfile(built, tmp)
if not ok then
  error(("plenary_async: cannot copy %s to %s: %s"):format(built, tmp, tostring(err)), 0)
end
if windows and uv.fs_stat(dest) then
  -- (A loaded DLL cannot be replaced, but it can be renamed.)
  uv.fs_unlink(dest .. ".old")
  uv.fs_rename(dest, dest .. ".old")
end
ok, err = uv.fs_rename(tmp, dest)
if not ok then
  uv.fs_unlink(tmp)
  error(("plenary_async: cannot put the module at %s: %s"):format(dest, tostring(err)), 0)
end
say(("built %s (from %s)"):format(dest, built))
