#!/usr/bin/env bash
# test_explain.sh — ppad explain and predict --heatmaps end to end (src/cli/cmd_explain.c,
# heatmaps_cli.c): the --raw and --out outputs, inputs from folders and --list -, usage
# errors, outputs checked before any work and none left behind by a failed run, the heat-map
# folder read back by ppad report --heatmaps. The maps' numbers: tests/parity/test_explain.py.
source "$(dirname "$0")/../lib/check.sh"
PY=/usr/bin/python3
W="$FIX/clip_tiny.pt"
P="$FIX/prompts_tiny_released.pt"
"$PPAD" phantom --out "$T/ph" --normal 3 --abnormal 3 --train-normal 1 --seed 4 --size 256 --quiet >/dev/null 2>&1 \
  || fail "phantoms" "ppad phantom failed"
IMG="$T/ph/test/normal_256"
A=$(ls "$IMG"/*.png | head -1)
N=$(ls "$IMG"/*.png | wc -l)
mkdir -p "$T/other" && cp "$A" "$T/other/$(basename "$A")"   # the same file name in another folder

# --raw and --out, a folder and a duplicate name
if "$PPAD" explain --weights "$W" --prompts "$P" --threads 2 --quiet --out "$T/hm" --raw "$T/raw.csv" \
    "$IMG" "$T/other/$(basename "$A")" >"$T/stdout" 2>"$T/err"; then pass "explain --out --raw runs"
else fail "explain --out --raw runs" "$(cat "$T/err")"; fi
r=$($PY - "$T" "$N" <<'PYEOF'
import csv, sys
from PIL import Image
t, n = sys.argv[1], int(sys.argv[2]) + 1
raw = list(csv.reader(open(t + "/raw.csv")))
idx = list(csv.DictReader(open(t + "/hm/index.csv")))
out = list(csv.DictReader(open(t + "/stdout")))
ok = raw[0] == ["path", "position", "method"] + ["m%d" % i for i in range(49)]
ok &= len(raw) == 1 + 5 * n and [r[1] for r in raw[1:6]] == ["left", "right", "upper", "lower", "whole"]
ok &= all(r[2] == "relevance" and len(r) == 52 and all(float(v) >= 0 for v in r[3:]) for r in raw[1:])
ok &= [r["path"] for r in idx] == [r["path"] for r in out] and len(idx) == n
ok &= len(set(r["overlay"] for r in idx)) == n and idx[-1]["overlay"].endswith("-2_overlay.png")
ok &= all(r["score"] == o["score"] and r["verdict"] == o["verdict"] for r, o in zip(idx, out))
for r in idx:
    src = Image.open(r["path"])
    ok &= Image.open(t + "/hm/" + r["overlay"]).size == src.size and Image.open(t + "/hm/" + r["panel"]).mode == "RGB"
print(ok)
PYEOF
)
[ "$r" = True ] && pass "--raw rows, index.csv, unique names, overlay at the image's size" || fail "--raw rows, index.csv, unique names, overlay at the image's size" "$r"
ls "$T/hm" | grep -q '\.tmp\.' && fail "no temporary files" "$(ls "$T/hm")" || pass "no temporary files"

# the library call (ppad.h) gives the CLI's maps
"$BUILD/tools/api_tool" maps "$W" "$P" relevance "$A" >"$T/api.csv" 2>"$T/err" || fail "api_tool maps" "$(cat "$T/err")"
r=$($PY -c "
import csv, numpy as np
raw = [r for r in csv.reader(open('$T/raw.csv')) if r[0] == '$A']
api = list(csv.reader(open('$T/api.csv')))
a = np.array([[float(v) for v in r[3:]] for r in raw]); b = np.array([[float(v) for v in r[2:]] for r in api])
print(a.shape == b.shape == (5, 49) and [r[1] for r in api] == [r[1] for r in raw] and np.allclose(a, b, rtol=1e-6, atol=0))")
[ "$r" = True ] && pass "ppad_explain_files = explain --raw (1e-6 rel; %.9g printing)" || fail "ppad_explain_files = explain --raw" "$r"

# --list - and gradcam
echo "$A" | "$PPAD" explain --weights "$W" --prompts "$P" --threads 2 --method gradcam --raw "$T/g.csv" --list - \
  >/dev/null 2>"$T/err" && [ "$(cut -d, -f3 "$T/g.csv" | sort -u | tr '\n' ' ')" = "gradcam method " ] \
  && pass "--list - and --method gradcam" || fail "--list - and --method gradcam" "$(cat "$T/err")"

# the folder is what ppad report --heatmaps reads
{ echo "path,label,score,p_left,p_right,p_upper,p_lower,p_whole"
  $PY -c "
import csv,sys
for r in csv.DictReader(open('$T/stdout')):
    print(','.join([r['path'], '1' if 'pneumonia' in r['path'] else '0', r['score']] + [r['p_'+k] for k in ('left','right','upper','lower','whole')]))"
  for f in "$T/ph/test/pneumonia_256"/*.png; do echo "$f,1,0.7,0.7,0.7,0.7,0.7,0.7"; done; } >"$T/s.csv"
if "$PPAD" report --scores "$T/s.csv" --heatmaps "$T/hm" --out "$T/r.html" --json "$T/r.json" 2>"$T/err" &&
   $PY -c "import json,sys; g=json.load(open('$T/r.json'))['gallery']; sys.exit(0 if any(e['overlay'] and e['panel'] for v in g.values() for e in v) else 1)"
then pass "ppad report --heatmaps shows explain's pictures"; else fail "ppad report --heatmaps shows explain's pictures" "$(cat "$T/err")"; fi

# usage errors (exit 2), outputs checked before any work
expect_error "explain needs --out or --raw" "--out DIR and/or --raw" "$PPAD" explain --weights "$W" --prompts "$P" "$A"
expect_error "unknown --method" "--method" "$PPAD" explain --weights "$W" --prompts "$P" --method cam --raw "$T/x.csv" "$A"
"$PPAD" explain --weights "$W" --prompts "$P" --raw "$A" "$A" >/dev/null 2>&1; rc=$?
[ $rc = 2 ] && pass "--raw naming an input image is a usage error" || fail "--raw naming an input image is a usage error" "exit $rc"
cp "$A" "$T/in_overlay.png"
"$PPAD" explain --weights "$W" --prompts "$P" --out "$T" "$T/in.png" "$T/in_overlay.png" >/dev/null 2>"$T/err"; rc=$?
[ $rc = 2 ] && grep -q "in_overlay.png" "$T/err" && pass "a picture that would overwrite an input is refused" \
  || fail "a picture that would overwrite an input is refused" "exit $rc: $(cat "$T/err")"
touch "$T/afile"
expect_error "--out on a file" "not a folder" "$PPAD" explain --weights "$W" --prompts "$P" --out "$T/afile" "$A"
expect_error "--out under a missing folder" "does not exist" "$PPAD" explain --weights "$W" --prompts "$P" --out "$T/no/such" "$A"
expect_error "predict --heatmaps with --no-position" "five positions" "$PPAD" predict --weights "$W" --prompts "$P" --no-position --heatmaps "$T/h9" "$A"

# a failed run leaves none of its files behind (an old --raw file stays as it was)
echo old >"$T/keep.csv"
expect_error "explain: a missing image ends the run" "missing.png" "$PPAD" explain --weights "$W" --prompts "$P" --threads 2 \
  --out "$T/fail" --raw "$T/keep.csv" "$A" "$T/missing.png"
[ ! -e "$T/fail" ] && [ "$(cat "$T/keep.csv")" = old ] && pass "explain: nothing written by the failed run" \
  || fail "explain: nothing written by the failed run" "$(ls "$T/fail" 2>&1; cat "$T/keep.csv")"
expect_error "predict --heatmaps: a missing image ends the run" "missing.png" "$PPAD" predict --weights "$W" --prompts "$P" \
  --threads 2 --heatmaps "$T/fail2" "$A" "$T/missing.png"
[ ! -e "$T/fail2" ] && pass "predict --heatmaps: nothing written by the failed run" \
  || fail "predict --heatmaps: nothing written by the failed run" "$(ls "$T/fail2")"

# --on-error skip: the good images' outputs, exit 1
"$PPAD" explain --weights "$W" --prompts "$P" --threads 2 --on-error skip --raw "$T/skip.csv" "$A" "$T/missing.png" \
  >/dev/null 2>"$T/err"; rc=$?
[ $rc = 1 ] && [ "$(wc -l <"$T/skip.csv")" = 6 ] && grep -q "1 of 2 images" "$T/err" \
  && pass "explain --on-error skip writes the rest, exit 1" || fail "explain --on-error skip writes the rest, exit 1" "exit $rc: $(cat "$T/err")"

# predict --heatmaps: the same folder, predict's own numbers
if "$PPAD" predict --weights "$W" --prompts "$P" --threads 2 --heatmaps "$T/ph_hm" --heatmap-method gradcam "$IMG" \
    >"$T/pred" 2>"$T/err"; then pass "predict --heatmaps runs"; else fail "predict --heatmaps runs" "$(cat "$T/err")"; fi
r=$($PY -c "
import csv
p = list(csv.DictReader(open('$T/pred'))); i = list(csv.DictReader(open('$T/ph_hm/index.csv')))
print(len(p) == len(i) == $N and all(a['path'] == b['path'] and a['score'] == b['score'] and a['p_left'] == b['p_left'] and b['method'] == 'gradcam' for a, b in zip(p, i)))")
[ "$r" = True ] && pass "predict --heatmaps: index.csv carries the printed scores" || fail "predict --heatmaps: index.csv carries the printed scores" "$r"

# test --report: the gallery's overlays and panels through the report's visual hook
if "$PPAD" test --weights "$W" --prompts "$P" --data "$T/ph" --quiet --threads 2 --report "$T/rep" >/dev/null 2>"$T/err" &&
   $PY -c "
import json, sys
g = json.load(open('$T/rep/report.json'))['gallery']
e = [x for v in g.values() for x in v]
sys.exit(0 if e and all(x['overlay'] and x['panel'] for x in e) else 1)"
then pass "test --report: every gallery image has its overlay and panel"
else fail "test --report: every gallery image has its overlay and panel" "$(cat "$T/err")"; fi

"$PPAD" explain --help | grep -q "usage: ppad explain" && pass "explain --help" || fail "explain --help" "no usage"
"$PPAD" predict --help | grep -q -- "--heatmaps DIR" && pass "predict --help names --heatmaps" || fail "predict --help names --heatmaps" ""
finish
