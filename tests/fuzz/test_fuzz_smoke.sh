#!/usr/bin/env bash
# test_fuzz_smoke.sh — a bounded libFuzzer run of every target of tests/fuzz/
# (README "Fuzzing"): builds them (make fuzz, into build-fuzz/), then runs each
# for PPAD_FUZZ_SECONDS (default 20) from its seed corpus and dictionary, two
# at a time. Every input of tests/fuzz/corpus/<target>/ runs first, so the
# regression inputs (regress-*) are replayed on every run. New inputs go to a
# temporary folder, never into the tree. PASS/FAIL per target; SKIP (and
# nothing else) without clang or libFuzzer's runtime.
set -u
cd "$(dirname "$0")/../.."
SECS=${PPAD_FUZZ_SECONDS:-20}
if ! command -v "${FUZZ_CC:-clang}" >/dev/null 2>&1; then
  echo "SKIP fuzz: clang is not installed (tools/install-deps.sh installs clang and libclang-rt-14-dev)"
  exit 0
fi
# tmpfs where there is one: the path-based readers write a file per input
if [ -d /dev/shm ] && [ -w /dev/shm ]; then T=$(mktemp -d /dev/shm/ppad-fuzz-smoke.XXXXXX); else T=$(mktemp -d); fi
trap 'rm -rf "$T"' EXIT
printf '#include <stdint.h>\n#include <stddef.h>\nint LLVMFuzzerTestOneInput(const uint8_t *d, size_t n) { (void)d; (void)n; return 0; }\n' > "$T/probe.c"
if ! "${FUZZ_CC:-clang}" -fsanitize=fuzzer,address,undefined "$T/probe.c" -o "$T/probe" >/dev/null 2>&1; then
  echo "SKIP fuzz: clang cannot link -fsanitize=fuzzer (install libclang-rt-14-dev; tools/install-deps.sh does)"
  exit 0
fi
if ! nice -n 10 make -s -j2 fuzz >"$T/build.log" 2>&1; then
  echo "FAIL fuzz: make fuzz failed:"; tail -n 20 "$T/build.log" | sed 's/^/    /'
  exit 1
fi
if [ -z "${PPAD_TEST_VOCAB:-}" ] && [ -f ../shared/bpe_simple_vocab_16e6.txt.gz ]; then
  export PPAD_TEST_VOCAB=$PWD/../shared/bpe_simple_vocab_16e6.txt.gz
fi
export OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1
# DCMTK allocates a DICOM element's declared length (up to 4 GiB) before it reads
# the bytes (dicom_regress_long_pixeldata*.dcm). Without ASan that is untouched virtual
# memory; under ASan every such allocation poisons its shadow (~75 ms each: DICOM inputs ran
# at 13/s). max_allocation_size_mb=512 makes ASan refuse them instead (DCMTK then reports
# out of memory, which ppad passes on as the file's error) while every allocation within
# ppad's own size caps (179 M pixels) still succeeds: DICOM inputs run at ~2,500/s.
export ASAN_OPTIONS=${ASAN_OPTIONS:-allocator_may_return_null=1:max_allocation_size_mb=512}
# -timeout=60: such an input takes seconds under ASan on a loaded machine; a hang still fails

one() { # target: runs it, then prints its PASS/FAIL line
  local t=$1 d="$T/$1"
  mkdir -p "$d/new" "$d/tmp"
  # -malloc_limit_mb above 4 GiB: a DICOM element may declare up to 4 GiB - 1 of value; DCMTK
  # reserves that (untouched, so no RSS) before it finds the file ends early and says so (measured:
  # 18 MB peak RSS for tests/fuzz/corpus/image/dicom_regress_long_pixeldata.dcm). RSS stays capped.
  PPAD_FUZZ_TMP="$d/tmp" "build-fuzz/fuzz_$t" -max_total_time="$SECS" -timeout=60 -rss_limit_mb=2048 \
    -malloc_limit_mb=4200 \
    -dict="tests/fuzz/dict/$t.dict" -artifact_prefix="$d/" -print_final_stats=1 \
    "$d/new" "tests/fuzz/corpus/$t" >"$d/log" 2>&1 &
  local fpid=$! rc runs
  wait $fpid; rc=$?
  rm -f /dev/shm/__KMP_REGISTERED_LIB_${fpid}_* # clang's OpenMP runtime leaves its registration behind
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$d/log" | tail -n 1)
  local art; art=$(ls "$d"/crash-* "$d"/leak-* "$d"/timeout-* "$d"/oom-* 2>/dev/null | head -n 1)
  if [ $rc -eq 0 ] && [ -z "$art" ]; then
    echo "PASS fuzz_$t: ${runs:-?} executions in ${SECS} s, no crash, leak or timeout"
  else
    echo "FAIL fuzz_$t: exit $rc${art:+, input kept as $(basename "$art")}; the fuzzer said:"
    grep -E 'ERROR|SUMMARY|==[0-9]+==|runtime error|#[0-9]+ 0x' "$d/log" | head -n 12 | sed 's/^/    /'
    [ -n "$art" ] && mkdir -p build-fuzz/artifacts && cp "$art" "build-fuzz/artifacts/fuzz_$t-$(basename "$art")" &&
      echo "    (copied to build-fuzz/artifacts/fuzz_$t-$(basename "$art"))"
  fi
}

targets=$(ls tests/fuzz/fuzz_*.c | sed 's|.*/fuzz_||; s|\.c$||' | grep -v '^common$')
set -- $targets
while [ $# -gt 0 ]; do
  one "$1" > "$T/out.$1" &
  if [ $# -gt 1 ]; then one "$2" > "$T/out.$2" & fi
  wait
  cat "$T/out.$1"; rm -f "$T/out.$1"
  if [ $# -gt 1 ]; then cat "$T/out.$2"; rm -f "$T/out.$2"; shift; fi
  shift
done
