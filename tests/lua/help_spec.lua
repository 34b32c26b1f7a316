-- doc/plenary_async.txt, the :help file generated from the annotations
-- (scripts/gen-help.sh): current, free of tag errors, opened by
-- `:help plenary_async`, with a tag for every public function; and the
-- examples it shows are the files the tests run.
local a = require("plenary_async")

--- A copy of doc/ in a folder of its own, with its tags made.
local function help_copy()
  local dir = vim.fn.tempname()
  vim.fn.mkdir(dir .. "/doc", "p")
  vim.fn.writefile(vim.fn.readfile(ROOT .. "/doc/plenary_async.txt", "b"), dir .. "/doc/plenary_async.txt", "b")
  vim.cmd("helptags " .. vim.fn.fnameescape(dir .. "/doc"))
  return dir
end

describe(":help plenary_async", function()
  it("is current with the annotations", function()
    local r = vim
      .system({ vim.v.progpath, "--clean", "-l", ROOT .. "/scripts/gen-help.lua", "--check" }, { text = true })
      :wait(60000)
    assert.are.equal(0, r.code, r.stdout .. r.stderr)
  end)

  it("makes its tags without an error (no duplicate tag)", function()
    vim.v.errmsg = ""
    local dir = help_copy()
    assert.are.equal("", vim.v.errmsg)
    assert.are.equal(1, vim.fn.filereadable(dir .. "/doc/tags"))
    vim.fn.delete(dir, "rf")
  end)

  it("opens at the introduction, and every public function has a tag", function()
    local dir = help_copy()
    local out = require("support").child({
      ("vim.opt.rtp:prepend(%q)"):format(dir),
      "vim.cmd('help plenary_async')",
      "io.stdout:write(vim.fn.expand('%:t'), '\\n', vim.fn.getline('.'))",
    }, { bare = true })
    assert.are.equal("plenary_async.txt\nINTRODUCTION" .. (" "):rep(51) .. "*plenary_async*", out.stdout)

    local tags = {}
    for _, line in ipairs(vim.fn.readfile(dir .. "/doc/tags")) do
      tags[line:match("^[^\t]+")] = true
    end
    local missing = {}
    local function check(prefix, t)
      for name, v in pairs(t) do
        if type(v) == "function" and name:sub(1, 1) ~= "_" then
          local tag = prefix .. "." .. name .. "()"
          if not tags[tag] then
            table.insert(missing, tag)
          end
        end
      end
    end
    check("plenary_async", a)
    for _, m in ipairs({ "util", "uv", "lsp", "tests", "vim_async" }) do
      check("plenary_async." .. m, a[m])
    end
    check("plenary_async.channel", a.control.channel)
    table.sort(missing)
    assert.are.same({}, missing)
    vim.fn.delete(dir, "rf")
  end)

  it("shows the moved spec as tests/fixtures/moved_spec.lua has it, and so does the README", function()
    local help = table.concat(vim.fn.readfile(ROOT .. "/doc/plenary_async.txt"), "\n")
    local readme = table.concat(vim.fn.readfile(ROOT .. "/README.md"), "\n")
    local lines = vim.fn.readfile(ROOT .. "/tests/fixtures/moved_spec.lua")
    local indented = {}
    for _, l in ipairs(lines) do
      table.insert(indented, l == "" and "" or "  " .. l)
    end
    assert.is_truthy(help:find(">lua\n" .. table.concat(indented, "\n") .. "\n<", 1, true))
    assert.is_truthy(readme:find("```lua\n" .. table.concat(lines, "\n") .. "\n```", 1, true))
  end)
end)
