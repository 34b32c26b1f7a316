#!/usr/bin/env bash
# The runtime's own tests (unit and integration) built for Windows
# (x86_64-pc-windows-gnu, with the bundled libuv compiled by mingw-w64) and
# run under wine: the platform layer (buffers, handles, error values,
# named pipes, CRT descriptors, child processes) on libuv's Windows code.
# Skipped, with a message, where wine, mingw-w64 or the target's standard
# library is missing. Doc tests are not run here (they are run on Linux).
#
# wine 8 (Debian 12) lacks bcryptprimitives.dll, from which Rust's standard
# library takes random bytes: scripts/wine/bcryptprimitives.c is a
# stand-in, built here and put beside the test programs.
set -euo pipefail
cd "$(dirname "$0")/.."
target=x86_64-pc-windows-gnu
skip() { echo "== the Rust tests on Windows (wine) are skipped: $1"; exit 0; }
command -v wine >/dev/null || skip "wine is not installed (Debian: apt-get install wine64)"
command -v x86_64-w64-mingw32-gcc >/dev/null || skip "mingw-w64 is not installed (Debian: apt-get install mingw-w64)"
if command -v rustup >/dev/null; then
  rustup target add "$target" >/dev/null 2>&1 || skip "rustup cannot fetch the $target standard library here"
fi
export CARGO_TARGET_DIR="$PWD/target/windows"
export WINEPREFIX="$PWD/target/wine-prefix" WINEDEBUG=-all
export CARGO_TARGET_X86_64_PC_WINDOWS_GNU_RUNNER=wine
mkdir -p "$WINEPREFIX" "$CARGO_TARGET_DIR/$target/debug/deps"
x86_64-w64-mingw32-gcc -shared -O2 -Wl,--kill-at -o "$CARGO_TARGET_DIR/$target/debug/deps/bcryptprimitives.dll" \
  scripts/wine/bcryptprimitives.c -ladvapi32
echo "== the runtime's tests on Windows, under wine ($(wine --version))"
# (Built first, then run with a limit: under heavy load, wine 8 has been
# seen to leave two of uv_tcp's tests waiting for ever on loopback
# connections; the run then fails with a message instead of hanging.)
cargo test -q -p plenary-async --target "$target" --lib --tests --no-run
if ! timeout 900 cargo test -q -p plenary-async --target "$target" --lib --tests; then
  echo "!! the runtime's tests failed under wine, or took more than 15 minutes (a hang)"
  exit 1
fi
