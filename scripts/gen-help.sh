#!/usr/bin/env bash
# Writes doc/plenary_async.txt from the Lua API's annotations
# (scripts/gen-help.lua); with --check, fails if the file is not current.
# Neovim: $NVIM, else .venv-nvim/bin/nvim (scripts/test-lua.sh installs it).
set -euo pipefail
cd "$(dirname "$0")/.."
nvim="${NVIM:-.venv-nvim/bin/nvim}"
"$nvim" --clean -l scripts/gen-help.lua "$@"
