#!/usr/bin/env bash
# The suite under load: the Rust tests (unit and integration tests of the
# workspace and of plenary-async-nvim; doc tests are examples compiled anew
# each run, left to scripts/test.sh) and the Lua suite in headless Neovim,
# RUNS times in a row, while one busy process per core competes for the
# CPU. A test that decides an order by the clock fails here.
#
# Usage: scripts/stress.sh [RUNS]      (default 10)
#
# Each run has a number and a seed (PROPTEST_RNG_SEED for the property
# tests, PLENARY_STRESS_RUN for anything else that wants one); a failure is
# reported with both, and its output is kept in target/stress/run-N.log.
# Ends with "N passed, M failed" and exits non-zero if any run failed.
set -uo pipefail
cd "$(dirname "$0")/.."
runs=${1:-10}
case "$runs" in
  ''|*[!0-9]*|0) echo "usage: scripts/stress.sh [RUNS] (a positive number)"; exit 2 ;;
esac
logs=target/stress
mkdir -p "$logs"
nvim_manifest=crates/nvim/Cargo.toml

# Build everything first, without the load (building is not what we test).
echo "== building the test binaries and the plugins"
cargo test --workspace --lib --bins --tests --no-run -q || exit 1
cargo test --manifest-path "$nvim_manifest" -p plenary-async-nvim --all-features --lib --tests --no-run -q || exit 1
# (Into the target directory scripts/test-lua.sh builds in.)
lua_target="${CARGO_TARGET_DIR:-$PWD/target/nvim-release}"
CARGO_TARGET_DIR="$lua_target" scripts/build-plugins.sh >/dev/null || exit 1

# The competing load: one busy loop per core, ended when this script ends.
busy=()
stop_load() {
  [ ${#busy[@]} -gt 0 ] && kill "${busy[@]}" 2>/dev/null
  wait 2>/dev/null
}
trap stop_load EXIT
cores=$(nproc 2>/dev/null || echo 2)
for _ in $(seq "$cores"); do
  ( while :; do :; done ) &
  busy+=($!)
done
echo "== $cores busy processes compete for the CPU: ${busy[*]}"

passed=0
failed=0
for run in $(seq "$runs"); do
  seed=$(( (run * 2654435761 + 12345) % 4294967296 ))
  log="$logs/run-$run.log"
  start=$(date +%s)
  # A subshell: its `exit` ends the run, not the script.
  (
    status=0
    echo "== run $run, seed $seed"
    PROPTEST_RNG_SEED=$seed PLENARY_STRESS_RUN=$run \
      cargo test --workspace --lib --bins --tests -q 2>&1 || status=1
    PROPTEST_RNG_SEED=$seed PLENARY_STRESS_RUN=$run \
      cargo test --manifest-path "$nvim_manifest" -p plenary-async-nvim --all-features --lib --tests -q 2>&1 || status=1
    PLENARY_STRESS_RUN=$run scripts/test-lua.sh 2>&1 || status=1
    exit $status
  ) >"$log" 2>&1
  status=$?
  took=$(( $(date +%s) - start ))
  if [ $status -eq 0 ]; then
    passed=$((passed + 1))
    echo "run $run (seed $seed): passed in ${took}s"
  else
    failed=$((failed + 1))
    echo "run $run (seed $seed): FAILED in ${took}s; output in $log; failing:"
    grep -E "^test .* FAILED|^---- |panicked at|^FAIL|^failures:|^\s+[a-z_:]+$" "$log" | head -n 40 | sed 's/^/    /'
  fi
done
echo "stress: $passed passed, $failed failed"
[ $failed -eq 0 ]
