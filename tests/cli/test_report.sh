#!/usr/bin/env bash
# test_report.sh — `--report DIR` of test, train and zeroshot (src/cli/report_cli.c,
# src/report): the page and its JSON from the run's own scores, with thumbnails,
# the training log, per-run metrics and the sample of lesions; every output
# location checked before any work; one-line errors.
source "$(dirname "$0")/../lib/check.sh"
PY=/usr/bin/python3
W="$FIX/clip_tiny.pt"
"$PPAD" phantom --out "$T/ph" --normal 16 --abnormal 8 --train-normal 8 --seed 2 --size 224 --quiet >/dev/null 2>&1 \
  || fail "phantoms" "ppad phantom failed"
"$PPAD" init-prompts --seed 0 --weights "$W" --out "$T/p.pt" 2>/dev/null

# json_check FILE 'python expression over d (the JSON) and h (the page)' NAME
json_check() {
  local r
  r=$($PY - "$1" "$2" <<'PYEOF'
import json, re, sys
page = open(sys.argv[1] + "/report.html", encoding="utf-8").read()
d = json.load(open(sys.argv[1] + "/report.json"))
m = re.search(r'<script type="application/json" id="ppad-report">(.*?)</script>', page, re.S)
h = json.loads(m.group(1)) if m else None
print("True" if h == d and eval(sys.argv[2]) else "False: %s" % {k: d[k] for k in d if k not in ("roc", "pr")})
PYEOF
)
  [ "$r" = "True" ] && pass "$3" || fail "$3" "$(echo "$r" | head -c 400)"
}

if "$PPAD" test --weights "$W" --prompts "$T/p.pt" --data "$T/ph" --quiet --threads 2 --report "$T/rt" \
    >"$T/out" 2>"$T/err" && [ -s "$T/rt/report.html" ] && [ -s "$T/rt/report.json" ]; then
  pass "test --report writes report.html and report.json"
else fail "test --report writes report.html and report.json" "$(cat "$T/err")"; fi
grep -q "^ACC" "$T/out" && pass "test --report still prints the metrics" || fail "test --report still prints the metrics" "$(cat "$T/out")"
json_check "$T/rt" 'd["metrics"]["n"] == 16 and d["settings"]["prompts"].endswith("p.pt") and all(e["image"] for g in d["gallery"].values() for e in g) and all(d["positions"][k]["available"] for k in ("left", "whole")) and "command" in d["settings"]' \
  "test report: 16 scored images, thumbnails, five positions, settings"
ls "$T/rt" | grep -q '\.tmp\.' && fail "no temporary files" "$(ls "$T/rt")" || pass "no temporary files"

if "$PPAD" train --weights "$W" --data "$T/ph" --out "$T/tr.pt" --shots 4 --batch 2 --epochs 1 --runs 2 --quiet \
    --threads 2 --report "$T/rtr" --log "$T/log.csv" >"$T/out" 2>"$T/err"; then pass "train --runs 2 --report"
else fail "train --runs 2 --report" "$(cat "$T/err")"; fi
json_check "$T/rtr" 'len(d["train_log"]) == 2 and [len(l["step"]) for l in d["train_log"]] == [2, 2] and len(d["runs"]["per_run"]) == 2 and [r["seed"] for r in d["runs"]["per_run"]] == [0, 1] and len(d["lesions"]) == 8 and all(l["method"] == "sas" for l in d["lesions"]) and h is not None' \
  "train report: both runs' logs (from --log files), per-run metrics, 8 SAS lesions"
n=$($PY -c "import re,sys; print(len(re.findall('<figure><img alt=\"SAS', open('$T/rtr/report.html').read())))")
[ "$n" = 8 ] && pass "train report shows the 8 lesion images" || fail "train report shows the 8 lesion images" "$n"
if "$PPAD" train --weights "$W" --data "$T/ph" --out "$T/tr2.pt" --shots 4 --batch 4 --epochs 2 --quiet --threads 2 \
    --synthesis fpi --report "$T/rtr2" >"$T/out" 2>"$T/err"; then pass "train --report without --log"
else fail "train --report without --log" "$(cat "$T/err")"; fi
json_check "$T/rtr2" 'len(d["train_log"]) == 1 and d["train_log"][0]["step"] == [1.0, 2.0] and "runs" not in d and all(l["method"] == "fpi" and 0.5 <= l["alpha"] < 1 for l in d["lesions"])' \
  "train report: the log kept in memory, FPI lesions with their alpha"

if "$PPAD" zeroshot --weights "$W" --data "$T/ph" --quiet --threads 2 --vocab "$VOCAB" --report "$T/rz" \
    >"$T/out" 2>"$T/err"; then pass "zeroshot --report"; else fail "zeroshot --report" "$(cat "$T/err")"; fi
json_check "$T/rz" 'd["positions"]["whole"]["available"] and not d["positions"]["left"]["available"] and d["gallery"]["false_positives"] is not None' \
  "zeroshot report: p_whole only, the other positions marked absent"

# outputs checked before any work
touch "$T/afile"
expect_error "--report on a file" "not a folder" "$PPAD" test --weights "$W" --prompts "$T/p.pt" --data "$T/ph" --report "$T/afile"
expect_error "--report under a missing folder" "does not exist" "$PPAD" zeroshot --weights "$W" --data "$T/ph" --report "$T/no/such"
expect_error "train --report with --no-eval" "--no-eval" "$PPAD" train --weights "$W" --data "$T/ph" --out "$T/x.pt" --no-eval --report "$T/r9"
[ ! -e "$T/x.pt" ] && pass "nothing trained when --report cannot work" || fail "nothing trained when --report cannot work" "x.pt written"
mkdir -p "$T/ro" && chmod 555 "$T/ro"
if [ "$(id -u)" != 0 ]; then
  expect_error "--report into a read-only folder" "cannot write" "$PPAD" test --weights "$W" --prompts "$T/p.pt" --data "$T/ph" --report "$T/ro"
fi
"$PPAD" report --help | grep -q "usage: ppad report" && pass "report --help" || fail "report --help" "no usage"
for v in test train zeroshot; do
  "$PPAD" $v --help | grep -q -- "--report DIR" && pass "$v --help names --report" || fail "$v --help names --report" ""
done
finish
