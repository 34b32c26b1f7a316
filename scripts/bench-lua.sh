#!/usr/bin/env bash
# The Lua module's benchmarks in headless Neovim, on each core: crates/bench/lua/bench.lua
# (throughput and Neovim's timer lateness under many tasks), then
# crates/bench/lua/plenary.lua (plenary.async's workloads through
# as_plenary(), against a plenary-style scheduler in plain Lua, same run),
# then crates/bench/lua/rust_plugins.lua (a Rust plugin's future awaited
# from Lua, against the tokio-on-a-thread pattern, same run), then
# crates/bench/lua/vim_async.lua (vim_async's structured tasks against the
# native API and a plenary-style peer, same run), then
# crates/bench/lua/vs_vim_async.lua (vim_async against Neovim's own
# vim.async, loaded from $VIM_ASYNC_DIR, which is never part of this
# repository; skipped, with how to make it, when unset), then
# crates/bench/lua/io.lua (a.uv's file and TCP workloads against
# plenary.async itself, loaded from $PLENARY_DIR, a plenary.nvim checkout,
# and against the same work on raw luv callbacks, the floor; same run).
set -euo pipefail
cd "$(dirname "$0")/.."
nvim="${NVIM:-.venv-nvim/bin/nvim}"
[ -x "$nvim" ] || { echo "no Neovim: run scripts/test-lua.sh once (it installs one) or set NVIM"; exit 1; }
# (Into the target directory scripts/test-lua.sh builds in.)
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target/nvim-release}"
"$nvim" --clean -l build.lua >/dev/null
scripts/build-plugins.sh >/dev/null
# Each workload on each core, in this one run: the native module, then the
# Lua core ($PLENARY_ASYNC_BACKEND; each table names its core).
for core in native lua; do
  echo "#### the $core core"
  PLENARY_ASYNC_BACKEND=$core "$nvim" --clean --headless -l crates/bench/lua/bench.lua
  echo
  PLENARY_ASYNC_BACKEND=$core "$nvim" --clean --headless -l crates/bench/lua/plenary.lua
  echo
  PLENARY_ASYNC_BACKEND=$core "$nvim" --clean --headless -l crates/bench/lua/vim_async.lua
  echo
  # Against Neovim's own vim.async: $VIM_ASYNC_DIR (the script says how to
  # make it; skipped without it).
  PLENARY_ASYNC_BACKEND=$core "$nvim" --clean --headless -l crates/bench/lua/vs_vim_async.lua
  echo
  PLENARY_ASYNC_BACKEND=$core "$nvim" --clean --headless -l crates/bench/lua/io.lua
  echo
done
# (A Rust plugin's own runtime: the same on either core.)
"$nvim" --clean --headless -l crates/bench/lua/rust_plugins.lua
