-- The task tree (lua/plenary_async/tree.lua): the rules that vim_async's
-- structured tasks rest on.
local tree_mod = require("plenary_async.tree")
--- The tree, with `finish` handing its last completion to the hook at once.
local tree = setmetatable({
  finish = function(id, failed, observed)
    local c = tree_mod.finish(id, failed, observed)
    if c ~= 0 then
      tree_mod.completed(c)
    end
  end,
}, { __index = tree_mod })

-- The hooks in place (vim_async's), put back after each test.
local saved = nil

--- Sets hooks that log "<event> <id>" and, for the ids in `stop`, finish
--- the node when it is closed or its child fails.
local function logging(stop)
  local log = {}
  local previous = tree.set_hooks({
    close = function(id)
      table.insert(log, "close " .. id)
      if stop[id] then
        tree.finish(id, false)
      end
    end,
    child_failed = function(id, child)
      table.insert(log, ("child_failed %d (%d)"):format(id, child))
      if stop[id] then
        tree.finish(id, true)
      end
    end,
    completed = function(id)
      table.insert(log, "completed " .. id)
    end,
  })
  saved = saved or previous
  return log
end

--- Puts back the hooks that were in place before the test's.
local function restore_hooks()
  if saved then
    tree.set_hooks(saved)
    saved = nil
  end
end

describe("the task tree", function()
  after_each(restore_hooks)

  it("completes a parent after its children", function()
    local stop = {}
    local log = logging(stop)
    local root = tree.new(0)
    local c1, c2 = tree.new(root), tree.new(root)
    assert(vim.deep_equal(tree.children(root), { c1, c2 }))
    tree.finish(root, false)
    local _, _, finished, completed, children = tree.state(root)
    assert(finished and not completed and children == 2)
    tree.finish(c2, false)
    tree.finish(c1, false)
    assert(vim.deep_equal(log, { "completed " .. c2, "completed " .. c1, "completed " .. root }), vim.inspect(log))
  end)

  it("closes depth first, children before their parent", function()
    local stop = {}
    local log = logging(stop)
    local root = tree.new(0)
    local a1 = tree.new(root)
    local a2 = tree.new(a1)
    local b = tree.new(root)
    for _, id in ipairs({ root, a1, a2, b }) do
      stop[id] = true
    end
    tree.close(root)
    assert(
      vim.deep_equal(log, {
        "close " .. a2,
        "completed " .. a2,
        "close " .. a1,
        "completed " .. a1,
        "close " .. b,
        "completed " .. b,
        "close " .. root,
        "completed " .. root,
      }),
      vim.inspect(log)
    )
  end)

  it("fails the parent with an unobserved child failure and closes the siblings", function()
    local stop = {}
    local log = logging(stop)
    local root = tree.new(0)
    local bad, sibling = tree.new(root), tree.new(root)
    stop[root], stop[sibling] = true, true
    tree.finish(bad, true)
    assert(
      vim.deep_equal(log, {
        "completed " .. bad,
        "close " .. sibling,
        "completed " .. sibling,
        ("child_failed %d (%d)"):format(root, bad),
        "completed " .. root,
      }),
      vim.inspect(log)
    )
  end)

  it("keeps an observed failure from the parent, and a detached child out of it", function()
    local stop = {}
    local log = logging(stop)
    local root = tree.new(0)
    local seen = tree.new(root)
    tree.observe(seen)
    tree.finish(seen, true)
    local free = tree.new(root)
    tree.detach(free)
    stop[root] = true
    tree.close(root)
    assert(vim.deep_equal(log, { "completed " .. seen, "close " .. root, "completed " .. root }), vim.inspect(log))
    tree.finish(free, true)
    assert(log[#log] == "completed " .. free, "the detached failure reached no one: " .. vim.inspect(log))
  end)

  it("closes at once a child made under a closing parent", function()
    local log = logging({})
    local root = tree.new(0)
    tree.close(root)
    local late = tree.new(root)
    local closing = tree.state(late)
    assert(closing, "the new node is closing")
    assert(vim.deep_equal(log, { "close " .. root, "close " .. late }), vim.inspect(log))
    tree.finish(late, false)
    tree.finish(root, false)
  end)

  it("refuses a parent that has completed", function()
    logging({})
    local root = tree.new(0)
    tree.finish(root, false)
    local ok, err = pcall(tree.new, root)
    assert(not ok and tostring(err):find("has completed", 1, true), tostring(err))
  end)
end)

-- The cases the runtime's tree (crates/plenary-async/src/scope/tree.rs)
-- runs too: both must make exactly the hook calls the file lists.
describe("the task tree's cases shared with the runtime's", function()
  after_each(restore_hooks)

  --- The cases: { name, steps = { { words, events } } }.
  local function cases()
    local path = ROOT .. "/crates/plenary-async/src/scope/tree_cases.txt"
    local list = {}
    for _, line in ipairs(vim.fn.readfile(path)) do
      if line ~= "" and not line:find("^#") then
        local name = line:match("^== (.*)$")
        local event = line:match("^> (.*)$")
        if name then
          list[#list + 1] = { name = name, steps = {} }
        elseif event then
          local steps = list[#list].steps
          table.insert(steps[#steps].events, event)
        else
          table.insert(list[#list].steps, { line = line, words = vim.split(line, " "), events = {} })
        end
      end
    end
    return list
  end

  it("gives each step's hook calls, exactly", function()
    local all = cases()
    assert(#all >= 10, #all .. " cases")
    for _, case in ipairs(all) do
      local log, names, ids, linger = {}, {}, {}, {}
      -- (A node made under a closing parent is closed inside `new`, before
      -- its number is known here: it is the next number.)
      local making
      local function name(id)
        return names[id] or making
      end
      local previous = tree.set_hooks({
        close = function(id)
          table.insert(log, "close " .. name(id))
          if not linger[name(id)] then
            tree.finish(id, false)
          end
        end,
        child_failed = function(id, child)
          table.insert(log, ("child_failed %s %s"):format(name(id), name(child)))
          tree.finish(id, true)
        end,
        completed = function(id, failed)
          table.insert(log, ("completed %s %s"):format(name(id), failed and "failed" or "ok"))
        end,
      })
      saved = saved or previous
      for _, step in ipairs(case.steps) do
        local op, x = step.words[1], step.words[2]
        if op == "new" then
          local parent = step.words[3] ~= "linger" and step.words[3] or nil
          linger[x] = step.words[#step.words] == "linger"
          making = x
          local id = tree.new(parent and ids[parent] or 0)
          making = nil
          ids[x], names[id] = id, x
        elseif op == "finish" or op == "fail" then
          tree.finish(ids[x], op == "fail")
        elseif op == "close" then
          tree.close(ids[x])
        else
          error(case.name .. ": unknown step " .. step.line)
        end
        assert.are.same(step.events, log, case.name .. ": " .. step.line)
        log = {}
      end
    end
  end)
end)
