"""ppad explain vs a PyTorch autograd implementation of spec section 10
(tests/lib/explain_ref.py: attention probabilities exposed, torch.autograd.grad
of z_k = logit_abnormal - logit_normal), on the full-size random
CheXzero-layout fixture: both methods, all five positions, a 224 and a
non-224 input; the --raw format; the overlay's size and pixels (the picture
rules: normalisation over the drawn patches, bilinear upsampling, Turbo,
blending); and that dropping one block's contribution makes the comparison
fail."""
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
import explain_ref  # noqa: E402
from check import ASAN, BUILD, FIX, PPAD, check, close, done, run  # noqa: E402

torch.set_num_threads(2)
TOOL = os.path.join(BUILD, "tools", "explain_tool")
POS = ["left", "right", "upper", "lower", "whole"]
# maps: |got - ref| <= 1e-3 * (the reference map's largest |value|), per map (the bar;
# fp32 towers differing in summation order measure ~1e-5)
MAP_RTOL = 1e-3


def map_close(name, got, ref):
    scale = np.abs(ref).max()
    err = np.abs(got - ref).max() / scale if scale > 0 else np.abs(got).max()
    return check(scale > 0 and err <= MAP_RTOL, name, "max |diff| / max |ref| = %.3g (scale %.3g)" % (err, scale))


def images(d):
    rng = np.random.default_rng(8)
    out = []
    for name, (h, w) in (("sq.png", (224, 224)), ("tall,wide.png", (300, 260))):  # a comma: CSV quoting
        yy, xx = np.mgrid[0:h, 0:w]
        img = 100 + 70 * np.exp(-((xx - w * 0.3) ** 2 + (yy - h * 0.4) ** 2) / 2500.0) \
            + 40 * np.sin(xx / 6.0) * np.cos(yy / 9.0) + rng.normal(0, 20, (h, w))
        p = os.path.join(d, name)
        Image.fromarray(np.clip(img, 0, 255).astype(np.uint8), "L").save(p)
        out.append(p)
    return out


def turbo_table():
    r = run([TOOL, "colormap"])
    return np.array([[int(v) for v in line.split(",")] for line in r.stdout.split()], dtype=np.float64)


def expected_overlay(gray, m49, position):
    """The overlay as src/report/report_explain.c draws it, from the picture rules."""
    h, w = gray.shape
    up = explain_ref.upsample(m49, w, h).astype(np.float32)
    t = np.clip(up.astype(np.float64), 0, 1)
    # Turbo: 17 control points at i/16 (src/report/canvas.c), linear between them
    from matplotlib import cm
    knots = np.round(cm.turbo(np.linspace(0, 1, 17))[:, :3] * 255)
    f = t * 16
    i = np.minimum(f.astype(int), 15)
    u = f - i
    col = np.round(knots[i] * (1 - u)[..., None] + knots[i + 1] * u[..., None])
    a = (0.2 + 0.45 * t)[..., None]
    g = gray.astype(np.float64)[..., None]
    out = np.round(g * (1 - a) + col * a)
    if position != 4:
        ys, xs = np.mgrid[0:h, 0:w]
        cols = np.minimum(((xs + 0.5) * 224 / w).astype(int), 223)
        rows = np.minimum(((ys + 0.5) * 224 / h).astype(int), 223)
        inside = explain_ref.ppad_ref.region_mask(position).numpy()[rows, cols] > 0
        out = np.where(inside[..., None], out, np.round(g * 0.45))
    return out


def main():
    weights = os.path.join(FIX, "clip_full.pt")
    model = clip_ref.load_fp32(weights)
    wt, wv = model.ln_final.weight.shape[0], model.visual.conv1.weight.shape[0]
    g = torch.Generator().manual_seed(21)
    ctx = torch.randn(16, wt, generator=g) * 0.02
    me = torch.randn(1, 49, wv, generator=g) * 0.2
    with tempfile.TemporaryDirectory() as d:
        pf = os.path.join(d, "p.pt")
        torch.save({"prompt_learner_ctx": OrderedDict(ctx=ctx), "image_mask_learner": OrderedDict(mask_embedding=me)}, pf)
        paths = images(d)
        refs = []
        for p in paths:
            gray = np.asarray(Image.open(p).convert("L"))
            px = clip_ref.normalise_gray(np.asarray(Image.fromarray(gray).resize((224, 224), Image.BICUBIC)))
            refs.append((gray, px) + explain_ref.maps(model, px, ctx, me))
        got = {}
        for method in ("relevance", "gradcam"):
            out, raw = os.path.join(d, "out-" + method), os.path.join(d, method + ".csv")
            r = run([PPAD, "explain", "--weights", weights, "--prompts", pf, "--method", method, "--out", out,
                     "--raw", raw, "--threads", "2", "--quiet"] + paths)
            if not check(r.returncode == 0, method + ": explain runs", r.stderr[-500:]):
                continue
            text = open(raw).read()
            lines = text.split("\n")
            check(lines[0] == "path,position,method," + ",".join("m%d" % i for i in range(49)),
                  method + ": --raw header is path,position,method,m0..m48", lines[0][:120])
            check(lines[6].startswith('"%s",' % paths[1]), method + ": --raw quotes a path with a comma", lines[6][:80])
            rows = list(csv.reader(io.StringIO(text)))[1:]
            check(len(rows) == 10 and [x[1] for x in rows] == POS * 2 and all(x[2] == method for x in rows)
                  and [x[0] for x in rows] == [paths[0]] * 5 + [paths[1]] * 5 and all(len(x) == 52 for x in rows),
                  method + ": --raw has one row per image and position, in order", str([x[:3] for x in rows]))
            vals = np.array([[float(v) for v in x[3:]] for x in rows]).reshape(2, 5, 49)
            got[method] = vals
            for i, (tag, ref) in enumerate(zip(("224", "300x260"), refs)):
                for k in range(5):
                    map_close("%s %s %s: map equals PyTorch autograd (1e-3 of its max)" % (method, tag, POS[k]),
                              vals[i, k], ref[2][method][k])
            sc = list(csv.DictReader(io.StringIO(r.stdout)))
            probs = np.array([[float(row["p_" + k]) for k in POS] for row in sc])
            # probabilities in [0, 1]: fp32 towers differ only by summation order
            close(method + ": printed probabilities = sigmoid(z_k) of PyTorch (1e-4 abs)", probs,
                  np.stack([ref[3] for ref in refs]), atol=1e-4, rtol=0)
            idx = list(csv.DictReader(open(os.path.join(out, "index.csv"))))
            check([x["path"] for x in idx] == paths and all(x["method"] == method for x in idx),
                  method + ": index.csv lists both images", str(idx)[:300])
            for i, (p, ref) in enumerate(zip(paths, refs)):
                ov = np.asarray(Image.open(os.path.join(out, idx[i]["overlay"])).convert("RGB"))
                pn = Image.open(os.path.join(out, idx[i]["panel"]))
                h, w = ref[0].shape
                check(ov.shape[:2] == (h, w), "%s %s: the overlay is the input's size" % (method, idx[i]["overlay"]),
                      "%s vs %s" % (ov.shape, ref[0].shape))
                check(pn.size[0] > 5 * 120 and pn.size[1] > 240, method + ": the panel decodes", str(pn.size))
                m49, position = explain_ref.fused_view(vals[i], probs[i])
                want = expected_overlay(ref[0], m49, position)
                diff = np.abs(ov.astype(np.float64) - want)
                # rounding of a blend of rounded colours: at most one level, on few pixels
                check(diff.max() <= 1 and (diff > 0).mean() < 0.05,
                      "%s %s: overlay pixels follow the picture rules (fused view, bilinear, Turbo, blend; 1 level)"
                      % (method, os.path.basename(p)), "max %g, %.3g%% differ" % (diff.max(), 100 * (diff > 0).mean()))
        # the comparison can fail: relevance without block 5 must not pass it
        r = run([TOOL, weights, pf, "relevance", "5", paths[0]])
        if check(r.returncode == 0, "explain_tool runs with a dropped block", r.stderr[-300:]):
            dropped = np.array([[float(v) for v in line.split(",")[2:]] for line in r.stdout.split()])
            worst = max(np.abs(dropped[k] - refs[0][2]["relevance"][k]).max() / np.abs(refs[0][2]["relevance"][k]).max()
                        for k in range(5))
            check(worst > 10 * MAP_RTOL, "dropping block 5's contribution fails the 1e-3 comparison",
                  "worst relative diff only %.3g" % worst)
            r = run([TOOL, weights, pf, "relevance", "-1", paths[0]])
            full = np.array([[float(v) for v in line.split(",")[2:]] for line in r.stdout.split()])
            if "relevance" in got:
                close("explain_tool without a dropped block = ppad explain --raw (1e-6 rel)", full, got["relevance"][0],
                      atol=0, rtol=1e-6)
    # the colormap: Turbo (matplotlib's table) within 8/255 (17 control points, linear between them)
    from matplotlib import cm
    tab = turbo_table()
    ref = cm.turbo(np.arange(256) / 255.0)[:, :3] * 255
    check(tab.shape == (256, 3) and np.abs(tab - ref).max() <= 8, "colormap is Turbo within 8/255 (matplotlib)",
          "max diff %g" % (np.abs(tab - ref).max() if tab.shape == (256, 3) else -1))


if ASAN:
    print("# test_explain: the full-size model is too slow under ASan; the CLI tests cover the code there")
else:
    main()
done()
