/* model_demo.c — the hand-built demo backbone (ppad random-model --demo).
 *
 * A random ViT sees almost nothing of an image (every image gets nearly the same
 * feature), so make demo could not show PPAD learning anything. This writes,
 * into CheXzero's architecture and key names, an image tower whose weights are
 * set by hand instead of learned: a bilateral-asymmetry detector. Its feature is
 * |h_left - h_right|, where h_side is a soft histogram (DEMO_BINS triangular
 * bins of pixel brightness) of the 8 x 8-pixel cell means in the patches of the
 * left three patch columns (pixels 0-95) or of the right three (128-223) — a
 * unilateral opacity makes one side brighter than the other, while a subject's
 * size, exposure and position change both sides alike. Only four of the twelve
 * blocks do anything:
 *   conv1       each patch's 16 cell means (and their negatives: zero token mean);
 *   pos. emb.   a large constant (so the LayerNorms are nearly linear) and a side
 *               code (+ left, - right, 0 middle column and class token);
 *   block 0     MLP: for each cell, gated by the side code, triangle bumps of the
 *               cell mean (three QuickGELUs each), summed into DEMO_BINS signed
 *               histogram dims (+ left, - right); attention off;
 *   block 1     attention with Q = K = 0: every token gets the mean over the 50
 *               tokens, i.e. (h_left - h_right) / 50 for the class token;
 *   block 2     MLP: QuickGELU(k d) + QuickGELU(-k d) ~ k |d|, and a constant dim;
 *   blocks 3-11 identity (all branch weights zero); ln_post and proj map |d| and
 *               the constant onto orthonormal cosine rows of the 512-d output.
 * A masked patch (PPAD's image prompt) brings its learnable embedding into the
 * histogram of its side, so a region view compares the region's half with a
 * learned one. The text tower stays OpenAI-random (the caller's draws), with the
 * attention logits x4 and the residual branches x4 so that the shared learnable
 * context can steer the two classes' text features apart within a short run.
 * No chest X-ray knowledge anywhere: it is a fixed function chosen by hand. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "clip/model.h"
#include "clip/model_demo.h"

#define DEMO_CELL 8       /* cell side in pixels */
#define DEMO_BINS 12      /* brightness bins over [0, 1] of the 8-bit range */
#define DEMO_ANCHOR 64    /* anchor dims (alternating +-DEMO_ALPHA) */
#define DEMO_ALPHA 16.0   /* anchor value: keeps every token's LayerNorm scale ~constant */
#define DEMO_BETA 16.0    /* side code */
#define DEMO_GATE 30.0    /* gate depth: the other side's units sit at -2 DEMO_GATE */
#define DEMO_LAMBDA 0.05  /* histogram dims' scale (small next to the anchor) */
#define DEMO_ABS_GAIN 50.0 /* k of block 2's |d| */
#define DEMO_CONST 3.0    /* the constant dim: how much |d| it takes to turn the feature */
#define DEMO_TEXT_QK 2.0  /* text tower: W_q and W_k x2 (attention logits x4) */
#define DEMO_TEXT_RES 4.0 /* text tower: attn.out_proj and mlp.c_proj x4 */

/* The normalisation the authors' loaders apply (spec section 1). */
#define DEMO_MEAN 0.39799
#define DEMO_STD 0.32721349

static float *get(demo_lookup look, void *cx, const char *fmt, int layer, int64_t numel, ppad_err *err) {
    char key[160];
    snprintf(key, sizeof key, fmt, layer);
    float *p = look(cx, key, numel);
    if (!p) ppad_fail(err, "demo backbone: tensor %s is missing or has another size", key);
    return p;
}

int demo_backbone_check(const clip_config *c, ppad_err *err) {
    int nc = (c->patch / DEMO_CELL) * (c->patch / DEMO_CELL);
    int dims = 2 * nc + DEMO_ANCHOR + 2 + 3 * DEMO_BINS + 1, units = 2 * nc * DEMO_BINS * 3;
    if ((units + 3) / 4 > dims) dims = (units + 3) / 4; /* block 0's MLP holds 4 x width units */
    if (c->patch % DEMO_CELL || c->grid != 7 || c->vision_layers < 3 || c->vision_width < dims ||
        c->embed_dim < DEMO_BINS + 1)
        return ppad_fail(err, "--demo: the demo backbone needs a 7 x 7 patch grid, patches a multiple of %d pixels, at least 3 "
                              "image blocks of width >= %d and an embedding of >= %d (ViT-B/32 has them)",
                         DEMO_CELL, dims, DEMO_BINS + 1);
    return 0;
}

static int demo_vision(demo_lookup look, void *cx, const clip_config *c, ppad_err *err) {
    const int W = c->vision_width, P = c->patch, G = c->grid, E = c->embed_dim, cpr = P / DEMO_CELL;
    const int nc = cpr * cpr, T = DEMO_BINS;
    const int A0 = 2 * nc, S0 = A0 + DEMO_ANCHOR, F0 = S0 + 2, D0 = F0 + T, E0 = D0 + T, C0 = E0 + T;
    /* every visual tensor starts at zero: the blocks not named below are the identity */
    for (int L = 0; L < c->vision_layers; L++) {
        static const char *const names[] = {
            "visual.transformer.resblocks.%d.attn.in_proj_weight", "visual.transformer.resblocks.%d.attn.in_proj_bias",
            "visual.transformer.resblocks.%d.attn.out_proj.weight", "visual.transformer.resblocks.%d.attn.out_proj.bias",
            "visual.transformer.resblocks.%d.mlp.c_fc.weight",       "visual.transformer.resblocks.%d.mlp.c_fc.bias",
            "visual.transformer.resblocks.%d.mlp.c_proj.weight",     "visual.transformer.resblocks.%d.mlp.c_proj.bias",
            "visual.transformer.resblocks.%d.ln_1.bias",             "visual.transformer.resblocks.%d.ln_2.bias"};
        const int64_t n[] = {3LL * W * W, 3LL * W, (int64_t)W * W, W, 4LL * W * W, 4LL * W, 4LL * W * W, W, W, W};
        for (int i = 0; i < 10; i++) {
            float *p = get(look, cx, names[i], L, n[i], err);
            if (!p) return -1;
            memset(p, 0, sizeof(float) * (size_t)n[i]);
        }
        float *l1 = get(look, cx, "visual.transformer.resblocks.%d.ln_1.weight", L, W, err);
        float *l2 = get(look, cx, "visual.transformer.resblocks.%d.ln_2.weight", L, W, err);
        if (!l1 || !l2) return -1;
        for (int i = 0; i < W; i++) l1[i] = l2[i] = 1.0f;
    }
    float *conv = get(look, cx, "visual.conv1.weight", 0, 3LL * W * P * P, err);           /* (W, 3, P, P) */
    float *cls = get(look, cx, "visual.class_embedding", 0, W, err);                       /* (W) */
    float *pe = get(look, cx, "visual.positional_embedding", 0, (int64_t)(G * G + 1) * W, err); /* (50, W) */
    float *proj = get(look, cx, "visual.proj", 0, (int64_t)W * E, err);                    /* (W, E) */
    float *lpw = get(look, cx, "visual.ln_pre.weight", 0, W, err), *lpb = get(look, cx, "visual.ln_pre.bias", 0, W, err);
    float *low = get(look, cx, "visual.ln_post.weight", 0, W, err), *lob = get(look, cx, "visual.ln_post.bias", 0, W, err);
    if (!conv || !cls || !pe || !proj || !lpw || !lpb || !low || !lob) return -1;
    memset(conv, 0, sizeof(float) * 3 * (size_t)W * (size_t)(P * P));
    memset(cls, 0, sizeof(float) * (size_t)W);
    memset(pe, 0, sizeof(float) * (size_t)(G * G + 1) * (size_t)W);
    memset(proj, 0, sizeof(float) * (size_t)W * (size_t)E);
    for (int i = 0; i < W; i++) lpw[i] = low[i] = 1.0f, lpb[i] = lob[i] = 0.0f;

    /* conv1: dim cell = the cell's mean over the 3 channels; dim nc + cell its negative */
    for (int cell = 0; cell < nc; cell++) {
        int cy = cell / cpr, cx0 = cell % cpr;
        for (int ch = 0; ch < 3; ch++)
            for (int y = cy * DEMO_CELL; y < (cy + 1) * DEMO_CELL; y++)
                for (int x = cx0 * DEMO_CELL; x < (cx0 + 1) * DEMO_CELL; x++) {
                    float w = (float)(1.0 / (3.0 * DEMO_CELL * DEMO_CELL));
                    conv[(((int64_t)cell * 3 + ch) * P + y) * P + x] = w;
                    conv[(((int64_t)(nc + cell) * 3 + ch) * P + y) * P + x] = -w;
                }
    }
    /* positional embedding: the anchor on every token, the side code on the patches */
    for (int t = 0; t < G * G + 1; t++) {
        for (int i = 0; i < DEMO_ANCHOR; i++) pe[(int64_t)t * W + A0 + i] = (float)(i % 2 ? -DEMO_ALPHA : DEMO_ALPHA);
        if (t == 0) continue;
        int col = (t - 1) % G;
        double side = col < G / 2 ? 1.0 : col > G / 2 ? -1.0 : 0.0;
        pe[(int64_t)t * W + S0] = (float)(DEMO_BETA * side);
        pe[(int64_t)t * W + S0 + 1] = (float)(-DEMO_BETA * side);
    }
    /* block 0 MLP: the token is divided by rms ~ sqrt((anchor energy + side energy) / W) */
    const double rms = sqrt((DEMO_ANCHOR * DEMO_ALPHA * DEMO_ALPHA + 2 * DEMO_BETA * DEMO_BETA) / W);
    const double h = 1.0 / T / DEMO_STD / rms; /* bin half-width in normalised, LayerNorm-scaled units */
    const double a = 4.0 / h, sh = DEMO_BETA / rms;
    float *fw = get(look, cx, "visual.transformer.resblocks.%d.mlp.c_fc.weight", 0, 4LL * W * W, err);  /* (4W, W) */
    float *fb = get(look, cx, "visual.transformer.resblocks.%d.mlp.c_fc.bias", 0, 4LL * W, err);       /* (4W) */
    float *pw = get(look, cx, "visual.transformer.resblocks.%d.mlp.c_proj.weight", 0, 4LL * W * W, err); /* (W, 4W) */
    if (!fw || !fb || !pw) return -1;
    int u = 0;
    for (int s = 0; s < 2; s++) {
        double side = s == 0 ? 1.0 : -1.0;
        for (int cell = 0; cell < nc; cell++)
            for (int t = 0; t < T; t++)
                for (int k = -1; k <= 1; k++, u++) {
                    double centre = (t + 0.5) / T; /* in [0, 1] of the 8-bit range */
                    double tau = (centre - DEMO_MEAN) / DEMO_STD / rms + k * h;
                    fw[(int64_t)u * W + cell] = (float)a;
                    fw[(int64_t)u * W + S0] = (float)(DEMO_GATE * side / sh);
                    fb[u] = (float)(-a * tau - DEMO_GATE);
                    pw[(int64_t)(F0 + t) * 4 * W + u] = (float)(DEMO_LAMBDA * (k ? 1.0 : -2.0) * side);
                }
    }
    /* block 1: uniform attention (Q = K = 0); V and out_proj carry the histogram dims to D0 */
    float *iw = get(look, cx, "visual.transformer.resblocks.%d.attn.in_proj_weight", 1, 3LL * W * W, err); /* (3W, W) */
    float *ow = get(look, cx, "visual.transformer.resblocks.%d.attn.out_proj.weight", 1, (int64_t)W * W, err);
    if (!iw || !ow) return -1;
    for (int t = 0; t < T; t++) {
        iw[(int64_t)(2 * W + F0 + t) * W + F0 + t] = 1.0f;
        ow[(int64_t)(D0 + t) * W + F0 + t] = 1.0f;
    }
    /* block 2 MLP: |d| into E0.., the constant into C0 */
    fw = get(look, cx, "visual.transformer.resblocks.%d.mlp.c_fc.weight", 2, 4LL * W * W, err);
    pw = get(look, cx, "visual.transformer.resblocks.%d.mlp.c_proj.weight", 2, 4LL * W * W, err);
    float *pb = get(look, cx, "visual.transformer.resblocks.%d.mlp.c_proj.bias", 2, W, err);
    if (!fw || !pw || !pb) return -1;
    for (int t = 0; t < T; t++) {
        fw[(int64_t)(2 * t) * W + D0 + t] = (float)DEMO_ABS_GAIN;
        fw[(int64_t)(2 * t + 1) * W + D0 + t] = (float)-DEMO_ABS_GAIN;
        pw[(int64_t)(E0 + t) * 4 * W + 2 * t] = 1.0f;
        pw[(int64_t)(E0 + t) * 4 * W + 2 * t + 1] = 1.0f;
    }
    pb[C0] = (float)DEMO_CONST;
    /* proj: row E0 + t -> cosine row t + 1 of the output, C0 -> the constant row 0 (orthonormal) */
    for (int j = 0; j < E; j++) {
        proj[(int64_t)C0 * E + j] = (float)sqrt(1.0 / E);
        for (int t = 0; t < T; t++) proj[(int64_t)(E0 + t) * E + j] = (float)(sqrt(2.0 / E) * cos(M_PI * (t + 1) * (j + 0.5) / E));
    }
    return 0;
}

static int demo_text(demo_lookup look, void *cx, const clip_config *c, ppad_err *err) {
    const int W = c->text_width;
    for (int L = 0; L < c->text_layers; L++) {
        float *iw = get(look, cx, "transformer.resblocks.%d.attn.in_proj_weight", L, 3LL * W * W, err); /* (3W, W) */
        float *ow = get(look, cx, "transformer.resblocks.%d.attn.out_proj.weight", L, (int64_t)W * W, err);
        float *pw = get(look, cx, "transformer.resblocks.%d.mlp.c_proj.weight", L, 4LL * W * W, err);
        if (!iw || !ow || !pw) return -1;
        for (int64_t i = 0; i < 2LL * W * W; i++) iw[i] *= (float)DEMO_TEXT_QK; /* W_q and W_k rows */
        for (int64_t i = 0; i < (int64_t)W * W; i++) ow[i] *= (float)DEMO_TEXT_RES;
        for (int64_t i = 0; i < 4LL * W * W; i++) pw[i] *= (float)DEMO_TEXT_RES;
    }
    return 0;
}

int demo_backbone_fill(demo_lookup look, void *cx, const clip_config *c, ppad_err *err) {
    return demo_vision(look, cx, c, err) || demo_text(look, cx, c, err) ? -1 : 0;
}
