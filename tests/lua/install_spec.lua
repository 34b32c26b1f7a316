-- Installing: a clone on the runtimepath (what lazy.nvim, packer and
-- vim.pack make) works with no build step; the rockspec installs every
-- file, and what `luarocks make` installs works.
local uv = vim.uv

local function read(path)
  local f = assert(io.open(path, "rb"))
  local s = f:read("*a")
  f:close()
  return s
end

--- A copy of the plugin's Lua files in a fresh folder.
local function clone()
  local dir = vim.fn.tempname()
  vim.fn.mkdir(dir .. "/lua/plenary_async", "p")
  for _, f in ipairs(vim.fn.glob(ROOT .. "/lua/plenary_async/*.lua", false, true)) do
    assert(uv.fs_copyfile(f, dir .. "/lua/plenary_async/" .. vim.fn.fnamemodify(f, ":t")))
  end
  vim.fn.mkdir(dir .. "/doc", "p")
  assert(uv.fs_copyfile(ROOT .. "/doc/plenary_async.txt", dir .. "/doc/plenary_async.txt"))
  return dir
end

--- Runs `lines` in a Neovim of its own (extra `args` before -l); returns
--- its standard output.
local function run(args, lines)
  -- (bare: the module must come from the installed copy, not this checkout)
  local r = require("support").child(lines, { args = args, bare = true, timeout = 120000 })
  assert(r.code == 0, ("exit %s: %s %s"):format(r.code, r.stdout, r.stderr))
  return r.stdout
end

-- A task that sleeps, reads a file through a.uv and goes through
-- as_plenary(): prints "<core> ok".
local PROBE = {
  'local a = require("plenary_async")',
  "local got = a.util.block_on(function()",
  "  a.util.sleep(1)",
  ("  local err, st = a.uv.fs_stat(%q)"):format(ROOT),
  "  return err or st.type",
  "end, 10000)",
  'assert(got == "directory", got)',
  'assert(require("plenary_async").as_plenary() == require("plenary.async"))',
  'io.stdout:write(a.backend(), " ok\\n")',
}

describe("installing", function()
  it("a clone on the runtimepath is an installed plugin: no build step, Neovim's own loader", function()
    local dir = clone()
    -- (With vim.loader, as lazy.nvim enables it.)
    local lines = { "vim.loader.enable()" }
    vim.list_extend(lines, PROBE)
    local out = run({ "--cmd", "set rtp^=" .. dir }, lines)
    assert(out == "lua ok\n", out)
    vim.fn.delete(dir, "rf")
  end)

  it("the rockspec lists every file of lua/plenary_async/", function()
    local spec = read(ROOT .. "/plenary-async-scm-1.rockspec")
    for _, f in ipairs(vim.fn.glob(ROOT .. "/lua/plenary_async/*.lua", false, true)) do
      local rel = f:sub(#ROOT + 2):gsub("\\", "/")
      assert(spec:find('"' .. rel .. '"', 1, true), rel .. " is not in the rockspec")
    end
  end)

  local luarocks = vim.fn.executable("luarocks") == 1
  (luarocks and it or pending)(
    "what `luarocks make` installs works (the Lua core)"
      .. (luarocks and "" or ": skipped, luarocks is not installed (Debian: apt-get install luarocks)"),
    function()
      local src = clone()
      assert(uv.fs_copyfile(ROOT .. "/plenary-async-scm-1.rockspec", src .. "/plenary-async-scm-1.rockspec"))
      local tree = vim.fn.tempname()
      local r = vim
        .system({ "luarocks", "make", "--tree", tree, "plenary-async-scm-1.rockspec" }, { cwd = src, text = true })
        :wait(120000)
      assert(r.code == 0, r.stdout .. r.stderr)
      local share = vim.fn.glob(tree .. "/share/lua/*", false, true)[1]
      assert(share and uv.fs_stat(share .. "/plenary_async/init.lua"), "nothing installed under " .. tree)
      local doc = vim.fn.glob(tree .. "/lib/luarocks/rocks-*/plenary-async/scm-1/doc/plenary_async.txt", false, true)
      assert(#doc == 1, "the rock has no doc/plenary_async.txt")
      local lines = { ("package.path = %q .. package.path"):format(share .. "/?.lua;" .. share .. "/?/init.lua;") }
      vim.list_extend(lines, PROBE)
      local out = run({}, lines)
      assert(out == "lua ok\n", out)
      vim.fn.delete(tree, "rf")
      vim.fn.delete(src, "rf")
    end
  )
end)
