-- The tree workload of the vim.async benchmarks (vim_async.lua,
-- vs_vim_async.lua): `grow(m, levels, tasks)` starts, with module `m`
-- (anything with vim.async's API), a tree of `tasks` tasks over `levels`
-- levels (a root, 111 children, the rest in chains below them), each
-- sleeping for ten minutes once its children are started, and returns the
-- root and the list of every task once all of them wait.
local M = {}

function M.grow(m, levels, tasks)
  local all, made = {}, 0
  local function node(level)
    made = made + 1
    local me = m.run(function()
      if level < levels then
        local kids = level == 1 and 111 or 1
        for _ = 1, kids do
          if made < tasks then
            node(level + 1)
          end
        end
      end
      m.sleep(600000)
    end)
    all[#all + 1] = me
    return me
  end
  local top = node(1)
  assert(
    vim.wait(10000, function()
      return made == tasks
    end, 1),
    "the tree did not grow: " .. made
  )
  vim.wait(20) -- every task waits on its timer now
  return top, all
end

return M
