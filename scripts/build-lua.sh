#!/usr/bin/env bash
# Builds the Lua module and puts it at lua/plenary_async.so, so that this
# repository works as a Neovim plugin (usable as a plugin manager's build
# step, e.g. lazy.nvim's `build = "scripts/build-lua.sh"`).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --manifest-path crates/nvim/Cargo.toml -p plenary-async-lua
mkdir -p lua
cp crates/nvim/target/release/libplenary_async.so lua/plenary_async.so
echo "built lua/plenary_async.so"
