#!/usr/bin/env bash
# plenary.nvim's own async specs (tests/plenary/async/*_spec.lua), run by
# plenary's own test harness through `as_plenary()`. Needs a
# checkout of plenary.nvim (not fetched here: CI has no GitHub):
#   scripts/test-plenary.sh /path/to/plenary.nvim
# Expected: every spec passes but test_spec.lua's two a.before_each /
# a.after_each tests, which the README's table of fixes lists (plenary's
# wrapped function suspends the wrong task there).
set -euo pipefail
cd "$(dirname "$0")/.."
plenary="${1:?usage: scripts/test-plenary.sh PLENARY_NVIM_DIR}"
nvim="${NVIM:-.venv-nvim/bin/nvim}"
init=$(mktemp --suffix=.lua)
trap 'rm -f "$init"' EXIT
cat >"$init" <<LUA
vim.opt.rtp:prepend("$plenary")
vim.opt.rtp:prepend("$PWD")
require("plenary_async").as_plenary()
LUA
echo "== plenary.nvim's async specs"
for spec in "$plenary"/tests/plenary/async/*_spec.lua; do
  # (a.it's default limit is 2 s; one of plenary's specs takes 2.5 s.)
  summary=$(PLENARY_TEST_TIMEOUT=10000 "$nvim" --headless --noplugin -u "$init" \
    -c "lua require('plenary.busted').run('$spec')" 2>&1 | sed 's/\x1b\[[0-9;]*m//g' \
    | grep -E "^(Success|Failed|Errors) *:" | tr -d "\r\t" | tr "\n" " " || true)
  echo "$(basename "$spec"): $summary"
done
