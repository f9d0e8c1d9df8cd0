/* text.c — CLIP's text tower from token embeddings: add positional embedding,
 * causal transformer, ln_final at the EOT row, projection. Only tokens
 * 0..max(EOT) are computed: under the causal mask later tokens cannot affect
 * any EOT row, so the result is exactly the full 77-token computation's. */
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "clip/kernels.h"
#include "clip/model.h"

int clip_text_acts_alloc(clip_text_acts *a, const clip_model *m, int B, int T_max, int save, ppad_err *err) {
    memset(a, 0, sizeof *a);
    const clip_config *c = &m->cfg;
    if (T_max < 1 || T_max > c->context) T_max = c->context;
    int W = c->text_width;
    a->B = B;
    a->T = T_max;
    if (tfm_acts_alloc(&a->tfm, B, T_max, W, c->text_heads, c->text_layers, save, err) != 0) return -1;
    a->eot = ppad_calloc((size_t)B, sizeof(int), err);
    a->eot_in = ppad_aligned_alloc(sizeof(float) * (size_t)B * W, err);
    a->fin_mean = ppad_aligned_alloc(sizeof(float) * (size_t)B, err);
    a->fin_rstd = ppad_aligned_alloc(sizeof(float) * (size_t)B, err);
    a->eot_ln = ppad_aligned_alloc(sizeof(float) * (size_t)B * W, err);
    if (!a->eot || !a->eot_in || !a->fin_mean || !a->fin_rstd || !a->eot_ln) {
        clip_text_acts_free(a);
        return -1;
    }
    return 0;
}

void clip_text_acts_free(clip_text_acts *a) {
    tfm_acts_free(&a->tfm);
    free(a->eot);
    free(a->eot_in);
    free(a->fin_mean);
    free(a->fin_rstd);
    free(a->eot_ln);
    memset(a, 0, sizeof *a);
}

int clip_token_embed(const clip_model *m, float *emb, const int32_t *ids, int B, ppad_err *err) {
    const int ctx = m->cfg.context, W = m->cfg.text_width;
    for (int i = 0; i < B * ctx; i++) {
        if (ids[i] < 0 || ids[i] >= m->cfg.vocab)
            return ppad_fail(err, "token id %d is outside the vocabulary (0..%d)", ids[i], m->cfg.vocab - 1);
        memcpy(emb + (size_t)i * W, m->tok_emb + (size_t)ids[i] * W, sizeof(float) * W);
    }
    return 0;
}

void clip_text_forward(const clip_model *m, float *feat, const float *emb, const int *eot, int B, clip_text_acts *a) {
    const clip_config *c = &m->cfg;
    const int W = c->text_width, E = c->embed_dim, ctx = c->context;
    int T = 1;
    for (int b = 0; b < B; b++) {
        a->eot[b] = eot[b];
        if (eot[b] + 1 > T) T = eot[b] + 1;
    }
    a->T = T;
    tfm_acts *ta = &a->tfm;
    /* x = emb[:, :T] + pos[:T], written straight into the first layer's input */
    for (int b = 0; b < B; b++)
        for (int t = 0; t < T; t++) {
            float *x = ta->x_in + ((size_t)b * T + t) * W;
            const float *e = emb + ((size_t)b * ctx + t) * W;
            const float *p = m->txt_pos + (size_t)t * W;
            for (int i = 0; i < W; i++) x[i] = e[i] + p[i];
        }
    ta->sel = a->eot; /* only the EOT rows leave the last layer */
    tfm_forward(ta, m->txt_layers, ta->x_in, B, T, 1);
    memcpy(a->eot_in, ta->x_out, sizeof(float) * (size_t)B * W);
    layernorm_forward(a->eot_ln, a->fin_mean, a->fin_rstd, a->eot_in, m->ln_final_w, m->ln_final_b, B, W);
    matmul_forward(feat, a->eot_ln, m->txt_proj, B, W, E);
}

int clip_text_backward(const clip_model *m, float *demb, const float *dfeat, int B, clip_text_acts *a, ppad_err *err) {
    const clip_config *c = &m->cfg;
    const int W = c->text_width, E = c->embed_dim, ctx = c->context, T = a->T;
    tfm_acts *ta = &a->tfm;
    if (!ta->save) return ppad_fail(err, "internal: text backward needs saved activations");
    const size_t NW = (size_t)B * T * W;
    const size_t nscr = tfm_backward_scratch_floats(ta);
    float *dres = tfm_workspace(ta, 2 * NW + nscr + (size_t)B * W * 2, err); /* (B*T, W) */
    if (!dres) return -1;
    float *dx = dres + NW;           /* (B*T, W) */
    float *scr = dx + NW;            /* (nscr) */
    float *dln = scr + nscr;         /* (2, B, W) */
    float *deot = dln + (size_t)B * W;
    memset(dln, 0, sizeof(float) * (size_t)B * W * 2);
    matmul_backward(dln, dfeat, m->txt_proj, B, W, E);
    layernorm_backward(deot, dln, a->eot_in, m->ln_final_w, a->fin_mean, a->fin_rstd, B, W);
    memcpy(dres, deot, sizeof(float) * (size_t)B * W); /* compact: the EOT rows */
    memset(dx, 0, sizeof(float) * NW);
    tfm_backward(dx, dres, ta, m->txt_layers, 1, scr);
    for (int b = 0; b < B; b++)
        for (int t = 0; t < T; t++) {
            float *d = demb + ((size_t)b * ctx + t) * W;
            const float *s = dx + ((size_t)b * T + t) * W;
            for (int i = 0; i < W; i++) d[i] += s[i];
        }
    return 0;
}
