-- a.tests under each runner plugin authors use: tests/fixtures/any_runner.lua
-- (2 passing and 2 failing async tests) run by busted in Neovim, by
-- mini.test (its busted emulation) and by plenary's harness, each in a
-- Neovim of its own. mini.test and plenary are not fetched here (CI has no
-- GitHub): give checkouts as $MINI_DIR (mini.nvim) and $PLENARY_DIR
-- (plenary.nvim), or their tests are skipped with a message. (lazy.nvim's
-- minit runs busted's own runner in Neovim, as the busted case does; it
-- clones its plugins from GitHub, so it is not run here.)
local support = require("support")

local FIXTURE = ROOT .. "/tests/fixtures/any_runner.lua"

--- busted's Lua modules on package.path, as tests/busted.lua puts them.
local function busted_paths()
  local prefix = vim.env.BUSTED_LUA_DIR or "/usr"
  return ("package.path = %q .. package.path"):format(
    prefix .. "/share/lua/5.1/?.lua;" .. prefix .. "/share/lua/5.1/?/init.lua;"
  )
end

local function counts(out)
  local passed, failed = out:match("(%d+) passed, (%d+) failed")
  return { tonumber(passed), tonumber(failed) }
end

describe("a.tests under", function()
  it("busted run by Neovim", function()
    local r = vim
      .system({
        vim.v.progpath,
        "--clean",
        "-l",
        ROOT .. "/tests/busted.lua",
        "-o",
        ROOT .. "/tests/lua/output.lua",
        "--lpath=" .. ROOT .. "/lua/?.lua;" .. ROOT .. "/lua/?/init.lua",
        FIXTURE,
      }, {
        text = true,
        cwd = ROOT .. "/tests/fixtures",
      })
      :wait(60000)
    assert.are.same({ 2, 2 }, counts(r.stdout), r.stdout .. r.stderr)
  end)

  it(
    "busted with --lua=<a shim that runs nvim -l>, as the README and :help show it (tests/fixtures/moved_spec.lua)",
    function()
      local busted = vim.fn.exepath("busted")
      if vim.fn.has("win32") == 1 or busted == "" or vim.fn.executable("lua") == 0 then
        pending("busted --lua: needs busted on PATH and a Lua to start it (Debian: lua-busted)")
        return
      end
      local dir = vim.fn.tempname()
      vim.fn.mkdir(dir .. "/tests", "p")
      vim.fn.writefile(vim.fn.readfile(ROOT .. "/tests/fixtures/moved_spec.lua"), dir .. "/tests/moved_spec.lua")
      vim.fn.writefile({
        "return {",
        '  default = { lpath = "lua/?.lua;lua/?/init.lua", ROOT = { "tests" } },',
        "}",
      }, dir .. "/.busted")
      vim.fn.writefile({ "#!/bin/sh", ('exec %q -l "$@"'):format(vim.v.progpath) }, dir .. "/tests/nvim-shim")
      vim.uv.fs_chmod(dir .. "/tests/nvim-shim", 493)
      local cpath = {}
      for _, d in ipairs(vim.fn.glob("/usr/lib/*/lua/5.1", false, true)) do
        table.insert(cpath, d .. "/?.so")
      end
      local r = vim
        .system({ busted, "--lua=tests/nvim-shim", "-o", "TAP" }, {
          cwd = dir,
          text = true,
          env = {
            -- As documented, with plenary_async (this checkout) on the path.
            LUA_PATH = ROOT
              .. "/lua/?.lua;"
              .. ROOT
              .. "/lua/?/init.lua;/usr/share/lua/5.1/?.lua;/usr/share/lua/5.1/?/init.lua;;",
            LUA_CPATH = table.concat(cpath, ";") .. ";;",
          },
        })
        :wait(60000)
      vim.fn.delete(dir, "rf")
      assert.are.equal(0, r.code, r.stdout .. r.stderr)
      assert.is_truthy(
        r.stdout:find(
          "ok 1 - a plugin's async code reads what before_each wrote\nok 2 - a plugin's async code waits on a channel\n1..2",
          1,
          true
        ),
        r.stdout
      )
    end
  )

  --- Runs `file` with mini.test in a Neovim of its own; returns what it
  --- printed: "N passed, N failed", then each failure's first line.
  local function mini_test(file)
    local dir = vim.env.MINI_DIR
    if not dir or vim.fn.isdirectory(dir .. "/lua/mini") == 0 then
      return nil
    end
    return support.child({
      ("vim.opt.rtp:prepend(%q)"):format(dir),
      "require('mini.test').setup()",
      "local done = false",
      ("MiniTest.run_file(%q, { execute = { reporter = { finish = function() done = true end } } })"):format(file),
      "vim.wait(60000, function() return done end)",
      "local passed, failed, lines = 0, 0, {}",
      "for _, case in ipairs(MiniTest.current.all_cases) do",
      "  if #case.exec.fails == 0 then passed = passed + 1 else failed = failed + 1 end",
      "  for _, f in ipairs(case.exec.fails) do table.insert(lines, (f:match('^[^\\n]*'))) end",
      "end",
      "io.stdout:write(('%d passed, %d failed\\n'):format(passed, failed), table.concat(lines, '\\n'))",
    }, { timeout = 60000 })
  end

  it("mini.test, in a child Neovim per case (a.tests.wrap)", function()
    local out = mini_test(ROOT .. "/tests/fixtures/mini_child.lua")
    if out == nil then
      pending("mini.test: set MINI_DIR to a mini.nvim checkout")
      return
    end
    assert.are.same({ 2, 2 }, counts(out.stdout), out.stdout .. out.stderr)
    assert.is_truthy(out.stdout:find("an expected failure", 1, true), out.stdout)
    assert.is_truthy(
      out.stdout:find(
        "the wrapped function timed out after 50 ms (opts.timeout); the task was canceled while waiting here:",
        1,
        true
      ),
      out.stdout
    )
  end)

  it("mini.test's busted emulation, in process: the second test that waits says why it cannot", function()
    local out = mini_test(FIXTURE)
    if out == nil then
      pending("mini.test: set MINI_DIR to a mini.nvim checkout")
      return
    end
    -- mini.test runs each case from vim.schedule; the first case's wait
    -- runs the next ones, which stop at once with this message.
    assert.are.same({ 1, 3 }, counts(out.stdout), out.stdout .. out.stderr)
    assert.is_truthy(
      out.stdout:find(
        "plenary_async.tests: before_each started while before_each was still waiting: the runner runs its tests from Neovim's event loop (mini.test does), and a test that waits lets the next one start inside it. Run async code in a child Neovim there (MiniTest.new_child_neovim(); a.tests.wrap in child.lua)",
        1,
        true
      ),
      out.stdout
    )
  end)

  it("plenary's harness (PlenaryBustedFile)", function()
    local dir = vim.env.PLENARY_DIR
    if not dir or vim.fn.isdirectory(dir .. "/lua/plenary") == 0 then
      pending("plenary's harness: set PLENARY_DIR to a plenary.nvim checkout")
      return
    end
    local out = support.child({
      busted_paths(), -- (plenary's harness requires luassert)
      ("vim.opt.rtp:prepend(%q)"):format(dir),
      ("require('plenary.busted').run(%q)"):format(FIXTURE),
    }, { timeout = 60000 })
    local passed = tonumber(out.stdout:match("Success: [^\n]*\t(%d+)"))
    local failed = tonumber(out.stdout:match("Failed : [^\n]*\t(%d+)"))
    assert.are.same({ 2, 2 }, { passed, failed }, out.stdout .. out.stderr)
    assert.are.equal(1, out.code) -- plenary's status when tests failed
  end)
end)
