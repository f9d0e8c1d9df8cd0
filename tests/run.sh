#!/usr/bin/env bash
# tests/run.sh — runs every test (C unit tests, PyTorch parity tests, CLI
# end-to-end tests), counts PASS/FAIL lines and prints "N passed, N failed".
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
export BUILD=${BUILD:-build}
export OPENBLAS_CORETYPE=${OPENBLAS_CORETYPE:-Haswell}
LOG=$(mktemp)
total_pass=0; total_fail=0
run_one() { # name, command...
  local name=$1; shift
  local t0=$(date +%s%N)
  "$@" >"$LOG" 2>&1; local rc=$?
  local p f
  p=$(grep -c '^PASS ' "$LOG"); f=$(grep -c '^FAIL ' "$LOG")
  grep -E '^(FAIL|SKIP) ' "$LOG"
  if [ $rc -ne 0 ] && [ "$f" -eq 0 ]; then
    echo "FAIL $name: exited with status $rc and reported no failure; last output:"; tail -n 15 "$LOG" | sed 's/^/    /'
    f=1
  fi
  total_pass=$((total_pass+p)); total_fail=$((total_fail+f))
  local ms=$(( ($(date +%s%N) - t0) / 1000000 ))
  printf '%-40s %3d passed %3d failed  (%d.%03ds)\n' "$name" "$p" "$f" $((ms/1000)) $((ms%1000))
}
for t in "$BUILD"/tests/test_*; do
  [ -x "$t" ] && run_one "unit/$(basename "$t")" "$t"
done
# the kernels once more on the fallback path (OpenBLAS GEMMs, ppad's own attention loops)
[ -x "$BUILD/tests/test_kernels_grad" ] && run_one "unit/test_kernels_grad (PPAD_GEMM=openblas)" env PPAD_GEMM=openblas "$BUILD/tests/test_kernels_grad"
for t in tests/parity/test_*.py; do
  [ -f "$t" ] && run_one "parity/$(basename "$t")" /usr/bin/python3 "$t"
done
for t in tests/lint/test_*.sh; do
  [ -f "$t" ] && run_one "lint/$(basename "$t")" bash "$t"
done
for t in tests/cli/test_*.sh; do
  [ -f "$t" ] && run_one "cli/$(basename "$t")" bash "$t"
done
# fuzzing: a bounded libFuzzer run per target (SKIP without clang); see README "Fuzzing"
for t in tests/fuzz/test_*.sh; do
  [ -f "$t" ] && run_one "fuzz/$(basename "$t")" bash "$t"
done
rm -f "$LOG"
echo "$total_pass passed, $total_fail failed"
[ "$total_fail" -eq 0 ]
