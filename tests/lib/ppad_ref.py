"""ppad_ref.py — the PyTorch oracle for PPAD's method (spec sections 2-5), on
top of clip_ref.CLIP: prompt sequences from the spec's known token ids, the
image prompt on the 7x7 grid, logits, BCE loss, per-position scoring."""
import math

import torch
import torch.nn.functional as F

SOT, EOT, X, DOT = 49406, 49407, 343, 269
POS_IDS = [[1823, 16271], [1155, 16271], [7067, 16271], [4909, 16271], []]
CLS_IDS = [[5967], [42906]]
POS_KEYS = ["left", "right", "upper", "lower", "whole"]
N_CTX = 16


def prompt_ids():
    """(10, 77) ids, eot (10,), ctx_start (10,) for seq p*2+c."""
    ids, eot, start = [], [], []
    for p in range(5):
        for c in range(2):
            seq = [SOT] + POS_IDS[p] + [X] * N_CTX + CLS_IDS[c] + [DOT, EOT]
            eot.append(len(seq) - 1)
            start.append(1 + len(POS_IDS[p]))
            ids.append(seq + [0] * (77 - len(seq)))
    return torch.tensor(ids), torch.tensor(eot), start


def region_mask(p):
    m = torch.zeros(224, 224)
    if p == 0:
        m[:, :112] = 1
    elif p == 1:
        m[:, 112:] = 1
    elif p == 2:
        m[:120, :] = 1
    elif p == 3:
        m[120:, :] = 1
    else:
        m[:, :] = 1
    return m


def keep_mask(p):
    """(49,) bool: average pool 32x32 then ceil, as the reference does."""
    pooled = F.avg_pool2d(region_mask(p)[None, None], 32)[0, 0]
    return torch.ceil(pooled).flatten() > 0


def text_features(model, ctx):
    ids, eot, start = prompt_ids()
    emb = model.token_embedding(ids)
    rows = []
    for q in range(10):
        s = start[q]
        rows.append(torch.cat([emb[q, :s], ctx, emb[q, s + N_CTX:]], 0))
    emb = torch.stack(rows)
    f = model.encode_text_embeddings(emb, eot)
    return f / f.norm(dim=-1, keepdim=True)


def image_features(model, pixels, positions, mask_embedding, image_prompt=True):
    tok = model.visual.patch_tokens(pixels)
    out = []
    for i, p in enumerate(positions):
        t = tok[i]
        if image_prompt and p != 4:
            keep = keep_mask(p)[:, None]
            t = torch.where(keep, t, mask_embedding[0])
        out.append(t)
    f = model.visual.forward_tokens(torch.stack(out))
    return f / f.norm(dim=-1, keepdim=True)


def logits(model, pixels, positions, ctx, mask_embedding, image_prompt=True):
    txt = text_features(model, ctx).reshape(5, 2, -1)
    img = image_features(model, pixels, positions, mask_embedding, image_prompt)
    scale = model.logit_scale.exp()
    return torch.stack([scale * (txt[p] @ img[i]) for i, p in enumerate(positions)])


def loss(model, pixels, positions, labels, ctx, mask_embedding, image_prompt=True):
    z = logits(model, pixels, positions, ctx, mask_embedding, image_prompt)
    y = F.one_hot(torch.tensor(labels), 2).float()
    return F.binary_cross_entropy_with_logits(z, y), z


def scores(model, pixels, ctx, mask_embedding):
    """(N, 5) per-position anomaly probabilities and the fused score (N,)."""
    n = pixels.shape[0]
    probs = []
    for p in range(5):
        z = logits(model, pixels, [p] * n, ctx, mask_embedding)
        probs.append(torch.softmax(z, dim=-1)[:, 1])
    probs = torch.stack(probs, 1)
    mx = probs.max(1).values
    fused = torch.where(mx > 0.8, mx, probs.mean(1))
    return probs, fused
