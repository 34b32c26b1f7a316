-- Which core serves (backend.lua): each case in a Neovim of its own, on a
-- copy of lua/plenary_async/ whose native module is missing, not a library,
-- of another version, or the real one; and the setting that forces a core.
-- Every case must give a working API (a task that sleeps and stats a file)
-- and a backend() that names the core and says why.
local uv = vim.uv
local NATIVE = (jit.os == "Windows") and "native.dll" or "native.so"

--- A copy of the Lua files in a fresh folder; `native` is nil (no module),
--- a string (the module file's contents) or true (the real module).
local function tree(native, version)
  local dir = vim.fn.tempname()
  local dest = dir .. "/lua/plenary_async"
  vim.fn.mkdir(dest, "p")
  for _, f in ipairs(vim.fn.glob(ROOT .. "/lua/plenary_async/*.lua", false, true)) do
    assert(uv.fs_copyfile(f, dest .. "/" .. vim.fn.fnamemodify(f, ":t")))
  end
  if version then
    vim.fn.writefile({ ("return %q"):format(version) }, dest .. "/version.lua")
  end
  if native == true then
    assert(uv.fs_copyfile(ROOT .. "/lua/plenary_async/" .. NATIVE, dest .. "/" .. NATIVE))
  elseif native then
    vim.fn.writefile({ native }, dest .. "/" .. NATIVE)
  end
  return dir
end

--- Runs a Neovim on `dir`'s Lua files with `env`; returns the core's name,
--- the reason, and what the task printed.
local function probe(dir, env, setting)
  local script = dir .. "/probe.lua"
  vim.fn.writefile({
    ("package.path = %q .. package.path"):format(dir .. "/lua/?.lua;" .. dir .. "/lua/?/init.lua;"),
    setting and ("vim.g.plenary_async_backend = %q"):format(setting) or "",
    "local notes = {}",
    "vim.notify = function(m) notes[#notes + 1] = m end",
    'local a = require("plenary_async")',
    "local name, why = a.backend()",
    "local out = a.util.block_on(function()",
    "  a.util.sleep(1)",
    ("  local err, st = a.uv.fs_stat(%q)"):format(dir),
    "  return err or st.type",
    "end, 10000)",
    "vim.wait(100, function() return #notes > 0 end)",
    'io.stdout:write(name, "\\n", why, "\\n", out, "\\n", table.concat(notes, " | "), "\\n")',
  }, script)
  local e = vim.tbl_extend("force", { PLENARY_ASYNC_BACKEND = "" }, env or {})
  local r = vim.system({ vim.v.progpath, "--clean", "--headless", "-l", script }, { env = e, text = true }):wait(60000)
  assert(r.code == 0, ("the probe failed: %s %s"):format(r.stdout, r.stderr))
  local lines = vim.split((r.stdout:gsub("\r", "")), "\n")
  return lines[1], lines[2], lines[3], lines[4]
end

local have_native = uv.fs_stat(ROOT .. "/lua/plenary_async/" .. NATIVE) ~= nil

describe("choosing the core", function()
  it("serves the Lua core, saying why, when no native module was built", function()
    local dir = tree(nil)
    local name, why, out = probe(dir)
    assert(name == "lua", name)
    assert(why:find("^no native module at .*[/\\]native%.[sd][ol]l? %(build it with `nvim %-l build%.lua`"), why)
    assert(out == "directory", out)
    vim.fn.delete(dir, "rf")
  end)

  it("serves the Lua core when the native file is not a library", function()
    local dir = tree("this is not a shared library")
    local name, why, out = probe(dir)
    assert(name == "lua", name)
    assert(why:find("cannot be loaded"), why)
    assert(out == "directory", out)
    vim.fn.delete(dir, "rf")
  end)

  it("forced to the native core that cannot serve: the Lua core, a warning and the reason", function()
    local dir = tree(nil)
    local name, why, out, notes = probe(dir, { PLENARY_ASYNC_BACKEND = "native" })
    assert(name == "lua", name)
    assert(why:find("^%$PLENARY_ASYNC_BACKEND is native, but no native module"), why)
    assert(out == "directory", out)
    assert(notes:find("the Lua core serves"), notes)
    vim.fn.delete(dir, "rf")
  end)

  it("takes vim.g.plenary_async_backend, and says so of a value it does not know", function()
    local dir = tree(have_native or nil)
    local name, why = probe(dir, nil, "lua")
    assert(name == "lua" and why == "vim.g.plenary_async_backend is lua", why)
    name, why = probe(dir, nil, "fast")
    assert(why:find('^vim.g.plenary_async_backend is "fast", which is not lua, native or auto: auto; '), why)
    assert(name == (have_native and "native" or "lua"), name)
    vim.fn.delete(dir, "rf")
  end)

  native_it("serves the native core when it was built from these Lua files", function()
    local dir = tree(true)
    local name, why, out = probe(dir)
    assert(name == "native", name .. ": " .. why)
    assert(why:find("^the native module .*native%.[sd][ol]l? %(version "), why)
    assert(out == "directory", out)
    -- The environment variable wins over the setting.
    name = probe(dir, { PLENARY_ASYNC_BACKEND = "lua" }, "native")
    assert(name == "lua", name)
    vim.fn.delete(dir, "rf")
  end)

  native_it("leaves a native module of another version alone: the Lua core serves", function()
    local dir = tree(true, "0.0.0-other")
    local name, why, out = probe(dir)
    assert(name == "lua", name)
    assert(why:find("was built from version " .. vim.pesc(require("plenary_async").VERSION) .. " of the Lua files, these are 0%.0%.0%-other"), why)
    assert(out == "directory", out)
    vim.fn.delete(dir, "rf")
  end)

  -- scripts/test-lua-windows.sh builds the native module for Windows and
  -- names it here: it loads into Neovim 0.11's nvim.exe, which exports no
  -- libuv function, so it cannot start there.
  local unattachable = os.getenv("PLENARY_ASYNC_TEST_UNATTACHABLE")
  ;(unattachable and it or pending)(
    "a native module that finds no libuv in Neovim gives the Lua core, saying which function is missing"
      .. (unattachable and "" or " (run by scripts/test-lua-windows.sh only)"),
    function()
      local dir = tree(nil)
      assert(uv.fs_copyfile(unattachable, dir .. "/lua/plenary_async/" .. NATIVE))
      local name, why, out, notes = probe(dir, nil, "native")
      assert(name == "lua", name)
      assert(why:find("cannot run on this Neovim: .*exports no libuv function `uv_"), why)
      assert(not why:find("traceback"), why)
      assert(out == "directory", out)
      assert(notes:find("the Lua core serves"), notes)
      vim.fn.delete(dir, "rf")
    end
  )

  -- (lua5.1 comes with luarocks: a host process with no libuv in it.)
  local lua51 = vim.fn.executable("lua5.1") == 1
  ;((have_native and lua51) and it or pending)(
    "in a host that exports no libuv, the native module loads and refuses to start with a message, never an abort"
      .. ((have_native and not lua51) and ": skipped, lua5.1 is not installed (Debian: apt-get install lua5.1)" or ""),
    function()
      local path = ROOT .. "/lua/plenary_async/" .. NATIVE
      local r = vim
        .system({
          "lua5.1",
          "-e",
          ([[local v = assert(package.loadlib(%q, 'luaopen_plenary_async_native_version'))
            local open = assert(package.loadlib(%q, 'luaopen_plenary_async_native'))
            local ok, err = pcall(open)
            io.write(v(), '|', tostring(ok), '|', tostring(err))]]):format(path, path),
        }, { text = true })
        :wait(30000)
      assert(r.code == 0 and r.signal == 0, ("lua5.1 ended badly: %s %s"):format(r.code, r.stderr))
      -- The version is read without libuv; the start names the first
      -- function missing, which backend.lua reports as "cannot run on this
      -- Neovim: ..." before the Lua core serves.
      assert(
        r.stdout:find("^" .. vim.pesc(require("plenary_async").VERSION) .. "|false|.*exports no libuv function `uv_"),
        r.stdout
      )
    end
  )

  it(":checkhealth plenary_async reports the core, the versions, Neovim and Rust plugins", function()
    local health = require("plenary_async.health")
    local lines = {}
    local saved = vim.health
    local function rec(kind)
      return function(msg)
        lines[#lines + 1] = kind .. " " .. msg
      end
    end
    vim.health = { start = rec("start"), ok = rec("ok"), info = rec("info"), warn = rec("warn"), error = rec("error") }
    local ok, err = pcall(health.check)
    vim.health = saved
    assert(ok, err)
    local text = table.concat(lines, "\n")
    local name = require("plenary_async").backend()
    assert(text:find("core: " .. name), text)
    assert(text:find("Neovim %d+%.%d+%.%d+"), text)
    -- Linux's Neovim exports libuv: Rust plugins attach; Neovim 0.11's
    -- Windows build exports none.
    if jit.os == "Windows" then
      assert(text:find("warn Rust plugins cannot attach"), text)
    else
      assert(text:find("ok Rust plugins can attach"), text)
    end
  end)
end)
