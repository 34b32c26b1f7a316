#!/usr/bin/env bash
# The Lua module's benchmark in headless Neovim (see crates/bench/lua/bench.lua).
set -euo pipefail
cd "$(dirname "$0")/.."
nvim="${NVIM:-.venv-nvim/bin/nvim}"
[ -x "$nvim" ] || { echo "no Neovim: run scripts/test-lua.sh once (it installs one) or set NVIM"; exit 1; }
scripts/build-lua.sh >/dev/null
"$nvim" --clean --headless -l crates/bench/lua/bench.lua
