-- Generates doc/plenary_async.txt, the :help file, from the LuaLS
-- annotations of the Lua API (lua/plenary_async/meta.lua and
-- vim_async_meta.lua): run by scripts/gen-help.sh (`nvim -l`), which CI
-- runs with --check to fail when the file is not current.
--
-- What it reads, in the order of the files:
-- - `---@doc <tag> <title>` and the `---` lines after it: a section of
--   prose, written in vimdoc (`>lua` … `<` for code);
-- - `---` description lines, then `---@class`, `---@field`, `---@param`,
--   `---@return`, `---@type`, before a `function t.name(...)`, a
--   `local t = {}` or an assignment: one entry each, with its tag
--   (`*plenary_async.util.sleep()*`), its signature and its types. A
--   class's fields are entries of their own.
local root = vim.fn.fnamemodify(debug.getinfo(1, "S").source:sub(2), ":p:h:h")
local SOURCES = {
  root .. "/lua/plenary_async/meta.lua",
  root .. "/lua/plenary_async/vim_async_meta.lua",
}
local OUT = root .. "/doc/plenary_async.txt"
local WIDTH = 78

local out = {}
local function emit(line)
  table.insert(out, line or "")
end

--- `left` and the tag(s) `right` on one line, the tags at the right margin
--- (on a line of their own when both do not fit).
local function heading(left, right)
  if #left + 1 + #right <= WIDTH then
    emit(left .. (" "):rep(WIDTH - #left - #right) .. right)
  else
    emit((" "):rep(WIDTH - #right) .. right)
    emit(left)
  end
end

--- `text` wrapped at the margin, each line indented by `indent`.
local function wrap(text, indent, first)
  local line = first or indent
  local fresh = true
  for word in text:gmatch("%S+") do
    if not fresh and #line + 1 + #word > WIDTH then
      emit(line)
      line, fresh = indent, true
    end
    line = fresh and (line .. word) or (line .. " " .. word)
    fresh = false
  end
  if not fresh then
    emit(line)
  end
end

--- The parameter names of a `fun(a: T, b?: U): R` type, or nil.
local function fun_params(ty)
  local inner = ty:match("^async fun(%b())") or ty:match("^fun(%b())")
  if not inner then
    return nil
  end
  inner = inner:sub(2, -2)
  local names, depth, cur = {}, 0, ""
  local method = inner:match("^%s*self[?]?:") ~= nil
  for ch in (inner .. ","):gmatch(".") do
    if ch == "(" or ch == "{" or ch == "<" or ch == "[" then
      depth = depth + 1
    elseif ch == ")" or ch == "}" or ch == ">" or ch == "]" then
      depth = depth - 1
    end
    if ch == "," and depth == 0 then
      local name = vim.trim(cur):match("^([%w_%.]+)")
      if name and name ~= "self" then
        table.insert(names, "{" .. name .. "}")
      end
      cur = ""
    else
      cur = cur .. ch
    end
  end
  return names, method
end

--- Splits `---@field name type description` (the type may hold spaces
--- inside brackets); returns name, type, description.
local function split_typed(rest)
  local name, tail = rest:match("^(%S+)%s+(.*)$")
  if not name then
    return rest, "", ""
  end
  local depth, i = 0, 1
  if tail:sub(1, 6) == "async " then
    i = 7 -- (`async fun(...)`: one type)
  end
  while i <= #tail do
    local ch = tail:sub(i, i)
    if ch == "(" or ch == "{" or ch == "<" or ch == "[" then
      depth = depth + 1
    elseif ch == ")" or ch == "}" or ch == ">" or ch == "]" then
      depth = depth - 1
    elseif ch == " " and depth == 0 then
      -- `fun(...): R` and `A|B`: the type goes on past ": " and "|".
      local before = tail:sub(i - 1, i - 1)
      local after = tail:sub(i + 1, i + 1)
      if before ~= ":" and before ~= "," and before ~= "|" and after ~= "|" then
        break
      end
    end
    i = i + 1
  end
  return name, vim.trim(tail:sub(1, i - 1)), vim.trim(tail:sub(i + 1))
end

local function describe(lines, indent)
  for _, l in ipairs(lines) do
    if l == "" then
      emit()
    elseif l:match("^%s*>%a*$") or l:match("^%s*<$") then
      emit(l) -- (code blocks keep their own layout)
    else
      emit(indent .. l)
    end
  end
end

--- One function or field entry.
local function entry(tag, signature, lines, params, returns, ty)
  emit()
  heading(signature, "*" .. tag .. "*")
  describe(lines, "    ")
  local first = #lines == 0
  local function gap()
    if not first then
      emit()
    end
    first = false
  end
  if ty and ty ~= "" then
    gap()
    emit("    Type: ~")
    wrap("`" .. ty .. "`", "        ", "      ")
  end
  if params and #params > 0 then
    gap()
    emit("    Parameters: ~")
    for _, p in ipairs(params) do
      local text = ("• {%s} (`%s`)%s"):format(p.name, p.type, p.desc ~= "" and " " .. p.desc or "")
      wrap(text, "        ", "      ")
    end
  end
  if returns and #returns > 0 then
    gap()
    emit("    Return: ~")
    for _, r in ipairs(returns) do
      wrap(("(`%s`)%s"):format(r.type, r.desc ~= "" and " " .. r.desc or ""), "        ", "      ")
    end
  end
end

local sections = {} -- the classes, for the contents
local body_start

-- Every class has a section of its own: a field that points to one (the
-- module's `lsp`, `uv`, ...) gets no entry, and a class named as a @doc
-- section (`plenary_async`) is tagged `<name>-module`.
local classes, used = {}, {}
for _, path in ipairs(SOURCES) do
  for _, l in ipairs(vim.fn.readfile(path)) do
    local c = l:match("^%-%-%-@class ([%w_%.]+)")
    if c then
      classes[c] = true
    end
    local d = l:match("^%-%-%-@doc (%S+)")
    if d then
      used[d] = true
    end
  end
end

--- Reads one annotation file and emits its entries.
local function read(path)
  local lines = vim.fn.readfile(path)
  local class_of = {} -- local table name -> class name
  local block = { desc = {}, params = {}, returns = {}, fields = {} }
  local doc = nil
  local function reset()
    block = { desc = {}, params = {}, returns = {}, fields = {} }
  end

  local function flush_doc()
    if doc then
      emit()
      emit(("="):rep(WIDTH))
      heading(doc.title:upper(), "*" .. doc.tag .. "*")
      emit()
      describe(doc.lines, "")
      doc = nil
    end
  end

  local function subject(line)
    local tbl, sep, name, args = line:match("^function ([%w_]+)([%.:])([%w_]+)%((.-)%)")
    if block.class and (line:match("^local ([%w_]+) = {}") or not tbl) then
      local var = line:match("^local ([%w_]+) = {}")
      if var then
        class_of[var] = block.class
      end
      local tag = used[block.class] and block.class .. "-module" or block.class
      used[tag] = true
      table.insert(sections, tag)
      emit()
      emit(("-"):rep(WIDTH))
      heading(("%s%s"):format(block.class, block.parent and (" : " .. block.parent) or ""), "*" .. tag .. "*")
      if #block.desc > 0 then
        emit()
        describe(block.desc, "")
      end
      for _, f in ipairs(block.fields) do
        if not classes[block.class .. "." .. f.name] then
          local names, method = fun_params(f.type)
          local full = block.class .. (method and ":" or ".") .. f.name
          local signature = names and ("%s(%s)"):format(full, table.concat(names, ", ")) or full
          local desc = f.desc ~= "" and { f.desc } or {}
          entry(full .. (names and "()" or ""), signature, desc, nil, nil, f.type)
        end
      end
      return
    end
    if tbl then
      local owner = class_of[tbl] or tbl
      local full = owner .. sep .. name
      local names = {}
      for a in args:gmatch("[^,%s]+") do
        table.insert(names, "{" .. a .. "}")
      end
      local desc = block.desc
      if block.async then
        desc = vim.list_extend(vim.deepcopy(desc), { "", "Async: call it inside a task." })
      end
      entry(full .. "()", ("%s(%s)"):format(full, table.concat(names, ", ")), desc, block.params, block.returns)
      return
    end
    local lhs = line:match("^([%w_]+%.[%w_]+) =")
    if lhs and (#block.desc > 0 or block.type) then
      local owner, field = lhs:match("^([%w_]+)%.([%w_]+)$")
      local full = (class_of[owner] or owner) .. "." .. field
      entry(full, full, block.desc, nil, nil, block.type)
    end
  end

  for _, line in ipairs(lines) do
    local ann = line:match("^%-%-%-(.*)$")
    if ann then
      local tag, rest = ann:match("^@(%w+)%s*(.*)$")
      if tag == "doc" then
        flush_doc()
        local t, title = rest:match("^(%S+)%s+(.*)$")
        doc = { tag = t, title = title, lines = {} }
      elseif doc and not tag then
        table.insert(doc.lines, (ann:gsub("^ ", "")))
      elseif doc and tag == "include" then
        -- A file of the checkout, as a code block (it is run by the tests).
        table.insert(doc.lines, ">lua")
        for _, l in ipairs(vim.fn.readfile(root .. "/" .. rest)) do
          table.insert(doc.lines, l == "" and "" or "  " .. l)
        end
        table.insert(doc.lines, "<")
      elseif tag == "meta" or tag == "alias" or tag == "diagnostic" then
        flush_doc()
      elseif tag then
        flush_doc()
        if tag == "class" then
          local name, parent = rest:match("^([%w_%.]+)[^:]*:?%s*([%w_%.]*)")
          block.class = name
          block.parent = parent ~= "" and parent or nil
        elseif tag == "field" then
          local name, ty, desc = split_typed(rest)
          table.insert(block.fields, { name = name, type = ty, desc = desc })
        elseif tag == "param" then
          local name, ty, desc = split_typed(rest)
          table.insert(
            block.params,
            { name = name:gsub("%?$", ""), type = ty .. (name:match("%?$") and "?" or ""), desc = desc }
          )
        elseif tag == "return" then
          local _, ty, desc = split_typed("_ " .. rest)
          table.insert(block.returns, { type = ty, desc = desc })
        elseif tag == "type" then
          block.type = rest
        elseif tag == "async" then
          block.async = true
        end
      else
        flush_doc()
        table.insert(block.desc, (ann:gsub("^ ", "")))
      end
    else
      flush_doc()
      if line:match("^%s*$") then
        if block.class then
          subject(line)
        end
        reset()
      else
        if not line:match("^%-%-") then
          subject(line)
        end
        reset()
      end
    end
  end
  flush_doc()
end

local version = dofile(root .. "/lua/plenary_async/version.lua")
emit(("*plenary_async.txt*  plenary.async's API for Neovim plugins, on one runtime (%s)"):format(version))
emit()
emit("Generated from the annotations in lua/plenary_async/meta.lua and")
emit("vim_async_meta.lua by scripts/gen-help.sh: edit those, not this file.")
emit()
body_start = #out + 1
for _, path in ipairs(SOURCES) do
  read(path)
end
emit()
emit(" vim:tw=78:ts=8:noet:ft=help:norl:")

-- The contents, after the title: the @doc sections, then the classes.
local contents =
  { "Contents" .. (" "):rep(WIDTH - #"Contents" - #"*plenary_async-contents*") .. "*plenary_async-contents*", "" }
for i = body_start, #out do
  local title, tag = out[i]:match("^(%u[%u%s%p]-)%s+%*([^*]+)%*$")
  if title and out[i - 1] == ("="):rep(WIDTH) then
    table.insert(
      contents,
      ("  %s%s|%s|"):format(title:sub(1, 1) .. title:sub(2):lower(), (" "):rep(math.max(1, 48 - #title)), tag)
    )
  end
end
table.insert(contents, "  API: the classes" .. (" "):rep(48 - #"API: the classes") .. "")
for _, c in ipairs(sections) do
  table.insert(contents, ("    |%s|"):format(c))
end
table.insert(contents, "")
for i = #contents, 1, -1 do
  table.insert(out, body_start, contents[i])
end

local text = table.concat(out, "\n") .. "\n"
if _G.arg[1] == "--check" then
  local f = io.open(OUT, "rb")
  local current = f and f:read("*a") or ""
  if f then
    f:close()
  end
  if current ~= text then
    io.stderr:write("doc/plenary_async.txt is not current with the annotations: run scripts/gen-help.sh\n")
    os.exit(1)
  end
  io.stdout:write("doc/plenary_async.txt is current\n")
else
  vim.fn.mkdir(root .. "/doc", "p")
  local f = assert(io.open(OUT, "wb"))
  f:write(text)
  f:close()
  io.stdout:write(("wrote %s (%d lines)\n"):format(OUT, #out))
end
