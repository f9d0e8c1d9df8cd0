#!/usr/bin/env bash
# test_phantom.sh — `ppad phantom`: the ZhangLab tree and its counts, PNG format,
# determinism (same seed -> byte-identical for any thread count, other seed ->
# different), that `ppad data` reads the tree, that abnormal phantoms differ from
# normal ones only by added density in the lungs, and the error cases.
source "$(dirname "$0")/../lib/check.sh"
PY=/usr/bin/python3
count() { find "$1" -maxdepth 1 -name '*.png' | wc -l; }

# --- tree layout and counts (default split: half of the normals, rounded up, to train)
"$PPAD" phantom --out "$T/a" --normal 7 --abnormal 5 --seed 3 --quiet >"$T/out" 2>"$T/err"
rc=$?
if [ $rc -eq 0 ] && [ "$(count "$T/a/train/normal_256")" = 4 ] && [ "$(count "$T/a/test/normal_256")" = 3 ] &&
   [ "$(count "$T/a/test/pneumonia_256")" = 5 ] && [ "$(wc -l <"$T/a/manifest.csv")" = 13 ]; then
  pass tree_counts_default_split
else
  fail tree_counts_default_split "rc $rc: $(cat "$T/err") $(find "$T/a" | head -30 | tr '\n' ' ')"
fi
"$PPAD" phantom --out "$T/b" --normal 7 --abnormal 1 --train-normal 2 --seed 3 --quiet >/dev/null 2>"$T/err"
if [ "$(count "$T/b/train/normal_256")" = 2 ] && [ "$(count "$T/b/test/normal_256")" = 5 ] &&
   [ "$(count "$T/b/test/pneumonia_256")" = 1 ]; then pass tree_counts_train_normal
else fail tree_counts_train_normal "$(cat "$T/err")"; fi

# --- determinism
"$PPAD" phantom --out "$T/a1" --normal 7 --abnormal 5 --seed 3 --quiet --threads 1 2>/dev/null
"$PPAD" phantom --out "$T/a2" --normal 7 --abnormal 5 --seed 3 --quiet --threads 2 2>/dev/null
if diff -r "$T/a1" "$T/a2" >/dev/null && diff -r "$T/a" "$T/a1" >/dev/null; then pass same_seed_identical_any_threads
else fail same_seed_identical_any_threads "$(diff -rq "$T/a1" "$T/a2" | head -3)"; fi
"$PPAD" phantom --out "$T/c" --normal 7 --abnormal 5 --seed 4 --quiet 2>/dev/null
ndiff=0
for f in train/normal_256/normal_00000.png test/normal_256/normal_00006.png test/pneumonia_256/pneumonia_00000.png; do
  cmp -s "$T/a/$f" "$T/c/$f" || ndiff=$((ndiff+1))
done
if [ $ndiff = 3 ]; then pass other_seed_differs; else fail other_seed_differs "only $ndiff of 3 files differ"; fi
# image i of a class depends only on (seed, class, i): a smaller tree holds the same first images
if cmp -s "$T/a/train/normal_256/normal_00001.png" "$T/b/train/normal_256/normal_00001.png" &&
   cmp -s "$T/a/test/pneumonia_256/pneumonia_00000.png" "$T/b/test/pneumonia_256/pneumonia_00000.png"; then
  pass image_depends_on_index_only
else fail image_depends_on_index_only "same (seed, class, index) gave different files"; fi

# --- PNG format: 256x256 8-bit gray; --size
"$PPAD" phantom --out "$T/s" --normal 1 --abnormal 1 --train-normal 0 --size 128 --quiet 2>/dev/null
msg=$($PY - "$T/a" "$T/s" <<'EOF'
import glob, sys
from PIL import Image
bad = []
for root, size in ((sys.argv[1], 256), (sys.argv[2], 128)):
    files = sorted(glob.glob(root + "/*/*/*.png"))
    if not files:
        bad.append("no files in " + root)
    for f in files:
        im = Image.open(f)
        if im.mode != "L" or im.size != (size, size) or im.info.get("interlace"):
            bad.append("%s: %s %s" % (f, im.mode, im.size))
print("; ".join(bad[:3]))
EOF
)
if [ -z "$msg" ]; then pass png_8bit_gray_sizes; else fail png_8bit_gray_sizes "$msg"; fi

# --- the tree is a valid zhanglab dataset, and its manifest a valid csv dataset
"$PPAD" data --data "$T/a" --check --quiet >"$T/sum" 2>"$T/err"
if grep -q '^layout: zhanglab' "$T/sum" && grep -q '^train normal: 4' "$T/sum" && grep -q '^test normal: 3' "$T/sum" &&
   grep -q '^test abnormal: 5' "$T/sum"; then pass data_reads_tree
else fail data_reads_tree "$(cat "$T/sum" "$T/err")"; fi
"$PPAD" data --data "$T/a/manifest.csv" --list >"$T/l1" 2>"$T/err"
"$PPAD" data --data "$T/a" --list >"$T/l2" 2>>"$T/err"
if [ -s "$T/l1" ] && diff "$T/l1" "$T/l2" >/dev/null; then pass manifest_matches_tree
else fail manifest_matches_tree "$(diff "$T/l1" "$T/l2" | head -3) $(cat "$T/err")"; fi

# --- abnormal = normal anatomy + added density in the lungs: pairs of the same seed
TOOL="$BUILD/tools/phantom_tool"
"$TOOL" 500 60 256 "$T/pairs.raw" >"$T/kinds" 2>"$T/err"
msg=$($PY - "$T/pairs.raw" "$T/kinds" <<'EOF'
import sys
import numpy as np
kinds = open(sys.argv[2]).read().split()
a = np.fromfile(sys.argv[1], dtype=np.uint8).reshape(-1, 2, 256, 256).astype(int)
d = a[:, 1] - a[:, 0]
out = []
if len(kinds) != 60 or set(kinds) != {"consolidation", "patchy", "haze", "effusion"}:
    out.append("findings %s" % sorted(set(kinds)))
if (d < 0).any():
    out.append("a finding darkened %d pixels" % int((d < 0).sum()))
area = (d > 8).sum(axis=(1, 2))
if area.min() < 20:
    out.append("pair %d: finding invisible (%d pixels change by > 8)" % (int(area.argmin()), area.min()))
# outside the thorax (top corners, bottom rows) nothing changes
if d[:, :24, :24].any() or d[:, :24, -24:].any():
    out.append("finding outside the chest")
# subtlety varies: both small and large findings occur
if not (np.percentile(area, 10) < 1500 and np.percentile(area, 90) > 4000):
    out.append("finding areas do not vary: %s" % np.percentile(area, [10, 50, 90]))
print("; ".join(out))
EOF
)
if [ -z "$msg" ] && [ -s "$T/kinds" ]; then pass abnormal_adds_lung_density_pairs; else fail abnormal_adds_lung_density_pairs "$msg $(cat "$T/err")"; fi

# unpaired, as a detector sees them: abnormal lung fields are brighter on average
"$PPAD" phantom --out "$T/st" --normal 40 --abnormal 40 --train-normal 0 --seed 11 --quiet 2>/dev/null
msg=$($PY - "$T/st" <<'EOF'
import glob, sys
import numpy as np
from PIL import Image
from scipy.stats import mannwhitneyu
def lungs(cls):
    v = []
    for f in sorted(glob.glob(sys.argv[1] + "/test/%s/*.png" % cls)):
        a = np.asarray(Image.open(f)).astype(float)
        v.append(np.concatenate([a[50:190, 35:105].ravel(), a[50:190, 151:221].ravel()]).mean())
    return np.array(v)
n, ab = lungs("normal_256"), lungs("pneumonia_256")
p = mannwhitneyu(ab, n, alternative="greater").pvalue
print("" if len(n) == 40 and len(ab) == 40 and p < 0.05 else "normal %.1f abnormal %.1f p=%.3g" % (n.mean(), ab.mean(), p))
EOF
)
if [ -z "$msg" ]; then pass abnormal_lungs_brighter_unpaired; else fail abnormal_lungs_brighter_unpaired "$msg"; fi

# (speed is measured by make bench, not here: a timed test fails on a busy machine)

# --conspicuous: the same subjects (normals byte-identical), every finding a consolidation; pairs of
# the same seed: larger findings than the varied ones of the same subjects, each in one lung
"$PPAD" phantom --out "$T/cs" --normal 40 --abnormal 40 --train-normal 0 --seed 11 --conspicuous --quiet 2>/dev/null
if diff -r "$T/st/test/normal_256" "$T/cs/test/normal_256" >/dev/null &&
   grep -c ',consolidation$' "$T/cs/manifest.csv" | grep -qx 40; then pass conspicuous_same_normals_all_consolidation
else fail conspicuous_same_normals_all_consolidation "$(cut -d, -f4 "$T/cs/manifest.csv" | sort | uniq -c | tr '\n' ' ')"; fi
"$TOOL" 500 60 256 "$T/pairs_c.raw" 2 >"$T/kinds_c" 2>"$T/err"
msg=$($PY - "$T/pairs.raw" "$T/pairs_c.raw" "$T/kinds_c" <<'EOF'
import sys
import numpy as np
va = np.fromfile(sys.argv[1], dtype=np.uint8).reshape(-1, 2, 256, 256).astype(int)
co = np.fromfile(sys.argv[2], dtype=np.uint8).reshape(-1, 2, 256, 256).astype(int)
kinds = open(sys.argv[3]).read().split()
out = []
if len(kinds) != 60 or set(kinds) != {"consolidation"}:
    out.append("findings %s" % sorted(set(kinds)))
if not (va[:, 0] == co[:, 0]).all():
    out.append("the normal of a pair changed")
d = co[:, 1] - co[:, 0]
if (d < 0).any():
    out.append("a finding darkened %d pixels" % int((d < 0).sum()))
ch = d > 8
area_c, area_v = ch.sum(axis=(1, 2)), (va[:, 1] - va[:, 0] > 8).sum(axis=(1, 2))
# larger than the varied findings of the same subjects (seen: x1.7 at the 10th percentile, x1.4 the median)
if not (np.percentile(area_c, 10) > 1.5 * np.percentile(area_v, 10) and np.median(area_c) > 1.3 * np.median(area_v)):
    out.append("areas conspicuous %s varied %s" % (np.percentile(area_c, [10, 50]), np.percentile(area_v, [10, 50])))
# one-sided: >= 95% of the changed pixels of each pair on one side of the midline
left = ch[:, :, :128].sum(axis=(1, 2))
one = np.maximum(left, area_c - left) / np.maximum(area_c, 1)
if one.min() < 0.95:
    out.append("pair %d: only %.2f of the finding on one side" % (int(one.argmin()), one.min()))
print("; ".join(out))
EOF
)
if [ -z "$msg" ] && [ -s "$T/kinds_c" ]; then pass conspicuous_findings_more_visible
else fail conspicuous_findings_more_visible "$msg $(cat "$T/err")"; fi

# --- errors and --force
expect_error missing_out 'ppad phantom: --out is required' "$PPAD" phantom --normal 2
expect_error nothing_to_write 'nothing to write' "$PPAD" phantom --out "$T/z"
expect_error train_more_than_normal '--train-normal 5 is more than --normal 2' "$PPAD" phantom --out "$T/z" --normal 2 --train-normal 5
expect_error bad_count "'x' is not an integer" "$PPAD" phantom --out "$T/z" --normal x
expect_error bad_size '--size' "$PPAD" phantom --out "$T/z" --normal 1 --size 10
expect_error nonempty_refused "$T/a/train/normal_256" "$PPAD" phantom --out "$T/a" --normal 2 --quiet
touch "$T/file"
expect_error out_is_a_file "$T/file" "$PPAD" phantom --out "$T/file" --normal 2 --quiet
touch "$T/a/test/normal_256/keep.txt"
"$PPAD" phantom --out "$T/a" --normal 2 --abnormal 1 --force --quiet 2>"$T/err"
if [ "$(count "$T/a/train/normal_256")" = 1 ] && [ "$(count "$T/a/test/normal_256")" = 1 ] &&
   [ "$(count "$T/a/test/pneumonia_256")" = 1 ] && [ -f "$T/a/test/normal_256/keep.txt" ]; then pass force_replaces_earlier_tree
else fail force_replaces_earlier_tree "$(cat "$T/err") $(find "$T/a" -type f | tr '\n' ' ')"; fi
if ! ls "$T"/a/*/*/*.tmp.* >/dev/null 2>&1; then pass no_temporary_files_left; else fail no_temporary_files_left "$(ls "$T"/a/*/*/*.tmp.*)"; fi
finish
