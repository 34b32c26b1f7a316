-- The task tree of vim_async's structured tasks: who owns whom, the order
-- of a recursive close, completion after children, and how a failure
-- travels up (tests/lua/tree_spec.lua). A node is a plain table.
--
-- Nodes are named by numbers. What a close or a failure does to a task is
-- the caller's, through three hooks the tree calls with node numbers:
-- `close(id)`, `child_failed(id, child_id)`, `completed(id, failed)`
-- (`failed`: the tree says the node failed: its own work did, or an
-- unobserved child failure reached it, even after its own work ended).
--
-- One completion is handed back rather than called: the last `completed`
-- event of a `finish` call is its return value (the hot path of a task
-- that ends with no children left completes it inline). The order of
-- events is kept: a completion held back is sent to its hook before any
-- other hook runs (`deferred`).
--
-- | function | |
-- |---|---|
-- | `new(parent)` | a node (`parent` 0: top-level); returns its number |
-- | `finish(id, failed, observed)` | its own work is over (`observed`: its outcome is taken); returns the number of a node that completed last, for the caller to complete, negated if it failed (0: none) |
-- | `completed(c)` | calls the `completed` hook for what `finish` returned |
-- | `close(id)` | close it and, first, its children |
-- | `detach(id)` / `observe(id)` | make it top-level / mark its failure handled |
-- | `state(id)` | `closing, failed, finished, completed, children` |
-- | `children(id)` | the numbers of its attached, uncompleted children |
-- | `set_hooks(t)` | `t.close`, `t.child_failed`, `t.completed`; returns the previous table |
--
-- Acting on a node that has completed (or never was) does nothing.
local M = {}

local pcall, tostring = pcall, tostring

--- Nodes that have not completed, by number. A node is an array (the
--- indexes below): its number, its parent (a node or false), its children
--- as a doubly linked list (`FIRST`, `LAST`, and each child's `PREV`,
--- `NEXT`; `COUNT`), and five flags.
local ID, PARENT, FIRST, LAST, PREV, NEXT, COUNT = 1, 2, 3, 4, 5, 6, 7
local FINISHED, FAILED, CLOSING, COMPLETED, OBSERVED = 8, 9, 10, 11, 12
--- A node: an array indexed by the constants above (ID, PARENT, ...).
---@alias plenary_async.tree.Node any[]
---@type table<integer, plenary_async.tree.Node>
local nodes = {}
local next_id = 0
--- A completion held back: a node's number, negated if it failed; 0: none.
local deferred = 0 ---@type number
local hooks_table, on_close, on_child_failed, on_completed = nil, nil, nil, nil

local function call(f, ...)
  if f == nil then
    return -- no hooks yet, or Neovim is exiting
  end
  local ok, err = pcall(f, ...)
  if not ok then
    io.stderr:write("plenary_async: a task tree hook failed: ", tostring(err), "\n")
  end
end

local function complete(c)
  if c > 0 then
    call(on_completed, c, false)
  elseif c < 0 then
    call(on_completed, -c, true)
  end
end

--- Sends the completion held back, if any, to its hook.
local function flush()
  local c = deferred
  if c ~= 0 then
    deferred = 0
    complete(c)
  end
end

local function remove_child(parent, child)
  local prev, nxt = child[PREV], child[NEXT]
  if prev then
    prev[NEXT] = nxt
  else
    parent[FIRST] = nxt
  end
  if nxt then
    nxt[PREV] = prev
  else
    parent[LAST] = prev
  end
  child[PREV], child[NEXT] = false, false
  parent[COUNT] = parent[COUNT] - 1
end

---@type fun(n: plenary_async.tree.Node)
local close
---@type fun(p: plenary_async.tree.Node, n: plenary_async.tree.Node)
local child_failed

--- Closes the children attached now (a snapshot: a close may detach or
--- complete others meanwhile).
local function close_children(n)
  if n[COUNT] == 0 then
    return
  end
  local list, k, c = {}, 0, n[FIRST]
  while c do
    k = k + 1
    list[k] = c
    c = c[NEXT]
  end
  for i = 1, k do
    close(list[i])
  end
end

local function try_complete(n)
  if n[COMPLETED] or not n[FINISHED] or n[COUNT] > 0 then
    return
  end
  n[COMPLETED] = true
  nodes[n[ID]] = nil
  flush()
  deferred = n[FAILED] and -n[ID] or n[ID]
  local p = n[PARENT]
  if p then
    n[PARENT] = false
    remove_child(p, n)
    if n[FAILED] and not n[OBSERVED] then
      child_failed(p, n)
    end
    try_complete(p)
  end
end

function close(n)
  if n[CLOSING] or n[COMPLETED] then
    return
  end
  n[CLOSING] = true
  close_children(n)
  if not n[FINISHED] then
    flush()
    call(on_close, n[ID])
  end
end

function child_failed(n, child)
  if n[FAILED] then
    return -- a failure already reached it
  end
  n[FAILED] = true
  close_children(n)
  if not n[FINISHED] then
    flush()
    call(on_child_failed, n[ID], child[ID])
  end
end

local function finish(n, failed)
  if n[FINISHED] then
    return
  end
  n[FINISHED] = true
  if failed then
    n[FAILED] = true
    close_children(n)
  end
  try_complete(n)
end

function M.new(parent)
  local p = false ---@type plenary_async.tree.Node|false
  if parent ~= 0 then
    p = nodes[parent]
    if p == nil then
      error(("tree_new: node %s has completed or does not exist"):format(tostring(parent)), 2)
    end
  end
  next_id = next_id + 1
  local id = next_id
  -- (One array-part table: about 150 bytes, no hash part to grow.)
  local n = { id, p, false, false, false, false, 0, false, false, false, false, false }
  nodes[id] = n
  if p then
    local last = p[LAST]
    if last then
      last[NEXT] = n
      n[PREV] = last
    else
      p[FIRST] = n
    end
    p[LAST] = n
    p[COUNT] = p[COUNT] + 1
    if p[CLOSING] or p[FAILED] or p[COMPLETED] then
      -- (Before the caller knows its number: its close hook finds no task,
      -- and the caller closes a task made under a closing parent itself.)
      close(n)
    end
  end
  flush()
  return id
end

function M.finish(id, failed, observed)
  local n = nodes[id]
  if n then
    if observed then
      n[OBSERVED] = true
    end
    finish(n, failed)
  end
  local c = deferred
  deferred = 0
  return c
end

M.completed = complete

function M.close(id)
  local n = nodes[id] ---@type plenary_async.tree.Node?
  if n then
    close(n)
  end
  flush()
end

function M.detach(id)
  local n = nodes[id]
  if n then
    local p = n[PARENT]
    if p then
      n[PARENT] = false
      remove_child(p, n)
      try_complete(p)
    end
  end
  flush()
end

function M.observe(id)
  local n = nodes[id]
  if n then
    n[OBSERVED] = true
  end
  flush()
end

function M.state(id)
  local n = nodes[id]
  if n == nil then
    return false, false, true, true, 0
  end
  return n[CLOSING], n[FAILED], n[FINISHED], n[COMPLETED], n[COUNT]
end

function M.children(id)
  local list, n = {}, nodes[id]
  local c = n and n[FIRST]
  while c do
    list[#list + 1] = c[ID]
    c = c[NEXT]
  end
  return list
end

function M.set_hooks(t)
  local previous = hooks_table
  on_close, on_child_failed, on_completed = t.close, t.child_failed, t.completed
  hooks_table = t
  return previous
end

return M
