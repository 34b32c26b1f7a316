#!/usr/bin/env bash
# Builds the Rust plugins that the Lua suite loads into Neovim (the examples
# in crates/nvim/examples and the test plugin crates/nvim/tests/probe) and
# puts them at crates/nvim/target/plugins/<module>.so, where
# tests/lua/helper.lua (the Lua suite's busted helper) looks for them.
set -euo pipefail
cd "$(dirname "$0")/.."
packages=(mlua-example oxi-example nvim-probe nvim-bench)
args=()
for p in "${packages[@]}"; do args+=(-p "$p"); done
cargo build --release --manifest-path crates/nvim/Cargo.toml "${args[@]}"
out=crates/nvim/target/plugins
mkdir -p "$out"
release="${CARGO_TARGET_DIR:-crates/nvim/target}/release"
for lib in mlua_example oxi_example nvim_probe nvim_bench; do
  cp "$release/lib$lib.so" "$out/$lib.so"
done
echo "built the test plugins into $out"
