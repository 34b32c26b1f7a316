-- What several specs share: `pack`, and `child`, a Neovim of its own that
-- runs a script (the one place that writes the script's preamble and
-- starts the process).
local M = {}

--- `{ n = select("#", ...), ... }`.
function M.pack(...)
  return { n = select("#", ...), ... }
end

--- Runs `lines` as a Lua script in a new headless Neovim (`--clean`, then
--- `opts.args`, then `-l <script>`) and waits for it (`opts.timeout` ms,
--- default 30000). Unless `opts.bare`, the script starts with this
--- checkout's `lua/` on package.path (and, with `opts.plugins`, the built
--- Rust plugins on package.cpath). Returns `{ code, signal, stdout,
--- stderr, script }`, the output with CR LF as LF (headless Neovim, and
--- Windows, write CR LF).
function M.child(lines, opts)
  opts = opts or {}
  local root = _G.ROOT
  local script = vim.fn.tempname() .. ".lua"
  local all = {}
  if not opts.bare then
    if opts.plugins then
      table.insert(all, ("package.cpath = %q .. package.cpath"):format(root .. "/crates/nvim/target/plugins/?.so;"))
    end
    table.insert(all, ("package.path = %q .. package.path"):format(root .. "/lua/?.lua;" .. root .. "/lua/?/init.lua;"))
  end
  vim.list_extend(all, lines)
  vim.fn.writefile(all, script)
  local cmd = { vim.v.progpath, "--clean", "--headless" }
  vim.list_extend(cmd, opts.args or {})
  vim.list_extend(cmd, { "-l", script })
  local r = vim.system(cmd, { text = true }):wait(opts.timeout or 30000)
  os.remove(script)
  return {
    code = r.code,
    signal = r.signal,
    stdout = (r.stdout or ""):gsub("\r\n", "\n"),
    stderr = (r.stderr or ""):gsub("\r\n", "\n"),
    script = script,
    -- The line number in the script of `lines[i]`.
    line = function(i)
      return #all - #lines + i
    end,
  }
end

return M
