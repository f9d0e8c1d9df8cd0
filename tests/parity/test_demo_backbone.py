"""ppad random-model --demo: the hand-built demo backbone (src/clip/model_demo.c).
1. Its image tower equals the recipe written out here independently in numpy, tensor by tensor.
2. Its text tower is random-model's draws (same seed) with W_q, W_k x2 and the residual branches x4.
3. It computes what it claims, in PyTorch (the oracle): a mirrored image gives the same feature; a
   left-right symmetric image gives the constant direction; a one-sided brightening turns it away.
4. ppad's own image features (`ppad embed`) equal PyTorch's on it.
5. Refusals: with the options it replaces, and on models it does not fit."""
import csv
import math
import os
import sys
import tempfile

import numpy as np
import torch
from PIL import Image

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import clip_ref  # noqa: E402
from check import PPAD, check, done, run  # noqa: E402

MEAN, STD = 0.39799, 0.32721349  # the authors' normalisation (spec section 1)


def recipe(W=768, E=512, P=32, G=7, layers=3):
    """The demo image tower, from its description (model_demo.c's header), as float64 arrays."""
    cell, T, NA, alpha, beta, gate, lam, k, c0 = 8, 12, 64, 16.0, 16.0, 30.0, 0.05, 50.0, 3.0
    cpr = P // cell
    nc = cpr * cpr
    A0 = 2 * nc
    S0 = A0 + NA
    F0 = S0 + 2
    D0, E0 = F0 + T, F0 + 2 * T
    C0 = E0 + T
    r = {}
    conv = np.zeros((W, 3, P, P))
    for c in range(nc):
        cy, cx = divmod(c, cpr)
        conv[c, :, cy * cell:(cy + 1) * cell, cx * cell:(cx + 1) * cell] = 1.0 / (3 * cell * cell)
        conv[nc + c] = -conv[c]
    r["conv1.weight"] = conv
    r["class_embedding"] = np.zeros(W)
    pe = np.zeros((G * G + 1, W))
    pe[:, A0:A0 + NA] = alpha * np.array([1.0, -1.0] * (NA // 2))
    for p in range(G * G):
        col = p % G
        s = 1.0 if col < G // 2 else -1.0 if col > G // 2 else 0.0
        pe[1 + p, S0], pe[1 + p, S0 + 1] = beta * s, -beta * s
    r["positional_embedding"] = pe
    for n in ("ln_pre", "ln_post"):
        r[n + ".weight"], r[n + ".bias"] = np.ones(W), np.zeros(W)
    blocks = [dict(in_w=np.zeros((3 * W, W)), out_w=np.zeros((W, W)), fc_w=np.zeros((4 * W, W)),
                   fc_b=np.zeros(4 * W), pj_w=np.zeros((W, 4 * W)), pj_b=np.zeros(W)) for _ in range(layers)]
    rms = math.sqrt((NA * alpha ** 2 + 2 * beta ** 2) / W)  # a token's LayerNorm scale: the anchor's
    h = 1.0 / T / STD / rms
    a, sh = 4.0 / h, beta / rms
    u = 0
    for side in (1.0, -1.0):
        for c in range(nc):
            for t in range(T):
                for kk, coef in ((-1, 1.0), (0, -2.0), (1, 1.0)):
                    tau = ((t + 0.5) / T - MEAN) / STD / rms + kk * h
                    b = blocks[0]
                    b["fc_w"][u, c], b["fc_w"][u, S0], b["fc_b"][u] = a, gate * side / sh, -a * tau - gate
                    b["pj_w"][F0 + t, u] = lam * coef * side
                    u += 1
    for t in range(T):
        blocks[1]["in_w"][2 * W + F0 + t, F0 + t] = 1.0
        blocks[1]["out_w"][D0 + t, F0 + t] = 1.0
        blocks[2]["fc_w"][2 * t, D0 + t], blocks[2]["fc_w"][2 * t + 1, D0 + t] = k, -k
        blocks[2]["pj_w"][E0 + t, 2 * t] = blocks[2]["pj_w"][E0 + t, 2 * t + 1] = 1.0
    blocks[2]["pj_b"][C0] = c0
    proj = np.zeros((W, E))
    j = np.arange(E)
    proj[C0] = math.sqrt(1.0 / E)
    for t in range(T):
        proj[E0 + t] = math.sqrt(2.0 / E) * np.cos(math.pi * (t + 1) * (j + 0.5) / E)
    r["proj"] = proj
    return r, blocks, dict(C0=C0, E0=E0, T=T)


def load(path):
    sd = torch.load(path)
    return sd, clip_ref.load_fp32(path)


def features(model, imgs):  # list of (224, 224) uint8 -> (n, 512) normalised, fp32 PyTorch
    with torch.no_grad():
        x = torch.stack([clip_ref.normalise_gray(i) for i in imgs])
        return torch.nn.functional.normalize(model.encode_image(x), dim=-1)


with tempfile.TemporaryDirectory() as d:
    demo, base = os.path.join(d, "demo.pt"), os.path.join(d, "base.pt")
    r = run([PPAD, "random-model", "--demo", "--seed", "3", "--out", demo])
    r0 = run([PPAD, "random-model", "--seed", "3", "--out", base])
    if check(r.returncode == 0 and r0.returncode == 0, "random-model --demo runs", r.stderr + r0.stderr):
        sd, model = load(demo)
        sd0 = torch.load(base)
        check(list(sd) == list(sd0) and all(sd[k].dtype == sd0[k].dtype and sd[k].shape == sd0[k].shape for k in sd),
              "--demo: CheXzero's keys, order, shapes and fp16/fp32 layout")
        want, blocks, lay = recipe()
        # fp16-stored tensors: the recipe rounded to fp16 (relative 2^-11); fp32 ones exactly
        bad = []
        for name, v in want.items():
            got = sd["visual." + name].double().numpy()
            tol = 2.0 ** -11 if sd["visual." + name].dtype == torch.float16 else 0
            if got.shape != v.shape or not np.allclose(got, v, rtol=tol, atol=1e-7 if tol else 0):
                bad.append(name)
        pre = "visual.transformer.resblocks.%d."
        for L in range(12):
            b = blocks[L] if L < 3 else {}
            for key, name in (("in_w", "attn.in_proj_weight"), ("out_w", "attn.out_proj.weight"),
                              ("fc_w", "mlp.c_fc.weight"), ("fc_b", "mlp.c_fc.bias"),
                              ("pj_w", "mlp.c_proj.weight"), ("pj_b", "mlp.c_proj.bias")):
                got = sd[pre % L + name].double().numpy()
                v = b.get(key, np.zeros(got.shape))
                if not np.allclose(got, v, rtol=2.0 ** -11, atol=1e-7):
                    bad.append(pre % L + name)
            for name in ("attn.in_proj_bias", "attn.out_proj.bias", "ln_1.bias", "ln_2.bias"):
                if torch.count_nonzero(sd[pre % L + name]):
                    bad.append(pre % L + name)
            for name in ("ln_1.weight", "ln_2.weight"):
                if not torch.all(sd[pre % L + name] == 1):
                    bad.append(pre % L + name)
        check(not bad, "--demo: the image tower equals the recipe (fp16 rounding)", str(bad[:6]))
        # text tower: same draws, W_q/W_k x2, out_proj and c_proj x4 (powers of two: exact in fp16)
        bad = []
        for k in sd:
            if k.startswith("visual."):
                continue
            g, w = sd[k].float(), sd0[k].float()
            if k.endswith("attn.in_proj_weight"):
                w = torch.cat([2 * w[:1024], w[1024:]])
            elif k.endswith("attn.out_proj.weight") or k.endswith("mlp.c_proj.weight"):
                w = 4 * w
            # scaled before the fp16 rounding: equal but where a draw is an fp16 subnormal (< 6.1e-5,
            # spacing 6e-8, x4 after scaling)
            if not torch.allclose(g, w, rtol=0, atol=2.5e-7):
                bad.append(k)
        check(not bad, "--demo: the text tower is random-model's draws with Q, K x2 and residual branches x4",
              str(bad[:6]))

        # what it computes (PyTorch fp32)
        rng = np.random.default_rng(0)
        yy, xx = np.mgrid[0:224, 0:224]
        body = (60 + 40 * np.sin(yy / 17.0) + 30 * np.cos(xx / 23.0) + rng.normal(0, 12, (224, 224)))
        body = np.clip(body, 0, 255).astype(np.uint8)
        sym = np.concatenate([body[:, :112], body[:, :112][:, ::-1]], 1)  # left-right symmetric
        lesion = sym.astype(float)
        lesion[60:160, 20:90] = np.clip(lesion[60:160, 20:90] + 110, 0, 255)  # one-sided opacity
        lesion = lesion.astype(np.uint8)
        f = features(model, [body, body[:, ::-1].copy(), sym, lesion, lesion[:, ::-1].copy()])
        const = torch.tensor(want["proj"][lay["C0"]], dtype=torch.float32)
        const = const / const.norm()
        cos_sym, cos_les = float(f[2] @ const), float(f[3] @ const)
        # mirroring swaps the two sides' histograms: |h_l - h_r| and the feature stay (fp32: 1e-5)
        check(float((f[0] - f[1]).abs().max()) < 1e-5 and float((f[3] - f[4]).abs().max()) < 1e-5,
              "--demo: a mirrored image has the same feature", "%g" % float((f[0] - f[1]).abs().max()))
        # symmetric: |d| = 0, only the constant dim is left (QuickGELU(0) = 0 exactly)
        check(cos_sym > 0.9999, "--demo: a left-right symmetric image gives the constant direction", "%g" % cos_sym)
        check(cos_les < 0.9, "--demo: a one-sided opacity turns the feature away from it", "%g" % cos_les)

        # ppad's forward on the same model and images (PNG files): fp32, 1e-4 per component
        paths = []
        for i, img in enumerate((body, sym, lesion)):
            paths.append(os.path.join(d, "i%d.png" % i))
            Image.fromarray(img).save(paths[-1])
        r = run([PPAD, "embed", "--weights", demo, "--image"] + paths)
        if check(r.returncode == 0, "ppad embed on the demo backbone", r.stderr):
            rows = list(csv.reader(r.stdout.splitlines()))[1:]
            got = torch.tensor([[float(x) for x in row[1:]] for row in rows])
            ref = f[[0, 2, 3]]
            err = float((got - ref).abs().max())
            check(got.shape == ref.shape and err < 1e-4, "ppad's image features equal PyTorch's on it", "%g" % err)

    r = run([PPAD, "random-model", "--demo", "--residual-gain", "2", "--out", os.path.join(d, "x.pt")])
    check(r.returncode == 2 and "not with --embed-std" in r.stderr and not os.path.exists(os.path.join(d, "x.pt")),
          "--demo with --residual-gain refused", r.stderr)
    r = run([PPAD, "random-model", "--demo", "--vision-width", "128", "--out", os.path.join(d, "x.pt")])
    check(r.returncode == 2 and "width >= 288" in r.stderr, "--demo on a too narrow model refused", r.stderr)
done()
