#!/usr/bin/env bash
# test_synth.sh — `ppad synth` command line: outputs, the contact sheet, and
# one-line errors for every bad input.
source "$(dirname "$0")/../lib/check.sh"
PY=/usr/bin/python3

$PY - "$T" <<'PYEOF'
import sys
import numpy as np
from PIL import Image
d = sys.argv[1]
yy, xx = np.mgrid[:224, :224] / 224.0
a = 50 + 140 * np.exp(-((xx - 0.3) ** 2 / 0.02 + (yy - 0.55) ** 2 / 0.08)) + 20 * np.sin(yy * 40)
Image.fromarray(np.clip(a, 0, 255).astype(np.uint8)).save(d + "/in.png")
Image.fromarray(np.clip(a[::-1], 0, 255).astype(np.uint8)).save(d + "/src.png")
Image.fromarray(np.zeros((300, 280, 3), np.uint8) + 90).save(d + "/rgb.png")
open(d + "/broken.png", "wb").write(open(d + "/in.png", "rb").read()[:200])
PYEOF

# a normal run writes both files, the mask is 0/255, nothing left behind
if "$PPAD" synth --image "$T/in.png" --position lower --seed 1 --out "$T/o.png" --mask-out "$T/m.png" \
    >"$T/stdout" 2>"$T/stderr" && [ ! -s "$T/stderr" ]; then pass "synth writes outputs"
else fail "synth writes outputs" "$(cat "$T/stderr")"; fi
r=$($PY -c "
import numpy as np; from PIL import Image
o=np.array(Image.open('$T/o.png')); m=np.array(Image.open('$T/m.png')); i=np.array(Image.open('$T/in.png'))
print(o.shape==(224,224) and m.shape==(224,224) and set(np.unique(m))<={0,255} and (m>0).sum()>0 and (o[m==0]==i[m==0]).all())")
[ "$r" = "True" ] && pass "mask 0/255, image unchanged outside" || fail "mask 0/255, image unchanged outside" "$r"
ls "$T" | grep -q '\.tmp\.' && fail "no temporary files left" "$(ls "$T")" || pass "no temporary files left"

# colour input of another size goes through the gray + resize pipeline
"$PPAD" synth --image "$T/rgb.png" --position whole --seed 2 --weight 3 --out "$T/o2.png" --print-params >"$T/p" 2>&1 \
  && grep -q '"weight": 3,' "$T/p" && pass "rgb 300x280 input, --weight, --print-params" \
  || fail "rgb 300x280 input, --weight, --print-params" "$(cat "$T/p")"

"$PPAD" synth --image "$T/in.png" --position left --seed 4 --method fpi --source "$T/src.png" --out "$T/f.png" \
  --mask-out "$T/fm.png" --print-params >"$T/p" 2>&1 && grep -q '"method": "fpi"' "$T/p" \
  && pass "fpi method" || fail "fpi method" "$(cat "$T/p")"

# contact sheets: the original + K tiles in rows of at most 6, filled evenly; each tile is a
# 20-pixel caption, the image, 2 pixels, its mask (224 + 2 + 224 + 20 = 470), 6 pixels between tiles
for kc in "8 5 2" "6 4 2" "11 6 2" "5 6 1" "2 3 1"; do
  set -- $kc
  want="($(( $2 * 224 + ($2 + 1) * 6 )), $(( $3 * 470 + ($3 + 1) * 6 )))"
  "$PPAD" synth --sheet $1 --image "$T/in.png" --out "$T/sheet.png" --seed 3 >"$T/p" 2>&1 \
    && r=$($PY -c "from PIL import Image; print(Image.open('$T/sheet.png').size)") \
    && [ "$r" = "$want" ] && pass "sheet of $1: $2 columns x $3 rows" || fail "sheet of $1: $2 columns x $3 rows" "$r, want $want $(cat "$T/p")"
done
# captions: a dark strip with white text over every tile; equal captions (method, position, weight
# from --print-params) draw equal strips, different ones different strips
"$PPAD" synth --sheet 11 --image "$T/in.png" --out "$T/sheet.png" --seed 5 --print-params >"$T/p" 2>&1
r=$($PY - "$T/sheet.png" "$T/p" <<'PYEOF'
import json, sys
import numpy as np
from PIL import Image
s = np.asarray(Image.open(sys.argv[1]))
params = [json.loads(l) for l in open(sys.argv[2])]
caps = ["original"] + ["%s %s %r" % (p["method"], p["position"], p["weight"]) for p in params]
strips = []
for t in range(12):
    top, left = 6 + (t // 6) * (470 + 6), 6 + (t % 6) * (224 + 6)
    strips.append(s[top:top + 20, left:left + 224])
ok = all((st == 40).mean() > 0.6 and (st == 255).sum() > 40 for st in strips)
same = all((caps[i] == caps[j]) == np.array_equal(strips[i], strips[j]) for i in range(12) for j in range(i))
print(ok and same and len(params) == 11, len(set(caps)))
PYEOF
)
case "$r" in True*) pass "sheet captions drawn, one per distinct caption ($r)";; *) fail "sheet captions" "$r $(head -c 300 "$T/p")";; esac
"$PPAD" synth --sheet 3 --image "$T/in.png" --out "$T/sheet2.png" --method both --source "$T/src.png" \
  --print-params >"$T/p" 2>&1 && [ "$(grep -c '"method"' "$T/p")" = 6 ] \
  && pass "sheet comparing sas and fpi" || fail "sheet comparing sas and fpi" "$(cat "$T/p")"

"$PPAD" synth --help | grep -q "usage: ppad synth" && pass "synth --help" || fail "synth --help" "no usage"

expect_error "missing image" "nope.png" "$PPAD" synth --image "$T/nope.png" --position left --seed 1 --out "$T/x.png"
expect_error "truncated image" "broken.png" "$PPAD" synth --image "$T/broken.png" --position left --seed 1 --out "$T/x.png"
expect_error "bad position" "--position" "$PPAD" synth --image "$T/in.png" --position middle --seed 1 --out "$T/x.png"
expect_error "missing position" "--position is required" "$PPAD" synth --image "$T/in.png" --seed 1 --out "$T/x.png"
expect_error "missing seed" "--seed is required" "$PPAD" synth --image "$T/in.png" --position left --out "$T/x.png"
expect_error "missing out" "--out is required" "$PPAD" synth --image "$T/in.png" --position left --seed 1
expect_error "weight -1" "--weight" "$PPAD" synth --image "$T/in.png" --position left --seed 1 --weight -1 --out "$T/x.png"
expect_error "weight not a number" "--weight" "$PPAD" synth --image "$T/in.png" --position left --seed 1 --weight abc --out "$T/x.png"
expect_error "fpi without source" "--source" "$PPAD" synth --image "$T/in.png" --position left --seed 1 --method fpi --out "$T/x.png"
expect_error "bad method" "--method" "$PPAD" synth --image "$T/in.png" --position left --seed 1 --method paint --out "$T/x.png"
expect_error "unknown option" "--frobnicate" "$PPAD" synth --frobnicate
expect_error "size under 224" "--size" "$PPAD" synth --image "$T/in.png" --position left --seed 1 --size 100 --out "$T/x.png"
expect_error "sheet 0" "--sheet" "$PPAD" synth --sheet 0 --image "$T/in.png" --out "$T/x.png"
expect_error "unwritable output" "nodir" "$PPAD" synth --image "$T/in.png" --position left --seed 1 --out "$T/nodir/x.png"
expect_error "unwritable mask" "nodir" "$PPAD" synth --image "$T/in.png" --position left --seed 1 --out "$T/y.png" --mask-out "$T/nodir/m.png"
[ ! -e "$T/y.png" ] && pass "no image written when the mask cannot be" || fail "no image written when the mask cannot be" "y.png exists"
finish
