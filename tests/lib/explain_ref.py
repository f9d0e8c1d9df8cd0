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


def maps(model, pixels, ctx, mask_embedding, method, drop=None):
    """pixels (3, 224, 224) of one image -> (5, 49) float64 raw maps and (5,) p_k."""
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
    out = torch.zeros(5, 49, dtype=torch.float64)
    if method == "gradcam":
        (G,) = torch.autograd.grad(z.sum(), [ln1])
        X, G = ln1.detach().double(), G.double()
        alpha = G[:, 1:].mean(1)  # (5, W)
        out = torch.clamp((X[:, 1:] * alpha[:, None]).sum(-1), min=0)
    else:
        Gs = torch.autograd.grad(z.sum(), atts)
        T = atts[0].shape[-1]
        for b in range(5):
            R = torch.eye(T, dtype=torch.float64)
            for l, (A, G) in enumerate(zip(atts, Gs)):
                if l == drop:
                    continue
                Ab = torch.clamp(G[b].double() * A[b].detach().double(), min=0).mean(0)
                R = R + Ab @ R
            out[b] = R[0, 1:]
    return out, torch.sigmoid(z.detach()).double()
