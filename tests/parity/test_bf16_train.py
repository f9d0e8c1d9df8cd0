"""--precision bf16 for training (`ppad step`, `ppad train`): the image tower's
forward and input-gradient products in bf16. Checked against the fp32 path,
which test_step.py checks against PyTorch autograd:

- one step's loss and prompt gradients stay close to fp32;
- the bf16 path really ran (the loss differs in its last digits);
- `train --precision bf16` is bit-for-bit repeatable and ends near the fp32 run;
- on a CPU without AVX512-BF16, a one-line note and exactly the fp32 result.

Measured (tiny / full fixture, 10 images covering all positions, 2 threads):
loss rel diff 1.2e-3 / 2.0e-3, ctx gradient rel norm diff 1.7e-3 / 2.4e-3,
mask_embedding gradient 5.1e-3 / 5.7e-3. Tolerances are ~5x those."""
import os
import sys
import tempfile
from collections import OrderedDict

import numpy as np
import torch
from PIL import Image

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from check import ASAN, FIX, PPAD, check, done, run  # noqa: E402

HAS_BF16 = "avx512_bf16" in open("/proc/cpuinfo").read()
POS = ["left", "right", "upper", "lower", "whole"]


def make_batch(d, n):
    rng = np.random.default_rng(3)
    rows = []
    for i in range(n):
        yy, xx = np.mgrid[0:224, 0:224]
        img = 120 + 70 * np.sin(xx / (5 + i)) * np.cos(yy / (9 + 2 * i)) + rng.normal(0, 25, (224, 224))
        Image.fromarray(np.clip(img, 0, 255).astype(np.uint8), "L").save(os.path.join(d, "s%d.png" % i))
        rows.append("s%d.png,%d,%s" % (i, (i // 5 + i) % 2, POS[i % 5]))
    man = os.path.join(d, "batch.csv")
    with open(man, "w") as f:
        f.write("path,label,position\n" + "\n".join(rows) + "\n")
    return man


def grads(path):
    sd = torch.load(path)
    return sd["prompt_learner_ctx"]["ctx"], sd["image_mask_learner"]["mask_embedding"]


def rel(a, b):
    return float((a - b).norm() / b.norm())


with tempfile.TemporaryDirectory() as d:
    man = make_batch(d, 10)
    cases = [("tiny", os.path.join(FIX, "clip_tiny.pt"))]
    if not ASAN:
        cases.append(("full", os.path.join(FIX, "clip_full.pt")))
    for tag, w in cases:
        p = os.path.join(d, tag + "_p.pt")
        run([PPAD, "init-prompts", "--seed", "2", "--weights", w, "--out", p])
        res = {}
        for prec in ("fp32", "bf16"):
            g = os.path.join(d, "%s_g_%s.pt" % (tag, prec))
            r = run([PPAD, "step", "--weights", w, "--prompts", p, "--batch", man, "--out", os.path.join(d, "o.pt"),
                     "--grad-out", g, "--precision", prec, "--threads", "2"])
            if not check(r.returncode == 0, "%s: step --precision %s runs" % (tag, prec), r.stderr[-300:]):
                break
            res[prec] = (float(r.stdout.split("=")[1]), grads(g), r.stderr)
        if len(res) < 2:
            continue
        (l32, (c32, m32), _), (l16, (c16, m16), err16) = res["fp32"], res["bf16"]
        print("# %s: loss fp32 %.9g bf16 %.9g; grad rel diff ctx %.3g mask %.3g"
              % (tag, l32, l16, rel(c16, c32), rel(m16, m32)))
        if HAS_BF16:
            check(abs(l16 - l32) <= 1e-2 * abs(l32), "%s: bf16 step loss within 1e-2 rel of fp32" % tag,
                  "%.9g vs %.9g" % (l16, l32))
            check(rel(c16, c32) <= 2e-2, "%s: bf16 ctx gradient within 2e-2 rel norm of fp32" % tag,
                  "%.3g" % rel(c16, c32))
            check(rel(m16, m32) <= 3e-2, "%s: bf16 mask_embedding gradient within 3e-2 rel norm of fp32" % tag,
                  "%.3g" % rel(m16, m32))
            check(l16 != l32, "%s: the bf16 path really ran (loss differs in the last digits)" % tag)
        else:
            check("no AVX512-BF16" in err16 and l16 == l32 and torch.equal(c16, c32),
                  "%s: no AVX512-BF16: note and exactly the fp32 step" % tag, err16)
        if HAS_BF16 and tag == "tiny":
            # the fp32 matrices are released in bf16 mode: the fallback loops (forced) use the bf16 copies
            g = os.path.join(d, "fallback_g.pt")
            r = run([PPAD, "step", "--weights", w, "--prompts", p, "--batch", man, "--out", os.path.join(d, "o.pt"),
                     "--grad-out", g, "--precision", "bf16", "--threads", "2"],
                    env=dict(os.environ, PPAD_GEMM_BF16_FAIL="1"))
            if check(r.returncode == 0, "tiny: bf16 step through the fallback loops runs", r.stderr[-300:]):
                lf, (cf, mf) = float(r.stdout.split("=")[1]), grads(g)
                check(abs(lf - l32) <= 1e-2 * abs(l32) and rel(cf, c32) <= 2e-2 and rel(mf, m32) <= 3e-2,
                      "tiny: fallback-loop bf16 step close to fp32 (same tolerances)",
                      "loss %.9g vs %.9g, ctx %.3g, mask %.3g" % (lf, l32, rel(cf, c32), rel(mf, m32)))

    # a short training run: repeatable bit for bit, and close to the fp32 run
    ph = os.path.join(d, "ph")
    run([PPAD, "phantom", "--out", ph, "--normal", "20", "--abnormal", "10", "--train-normal", "16", "--seed", "4",
         "--quiet"])
    w = cases[0][1]
    p0 = os.path.join(d, "tiny_p.pt")
    train = [PPAD, "train", "--weights", w, "--data", ph, "--seed", "0", "--shots", "16", "--batch", "16",
             "--epochs", "4", "--lr", "0.01", "--threads", "2", "--quiet", "--no-eval", "--init", p0]
    outs = {}
    for name, extra in (("fp32", []), ("bf16", ["--precision", "bf16"]), ("bf16b", ["--precision", "bf16"])):
        o = os.path.join(d, "t_%s.pt" % name)
        r = run(train + ["--out", o] + extra)
        if check(r.returncode == 0, "train %s runs" % name, r.stderr[-300:]):
            outs[name] = o
    if len(outs) == 3:
        check(open(outs["bf16"], "rb").read() == open(outs["bf16b"], "rb").read(),
              "train --precision bf16 is bit-for-bit repeatable")
        (c0, m0), (c32, m32), (c16, m16) = grads(p0), grads(outs["fp32"]), grads(outs["bf16"])
        # how far bf16 training ends from fp32, relative to how far fp32 training moved the prompts
        ec, em = rel(c16 - c0, c32 - c0), rel(m16 - m0, m32 - m0)
        print("# 4 training steps: bf16 vs fp32 update rel diff: ctx %.3g mask %.3g" % (ec, em))
        check(ec <= 5e-2 and em <= 5e-2, "bf16 training's prompt updates within 5e-2 rel of fp32's",
              "ctx %.3g mask %.3g" % (ec, em))
        if HAS_BF16:
            check(not torch.equal(c16, c32), "bf16 training really differs from fp32 in the last digits")
    r = run(train + ["--out", os.path.join(d, "x.pt"), "--precision", "fp8"])
    lines = [l for l in r.stderr.split("\n") if l]
    check(r.returncode == 2 and len(lines) == 1 and "--precision: 'fp8' is not one of fp32/bf16" in r.stderr,
          "train: unknown precision refused with one line", r.stderr)
    check(not os.path.exists(os.path.join(d, "x.pt")), "refused train leaves no file")
done()
