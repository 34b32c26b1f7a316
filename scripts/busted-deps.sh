#!/usr/bin/env bash
# Prints the folder whose share/lua/5.1 holds busted's Lua modules (laid
# out as Debian's /usr), for tests/busted.lua's $BUSTED_LUA_DIR: /usr where
# Debian's lua-busted is installed, else target/lua-deps/usr, where Debian's
# packages of busted and its dependencies are unpacked the first time
# (`apt-get download` and `dpkg -x`: no root needed). Prints nothing when
# neither can be had.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -f /usr/share/lua/5.1/busted/runner.lua ]; then
  echo /usr
  exit 0
fi
dir=$PWD/target/lua-deps
if [ ! -f "$dir/usr/share/lua/5.1/busted/runner.lua" ]; then
  command -v apt-get >/dev/null && command -v dpkg >/dev/null || exit 0
  # lua-busted 2.1.1 (bookworm) and what it depends on.
  pkgs=(lua-busted lua-cliargs lua-dkjson lua-filesystem lua-luassert lua-mediator
        lua-penlight lua-say lua-system lua-term)
  rm -rf "$dir" && mkdir -p "$dir/debs"
  if ! (cd "$dir/debs" && apt-get download -q "${pkgs[@]}" >&2); then
    echo "apt-get download ${pkgs[*]} failed" >&2
    exit 0
  fi
  for deb in "$dir"/debs/*.deb; do
    dpkg -x "$deb" "$dir"
  done
fi
echo "$dir/usr"
