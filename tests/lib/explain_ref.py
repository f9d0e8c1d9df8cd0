"""explain_ref.py — the PyTorch oracle for spec section 10 (heat maps): the
image tower written out with its attention probabilities exposed, and the
relevance / Grad-CAM maps from torch.autograd.grad of
z_k = logit_abnormal - logit_normal (text features held constant)."""
import math

import torch

import ppad_ref


def _tower(model, tok):
    """tok (B, 49, W) -> normalised features (B, E), the attention
    probabilities of every block [(B, NH, T, T)] and the last block's ln_1
    output (B, T, W), all in the autograd graph."""
    v = model.visual
    B, _, W = tok.shape
    x = torch.cat([v.class_embedding.expand(B, 1, W), tok], 1) + v.positional_embedding
    x = v.ln_pre(x)
    atts, ln1 = [], None
    blocks = list(v.transformer.resblocks)
    for i, blk in enumerate(blocks):
        h = blk.ln_1(x)
        if i == len(blocks) - 1:
            ln1 = h
        nh = blk.attn.num_heads
        hd = W // nh
        qkv = h @ blk.attn.in_proj_weight.T + blk.attn.in_proj_bias
        q, k, vv = qkv.split(W, dim=-1)
        q, k, vv = (t.reshape(B, -1, nh, hd).transpose(1, 2) for t in (q, k, vv))
        A = torch.softmax(q @ k.transpose(-1, -2) / math.sqrt(hd), dim=-1)
        atts.append(A)
        o = (A @ vv).transpose(1, 2).reshape(B, -1, W)
        x = x + blk.attn.out_proj(o)
        x = x + blk.mlp(blk.ln_2(x))
    f = v.ln_post(x[:, 0]) @ v.proj
    return f / f.norm(dim=-1, keepdim=True), atts, ln1


def maps(model, pixels, ctx, mask_embedding, drop=None):
    """pixels (3, 224, 224) of one image -> {"relevance": (5, 49), "gradcam": (5, 49)}
    float64 raw maps, and (5,) p_k. drop: a block relevance leaves out."""
    with torch.no_grad():
        txt = ppad_ref.text_features(model, ctx).reshape(5, 2, -1)
        tok = model.visual.patch_tokens(pixels[None])[0]
    rows = []
    for p in range(5):
        t = tok
        if p != 4:
            t = torch.where(ppad_ref.keep_mask(p)[:, None], tok, mask_embedding[0])
        rows.append(t)
    f, atts, ln1 = _tower(model, torch.stack(rows))
    scale = model.logit_scale.exp()
    z = torch.stack([scale * (f[p] @ txt[p, 1] - f[p] @ txt[p, 0]) for p in range(5)])
    grads = torch.autograd.grad(z.sum(), list(atts) + [ln1])
    Gs, G = grads[:-1], grads[-1]
    # gradcam: alpha = mean of dz/dX over the patch rows, map = max(0, X_p . alpha)
    X, G = ln1.detach().double(), G.double()
    alpha = G[:, 1:].mean(1)  # (5, W)
    gradcam = torch.clamp((X[:, 1:] * alpha[:, None]).sum(-1), min=0)
    # relevance: R = I; R += mean_h(max(G * A, 0)) R per block; map = R[0, 1:]
    T = atts[0].shape[-1]
    relevance = torch.zeros(5, 49, dtype=torch.float64)
    for b in range(5):
        R = torch.eye(T, dtype=torch.float64)
        for l, (A, Gl) in enumerate(zip(atts, Gs)):
            if l == drop:
                continue
            Ab = torch.clamp(Gl[b].double() * A[b].detach().double(), min=0).mean(0)
            R = R + Ab @ R
        relevance[b] = R[0, 1:]
    return {"relevance": relevance.numpy(), "gradcam": gradcam.numpy()}, torch.sigmoid(z.detach()).double().numpy()


# ---- the picture rules (spec section 10, src/ppad/explain.c) ----

def drawn(p):
    return ppad_ref.keep_mask(p).numpy()


def normalise(raw, d):
    """(m - min) / (max - min) over the drawn patches (all equal: 0); the other
    patches take the nearest drawn patch's value (first on ties)."""
    import numpy as np
    raw = np.asarray(raw, dtype=np.float32)
    lo, hi = raw[d].min(), raw[d].max()
    out = np.where(d, (raw.astype(np.float64) - lo) / (float(hi) - lo) if hi > lo else 0.0, 0.0).astype(np.float32)
    idx = np.arange(49)
    for q in idx[~d]:
        dist = [((q // 7 - r // 7) ** 2 + (q % 7 - r % 7) ** 2) if d[r] else 1 << 30 for r in idx]
        out[q] = out[int(np.argmin(dist))]
    return out


def fused_view(maps5, probs):
    """(49,) map and the position it is drawn over."""
    import numpy as np
    k = int(np.argmax(probs))
    if probs[k] > 0.8:
        return normalise(maps5[k], drawn(k)), k
    s, c = np.zeros(49), np.zeros(49)
    for p in range(5):
        d = drawn(p)
        n = normalise(maps5[p], d)
        s[d] += n[d]
        c[d] += 1
    return normalise((s / c).astype(np.float32), drawn(4)), 4


def upsample(m49, w, h):
    import torch.nn.functional as F
    t = torch.tensor(m49, dtype=torch.float64).reshape(1, 1, 7, 7)
    return F.interpolate(t, size=(h, w), mode="bilinear", align_corners=False)[0, 0].numpy()
