-- luacheck (Debian's lua-check) over the module, its specs and the Lua
-- benchmarks: `luacheck lua tests crates/bench/lua`, run by .ci/run.
stds.nvim = {
  -- Neovim's LuaJIT has Lua 5.2's table.unpack.
  read_globals = { table = { fields = { "unpack" } } },
  -- `vim`, whose fields the module (vim.async) and the specs (vim.g,
  -- vim.env, vim.notify, vim.health stand-ins) set.
  globals = { "vim" },
}
std = "luajit+nvim"
max_line_length = false -- (stylua decides line lengths)
-- meta.lua and vim_async_meta.lua are annotations for LuaLS, never run:
-- tables filled with empty functions that nothing reads, unused
-- parameters.
files["lua/plenary_async/meta.lua"] = { ignore = { "241", "212" } }
files["lua/plenary_async/vim_async_meta.lua"] = { ignore = { "241", "212" } }
-- types/: annotations of luv and Neovim for the type check (.emmyrc.json),
-- of the same kind (and methods' `self`, which may shadow a stub's local).
files["types"] = { ignore = { "241", "212", "431" } }
-- The specs, run by busted (std "busted": describe, it, assert, ...), with
-- the suite's helper (tests/lua/helper.lua: ait, ROOT) and plenary's `a`
-- global.
files["tests/lua"] = { std = "+busted", globals = { "ait", "ROOT", "a" } }
files["tests/fixtures"] = { std = "+busted" }
-- A spec for mini.test, which defines its global MiniTest.
files["tests/fixtures/mini_child.lua"] = { read_globals = { "MiniTest" } }
