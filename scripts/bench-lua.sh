#!/usr/bin/env bash
# The Lua module's benchmarks in headless Neovim: crates/bench/lua/bench.lua
# (throughput and Neovim's timer lateness under many tasks), then
# crates/bench/lua/plenary.lua (plenary.async's workloads through
# as_plenary(), against a plenary-style scheduler in plain Lua, same run),
# then crates/bench/lua/rust_plugins.lua (a Rust plugin's future awaited
# from Lua, against the tokio-on-a-thread pattern, same run), then
# crates/bench/lua/vim_async.lua (vim_async's structured tasks against the
# native API and a plenary-style peer, same run).
set -euo pipefail
cd "$(dirname "$0")/.."
nvim="${NVIM:-.venv-nvim/bin/nvim}"
[ -x "$nvim" ] || { echo "no Neovim: run scripts/test-lua.sh once (it installs one) or set NVIM"; exit 1; }
"$nvim" --clean -l build.lua >/dev/null
scripts/build-plugins.sh >/dev/null
"$nvim" --clean --headless -l crates/bench/lua/bench.lua
echo
"$nvim" --clean --headless -l crates/bench/lua/plenary.lua
echo
"$nvim" --clean --headless -l crates/bench/lua/rust_plugins.lua
echo
"$nvim" --clean --headless -l crates/bench/lua/vim_async.lua
