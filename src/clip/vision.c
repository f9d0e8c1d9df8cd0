/* vision.c — CLIP's image tower: conv1 patch embedding, then from patch
 * tokens: prepend class embedding, add positional embedding, ln_pre, the
 * transformer, ln_post on the class token, projection. */
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "clip/kernels.h"
#include "clip/model.h"

int clip_vision_acts_alloc(clip_vision_acts *a, const clip_model *m, int B, int save, ppad_err *err) {
    memset(a, 0, sizeof *a);
    const clip_config *c = &m->cfg;
    int T = c->n_patches + 1, W = c->vision_width;
    a->B = B;
    if (tfm_acts_alloc(&a->tfm, B, T, W, c->vision_heads, c->vision_layers, save, err) != 0) return -1;
    size_t BT = (size_t)B * T;
    a->x_pre = ppad_aligned_alloc(sizeof(float) * BT * W, err);
    a->pre_mean = ppad_aligned_alloc(sizeof(float) * BT, err);
    a->pre_rstd = ppad_aligned_alloc(sizeof(float) * BT, err);
    a->pooled_in = ppad_aligned_alloc(sizeof(float) * (size_t)B * W, err);
    a->post_mean = ppad_aligned_alloc(sizeof(float) * (size_t)B, err);
    a->post_rstd = ppad_aligned_alloc(sizeof(float) * (size_t)B, err);
    a->pooled = ppad_aligned_alloc(sizeof(float) * (size_t)B * W, err);
    a->cls_rows = ppad_calloc((size_t)B, sizeof(int), err);
    if (!a->x_pre || !a->pre_mean || !a->pre_rstd || !a->pooled_in || !a->post_mean || !a->post_rstd || !a->pooled ||
        !a->cls_rows) {
        clip_vision_acts_free(a);
        return -1;
    }
    return 0;
}

void clip_vision_acts_free(clip_vision_acts *a) {
    tfm_acts_free(&a->tfm);
    free(a->x_pre);
    free(a->pre_mean);
    free(a->pre_rstd);
    free(a->pooled_in);
    free(a->post_mean);
    free(a->post_rstd);
    free(a->pooled);
    free(a->cls_rows);
    memset(a, 0, sizeof *a);
}

int clip_patch_embed(const clip_model *m, float *tokens, const float *pixels, int B, ppad_err *err) {
    const clip_config *c = &m->cfg;
    const int P = c->patch, G = c->grid, S = c->image_size, W = c->vision_width;
    const int K = 3 * P * P, NP = c->n_patches;
    /* im2col: (B*NP, 3*P*P) in conv1.weight's (c, kh, kw) order */
    float *cols = ppad_aligned_alloc(sizeof(float) * (size_t)B * NP * K, err);
    if (!cols) return -1;
#pragma omp parallel for collapse(2) schedule(static)
    for (int b = 0; b < B; b++)
        for (int p = 0; p < NP; p++) {
            int gy = p / G, gx = p % G;
            float *dst = cols + ((size_t)b * NP + p) * K;
            for (int ch = 0; ch < 3; ch++)
                for (int ky = 0; ky < P; ky++) {
                    const float *src = pixels + (((size_t)b * 3 + ch) * S + (size_t)gy * P + ky) * S + (size_t)gx * P;
                    memcpy(dst + ((size_t)ch * P + ky) * P, src, sizeof(float) * (size_t)P);
                }
        }
    uint16_t *c16 = m->conv1_w16 ? ppad_aligned_alloc(sizeof(uint16_t) * (size_t)B * NP * K, err) : NULL;
    if (m->conv1_w16 && !c16) {
        free(cols);
        return -1;
    }
    linear_forward_mixed(tokens, cols, m->conv1_w, m->conv1_w16, NULL, c16, B * NP, K, W, 0);
    free(cols);
    free(c16);
    return 0;
}

void clip_vision_forward(const clip_model *m, float *feat, const float *tokens, int B, clip_vision_acts *a) {
    const clip_config *c = &m->cfg;
    const int W = c->vision_width, NP = c->n_patches, T = NP + 1, E = c->embed_dim;
    /* x_pre = [class; tokens] + positional embedding */
#pragma omp parallel for schedule(static)
    for (int b = 0; b < B; b++) {
        float *x = a->x_pre + (size_t)b * T * W;
        for (int i = 0; i < W; i++) x[i] = m->class_emb[i] + m->vis_pos[i];
        for (int t = 1; t < T; t++) {
            const float *tok = tokens + ((size_t)b * NP + t - 1) * W;
            const float *pos = m->vis_pos + (size_t)t * W;
            float *xt = x + (size_t)t * W;
            for (int i = 0; i < W; i++) xt[i] = tok[i] + pos[i];
        }
    }
    /* ln_pre writes straight into the transformer's first saved input */
    tfm_acts *ta = &a->tfm;
    ta->bf16 = m->block16 != NULL; /* reduced precision (scoring, and training with --precision bf16) */
    layernorm_forward(ta->x_in, a->pre_mean, a->pre_rstd, a->x_pre, m->ln_pre_w, m->ln_pre_b, B * T, W);
    ta->sel = a->cls_rows; /* only the class token leaves the last layer */
    tfm_forward(ta, m->vis_layers, ta->x_in, B, T, 0);
    memcpy(a->pooled_in, ta->x_out, sizeof(float) * (size_t)B * W);
    layernorm_forward(a->pooled, a->post_mean, a->post_rstd, a->pooled_in, m->ln_post_w, m->ln_post_b, B, W);
    matmul_forward(feat, a->pooled, m->vis_proj, B, W, E);
}

int clip_vision_backward(const clip_model *m, float *dtokens, const float *dfeat, int B, clip_vision_acts *a,
                         ppad_err *err) {
    const clip_config *c = &m->cfg;
    const int W = c->vision_width, NP = c->n_patches, T = NP + 1, E = c->embed_dim;
    tfm_acts *ta = &a->tfm;
    if (!ta->save) return ppad_fail(err, "internal: vision backward needs saved activations");
    const size_t NW = (size_t)B * T * W;
    const size_t nscr = tfm_backward_scratch_floats(ta);
    float *dres = tfm_workspace(ta, 2 * NW + nscr + (size_t)B * W * 2, err); /* (B*T, W) */
    if (!dres) return -1;
    float *dx = dres + NW;           /* (B*T, W) */
    float *scr = dx + NW;            /* (nscr) */
    float *dpool = scr + nscr;       /* (2, B, W) */
    float *dpool_in = dpool + (size_t)B * W;
    memset(dpool, 0, sizeof(float) * (size_t)B * W * 2);
    matmul_backward(dpool, dfeat, m->vis_proj, B, W, E);
    layernorm_backward(dpool_in, dpool, a->pooled_in, m->ln_post_w, a->post_mean, a->post_rstd, B, W);
    /* only the class token's row of the last layer's output receives gradient (compact, B rows) */
    memcpy(dres, dpool_in, sizeof(float) * (size_t)B * W);
    if (!dtokens) { /* explanations: only the taps */
        tfm_backward(NULL, dres, ta, m->vis_layers, 0, scr);
        return 0;
    }
    memset(dx, 0, sizeof(float) * NW);
    tfm_backward(dx, dres, ta, m->vis_layers, 0, scr);
    /* through ln_pre into x_pre, whose token rows are the patch tokens (+ constants) */
    memset(dres, 0, sizeof(float) * NW);
    layernorm_backward(dres, dx, a->x_pre, m->ln_pre_w, a->pre_mean, a->pre_rstd, B * T, W);
    for (int b = 0; b < B; b++)
        for (int t = 1; t < T; t++) {
            float *dt = dtokens + ((size_t)b * NP + t - 1) * W;
            const float *src = dres + ((size_t)b * T + t) * W;
            for (int i = 0; i < W; i++) dt[i] += src[i];
        }
    return 0;
}
