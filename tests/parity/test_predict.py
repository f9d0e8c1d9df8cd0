"""ppad predict vs the PyTorch implementation of spec section 5 (per-position
probabilities and the fused score), on the full-size CheXzero-layout model
with a random prompt file, for images of 224 and 256 pixels."""
import csv
import io
import os
import sys
import tempfile
from collections import OrderedDict

import numpy as np
import torch
from PIL import Image

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import clip_ref  # noqa: E402
import ppad_ref  # noqa: E402
from check import ASAN, FIX, PPAD, check, close, done, run  # noqa: E402

torch.set_num_threads(2)


def case(tag, weights, n, ctx_sd, me_sd, extra=()):
    model = clip_ref.load_fp32(weights)
    wt, wv = model.ln_final.weight.shape[0], model.visual.conv1.weight.shape[0]
    g = torch.Generator().manual_seed(21)
    ctx = torch.randn(16, wt, generator=g) * ctx_sd
    me = torch.randn(1, 49, wv, generator=g) * me_sd
    with tempfile.TemporaryDirectory() as d:
        pf = os.path.join(d, "p.pt")
        torch.save({"prompt_learner_ctx": OrderedDict(ctx=ctx), "image_mask_learner": OrderedDict(mask_embedding=me)}, pf)
        rng = np.random.default_rng(8)
        paths = []
        for i in range(n):
            s = 224 if i % 2 == 0 else 256
            yy, xx = np.mgrid[0:s, 0:s]
            img = 110 + 80 * np.sin(xx / (4 + i)) * np.cos(yy / (6 + i)) + rng.normal(0, 30, (s, s))
            p = os.path.join(d, "x%d.png" % i)
            Image.fromarray(np.clip(img, 0, 255).astype(np.uint8), "L").save(p)
            paths.append(p)
        r = run([PPAD, "predict", "--weights", weights, "--prompts", pf, "--threads", "2"] + list(extra) + paths)
        if not check(r.returncode == 0, tag + " predict runs", r.stderr[-500:]):
            return
        rows = list(csv.DictReader(io.StringIO(r.stdout)))
        check([row["path"] for row in rows] == paths and list(rows[0].keys()) ==
              ["path", "score", "p_left", "p_right", "p_upper", "p_lower", "p_whole", "verdict"],
              tag + " CSV header and rows", r.stdout[:200])
        pixels = torch.stack([clip_ref.normalise_gray(np.asarray(Image.open(p).convert("L").resize((224, 224), Image.BICUBIC)))
                              for p in paths])
        with torch.no_grad():
            probs, fused = ppad_ref.scores(model, pixels, ctx, me)
        got = np.array([[float(row[k]) for k in ("p_left", "p_right", "p_upper", "p_lower", "p_whole")] for row in rows])
        # probabilities in [0, 1]: fp32 towers differ only by summation order
        close(tag + " per-position probabilities (1e-4 abs)", got, probs.numpy(), atol=1e-4, rtol=0)
        close(tag + " fused scores (1e-4 abs)", [float(row["score"]) for row in rows], fused.numpy(), atol=1e-4, rtol=0)
        check(all(row["verdict"] == ("abnormal" if float(row["score"]) > 0.5 else "normal") for row in rows),
              tag + " verdict at 0.5")
        spread = float(fused.max() - fused.min())
        check(tag == "tiny" or spread > 1e-3, tag + " scores are not all equal (the test can see differences)", "spread %g" % spread)


if not ASAN:
    case("full", os.path.join(FIX, "clip_full.pt"), 8, 0.02, 0.2)
case("tiny", os.path.join(FIX, "clip_tiny.pt"), 8, 0.5, 2.0)

with tempfile.TemporaryDirectory() as d:
    r = run([PPAD, "predict", "--weights", os.path.join(FIX, "clip_tiny.pt"), "--prompts",
             os.path.join(FIX, "prompts_tiny_released.pt"), "--no-position", os.path.join(d, "missing.png")])
    check(r.returncode == 1 and "missing.png" in r.stderr and len(r.stderr.strip().split("\n")) == 1,
          "predict: missing image is one clear error", r.stderr)
done()
