#!/usr/bin/env bash
# The Lua module's benchmarks in headless Neovim: crates/bench/lua/bench.lua
# (throughput and Neovim's timer lateness under many tasks), then
# crates/bench/lua/plenary.lua (plenary.async's workloads through
# as_plenary(), against a plenary-style scheduler in plain Lua, same run),
# then crates/bench/lua/vim_async.lua (vim_async's structured tasks against
# the module's own API and a plenary-style peer, same run), then
# crates/bench/lua/vs_vim_async.lua (vim_async against Neovim's own
# vim.async, loaded from $VIM_ASYNC_DIR, which is never part of this
# repository; skipped, with how to make it, when unset), then
# crates/bench/lua/io.lua (a.uv's file and TCP workloads against
# plenary.async itself, loaded from $PLENARY_DIR, a plenary.nvim checkout,
# and against the same work on raw luv callbacks, the floor; same run),
# then crates/bench/lua/rust_plugins.lua (a Rust plugin's future awaited
# from Lua, against the tokio-on-a-thread pattern, same run).
set -euo pipefail
cd "$(dirname "$0")/.."
nvim="${NVIM:-.venv-nvim/bin/nvim}"
[ -x "$nvim" ] || { echo "no Neovim: run scripts/test-lua.sh once (it installs one) or set NVIM"; exit 1; }
# (Into the target directory scripts/test-lua.sh builds in.)
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target/nvim-release}"
scripts/build-plugins.sh >/dev/null
for bench in bench plenary vim_async vs_vim_async io rust_plugins; do
  "$nvim" --clean --headless -l "crates/bench/lua/$bench.lua"
  echo
done
