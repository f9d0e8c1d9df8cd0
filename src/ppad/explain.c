/* explain.c — relevance and Grad-CAM maps (spec section 10) through the
 * engine's image-tower backward with taps, and the picture rules. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "clip/kernels.h"
#include "ppad/explain.h"
#include "ppad/score.h"

const char *explain_method_name(int method) { return method == EXPLAIN_GRADCAM ? "gradcam" : "relevance"; }

int explain_init(ppad_explainer *x, ppad_engine *e, int method, ppad_err *err) {
    memset(x, 0, sizeof *x);
    const clip_model *m = e->m;
    const clip_config *c = &m->cfg;
    const int B = PPAD_NPOS, T = c->n_patches + 1, W = c->vision_width, NH = c->vision_heads, L = c->vision_layers;
    const size_t E = (size_t)c->embed_dim;
    x->e = e;
    x->method = method;
    x->drop_block = -1;
    if (c->n_patches != EXPLAIN_NP) return ppad_fail(err, "heat maps need a 7x7 patch grid");
    if (clip_vision_acts_alloc(&x->acts, m, B, 1, err) != 0) return -1;
#define A(p, n)                                              \
    do {                                                     \
        x->p = ppad_aligned_alloc(sizeof(*x->p) * (n), err); \
        if (!x->p) goto fail;                                \
    } while (0)
    A(tokens, (size_t)B * c->n_patches * W);
    A(img_raw, B * E);
    A(img_n, B * E);
    A(img_norm, B);
    A(d_img_n, B * E);
    A(d_img_raw, B * E);
    A(rel, (size_t)T * T);
    A(tmp, (size_t)T * T);
    if (method == EXPLAIN_GRADCAM) {
        x->taps.lowest = L - 1; /* the backward ends in the last block, */
        x->acts.tfm.save_from = L - 1; /* so only its activations are saved */
        A(taps.ln1, (size_t)B * T * W);
        A(taps.dln1, (size_t)B * T * W);
    } else {
        x->taps.lowest = 0;
        x->taps.L_att = L;
        A(taps.att, (size_t)L * B * NH * T * T);
        A(taps.datt, (size_t)L * B * NH * T * T);
    }
#undef A
    x->acts.tfm.taps = &x->taps;
    return 0;
fail:
    explain_free(x);
    return -1;
}

void explain_free(ppad_explainer *x) {
    if (x->acts.tfm.x_in) clip_vision_acts_free(&x->acts);
    free(x->tokens), free(x->img_raw), free(x->img_n), free(x->img_norm), free(x->d_img_n), free(x->d_img_raw);
    free(x->rel), free(x->tmp);
    free(x->taps.att), free(x->taps.datt), free(x->taps.ln1), free(x->taps.dln1);
    memset(x, 0, sizeof *x);
}

/* Chefer et al.'s rule for sample b: R = I; R += Abar_l R for every block;
 * map = R[0, 1:]. Only the class row of the last block is needed. */
static void relevance_map(ppad_explainer *x, int b, float *map) {
    const clip_config *c = &x->e->m->cfg;
    const int T = c->n_patches + 1, NH = c->vision_heads, L = c->vision_layers, B = PPAD_NPOS;
    double *R = x->rel, *Ab = x->tmp;
    memset(R, 0, sizeof(double) * (size_t)T * T);
    for (int i = 0; i < T; i++) R[(size_t)i * T + i] = 1;
    for (int l = 0; l < L; l++) {
        if (l == x->drop_block) continue;
        const int rows = l == L - 1 ? 1 : T; /* the last block: the class row only */
        const size_t off = (((size_t)l * B + b) * NH) * T * T;
        const float *A = x->taps.att + off, *G = x->taps.datt + off;
        for (int i = 0; i < rows; i++)
            for (int j = 0; j < T; j++) {
                double s = 0;
                for (int h = 0; h < NH; h++) {
                    size_t q = ((size_t)h * T + i) * T + j;
                    double v = (double)G[q] * A[q];
                    if (v > 0) s += v;
                }
                Ab[(size_t)i * T + j] = s / NH;
            }
        /* R <- R + Abar R: new row i = R row i + sum_k Abar[i][k] R row k, kept
         * in Abar's row i (no longer needed) until every row is done */
        for (int i = 0; i < rows; i++) {
            double acc[EXPLAIN_NP + 1]; /* T = 50 (the 7x7 grid is checked at init) */
            for (int j = 0; j < T; j++) acc[j] = R[(size_t)i * T + j];
            for (int k = 0; k < T; k++) {
                double a = Ab[(size_t)i * T + k];
                if (a == 0) continue;
                const double *rk = R + (size_t)k * T;
                for (int j = 0; j < T; j++) acc[j] += a * rk[j];
            }
            memcpy(Ab + (size_t)i * T, acc, sizeof(double) * (size_t)T);
        }
        memcpy(R, Ab, sizeof(double) * (size_t)rows * T);
    }
    for (int p = 0; p < c->n_patches; p++) map[p] = (float)R[1 + p];
}

/* Grad-CAM on the last block's ln_1 output, sample b. */
static void gradcam_map(const ppad_explainer *x, int b, float *map) {
    const clip_config *c = &x->e->m->cfg;
    const int T = c->n_patches + 1, W = c->vision_width, NP = c->n_patches;
    const float *X = x->taps.ln1 + (size_t)b * T * W, *G = x->taps.dln1 + (size_t)b * T * W;
    double alpha[4096];
    if (W > 4096) return;
    for (int d = 0; d < W; d++) {
        double s = 0;
        for (int t = 1; t < T; t++) s += G[(size_t)t * W + d];
        alpha[d] = s / NP;
    }
    for (int p = 0; p < NP; p++) {
        const float *xp = X + (size_t)(p + 1) * W;
        double s = 0;
        for (int d = 0; d < W; d++) s += xp[d] * alpha[d];
        map[p] = s > 0 ? (float)s : 0.0f;
    }
}

int explain_image(ppad_explainer *x, const ppad_params *p, const float *pixels, explain_result *out, ppad_err *err) {
    ppad_engine *e = x->e;
    const clip_model *m = e->m;
    const clip_config *c = &m->cfg;
    const int B = PPAD_NPOS, E = c->embed_dim;
    const size_t per = (size_t)c->n_patches * c->vision_width;
    const double scale = exp((double)m->logit_scale);
    if (c->vision_width > 4096) return ppad_fail(err, "heat maps: the vision width is above 4096");
    /* conv1 once; the five positions differ only in the replaced tokens */
    if (clip_patch_embed(m, x->tokens, pixels, 1, err) != 0) return -1;
    for (int k = 1; k < B; k++) memcpy(x->tokens + k * per, x->tokens, sizeof(float) * per);
    for (int k = 0; k < B; k++) engine_apply_prompt(e, p, x->tokens + k * per, k);
    clip_vision_forward(m, x->img_raw, x->tokens, B, &x->acts);
    l2norm_forward(x->img_n, x->img_norm, x->img_raw, B, E);
    /* z_k = scale * f_k . (t1 - t0): its gradient at the normalised feature */
    for (int k = 0; k < B; k++) {
        const float *f = x->img_n + (size_t)k * E;
        const float *t0 = e->txt_n + (size_t)(k * PPAD_NCLS) * E, *t1 = t0 + E;
        float d0 = 0, d1 = 0;
        for (int d = 0; d < E; d++) {
            d0 += f[d] * t0[d];
            d1 += f[d] * t1[d];
            x->d_img_n[(size_t)k * E + d] = (float)(scale * ((double)t1[d] - t0[d]));
        }
        out->probs[k] = 1.0 / (1.0 + exp(scale * d0 - scale * d1)); /* as score_images */
    }
    out->fused = score_fuse(out->probs, PPAD_NPOS);
    memset(x->d_img_raw, 0, sizeof(float) * (size_t)B * E);
    l2norm_backward(x->d_img_raw, x->d_img_n, x->img_n, x->img_norm, B, E);
    if (clip_vision_backward(m, NULL, x->d_img_raw, B, &x->acts, err) != 0) return -1;
    for (int k = 0; k < B; k++) {
        if (x->method == EXPLAIN_GRADCAM) gradcam_map(x, k, out->maps[k]);
        else relevance_map(x, k, out->maps[k]);
    }
    return 0;
}

/* ---- pictures ---- */

void explain_drawn(uint8_t drawn[EXPLAIN_NP], int position) { regions_keep_mask(position, drawn); }

void explain_normalise(float out[EXPLAIN_NP], const float raw[EXPLAIN_NP], const uint8_t drawn[EXPLAIN_NP]) {
    float lo = INFINITY, hi = -INFINITY;
    for (int q = 0; q < EXPLAIN_NP; q++)
        if (drawn[q]) {
            if (raw[q] < lo) lo = raw[q];
            if (raw[q] > hi) hi = raw[q];
        }
    for (int q = 0; q < EXPLAIN_NP; q++)
        out[q] = drawn[q] && hi > lo ? (float)(((double)raw[q] - lo) / ((double)hi - lo)) : 0.0f;
    /* the other patches: the nearest drawn patch's value (first on ties) */
    for (int q = 0; q < EXPLAIN_NP; q++) {
        if (drawn[q]) continue;
        int best = -1, bd = 1 << 30;
        for (int r = 0; r < EXPLAIN_NP; r++) {
            if (!drawn[r]) continue;
            int dy = q / REGION_GRID - r / REGION_GRID, dx = q % REGION_GRID - r % REGION_GRID;
            int d = dy * dy + dx * dx;
            if (d < bd) bd = d, best = r;
        }
        out[q] = best >= 0 ? out[best] : 0.0f;
    }
}

void explain_fused_view(float out[EXPLAIN_NP], int *position, const explain_result *r) {
    double mx = r->probs[0];
    int arg = 0;
    for (int k = 1; k < PPAD_NPOS; k++)
        if (r->probs[k] > mx) mx = r->probs[k], arg = k;
    uint8_t drawn[EXPLAIN_NP];
    if (mx > SCORE_MAX_GATE) { /* the score is that position's probability */
        explain_drawn(drawn, arg);
        explain_normalise(out, r->maps[arg], drawn);
        *position = arg;
        return;
    }
    float sum[EXPLAIN_NP] = {0}, norm[EXPLAIN_NP];
    int cnt[EXPLAIN_NP] = {0};
    for (int k = 0; k < PPAD_NPOS; k++) {
        explain_drawn(drawn, k);
        explain_normalise(norm, r->maps[k], drawn);
        for (int q = 0; q < EXPLAIN_NP; q++)
            if (drawn[q]) sum[q] += norm[q], cnt[q]++;
    }
    float mean[EXPLAIN_NP];
    for (int q = 0; q < EXPLAIN_NP; q++) mean[q] = cnt[q] ? sum[q] / cnt[q] : 0.0f;
    explain_drawn(drawn, REGION_WHOLE);
    explain_normalise(out, mean, drawn);
    *position = REGION_WHOLE;
}

void explain_upsample(float *out, const float m[EXPLAIN_NP], int w, int h) {
    const int G = REGION_GRID;
    const double sx = (double)G / w, sy = (double)G / h;
    for (int y = 0; y < h; y++) {
        double fy = (y + 0.5) * sy - 0.5;
        if (fy < 0) fy = 0;
        int y0 = (int)fy;
        if (y0 > G - 1) y0 = G - 1;
        int y1 = y0 + 1 < G ? y0 + 1 : G - 1;
        double ly = fy - y0;
        for (int x = 0; x < w; x++) {
            double fx = (x + 0.5) * sx - 0.5;
            if (fx < 0) fx = 0;
            int x0 = (int)fx;
            if (x0 > G - 1) x0 = G - 1;
            int x1 = x0 + 1 < G ? x0 + 1 : G - 1;
            double lx = fx - x0;
            double top = m[y0 * G + x0] * (1 - lx) + m[y0 * G + x1] * lx;
            double bot = m[y1 * G + x0] * (1 - lx) + m[y1 * G + x1] * lx;
            out[(size_t)y * w + x] = (float)(top * (1 - ly) + bot * ly);
        }
    }
}

int explain_in_region(int position, int x, int y, int w, int h) {
    int col = (int)(((double)x + 0.5) * REGION_SIZE / w), row = (int)(((double)y + 0.5) * REGION_SIZE / h);
    if (col > REGION_SIZE - 1) col = REGION_SIZE - 1;
    if (row > REGION_SIZE - 1) row = REGION_SIZE - 1;
    return regions_contains(position, row, col);
}
