# check.sh — shell side of the test harness; source it from tests/cli/test_*.sh.
# Same protocol: "PASS name" / "FAIL name: detail".
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BUILD=${BUILD:-build}
case "$BUILD" in /*) ;; *) BUILD="$ROOT/$BUILD" ;; esac
PPAD="$BUILD/ppad"
FIX="$BUILD/fixtures"
VOCAB=${PPAD_TEST_VOCAB:-$(dirname "$ROOT")/shared/bpe_simple_vocab_16e6.txt.gz}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
_np=0; _nf=0
pass() { _np=$((_np+1)); echo "PASS $1"; }
fail() { _nf=$((_nf+1)); echo "FAIL $1: $2"; }
# expect_error NAME 'message substring' cmd...: command must exit non-zero, print exactly
# one line on stderr containing the substring, and not crash (exit < 128).
expect_error() {
  local name=$1 msg=$2; shift 2
  "$@" >"$T/out" 2>"$T/err"; local rc=$?
  local lines; lines=$(wc -l <"$T/err")
  if [ $rc -eq 0 ]; then fail "$name" "exit 0 (expected failure)";
  elif [ $rc -ge 128 ]; then fail "$name" "crashed with exit $rc: $(head -c 300 "$T/err")";
  elif ! grep -qF -- "$msg" "$T/err"; then fail "$name" "stderr lacks '$msg': $(head -c 300 "$T/err")";
  elif [ "$lines" -ne 1 ]; then fail "$name" "expected one line on stderr, got $lines: $(head -c 300 "$T/err")";
  else pass "$name"; fi
}
finish() { echo "# $_np passed, $_nf failed"; [ $_nf -eq 0 ]; }
