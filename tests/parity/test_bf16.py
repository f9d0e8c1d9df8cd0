"""--precision bf16 (reduced-precision scoring): fused scores within 2e-3 of
fp32 and the same AUC on a phantom test set; on a CPU without AVX512-BF16 it
falls back to fp32 and says so.

AUC tolerance: a random backbone scores every image almost alike (fused
scores of 100 phantoms span ~2e-3), so bf16's ~1e-4 score error reorders a
pair or two of near-tied images and moves the AUC in the third decimal
(measured: 0.4356 vs 0.4369 tiny, 0.5350 vs 0.5375 full; after the switch to
the authors' normalisation constants, on an AVX512-BF16 Xeon: 0.5350 vs 0.5406
full). The check allows 0.01 (24 swapped pairs out of 2400); a broken bf16 path
moves the scores by far more than 2e-3 and fails the score check first.
Larger sets shrink the difference (one pair weighs less) but do not remove
it: on 150 + 150 phantoms, over 7 sets, the full fixture's AUCs differed by
0.5e-4 to 9e-4 and the demo backbone's by up to 2.6e-3. The issue's
"identical to three decimals" cannot be shown with a random backbone, whose
features of any two phantoms have cosine ~0.997 (ppad embed on the demo
phantoms): bf16 rounding is ~3% of the spread of its scores."""
import csv
import json
import os
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from check import ASAN, FIX, PPAD, check, done, run  # noqa: E402

has_bf16 = "avx512_bf16" in open("/proc/cpuinfo").read()


def scores(path):
    return {r["path"]: float(r["score"]) for r in csv.DictReader(open(path))}


with tempfile.TemporaryDirectory() as d:
    ph = os.path.join(d, "ph")
    run([PPAD, "phantom", "--out", ph, "--normal", "60", "--abnormal", "40", "--train-normal", "20", "--seed", "5",
         "--quiet"])
    cases = [("tiny", os.path.join(FIX, "clip_tiny.pt"))]
    if not ASAN:
        cases.append(("full", os.path.join(FIX, "clip_full.pt")))
    for tag, w in cases:
        p = os.path.join(d, tag + "_p.pt")
        run([PPAD, "init-prompts", "--seed", "2", "--weights", w, "--out", p])
        out = {}
        for prec in ("fp32", "bf16"):
            sc = os.path.join(d, "%s_%s.csv" % (tag, prec))
            r = run([PPAD, "test", "--weights", w, "--prompts", p, "--data", ph, "--quiet", "--json", "--precision",
                     prec, "--scores", sc, "--threads", "2"])
            if not check(r.returncode == 0, "%s %s test runs" % (tag, prec), r.stderr[-300:]):
                break
            out[prec] = (json.loads(r.stdout), scores(sc), r.stderr)
        if len(out) < 2:
            continue
        (m32, s32, _), (m16, s16, err16) = out["fp32"], out["bf16"]
        diff = max(abs(s32[k] - s16[k]) for k in s32)
        check(diff <= 2e-3, "%s: bf16 fused scores within 2e-3 of fp32" % tag, "max diff %.3g" % diff)
        print("# %s: AUC fp32 %.6f bf16 %.6f, max fused score diff %.3g" % (tag, m32["auc"], m16["auc"], diff))
        check(abs(m32["auc"] - m16["auc"]) <= 0.01, "%s: same AUC within 0.01" % tag,
              "fp32 %.6f bf16 %.6f" % (m32["auc"], m16["auc"]))
        if has_bf16:
            check(diff > 0, "%s: bf16 path really ran (scores differ from fp32 in the last digits)" % tag)
        else:
            check("no AVX512-BF16" in err16 and diff == 0, "%s: no AVX512-BF16: note and fp32 fallback" % tag, err16)
    # a bf16 model has released its fp32 matrices: when oneDNN cannot run a bf16
    # product (forced here), the fallback loops must compute from the bf16 copies
    if has_bf16:
        w = cases[0][1]
        p = os.path.join(d, "tiny_p.pt")
        sc = os.path.join(d, "fallback.csv")
        r = run([PPAD, "test", "--weights", w, "--prompts", p, "--data", ph, "--quiet", "--precision", "bf16",
                 "--scores", sc, "--threads", "2"], env=dict(os.environ, PPAD_GEMM_BF16_FAIL="1"))
        if check(r.returncode == 0, "bf16 fallback loops run (PPAD_GEMM_BF16_FAIL=1)", r.stderr[-300:]):
            s32 = scores(os.path.join(d, "tiny_fp32.csv"))
            sfb = scores(sc)
            diff = max(abs(s32[k] - sfb[k]) for k in s32)
            check(0 < diff <= 2e-3, "bf16 fallback loops: fused scores within 2e-3 of fp32", "max diff %.3g" % diff)
    r = run([PPAD, "test", "--weights", cases[0][1], "--prompts", p, "--data", ph, "--precision", "fp16"])
    check(r.returncode == 2 and "--precision: 'fp16' is not one of fp32/bf16" in r.stderr,
          "unknown precision refused (usage error, exit 2)", r.stderr)
done()
