#!/usr/bin/env bash
# test_mpi.sh — ppad under mpirun (issue 14): the same bytes as one process
# with the same threads per rank (test, train with SAS, step, predict,
# zeroshot, explain, embed, predict --heatmaps, test --report's gallery; 2 ranks, and 3 ranks on batches that do not divide evenly), a
# failure in one rank's share ends every rank with one line and no output, a
# killed rank does not leave the others hanging, and the one-process layer
# builds without MPI. Skipped, saying why, where Open MPI is missing.
source "$(dirname "$0")/../lib/check.sh"
PY=/usr/bin/python3

# the one-process layer (PPAD_MPI=0) compiles and works without mpi.h
cat >"$T/solo.c" <<'EOF'
#include <stdio.h>
#include "base/dist.h"
int main(int argc, char **argv) {
    dist_init(&argc, &argv);
    ppad_err e = {{0}};
    void *all; size_t counts[1]; int x = 7;
    dist_allgather(&x, sizeof x, &all, counts);
    int ok = dist_size() == 1 && dist_rank() == 0 && !dist_built_with_mpi() && dist_agree(0, &e) == 0
             && dist_agree(-1, &e) == -1 && counts[0] == sizeof x && *(int *)all == 7;
    printf("%d\n", ok);
    dist_finalize();
    return 0;
}
EOF
if cc -std=c11 -D_DEFAULT_SOURCE -Wall -Wextra -Werror -I"$ROOT/include" -I"$ROOT/src" -o "$T/solo" "$T/solo.c" \
     "$ROOT/src/base/dist.c" "$ROOT/src/base/error.c" 2>"$T/cc.err" && [ "$("$T/solo")" = 1 ]; then
  pass "dist layer builds and works without MPI (PPAD_MPI=0)"
else fail "dist layer builds and works without MPI (PPAD_MPI=0)" "$(head -c 400 "$T/cc.err")"; fi

if ! command -v mpirun >/dev/null; then echo "SKIP test_mpi: mpirun not found (install openmpi-bin)"; finish; exit; fi
if ! ldd "$PPAD" | grep -q libmpi; then
  echo "SKIP test_mpi: $PPAD was built without MPI (Open MPI's pkg-config ompi-c / mpicc not found)"; finish; exit
fi

# under `make asan`: Open MPI's runtime keeps allocations to the end, which LeakSanitizer would
# report at every rank's exit; memory errors are still caught (leaks: the one-process tests)
[ -n "${PPAD_ASAN:-}" ] && export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"
# one machine: shared memory between the ranks, as many ranks as asked for
export OMPI_MCA_btl=self,vader OMPI_MCA_rmaps_base_oversubscribe=1 OMPI_MCA_btl_base_warn_component_unused=0
MPI=(mpirun -q --allow-run-as-root)
if ! "${MPI[@]}" -np 2 "$PPAD" --version >"$T/probe" 2>&1; then
  echo "SKIP test_mpi: mpirun cannot start 2 ranks here: $(head -c 300 "$T/probe" | tr '\n' ' ')"; finish; exit
fi
W="$FIX/clip_tiny.pt"
cd "$T"
"$PPAD" phantom --out ph --normal 40 --abnormal 30 --train-normal 20 --seed 1 --quiet \
  && "$PPAD" init-prompts --seed 0 --weights "$W" --out init.pt || { fail "fixtures" "phantom/init-prompts"; finish; exit; }

same() { # name file-a file-b...
  local name=$1 a=$2 bad=""; shift 2
  for b in "$@"; do cmp -s "$a" "$b" || bad="$bad $b"; done
  [ -z "$bad" ] && [ -s "$a" ] && pass "$name" || fail "$name" "differs from $a:$bad"
}

# ---- test: scores CSV and metrics JSON (50 images = 2 chunks of 32; 3 ranks: one idle) ----
TEST=(test --weights "$W" --prompts init.pt --data ph --threads 1 --quiet --json)
"$PPAD" "${TEST[@]}" --scores s1.csv >m1.json
"${MPI[@]}" -np 2 "$PPAD" "${TEST[@]}" --scores s2.csv >m2.json
same "test: 2 ranks x 1 thread = 1 process, scores CSV" s1.csv s2.csv
same "test: 2 ranks x 1 thread = 1 process, metrics JSON" m1.json m2.json

# ---- train with SAS: 20 shots, batch 10, micro-batch 4 -> 3 micro-batches a step (uneven on 2 and 3 ranks) ----
TR=(train --weights "$W" --data ph --shots 20 --batch 10 --epochs 3 --micro-batch 4 --threads 1 --quiet --seed 3
    --json --eval-every 2)
"$PPAD" "${TR[@]}" --out t1.pt --scores ts1.csv --log l1.csv >tm1.json 2>te1
for n in 2 3; do
  "${MPI[@]}" -np $n "$PPAD" "${TR[@]}" --out t$n.pt --scores ts$n.csv --log l$n.csv >tm$n.json 2>te$n
done
same "train (SAS): prompt file after 3 epochs, 1 = 2 = 3 ranks" t1.pt t2.pt t3.pt
same "train: final scores CSV, 1 = 2 = 3 ranks" ts1.csv ts2.csv ts3.csv
same "train: metrics JSON, 1 = 2 = 3 ranks" tm1.json tm2.json tm3.json
for n in 1 2 3; do cut -d, -f1-5 l$n.csv >lc$n.csv; done # the seconds column is a clock
same "train: per-step log (step,epoch,lr,loss,n_abnormal), 1 = 2 = 3 ranks" lc1.csv lc2.csv lc3.csv
[ "$(grep -c '^epoch ' te3)" = 2 ] && pass "train on 3 ranks: each evaluation reported once" \
  || fail "train on 3 ranks: each evaluation reported once" "$(cat te3)"
ls | grep -q '\.tmp' && fail "train: no temporaries left" "$(ls)" || pass "train: no temporaries left"

# ---- --runs 3 --parallel runs on 2 ranks: whole runs on ranks, the same files and summary ----
RR=(train --weights "$W" --data ph --shots 10 --batch 10 --epochs 2 --micro-batch 4 --threads 1 --quiet --seed 3 --runs 3)
mkdir r1 r2
"$PPAD" "${RR[@]}" --out r1/p.pt --scores r1/s.csv --log r1/l.csv >r1/out.txt 2>r1/err.txt
"${MPI[@]}" -np 2 "$PPAD" "${RR[@]}" --parallel runs --out r2/p.pt --scores r2/s.csv --log r2/l.csv >r2/out.txt \
  2>r2/err.txt
ok=1
for f in p-run1.pt p-run2.pt p-run3.pt s-run1.csv s-run2.csv s-run3.csv out.txt; do cmp -s r1/$f r2/$f || ok=0; done
for k in 1 2 3; do cmp -s <(cut -d, -f1-5 r1/l-run$k.csv) <(cut -d, -f1-5 r2/l-run$k.csv) || ok=0; done
[ $ok = 1 ] && grep -q "run 3 (seed 5)" r2/out.txt && pass "--parallel runs on 2 ranks: every run's files and the summary as one process" \
  || fail "--parallel runs on 2 ranks" "$(ls r2; cat r2/out.txt)"

# ---- step: 20 samples, micro-batch 4 = 4 backward + 1 forward-only micro-batches ----
$PY - <<'EOF'
import glob
fs = sorted(glob.glob("ph/test/*/*.png"))[:20]
pos = ["left", "right", "upper", "lower", "whole"]
with open("batch.csv", "w") as f:
    f.write("path,label,position\n")
    for i, p in enumerate(fs):
        f.write("%s,%d,%s\n" % (p, i % 2, pos[i % 5]))
EOF
ST=(step --weights "$W" --prompts init.pt --batch batch.csv --micro-batch 4 --threads 1 --steps 2)
"$PPAD" "${ST[@]}" --out o1.pt --grad-out g1.pt >so1
for n in 2 3; do "${MPI[@]}" -np $n "$PPAD" "${ST[@]}" --out o$n.pt --grad-out g$n.pt >so$n; done
same "step: gradients, 1 = 2 = 3 ranks" g1.pt g2.pt g3.pt
same "step: prompts after 2 steps, 1 = 2 = 3 ranks" o1.pt o2.pt o3.pt
same "step: loss lines, 1 = 2 = 3 ranks" so1 so2 so3

# ---- predict from standard input (it reaches rank 0 only) and zeroshot, 3 ranks ----
"$PPAD" predict --weights "$W" --prompts init.pt ph/test/normal_256 ph/test/pneumonia_256 --threads 1 >p1.csv
ls ph/test/*/*.png | "${MPI[@]}" -np 3 "$PPAD" predict --weights "$W" --prompts init.pt --list - --threads 1 >p3.csv
same "predict --list - on 3 ranks = 1 process" p1.csv p3.csv
"$PPAD" zeroshot --weights "$W" --data ph --threads 1 --quiet --scores z1.csv >zm1
"${MPI[@]}" -np 3 "$PPAD" zeroshot --weights "$W" --data ph --threads 1 --quiet --scores z3.csv >zm3
same "zeroshot on 3 ranks = 1 process (scores, metrics)" z1.csv z3.csv
same "zeroshot on 3 ranks = 1 process (metrics)" zm1 zm3

# ---- explain and embed: chunks of 32 over the ranks, rank 0 writes every output ----
ls ph/test/*/*.png ph/train/*/*.png >l70 # 70 images = chunks of 32, 32, 6: each of 3 ranks has one
# --out: 34 inputs, 30 of them missing (--on-error skip): the pictures of images 1 and 32 come from
# rank 0, those of 33 and 34 from rank 1 (drawing is the slow part)
{ sed -n 1p l70; for k in $(seq 30); do echo "gone/missing_$k.png"; done; sed -n 2,4p l70; } >l34
XG=(explain --weights "$W" --prompts init.pt --threads 1 --quiet --method gradcam)
"$PPAD" "${XG[@]}" --list l70 --raw xr1.csv >xs1.csv
"${MPI[@]}" -np 2 "$PPAD" "${XG[@]}" --list l70 --raw xr2.csv >xs2.csv
"${MPI[@]}" -np 3 "$PPAD" "${XG[@]}" --list - --raw xr3.csv <l70 >xs3.csv
same "explain --raw: maps CSV, 1 = 2 = 3 ranks (--list - on 3)" xr1.csv xr2.csv xr3.csv
same "explain: scores on stdout, 1 = 2 = 3 ranks" xs1.csv xs2.csv xs3.csv
X=(explain --weights "$W" --prompts init.pt --threads 1 --quiet --list l34 --on-error skip)
"$PPAD" "${X[@]}" --raw xo1.csv --out xd1 >xso1.csv 2>xse1; rc1=$?
"${MPI[@]}" -np 2 "$PPAD" "${X[@]}" --raw xo2.csv --out xd2 >xso2.csv 2>xse2; rc2=$?
cmp -s xo1.csv xo2.csv && cmp -s xso1.csv xso2.csv && cmp -s xse1 xse2 && diff -r xd1 xd2 >/dev/null \
  && [ "$(ls xd2 | wc -l)" = 9 ] && [ "$(wc -l <xse2)" = 31 ] && [ $rc1 = 1 ] && [ $rc2 = 1 ] \
  && pass "explain --out --raw --on-error skip on 2 ranks = 1 process (pictures, index.csv, maps, scores, errors)" \
  || fail "explain --out --raw on 2 ranks = 1 process" "rc $rc1/$rc2; $(ls xd2 | wc -l) files; $(diff -rq xd1 xd2 | head -3)"
# predict --heatmaps: the scores as without, then each rank explains and draws its share of the scored
# images (70: chunks of 32, 32, 6; PPAD_DEBUG_SHARD=1 has each rank say how many it explained)
PH=(predict --weights "$W" --prompts init.pt --threads 1 --quiet --list l70)
PPAD_DEBUG_SHARD=1 "$PPAD" "${PH[@]}" --heatmaps hm1 >ph1.csv 2>phe1
for n in 2 3; do PPAD_DEBUG_SHARD=1 "${MPI[@]}" -x PPAD_DEBUG_SHARD -np $n "$PPAD" "${PH[@]}" --heatmaps hm$n >ph$n.csv 2>phe$n; done
"$PPAD" "${PH[@]}" >ph0.csv
same "predict --heatmaps: scores on stdout, 1 = 2 = 3 ranks = without heat maps" ph0.csv ph1.csv ph2.csv ph3.csv
diff -r hm1 hm2 >/dev/null && diff -r hm1 hm3 >/dev/null && [ "$(ls hm1 | wc -l)" = 141 ] \
  && pass "predict --heatmaps: the pictures and index.csv, 1 = 2 = 3 ranks" \
  || fail "predict --heatmaps: the pictures and index.csv, 1 = 2 = 3 ranks" "$(ls hm1 | wc -l) files; $(diff -rq hm1 hm3 | head -3)"
shares() { grep -o 'rank [0-9]* explained [0-9]*' "$1" | sort | tr '\n' ' '; }
[ "$(shares phe1)" = "rank 0 explained 70 " ] && [ "$(shares phe2)" = "rank 0 explained 38 rank 1 explained 32 " ] \
  && [ "$(shares phe3)" = "rank 0 explained 32 rank 1 explained 32 rank 2 explained 6 " ] \
  && pass "predict --heatmaps: each rank explains only its share (70; 38 + 32; 32 + 32 + 6)" \
  || fail "predict --heatmaps: each rank explains only its share" "1: $(shares phe1)/ 2: $(shares phe2)/ 3: $(shares phe3)"
# --on-error skip: 30 missing images among 34 (their errors in input order), the same on 2 ranks
PS=(predict --weights "$W" --prompts init.pt --threads 1 --list l34 --on-error skip --heatmap-method gradcam)
"$PPAD" "${PS[@]}" --heatmaps hs1 >pso1.csv 2>pse1; rc1=$?
"${MPI[@]}" -np 2 "$PPAD" "${PS[@]}" --heatmaps hs2 >pso2.csv 2>pse2; rc2=$?
cmp -s pso1.csv pso2.csv && cmp -s pse1 pse2 && diff -r hs1 hs2 >/dev/null && [ "$(ls hs2 | wc -l)" = 9 ] \
  && [ "$(wc -l <pse2)" = 31 ] && [ $rc1 = 1 ] && [ $rc2 = 1 ] \
  && pass "predict --heatmaps --on-error skip on 2 ranks = 1 process (scores, errors, pictures)" \
  || fail "predict --heatmaps --on-error skip on 2 ranks = 1 process" "rc $rc1/$rc2; $(ls hs2 | wc -l) files; $(diff pse1 pse2 | head -3)"
# test --report: the gallery's heat maps are made over the ranks (one chunk a rank), rank 0 writes the page
RP=(test --weights "$W" --prompts init.pt --data ph --threads 1 --quiet)
for n in 1 2 3; do
  SOURCE_DATE_EPOCH=1700000000 PPAD_DEBUG_SHARD=1 "${MPI[@]}" -x SOURCE_DATE_EPOCH -x PPAD_DEBUG_SHARD -np $n "$PPAD" \
    "${RP[@]}" --report rp >rpo$n 2>rpe$n && mv rp rp$n # the page names the command, hence one folder name
done
same "test --report: report.json, 1 = 2 = 3 ranks" rp1/report.json rp2/report.json rp3/report.json
same "test --report: report.html (gallery heat maps included), 1 = 2 = 3 ranks" rp1/report.html rp2/report.html rp3/report.html
ng=$(grep -o 'rank 0 explained [0-9]*' rpe1 | grep -o '[0-9]*$')
g2=$(grep -o 'rank [01] explained [0-9]*' rpe2 | grep -o '[0-9]*$' | sort -n | tr '\n' ' ')
[ -n "$ng" ] && [ "$ng" -ge 4 ] && [ "$g2" = "$((ng / 2)) $((ng - ng / 2)) " ] \
  && pass "test --report: the gallery's $ng heat maps split over 2 ranks ($g2)" \
  || fail "test --report: the gallery's heat maps split over 2 ranks" "1: $(cat rpe1) / 2: $(cat rpe2)"
# train --report on 2 ranks: the page of one process (but for the per-step clock), its gallery split
TRR=(train --weights "$W" --data ph --shots 20 --batch 10 --epochs 2 --micro-batch 4 --threads 1 --quiet --seed 3)
for n in 1 2; do
  SOURCE_DATE_EPOCH=1700000000 PPAD_DEBUG_SHARD=1 "${MPI[@]}" -x SOURCE_DATE_EPOCH -x PPAD_DEBUG_SHARD -np $n "$PPAD" \
    "${TRR[@]}" --out trr.pt --report trp >tro$n 2>tre$n && mv trp trp$n && mv trr.pt trr$n.pt
done
r=$($PY - trp1/report.json trp2/report.json <<'PYEOF'
import json, sys
a, b = (json.load(open(f)) for f in sys.argv[1:])
for x in (a, b):
    for row in x.get("train_log", []):
        for step in (row if isinstance(row, list) else [row]):
            if isinstance(step, dict): step.pop("seconds", None)
print(a == b and len(a["gallery"]["true_positives"]) + len(a["gallery"]["false_positives"]) > 0)
PYEOF
)
[ "$r" = True ] && grep -q 'rank 1 explained [1-9]' tre2 \
  && pass "train --report on 2 ranks = 1 process (report.json but the clock), gallery split over the ranks" \
  || fail "train --report on 2 ranks = 1 process" "$r; $(cat tre2 | head -5)"
EB=(embed --weights "$W" --threads 1)
"$PPAD" "${EB[@]}" --image $(cat l70) >eb1.csv
for n in 2 3; do "${MPI[@]}" -np $n "$PPAD" "${EB[@]}" --image $(cat l70) >eb$n.csv; done
same "embed --image: features CSV, 1 = 2 = 3 ranks" eb1.csv eb2.csv eb3.csv
TX=() # 34 texts of the tokenizer's built-in words (no vocabulary file): rank 1 embeds two
for i in $(seq 34); do TX+=("$(echo normal pneumonia | cut -d' ' -f$((i % 2 + 1))) $(echo left right upper lower x \
  | cut -d' ' -f$((i % 5 + 1))) lung")
done
"$PPAD" "${EB[@]}" --text "${TX[@]}" >et1.csv
"${MPI[@]}" -np 2 "$PPAD" "${EB[@]}" --text "${TX[@]}" >et2.csv
same "embed --text (34) on 2 ranks = 1 process" et1.csv et2.csv
# a bad image only in rank 1's share: one line naming it, no pictures, no maps, no temporaries
mkdir xb && head -c 100 "$(sed -n 34p l70)" >xb/broken.png
{ head -33 l70; echo xb/broken.png; } >lbad
"${MPI[@]}" -np 2 "$PPAD" "${XG[@]}" --list lbad --raw xbr.csv --out xbd >fo 2>fe; rc=$?
if [ $rc -ne 0 ] && [ $rc -lt 128 ] && [ "$(wc -l <fe)" = 1 ] && grep -qF "ppad: xb/broken.png:" fe && [ ! -e xbr.csv ] \
   && [ ! -e xbd ] && ! ls | grep -q '\.tmp'; then pass "explain: bad image in rank 1's share: one line naming it, exit $rc, no output"
else fail "explain: bad image in rank 1's share: one line, no output" "rc=$rc $(head -c 400 fe; ls xbd 2>&1 | head -3)"; fi
"${MPI[@]}" -np 2 "$PPAD" predict --weights "$W" --prompts init.pt --threads 1 --list lbad --heatmaps pbd >fo 2>fe; rc=$?
if [ $rc -ne 0 ] && [ $rc -lt 128 ] && [ "$(wc -l <fe)" = 1 ] && grep -qF "ppad: xb/broken.png:" fe && [ ! -e pbd ] \
   && ! ls | grep -q '\.tmp'; then pass "predict --heatmaps: bad image in rank 1's share: one line naming it, exit $rc, no output"
else fail "predict --heatmaps: bad image in rank 1's share: one line, no output" "rc=$rc $(head -c 400 fe; ls pbd 2>&1 | head -3)"; fi
"${MPI[@]}" -np 2 "$PPAD" "${EB[@]}" --image $(cat lbad) >fo 2>fe; rc=$?
[ $rc -ne 0 ] && [ $rc -lt 128 ] && [ "$(wc -l <fe)" = 1 ] && grep -qF "ppad: xb/broken.png:" fe \
  && pass "embed: bad image in rank 1's share: one line naming it, exit $rc" \
  || fail "embed: bad image in rank 1's share: one line naming it" "rc=$rc $(head -c 400 fe)"

# ---- the library from a user's own MPI program (ppad_dist_use), against api_tool in one process ----
AT="$BUILD/tools/api_tool" MT="$BUILD/tools/mpi_api_tool"
imgs=$(ls ph/test/*/*.png | head -40)
"$AT" score "$W" init.pt $imgs >as1.csv && "${MPI[@]}" -np 2 "$MT" score "$W" init.pt $imgs >as2.csv 2>ae
grep -qx 'ranks=2' ae && pass "API: ppad_dist_use attaches ppad to the program's 2 ranks" \
  || fail "API: ppad_dist_use attaches ppad to the program's 2 ranks" "$(head -c 300 ae)"
same "API: ppad_score_files on 2 ranks (ppad_dist_use) = one process" as1.csv as2.csv
"$AT" train "$W" ph init.pt at1.pt 3 3 12 6 0.01 >am1 && "${MPI[@]}" -np 2 "$MT" train "$W" ph init.pt at2.pt 3 3 12 6 0.01 >am2 2>ae2
same "API: ppad_train_prompts on 2 ranks = one process (prompt file)" at1.pt at2.pt
same "API: ppad_evaluate on 2 ranks = one process (metrics)" am1 am2

# ---- a bad image only in rank 1's share (the second chunk of 32) ----
cp -r ph phb
bad=$(sed -n 42p s1.csv | cut -d, -f1 | sed 's#^ph/#phb/#')
head -c 100 "ph/${bad#phb/}" >"$bad"
"${MPI[@]}" -np 2 "$PPAD" test --weights "$W" --prompts init.pt --data phb --threads 1 --quiet --scores sb.csv \
  >fo 2>fe; rc=$?
if [ $rc -ne 0 ] && [ $rc -lt 128 ] && [ "$(wc -l <fe)" = 1 ] && grep -qF "ppad: $bad:" fe && [ ! -e sb.csv ] \
   && ! ls | grep -q '\.tmp'; then pass "bad image in rank 1's share: one line naming it, exit $rc, no output"
else fail "bad image in rank 1's share: one line naming it, exit $rc, no output" "$(head -c 400 fe; ls)"; fi

# ---- an output rank 0 cannot write: one line, before any work ----
mkdir ro && chmod 555 ro
if [ "$(id -u)" = 0 ]; then rm -rf ro && echo x >ro; fi # root writes anywhere: a file in the folder's place
"${MPI[@]}" -np 2 "$PPAD" test --weights "$W" --prompts init.pt --data ph --threads 1 --quiet --scores ro/s.csv \
  >fo 2>fe; rc=$?
[ $rc -ne 0 ] && [ "$(wc -l <fe)" = 1 ] && grep -q "ro/s.csv" fe && pass "unwritable output: one line on 2 ranks (exit $rc)" \
  || fail "unwritable output: one line on 2 ranks" "rc=$rc $(cat fe)"

# ---- a verb that is not sharded runs once, on rank 0 ----
"${MPI[@]}" -np 2 "$PPAD" init-prompts --seed 5 --weights "$W" --out solo.pt 2>fe && "$PPAD" init-prompts --seed 5 \
  --weights "$W" --out solo1.pt && cmp -s solo.pt solo1.pt && [ ! -s fe ] \
  && pass "init-prompts under mpirun -np 2: written once, same bytes" || fail "init-prompts under mpirun" "$(cat fe)"

# ---- a killed rank ends the job in bounded time, without the prompt file ----
LONG=(train --weights "$W" --data ph --shots 20 --batch 10 --epochs 2000 --micro-batch 4 --threads 1 --quiet --no-eval)
"${MPI[@]}" -np 2 "$PPAD" "${LONG[@]}" --out killed.pt --log kl.csv >ko 2>ke &
mp=$!
( sleep 60; kill -9 $mp 2>/dev/null ) &
dog=$!
victim=""
for _ in $(seq 200); do # wait for a few steps, then find rank 1
  if [ -s kl.csv ] && [ "$(wc -l <kl.csv)" -ge 3 ]; then
    for p in $(ps -o pid= --ppid $mp); do
      tr '\0' '\n' <"/proc/$p/environ" 2>/dev/null | grep -qx 'OMPI_COMM_WORLD_RANK=1' && victim=$p
    done
  fi
  [ -n "$victim" ] && break
  sleep 0.1
done
t0=$(date +%s)
[ -n "$victim" ] && kill -9 "$victim"
wait $mp; rc=$?
el=$(( $(date +%s) - t0 ))
kill $dog 2>/dev/null; wait $dog 2>/dev/null
if [ -n "$victim" ] && [ $rc -ne 0 ] && [ $el -lt 55 ] && [ ! -e killed.pt ]; then
  pass "rank 1 killed: the job ends (exit $rc after ${el}s), no prompt file"
else fail "rank 1 killed: the job ends" "victim=$victim rc=$rc after ${el}s; $(head -c 300 ke)"; fi
finish
