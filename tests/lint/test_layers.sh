#!/usr/bin/env bash
# test_layers.sh — the folders of src/ are layers and includes only point down
# (README "How it is built"). Checks every #include "<layer>/..." of src/ and
# include/ against the table below, and that each layer's private headers are
# included only from inside that layer (tests may include them).
set -u
cd "$(dirname "$0")/../.."
pass=0; fail=0
ok()  { echo "PASS $1"; pass=$((pass+1)); }
bad() { echo "FAIL $1: $2"; fail=$((fail+1)); }

# layer -> the layers it may include (besides itself and include/ppad.h)
declare -A MAY=(
  [base]=""
  [formats]="base"
  [tokenizer]="base"
  [image]="base"
  [data]="base image"
  [synth]="base image data"
  [clip]="base formats tokenizer image"
  [ppad]="base formats tokenizer image data synth clip"
  [report]="base formats tokenizer image data synth clip ppad"
  [cli]="base formats tokenizer image data synth clip ppad report"
)
# private headers: only their own folder includes them
PRIVATE="data/dataset_internal.h synth/phantom_internal.h image/image_codec.h report/report_internal.h"

for dir in src/*/; do
  layer=$(basename "$dir")
  if [ -z "${MAY[$layer]+x}" ]; then bad "layer $layer is known" "src/$layer/ is not in tests/lint/test_layers.sh's table"; continue; fi
  wrong=""
  while IFS=: read -r file _ inc; do
    target=${inc%%/*}
    [ "$target" = "$layer" ] && continue
    case " ${MAY[$layer]} " in *" $target "*) ;; *) wrong="$wrong $file->$inc";; esac
  done < <(grep -Hno '#include "[a-z_]*/[a-z_]*\.h' "$dir"*.c "$dir"*.h "$dir"*.cc 2>/dev/null | sed 's/#include "//')
  if [ -z "$wrong" ]; then ok "src/$layer includes only the layers below it"; else bad "src/$layer includes only the layers below it" "$wrong"; fi
done

leak=$(grep -n '#include "[a-z]*/[a-z_]*\.h' include/*.h 2>/dev/null)
if [ -z "$leak" ]; then ok "include/ppad.h includes no internal header"; else bad "include/ppad.h includes no internal header" "$leak"; fi

for h in $PRIVATE; do
  owner=${h%%/*}
  users=$(grep -rln "#include \"$h\"" src | grep -v "^src/$owner/")
  if [ -z "$users" ]; then ok "$h is private to src/$owner"; else bad "$h is private to src/$owner" "included by $(echo $users)"; fi
done
echo "# $pass passed, $fail failed"
[ "$fail" -eq 0 ]
