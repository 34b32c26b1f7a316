#!/usr/bin/env bash
# Builds the Rust plugins that the Lua suite loads into Neovim (the mlua
# example and the test plugin crates/nvim/tests/probe, on current mlua; the
# nvim-oxi example and the benchmark's plugin in crates/nvim-oxi, on mlua
# 0.10) and puts them at crates/nvim/target/plugins/<module>.so, where
# tests/lua/helper.lua (the Lua suite's busted helper) looks for them.
set -euo pipefail
cd "$(dirname "$0")/.."
out=crates/nvim/target/plugins
mkdir -p "$out"
build() { # <workspace dir> <package>:<lib> ...
  local dir=$1
  shift
  local args=()
  for p in "$@"; do args+=(-p "${p%%:*}"); done
  cargo build --release --manifest-path "$dir/Cargo.toml" "${args[@]}"
  local release="${CARGO_TARGET_DIR:-$dir/target}/release"
  for p in "$@"; do
    local lib=${p##*:}
    cp "$release/lib$lib.so" "$out/$lib.so"
  done
}
build crates/nvim mlua-example:mlua_example nvim-probe:nvim_probe
build crates/nvim-oxi oxi-example:oxi_example nvim-bench:nvim_bench
echo "built the test plugins into $out"
