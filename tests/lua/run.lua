-- The Lua test suite: runs every tests/lua/*_spec.lua in headless Neovim
-- (`scripts/test-lua.sh`, or `nvim --headless -l tests/lua/run.lua`) with a
-- small describe/it harness, prints `N passed, N failed`, and exits non-zero
-- on failure. Pass a pattern to run only the matching tests.
local root = vim.fn.fnamemodify(debug.getinfo(1, "S").source:sub(2), ":p:h:h:h")
package.cpath = root .. "/crates/nvim/target/plugins/?.so;" .. package.cpath
package.path = root .. "/lua/?.lua;" .. root .. "/lua/?/init.lua;" .. root .. "/tests/lua/?.lua;" .. package.path

local filter = _G.arg and _G.arg[1] or nil
local passed, failed, pending, names = 0, 0, 0, {}
-- before_each/after_each hooks, one list per describe level.
local befores, afters = { {} }, { {} }

function _G.describe(name, body)
  table.insert(names, name)
  table.insert(befores, {})
  table.insert(afters, {})
  body()
  table.remove(afters)
  table.remove(befores)
  table.remove(names)
end

function _G.before_each(fn)
  table.insert(befores[#befores], fn)
end

function _G.after_each(fn)
  table.insert(afters[#afters], fn)
end

function _G.pending(name)
  pending = pending + 1
  print("skip  " .. table.concat(names, " / ") .. " / " .. name)
end

function _G.it(name, body)
  local full = table.concat(names, " / ") .. " / " .. name
  if filter and not full:find(filter, 1, true) then
    return
  end
  local ok, err = xpcall(function()
    for _, level in ipairs(befores) do
      for _, fn in ipairs(level) do
        fn()
      end
    end
    body()
    for i = #afters, 1, -1 do
      for _, fn in ipairs(afters[i]) do
        fn()
      end
    end
  end, debug.traceback)
  if ok then
    passed = passed + 1
    print("ok    " .. full)
  else
    failed = failed + 1
    print("FAIL  " .. full .. "\n      " .. tostring(err):gsub("\n", "\n      "))
  end
end

--- An `it` whose body runs as a task (it may await), with a limit.
function _G.ait(name, body, timeout)
  _G.it(name, function()
    require("plenary_async").util.block_on(body, timeout or 10000)
  end)
end

_G.ROOT = root
for _, file in ipairs(vim.fn.glob(root .. "/tests/lua/*_spec.lua", false, true)) do
  dofile(file)
end
print(("%d passed, %d failed%s"):format(passed, failed, pending > 0 and (", %d pending"):format(pending) or ""))
if failed > 0 or passed == 0 then
  os.exit(1)
end
