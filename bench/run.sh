#!/usr/bin/env bash
# bench/run.sh — `make bench`: ppad against PyTorch (Debian's python3-torch,
# /usr/bin/python3, fp32) on the same checkpoint, in the same run, each
# measurement in its own process (so every peak RSS is that measurement's own),
# written to bench/RESULTS.md with the machine, the settings and the exact
# command of every row.
#
#   make bench                      # full run (~10 min on a quiet 2-core machine), writes bench/RESULTS.md
#   QUICK=1 bash bench/run.sh       # smoke test: tiny batches, 1 rep, writes $BUILD/bench/RESULTS-quick.md
#
# Environment: BUILD (build), THREADS (2), WEIGHTS ($BUILD/fixtures/clip_full.pt),
# PYTHON (/usr/bin/python3), RESULTS (output file), ALT (1: also time rows 1, 3
# and 4 with OMP_WAIT_POLICY=passive on both sides; 0: skip),
# BENCH_NOTE (a sentence added to the results, e.g. "measured while other work ran").
set -euo pipefail
cd "$(dirname "$0")/.."

BUILD=${BUILD:-build}
QUICK=${QUICK:-0}
THREADS=${THREADS:-2}
W=${WEIGHTS:-$BUILD/fixtures/clip_full.pt}
PY=${PYTHON:-/usr/bin/python3}
ALT=${ALT:-1}
ALT_ENV=OMP_WAIT_POLICY=passive
B=$BUILD/bench
LOG=$B/logs
if [ "$QUICK" = 1 ]; then
    RESULTS=${RESULTS:-$B/RESULTS-quick.md}
    VB=8 VREPS=1 GREPS=2 LREPS=1
    SB=4 SREPS=1 MICROS="" TSB=4 TSREPS=1 OB=2
    SN=8 SNREPS=1 SWARM=2
    STEP_SIZES="4 8" SCORE_SIZES="4 8"
else
    RESULTS=${RESULTS:-bench/RESULTS.md}
    VB=64 VREPS=3 GREPS=10 LREPS=3
    SB=64 SREPS=3 MICROS="32 64" TSB=64 TSREPS=2 OB=64
    SN=64 SNREPS=2 SWARM=8
    STEP_SIZES="8 16 32 64 128" SCORE_SIZES="32 64 128 256"
fi
STEP_WARM=16 # warm-up step: this many samples (one micro-batch), for ppad and PyTorch alike

for f in "$W" "$BUILD/ppad" "$B/vision" "$B/step" "$B/score" "$B/gemm" "$B/explain" "$B/dicom" /usr/bin/time; do
    [ -e "$f" ] || { echo "bench: $f is missing (run 'make bench', or 'make all fixtures' first)" >&2; exit 1; }
done
"$PY" -c "import torch" 2>/dev/null || { echo "bench: $PY cannot import torch (Debian's python3-torch)" >&2; exit 1; }

# Every process gets the same thread settings (the programs also set them explicitly).
export OMP_NUM_THREADS=$THREADS OPENBLAS_NUM_THREADS=$THREADS
mkdir -p "$LOG"
rm -f "$LOG"/*.out "$LOG"/*.err
declare -A CMD LA
ORDER=()
T_START=$SECONDS
LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)
DATE=$(date -u '+%Y-%m-%d %H:%M UTC')
COMMIT=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
[ -n "$(git status --porcelain 2>/dev/null)" ] && COMMIT="$COMMIT (with uncommitted changes)"

# run NAME COMMAND...: runs one measurement in its own process; stdout -> $LOG/NAME.out
run() {
    local name=$1 t0=$SECONDS
    shift
    CMD[$name]="$*"
    LA[$name]=$(cut -d' ' -f1 /proc/loadavg)
    ORDER+=("$name")
    printf 'bench: %-16s %s' "$name" "$*" >&2
    if ! "$@" >"$LOG/$name.out" 2>"$LOG/$name.err"; then
        echo >&2
        echo "bench: '$name' failed; the end of $LOG/$name.err:" >&2
        tail -n 5 "$LOG/$name.err" >&2
        exit 1
    fi
    echo "  ($((SECONDS - t0)) s)" >&2
}
# val NAME KEY: the value of KEY=... in NAME's output
val() {
    local v
    v=$(awk -v k="$2" 'index($0, k "=") == 1 { print substr($0, length(k) + 2); exit }' "$LOG/$1.out")
    [ -n "$v" ] || { echo "bench: no '$2' in $LOG/$1.out" >&2; exit 1; }
    printf '%s' "$v"
}
# maxrss_mb NAME: "Maximum resident set size" reported by /usr/bin/time -v, in MB
maxrss_mb() { awk -F: '/Maximum resident set size/ { printf "%.1f", $2 * 1024 / 1e6 }' "$LOG/$1.err"; }
# f DIGITS X: X rounded
f() { awk -v d="$1" -v x="$2" 'BEGIN { printf "%.*f", d, x }'; }
# ratio A B: A / B as "N.NN×"
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0 && a > 0) printf "%.2f×", a / b; else printf "n/a" }'; }
# pct A B: 100 A / B
pct() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.0f%%", 100 * a / b; else printf "n/a" }'; }
# target TEXT X OP T: "TEXT: met" when X >= T (OP ge) or X <= T (OP le), else "TEXT: **not met**"
target() {
    awk -v s="$1" -v x="$2" -v op="$3" -v t="$4" \
        'BEGIN { ok = (op == "ge") ? (x + 0 >= t) : (x + 0 <= t); printf "%s: %s", s, ok ? "met" : "**not met**" }'
}
# q A B: A / B as a number
q() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.4f", (b > 0) ? a / b : 0 }'; }
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# ---- 5. GEMM ceiling (first: cheapest, and the reference for utilisation) ----
run gemm "$B/gemm" --threads "$THREADS" --reps "$GREPS"
run gemm_nocore env -u OPENBLAS_CORETYPE "$B/gemm" --threads "$THREADS" --reps "$GREPS"

# ---- 1. image tower ----
run vision_ppad "$B/vision" --weights "$W" --batch "$VB" --reps "$VREPS" --threads "$THREADS" --backward
run vision_ppad_openblas env PPAD_GEMM=openblas "$B/vision" --weights "$W" --batch "$VB" --reps "$VREPS" \
    --threads "$THREADS"
run vision_torch "$PY" bench/torch_bench.py vision --weights "$W" --batch "$VB" --reps "$VREPS" --threads "$THREADS"
if [ "$ALT" = 1 ]; then
    run vision_ppad_alt env $ALT_ENV "$B/vision" --weights "$W" --batch "$VB" --reps "$VREPS" --threads "$THREADS"
    run vision_torch_alt env $ALT_ENV "$PY" bench/torch_bench.py vision --weights "$W" --batch "$VB" \
        --reps "$VREPS" --threads "$THREADS"
fi

# ---- 2. checkpoint load ----
lp=() lt=() lpr=() ltr=()
for r in $(seq 1 "$LREPS"); do
    run load_ppad_$r /usr/bin/time -v "$BUILD/ppad" info --weights "$W"
    lp+=("$(awk '/^load time:/ { print $3 }' "$LOG/load_ppad_$r.out")")
    lpr+=("$(maxrss_mb load_ppad_$r)")
    run load_torch_$r /usr/bin/time -v "$PY" bench/torch_bench.py load --weights "$W" --threads "$THREADS"
    lt+=("$(val load_torch_$r load_s)")
    ltr+=("$(maxrss_mb load_torch_$r)")
done
LOAD_P=$(median "${lp[@]}") LOAD_PR=$(median "${lpr[@]}")
LOAD_T=$(median "${lt[@]}") LOAD_TR=$(median "${ltr[@]}")

# ---- 3. training step ----
run step_ppad "$B/step" --weights "$W" --batch "$SB" --micro 16 --reps "$SREPS" --threads "$THREADS" --warmup "$STEP_WARM"
for mb in $MICROS; do
    run step_ppad_m$mb "$B/step" --weights "$W" --batch "$SB" --micro "$mb" --reps 2 --threads "$THREADS" \
        --warmup "$mb"
done
run step_ppad_bf16 "$B/step" --weights "$W" --batch "$SB" --micro 16 --reps "$SREPS" --threads "$THREADS" \
    --warmup "$STEP_WARM" --precision bf16
run step_torch "$PY" bench/torch_bench.py step --weights "$W" --batch "$TSB" --reps "$TSREPS" --threads "$THREADS" \
    --warmup "$STEP_WARM"
if [ "$ALT" = 1 ]; then
    run step_ppad_alt env $ALT_ENV "$B/step" --weights "$W" --batch "$SB" --micro 16 --reps "$SREPS" \
        --threads "$THREADS" --warmup "$STEP_WARM"
    run step_torch_alt env $ALT_ENV "$PY" bench/torch_bench.py step --weights "$W" --batch "$TSB" --reps "$TSREPS" \
        --threads "$THREADS" --warmup "$STEP_WARM"
fi
run step_torch_orig "$PY" bench/torch_bench.py step-orig --weights "$W" --batch "$OB" --reps 1 --threads "$THREADS" \
    --warmup 2

# ---- 4. scoring ----
run score_ppad "$B/score" --weights "$W" --images "$SN" --chunk 32 --micro 16 --reps "$SNREPS" --threads "$THREADS" \
    --warmup "$SWARM"
run score_ppad_bf16 "$B/score" --weights "$W" --images "$SN" --chunk 32 --micro 16 --reps "$SNREPS" \
    --threads "$THREADS" --warmup "$SWARM" --precision bf16
run score_torch "$PY" bench/torch_bench.py score --weights "$W" --images "$SN" --chunk 32 --reps "$SNREPS" \
    --threads "$THREADS" --warmup "$SWARM"
if [ "$ALT" = 1 ]; then
    run score_ppad_alt env $ALT_ENV "$B/score" --weights "$W" --images "$SN" --chunk 32 --micro 16 --reps "$SNREPS" \
        --threads "$THREADS" --warmup "$SWARM"
    run score_torch_alt env $ALT_ENV "$PY" bench/torch_bench.py score --weights "$W" --images "$SN" --chunk 32 \
        --reps "$SNREPS" --threads "$THREADS" --warmup "$SWARM"
fi

# ---- 4b. heat maps (ppad explain): one explanation vs scoring that image ----
run explain_ppad "$B/explain" --weights "$W" --images "$([ "$QUICK" = 1 ] && echo 1 || echo 8)" \
    --reps "$([ "$QUICK" = 1 ] && echo 1 || echo 3)" --threads "$THREADS"

# ---- 6. scaling ----
for n in $STEP_SIZES; do
    w=$((n < STEP_WARM ? n : STEP_WARM))
    run scale_step_$n "$B/step" --weights "$W" --batch "$n" --micro 16 --reps 2 --threads "$THREADS" --warmup "$w"
done
for n in $SCORE_SIZES; do
    run scale_score_$n "$B/score" --weights "$W" --images "$n" --chunk 32 --micro 16 --reps 1 --threads "$THREADS" \
        --warmup "$SWARM"
done

# ---- 7. DICOM decoding (issue 13): a 2500x3000 12-bit CR to 224, one thread, and per image of a chunk ----
DICOM_KINDS="cr cr_jpeg_lossless cr_jpegls"
DREPS=$([ "$QUICK" = 1 ] && echo 1 || echo 5)
"$PY" bench/make_dicom.py "$B/dicom_in"
for k in $DICOM_KINDS; do
    run dicom_$k "$B/dicom" --file "$B/dicom_in/$k.dcm" --reps "$DREPS" --threads "$THREADS"
done
# ---- end DICOM ----

ELAPSED=$((SECONDS - T_START))
LOAD_END=$(cut -d' ' -f1-3 /proc/loadavg)

# ---------------------------------------------------------------- RESULTS.md
CPU=$(lscpu | awk -F: '/^Model name/ { gsub(/^ +/, "", $2); print $2; exit }')
CORES=$(nproc)
TORCH_V=$(val vision_torch torch_version)
PEAK=$(val gemm peak_gflops) PEAK0=$(val gemm_nocore peak_gflops) BACKEND=$(val gemm backend)
OBPEAK=$(val gemm peak_openblas_gflops) OBPEAK0=$(val gemm_nocore peak_openblas_gflops)
CB=$(val score_ppad_bf16 images_per_s) CBU=$(val score_ppad_bf16 precision_used)
CBR=$(val score_ppad_bf16 peak_rss_mb)
FWD_G=$(val vision_ppad fwd_gflops) BWD_G=$(val vision_ppad bwd_gflops)
VP=$(val vision_ppad images_per_s) VT=$(val vision_torch images_per_s)
SP=$(val step_ppad step_s) ST=$(val step_torch step_s) SO=$(val step_torch_orig step_s)
# step ratios are per sample (the same as per step when the batches are equal, as in the full run)
SPS=$(val step_ppad per_sample_ms) STS=$(val step_torch per_sample_ms) SOS=$(val step_torch_orig per_sample_ms)
SPR=$(val step_ppad peak_rss_mb) STR=$(val step_torch peak_rss_mb) SOR=$(val step_torch_orig peak_rss_mb)
SB16=$(val step_ppad_bf16 step_s) SB16S=$(val step_ppad_bf16 per_sample_ms) SB16R=$(val step_ppad_bf16 peak_rss_mb)
SB16U=$(val step_ppad_bf16 precision_used)
CP=$(val score_ppad images_per_s) CT=$(val score_torch images_per_s)
CPR=$(val score_ppad peak_rss_mb) CTR=$(val score_torch peak_rss_mb)
if [ "$ALT" = 1 ]; then
    VPA=$(val vision_ppad_alt images_per_s) VTA=$(val vision_torch_alt images_per_s)
    SPA=$(val step_ppad_alt step_s) STA=$(val step_torch_alt step_s)
    SPAS=$(val step_ppad_alt per_sample_ms) STAS=$(val step_torch_alt per_sample_ms)
    SPAR=$(val step_ppad_alt peak_rss_mb) STAR=$(val step_torch_alt peak_rss_mb)
    CPA=$(val score_ppad_alt images_per_s) CTA=$(val score_torch_alt images_per_s)
fi
STEP_LAB="batch $SB" ORIG_LAB="batch $OB"
[ "$TSB" = "$SB" ] || STEP_LAB="batch $SB (PyTorch $TSB; advantage per sample)"
[ "$OB" = "$SB" ] || ORIG_LAB="batch $OB; advantage per sample"
busy=$(awk -v a="${LOAD_START%% *}" 'BEGIN { print (a > 1.0) ? 1 : 0 }')

TMP="$RESULTS.tmp.$$"
{
    echo "# ppad benchmark results"
    echo
    echo "Written by \`make bench\` (\`bench/run.sh\`$([ "$QUICK" = 1 ] && echo ", QUICK=1: reduced smoke-test sizes — not the real numbers")); do not edit by hand."
    echo "ppad and PyTorch run on the same checkpoint (\`$W\`: the full-size, random-initialised, CheXzero-layout"
    echo "CLIP ViT-B/32 written by \`tests/fixtures/make_fixtures.py\`), fp32, in the same run; every measurement is its"
    echo "own process, so each peak RSS (VmHWM) is that measurement's own. Times are medians of the stated repetitions"
    echo "after one warm-up. \"ppad advantage\" is PyTorch/ppad for times and memory, ppad/PyTorch for throughput:"
    echo "above 1× means ppad is better."
    echo
    echo "| machine | |"
    echo "|---|---|"
    echo "| CPU | $CPU ($CORES cores online) |"
    echo "| threads used | $THREADS (ppad: \`omp_set_num_threads\` + \`openblas_set_num_threads\`; PyTorch: \`torch.set_num_threads\`); environment \`OMP_NUM_THREADS=$THREADS OPENBLAS_NUM_THREADS=$THREADS\` |"
    echo "| OPENBLAS_CORETYPE | \`${OPENBLAS_CORETYPE:-(unset)}\` (OpenBLAS kernel in use: $(val gemm openblas_config | awk '{ print $(NF-1) }')) |"
    echo "| GEMM | ppad: $BACKEND matmul for the towers' products (\`PPAD_GEMM=openblas\` switches to OpenBLAS), $(val gemm openblas_config) (Debian's OpenMP build) otherwise; PyTorch: its own linking (Debian: \`libblas.so.3\` alternative, OpenBLAS pthreads) |"
    echo "| PyTorch | $TORCH_V via \`$PY\` |"
    echo "| date | $DATE |"
    echo "| git commit | $COMMIT |"
    echo "| load average (1/5/15 min) | start $LOAD_START, end $LOAD_END |"
    echo "| wall time of the run | ${ELAPSED} s |"
    echo
    if [ "$busy" = 1 ]; then
        echo "**Warning: the machine was busy when the run started (1-minute load average ${LOAD_START%% *} on $CORES cores):"
        echo "other work competed for the CPU, so these numbers are noisy and too slow for both sides.**"
        echo
    fi
    [ -n "${BENCH_NOTE:-}" ] && { echo "**Note:** $BENCH_NOTE"; echo; }

    echo "## Summary"
    echo
    echo "| # | measurement | ppad | PyTorch | ppad advantage | target (issue) |"
    echo "|---|---|---:|---:|---:|---|"
    echo "| 1 | image-tower forward, batch $VB, conv1 included (images/s) | $(f 2 "$VP") | $(f 2 "$VT") | $(ratio "$VP" "$VT") | $(target "≥ 1.5× (#2)" "$(q "$VP" "$VT")" ge 1.5) |"
    [ "$ALT" = 1 ] &&
        echo "| 1′ | same, both with \`$ALT_ENV\` (images/s) | $(f 2 "$VPA") | $(f 2 "$VTA") | $(ratio "$VPA" "$VTA") | $(target "≥ 1.5× (#2)" "$(q "$VPA" "$VTA")" ge 1.5) |"
    echo "| 2a | checkpoint load: \`ppad info\` load time vs \`torch.load\` + building the model (s) | $(f 3 "$LOAD_P") | $(f 3 "$LOAD_T") | $(ratio "$LOAD_T" "$LOAD_P") | $(target "ppad ≤ 1 s (#6)" "$LOAD_P" le 1) |"
    echo "| 2b | checkpoint load: peak RSS of the whole process (MB) | $(f 0 "$LOAD_PR") | $(f 0 "$LOAD_TR") | $(ratio "$LOAD_TR" "$LOAD_PR") | |"
    echo "| 3a | training step, $STEP_LAB, prompts encoded once per step (s) | $(f 2 "$SP") | $(f 2 "$ST") | $(ratio "$STS" "$SPS") | $(target "≥ 4× (#6)" "$(q "$STS" "$SPS")" ge 4) |"
    echo "| 3b | same, peak RSS (MB) | $(f 0 "$SPR") | $(f 0 "$STR") | $(ratio "$STR" "$SPR") | $(target "ppad ≤ 1200 MB (#6)" "$SPR" le 1200) |"
    if [ "$ALT" = 1 ]; then
        echo "| 3a′ | same step, both with \`$ALT_ENV\` (s) | $(f 2 "$SPA") | $(f 2 "$STA") | $(ratio "$STAS" "$SPAS") | $(target "≥ 4× (#6)" "$(q "$STAS" "$SPAS")" ge 4) |"
        echo "| 3b′ | same, peak RSS (MB) | $(f 0 "$SPAR") | $(f 0 "$STAR") | $(ratio "$STAR" "$SPAR") | $(target "ppad ≤ 1200 MB (#6)" "$SPAR" le 1200) |"
    fi
    echo "| 3c | training step, PyTorch the original way (text prompts re-encoded per sample, $ORIG_LAB) (s) | $(f 2 "$SP") | $(f 2 "$SO") | $(ratio "$SOS" "$SPS") | |"
    echo "| 3d | same, peak RSS (MB) | $(f 0 "$SPR") | $(f 0 "$SOR") | $(ratio "$SOR" "$SPR") | |"
    echo "| 3e | training step with \`--precision bf16\` (ran: $SB16U) vs PyTorch fp32, $STEP_LAB (s) | $(f 2 "$SB16") | $(f 2 "$ST") | $(ratio "$STS" "$SB16S") | (no target; fp32 is row 3a) |"
    [ "$ALT" = 1 ] &&
        echo "| 3e′ | same bf16 step (default environment) vs PyTorch fp32 with \`$ALT_ENV\` (s) | $(f 2 "$SB16") | $(f 2 "$STA") | $(ratio "$STAS" "$SB16S") | |"
    echo "| 3f | bf16 step vs ppad fp32 step (s); peak RSS (MB) | $(f 2 "$SB16"); $(f 0 "$SB16R") | (ppad fp32) $(f 2 "$SP"); $(f 0 "$SPR") | $(ratio "$SPS" "$SB16S") | |"
    echo "| 4a | scoring, 5 positions per image, fp32, $SN images streamed in chunks of 32 (images/s) | $(f 2 "$CP") | $(f 2 "$CT") | $(ratio "$CP" "$CT") | $(target "≥ 2× (#6)" "$(q "$CP" "$CT")" ge 2) |"
    echo "| 4b | same, peak RSS (MB) | $(f 0 "$CPR") | $(f 0 "$CTR") | $(ratio "$CTR" "$CPR") | $(target "ppad ≤ 800 MB (#6)" "$CPR" le 800) |"
    echo "| 4c | scoring with \`--precision bf16\` (ran: $CBU) vs PyTorch fp32 (images/s) | $(f 2 "$CB") | $(f 2 "$CT") | $(ratio "$CB" "$CT") | $(target "≥ 4× (#6)" "$(q "$CB" "$CT")" ge 4) |"
    echo "| 4d | scoring bf16 vs ppad fp32 (images/s) | $(f 2 "$CB") | (ppad fp32) $(f 2 "$CP") | $(ratio "$CB" "$CP") | $(target "≥ 1.7× (#6)" "$(q "$CB" "$CP")" ge 1.7) |"
    echo "| 4e | scoring bf16, peak RSS (MB; the fp32 image-tower matrices are released once the bf16 copies exist) | $(f 0 "$CBR") | $(f 0 "$CTR") | $(ratio "$CTR" "$CBR") | $(target "ppad ≤ 800 MB (#6)" "$CBR" le 800) |"
    if [ "$ALT" = 1 ]; then
        echo "| 4a′ | scoring, both with \`$ALT_ENV\` (images/s) | $(f 2 "$CPA") | $(f 2 "$CTA") | $(ratio "$CPA" "$CTA") | $(target "≥ 2× (#6)" "$(q "$CPA" "$CTA")" ge 2) |"
        echo "| 4c′ | scoring bf16 (default environment) vs PyTorch fp32 with \`$ALT_ENV\` (images/s) | $(f 2 "$CB") | $(f 2 "$CTA") | $(ratio "$CB" "$CTA") | $(target "≥ 4× (#6)" "$(q "$CB" "$CTA")" ge 4) |"
    fi
    echo "| 5a | GEMM peak of the library in use ($BACKEND), fp32, $THREADS threads, OPENBLAS_CORETYPE=\`${OPENBLAS_CORETYPE:-(unset)}\` (GFLOPS) | $(f 1 "$PEAK") | | | |"
    echo "| 5b | same, OPENBLAS_CORETYPE **unset** (GFLOPS) | $(f 1 "$PEAK0") | | | |"
    echo "| 5a* | for reference: OpenBLAS \`cblas_sgemm\` peak, OPENBLAS_CORETYPE=\`${OPENBLAS_CORETYPE:-(unset)}\` / unset (GFLOPS) | $(f 1 "$OBPEAK") / $(f 1 "$OBPEAK0") | | | |"
    echo "| 5c | image tower forward, batch $VB: achieved GFLOPS, % of 5a | $(f 1 "$FWD_G") = $(pct "$FWD_G" "$PEAK") | | | $(target "≥ 75% (#6)" "$(q "$FWD_G" "$PEAK")" ge 0.75) |"
    echo "| 5d | image tower input-gradient backward, batch $VB: achieved GFLOPS, % of 5a | $(f 1 "$BWD_G") = $(pct "$BWD_G" "$PEAK") | | | $(target "≥ 75% (#6)" "$(q "$BWD_G" "$PEAK")" ge 0.75) |"
    # DICOM rows (issue 13): decode + resize to 224 of one file vs scoring one image (row 4a, fp32)
    SCORE_MS=$(awk -v c="$CP" 'BEGIN { printf "%.2f", 1000 / c }')
    for k in $DICOM_KINDS; do
        case $k in
        cr) lab="uncompressed" ;; cr_jpeg_lossless) lab="JPEG lossless (dcmcjpeg)" ;; *) lab="JPEG-LS lossless (dcmcjpls)" ;;
        esac
        echo "| 7 | DICOM 2500×3000 12-bit CR, $lab, decoded + resized to 224: ms per image in a chunk of $(val dicom_$k chunk_images) on $THREADS threads (one file per thread, as the verbs load), [one file on 1 thread: wall (CPU) ms] vs scoring one image (4a) ms | $(f 1 "$(val dicom_$k chunk_ms)") [$(f 1 "$(val dicom_$k total_ms)") ($(f 1 "$(val dicom_$k cpu_ms)"))] | (score) $SCORE_MS | $(ratio "$SCORE_MS" "$(val dicom_$k chunk_ms)") | $(target "≤ ½ of scoring (#13)" "$(q "$(val dicom_$k chunk_ms)" "$SCORE_MS")" le 0.5) |"
    done
    echo
    if [ "$ALT" = 1 ]; then
        echo "Rows marked ′ repeat rows 1, 3a and 4a with \`$ALT_ENV\` for both programs (idle OpenMP threads sleep at"
        echo "once instead of spinning). Debian's PyTorch runs a pthreads OpenBLAS beside its own OpenMP pool, and on 2 cores"
        echo "the two pools' spinning threads compete; on a machine shared with other work every spinning thread also steals"
        echo "time. The variable is a one-line setting any user could apply, so both settings are reported; the stricter"
        echo "comparison is ppad against the better PyTorch number."
        echo
    fi

    echo "## Details"
    echo
    echo "### 1. Image tower"
    echo
    echo "Random normalised pixels (batch $VB, 3×224×224) → conv1 → 12 blocks → feature, no gradients."
    echo "ppad: \`clip_patch_embed\` + \`clip_vision_forward\` (activations not saved). PyTorch: \`model.encode_image\` under"
    echo "\`torch.no_grad()\` (tests/lib/clip_ref.py). $VREPS repetition(s)."
    echo
    echo "| | batch time (s) | images/s | peak RSS (MB) |"
    echo "|---|---:|---:|---:|"
    echo "| ppad | $(f 3 "$(val vision_ppad fwd_s)") | $(f 2 "$VP") | $(f 0 "$(val vision_ppad peak_rss_mb)") |"
    echo "| ppad, \`PPAD_GEMM=openblas\` (OpenBLAS instead of oneDNN) | $(f 3 "$(val vision_ppad_openblas fwd_s)") | $(f 2 "$(val vision_ppad_openblas images_per_s)") | $(f 0 "$(val vision_ppad_openblas peak_rss_mb)") |"
    echo "| PyTorch | $(f 3 "$(val vision_torch fwd_s)") | $(f 2 "$VT") | $(f 0 "$(val vision_torch peak_rss_mb)") |"
    if [ "$ALT" = 1 ]; then
        echo "| ppad, \`$ALT_ENV\` | $(f 3 "$(val vision_ppad_alt fwd_s)") | $(f 2 "$VPA") | $(f 0 "$(val vision_ppad_alt peak_rss_mb)") |"
        echo "| PyTorch, \`$ALT_ENV\` | $(f 3 "$(val vision_torch_alt fwd_s)") | $(f 2 "$VTA") | $(f 0 "$(val vision_torch_alt peak_rss_mb)") |"
    fi
    echo
    echo "(ppad's vision row also runs the backward of row 5, so its peak RSS includes saved activations for batch $VB.)"
    echo
    echo "### 2. Checkpoint load ($LREPS repetition(s), median)"
    echo
    echo "ppad: the load time \`ppad info\` prints (\`clip_load\`: read the zip, convert every tensor to fp32 into one block)."
    echo "PyTorch: \`clip_ref.load_fp32\` = \`torch.load\` + building the CLIP module + \`load_state_dict\` + \`.float()\`."
    echo "Peak RSS of both: \`/usr/bin/time -v\` of the whole process (PyTorch's includes $(f 0 "$(val load_torch_1 import_rss_mb)") MB for \`import torch\`)."
    echo
    echo "### 3. Training step"
    echo
    echo "Random normalised pixels; sample i has position i mod 5 (left, right, upper, lower, whole) and label i mod 2;"
    echo "fresh prompts; loss = BCE-with-logits mean; then SGD (lr 0.001, momentum 0.9). CLIP frozen on both sides (PyTorch:"
    echo "\`requires_grad_(False)\` on every weight, so no weight gradients). Warm-up: one step on $STEP_WARM samples."
    echo "ppad: \`engine_loss_grad\` + \`params_sgd_step\` ($SREPS repetition(s)). PyTorch: \`ppad_ref.loss\` + \`backward\` + \`SGD.step\` ($TSREPS repetition(s));"
    echo "the original way: the two prompts of each sample's position built and run through the text tower for every"
    echo "sample (bench/torch_bench.py \`loss_original\`), timed once."
    echo "\"work peak\" is the peak RSS after the model was loaded (VmHWM reset through /proc/self/clear_refs), i.e. without"
    echo "the load's transient."
    echo
    echo "| | micro-batch | step (s) | ms/sample | model RSS (MB) | work peak (MB) | peak RSS (MB) |"
    echo "|---|---:|---:|---:|---:|---:|---:|"
    for k in step_ppad $(for mb in $MICROS; do echo step_ppad_m$mb; done) $([ "$ALT" = 1 ] && echo step_ppad_alt) \
        step_ppad_bf16; do
        lab=ppad
        [ $k = step_ppad_alt ] && lab="ppad, \`$ALT_ENV\`"
        [ $k = step_ppad_bf16 ] && lab="ppad, \`--precision bf16\` (ran: $SB16U)"
        echo "| $lab | $(val $k micro) | $(f 2 "$(val $k step_s)") | $(f 1 "$(val $k per_sample_ms)") | $(f 0 "$(val $k model_rss_mb)") | $(f 0 "$(val $k work_peak_rss_mb)") | $(f 0 "$(val $k peak_rss_mb)") |"
    done
    for k in step_torch $([ "$ALT" = 1 ] && echo step_torch_alt) step_torch_orig; do
        case $k in
        step_torch) lab="PyTorch, prompts once per step" ;;
        step_torch_alt) lab="PyTorch, prompts once per step, \`$ALT_ENV\`" ;;
        *) lab="PyTorch, original (per sample), batch $OB" ;;
        esac
        echo "| $lab | – | $(f 2 "$(val $k step_s)") | $(f 1 "$(val $k per_sample_ms)") | $(f 0 "$(val $k model_rss_mb)") | $(f 0 "$(val $k work_peak_rss_mb)") | $(f 0 "$(val $k peak_rss_mb)") |"
    done
    echo
    echo "Losses (same batch recipe, different random pixels and prompts on each side, so not comparable): ppad $(val step_ppad loss), PyTorch $(val step_torch loss)."
    echo
    echo "### 4. Scoring"
    echo
    echo "$SN random normalised images made in chunks of 32 (generation not timed) and scored: 5 positions per image, each"
    echo "with its image prompt, against its two text prompts, fused. ppad: \`engine_encode_texts\` once per pass, then"
    echo "\`score_images\` per chunk (engine micro-batch 16, the CLI default). PyTorch, under \`torch.no_grad()\`: the same"
    echo "formulas as \`ppad_ref.scores\` with the 10 text features likewise computed once per pass (bench/torch_bench.py"
    echo "\`scores_text_once\`; \`ppad_ref.scores\` itself re-encodes the prompts for every position of every chunk, which"
    echo "would slow PyTorch down by work the method does not need: \`--ref-scores\` times that)."
    echo "$SNREPS repetition(s) after a warm-up on $SWARM images."
    echo
    echo "| | pass (s) | images/s | model RSS (MB) | work peak (MB) | peak RSS (MB) |"
    echo "|---|---:|---:|---:|---:|---:|"
    for k in score_ppad score_ppad_bf16 score_torch $([ "$ALT" = 1 ] && echo score_ppad_alt score_torch_alt); do
        case $k in
        score_ppad) lab=ppad ;;
        score_ppad_bf16) lab="ppad, \`--precision bf16\` (ran: $CBU)" ;;
        score_torch) lab=PyTorch ;;
        score_ppad_alt) lab="ppad, \`$ALT_ENV\`" ;;
        *) lab="PyTorch, \`$ALT_ENV\`" ;;
        esac
        echo "| $lab | $(f 2 "$(val $k score_s)") | $(f 2 "$(val $k images_per_s)") | $(f 0 "$(val $k model_rss_mb)") | $(f 0 "$(val $k work_peak_rss_mb)") | $(f 0 "$(val $k peak_rss_mb)") |"
    done
    echo
    echo "### 4b. Heat maps (\`ppad explain\`)"
    echo
    echo "Seconds per image, median of $(val explain_ppad reps) passes over $(val explain_ppad images) random images (bench/explain.c, the four"
    echo "measurements interleaved): scoring one image (5 positions, one batch of 5, as \`ppad predict IMAGE\`), scoring"
    echo "them all at once, and one explanation (5 positions as one batch: forward with activations saved, then the"
    echo "image-tower backward with taps; no text backward). Issue target: explanation <= 1.5x scoring that image."
    echo "Relevance needs dz/dA in every block, so its backward runs through all 12 blocks (dX only: about the forward's"
    echo "FLOPs: 7.96 of 8.06 GFLOP per position), a floor of about 2x; Grad-CAM saves only the last block's activations"
    echo "(the blocks below run as in scoring) and its backward ends there (0.19 GFLOP per position: about 1.02x)."
    echo "The last row is relevance's forward alone (activations of all 12 blocks saved), to split its cost."
    echo
    echo "| | s/image | x scoring one image | x chunked scoring |"
    echo "|---|---:|---:|---:|"
    echo "| scoring, one image | $(f 3 "$(val explain_ppad score_one_s)") | 1 | |"
    echo "| scoring, chunked | $(f 3 "$(val explain_ppad score_chunk_s)") | | 1 |"
    echo "| relevance | $(f 3 "$(val explain_ppad relevance_s)") | $(f 2 "$(val explain_ppad relevance_ratio)") | $(f 2 "$(val explain_ppad relevance_ratio_chunk)") |"
    echo "| gradcam | $(f 3 "$(val explain_ppad gradcam_s)") | $(f 2 "$(val explain_ppad gradcam_ratio)") | $(f 2 "$(val explain_ppad gradcam_ratio_chunk)") |"
    echo "| relevance's forward alone | $(f 3 "$(val explain_ppad saved_forward_s)") | | |"
    echo
    echo "### 5. Utilisation"
    echo
    echo "GEMM ceiling at the image tower's biggest GEMMs for batch 64 (M = 64×50 = 3200 token rows), in both operand layouts"
    echo "ppad uses (forward \`x·Wᵀ\`, input-gradient \`dy·W\`), through ppad's own GEMM entry points (src/clip/gemm.h: the"
    echo "library in use, here **$BACKEND**), through OpenBLAS's \`cblas_sgemm\` for reference, and in bf16 (inputs bf16,"
    echo "fp32 accumulation; the scoring path's products) where supported. $GREPS calls each after a warm-up: median (best)"
    echo "GFLOPS. The peak (5a, 5b) is the best call of any shape, so the utilisation below is not flattered."
    echo
    ct=${OPENBLAS_CORETYPE:-(unset)}
    echo "| shape (M×N×K) | ppad ($BACKEND), CORETYPE \`$ct\` | ppad, unset | OpenBLAS, \`$ct\` | OpenBLAS, unset | bf16 |"
    echo "|---|---:|---:|---:|---:|---:|"
    for s in fc_fwd:"3200×3072×768, x·Wᵀ (c_fc)" proj_fwd:"3200×768×3072, x·Wᵀ (c_proj)" fc_bwd:"3200×768×3072, dy·W (c_fc backward)" proj_bwd:"3200×3072×768, dy·W (c_proj backward)"; do
        k=${s%%:*}
        g() { printf '%s (%s)' "$(f 1 "$(val "$1" gflops_${k}_$2)")" "$(f 1 "$(val "$1" best_gflops_${k}_$2)")"; }
        bf="n/a"
        [ "$(val gemm bf16_supported)" = 1 ] && bf=$(g gemm bf16)
        echo "| ${s#*:} | $(g gemm ppad) | $(g gemm_nocore ppad) | $(g gemm openblas) | $(g gemm_nocore openblas) | $bf |"
    done
    echo "| OpenBLAS kernel chosen | | | $(val gemm openblas_config | awk '{ print $(NF-1) }') | $(val gemm_nocore openblas_config | awk '{ print $(NF-1) }') | |"
    echo
    echo "Achieved GFLOPS are analytic FLOPs / measured time (bench/vision.c), counting GEMM-like work only (a multiply-add"
    echo "= 2 FLOPs; LayerNorm, softmax, QuickGELU, residuals not counted). With T = 50 tokens, W = 768, L = 12, P = 32, E = 512,"
    echo "per image: forward = conv1 2·49·W·3P² + L·(24·T·W² + 4·T²·W) + 2·W·E = $(val vision_ppad fwd_gflop_per_image) GFLOP"
    echo "(q/k/v 6TW², out 2TW², fc 8TW², proj 8TW², QKᵀ and att·V 2T²W each); input-gradient backward ="
    echo "L·(24·T·W² + 8·T²·W) + 2·W·E = $(val vision_ppad bwd_gflop_per_image) GFLOP (each linear's dx is a GEMM of the same size; attention"
    echo "needs dV, d att, dQ, dK; no conv1: the gradient stops at the patch tokens)."
    echo
    echo "| batch $VB | time (s) | GFLOPS | % of the $BACKEND peak (5a) | % of the peak unset (5b) |"
    echo "|---|---:|---:|---:|---:|"
    echo "| forward, inference (conv1 included) | $(f 3 "$(val vision_ppad fwd_s)") | $(f 1 "$FWD_G") | $(pct "$FWD_G" "$PEAK") | $(pct "$FWD_G" "$PEAK0") |"
    echo "| forward, activations saved for backward (from patch tokens) | $(f 3 "$(val vision_ppad fwd_saved_s)") | $(f 1 "$(val vision_ppad fwd_saved_gflops)") | $(pct "$(val vision_ppad fwd_saved_gflops)" "$PEAK") | $(pct "$(val vision_ppad fwd_saved_gflops)" "$PEAK0") |"
    echo "| input-gradient backward (\`clip_vision_backward\`) | $(f 3 "$(val vision_ppad bwd_s)") | $(f 1 "$BWD_G") | $(pct "$BWD_G" "$PEAK") | $(pct "$BWD_G" "$PEAK0") |"
    echo
    echo "### 6. Scaling (ppad)"
    echo
    echo "Training step vs batch size (micro-batch 16, median of 2 after a warm-up step on min(batch, $STEP_WARM) samples):"
    echo
    echo "| batch | step (s) | ms/sample | work peak (MB) | peak RSS (MB) |"
    echo "|---:|---:|---:|---:|---:|"
    for n in $STEP_SIZES; do
        echo "| $n | $(f 2 "$(val scale_step_$n step_s)") | $(f 1 "$(val scale_step_$n per_sample_ms)") | $(f 0 "$(val scale_step_$n work_peak_rss_mb)") | $(f 0 "$(val scale_step_$n peak_rss_mb)") |"
    done
    echo
    echo "(The step's input batch itself — 0.6 MB of pixels per sample — is part of its memory; the engine's buffers depend"
    echo "on the micro-batch only.)"
    echo
    echo "Scoring vs number of images (streamed in chunks of 32, one pass after a warm-up on $SWARM images):"
    echo
    echo "| images | time (s) | images/s | work peak (MB) | peak RSS (MB) |"
    echo "|---:|---:|---:|---:|---:|"
    for n in $SCORE_SIZES; do
        echo "| $n | $(f 2 "$(val scale_score_$n score_s)") | $(f 2 "$(val scale_score_$n images_per_s)") | $(f 0 "$(val scale_score_$n work_peak_rss_mb)") | $(f 0 "$(val scale_score_$n peak_rss_mb)") |"
    done
    echo
    # ---- MPI (issue 14): bench/mpi.sh measures and writes its own section ----
    [ "$QUICK" = 1 ] && MPI_ENV="ROUNDS=1 REPS=1 IMAGES=8" || MPI_ENV="ROUNDS=3 REPS=2 IMAGES=64"
    env $MPI_ENV BUILD="$BUILD" WEIGHTS="$W" PYTHON="$PY" bash bench/mpi.sh
    echo
    # ---- end MPI ----
    echo "## Commands"
    echo
    echo "Run from the repository root with \`OMP_NUM_THREADS=$THREADS OPENBLAS_NUM_THREADS=$THREADS\` and the caller's"
    echo "\`OPENBLAS_CORETYPE\` (\`${OPENBLAS_CORETYPE:-(unset)}\`); outputs are in \`$LOG/\`."
    echo
    echo "| row | command | load average before |"
    echo "|---|---|---:|"
    for k in "${ORDER[@]}"; do
        echo "| $k | \`${CMD[$k]}\` | ${LA[$k]} |"
    done
} >"$TMP"
mv "$TMP" "$RESULTS"
echo "bench: wrote $RESULTS (${ELAPSED} s of measurements)" >&2
