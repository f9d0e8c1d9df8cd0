/* engine.c — PPAD's loss and prompt gradients through the frozen towers. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "clip/kernels.h"
#include "data/data.h"
#include "ppad/engine.h"

int engine_init(ppad_engine *e, const clip_model *m, const ppad_seqs *seqs, int micro, int image_prompt,
                ppad_err *err) {
    memset(e, 0, sizeof *e);
    const clip_config *c = &m->cfg;
    e->m = m;
    e->seqs = *seqs;
    e->micro = micro < 1 ? 1 : micro;
    e->image_prompt = image_prompt;
    if (c->grid != REGION_GRID)
        return ppad_fail(err, "the model's patch grid is %dx%d; PPAD's regions need %dx%d", c->grid, c->grid,
                         REGION_GRID, REGION_GRID);
    for (int p = 0; p < PPAD_NPOS; p++) regions_keep_mask(p, e->keep[p]);
    int T = 1;
    for (int q = 0; q < PPAD_NSEQ; q++)
        if (seqs->eot[q] + 1 > T) T = seqs->eot[q] + 1;
    const size_t E = (size_t)c->embed_dim, S = (size_t)c->image_size, Wt = (size_t)c->text_width;
    const size_t ntok = (size_t)e->micro * c->n_patches * c->vision_width;
    if (clip_text_acts_alloc(&e->tacts, m, PPAD_NSEQ, T, 1, err) != 0) goto fail;
#define A(p, n)                                              \
    do {                                                     \
        e->p = ppad_aligned_alloc(sizeof(float) * (n), err); \
        if (!e->p) goto fail;                                \
    } while (0)
    A(emb, PPAD_NSEQ * c->context * Wt);
    A(demb, PPAD_NSEQ * c->context * Wt);
    A(txt_raw, PPAD_NSEQ * E);
    A(txt_n, PPAD_NSEQ * E);
    A(txt_norm, PPAD_NSEQ);
    A(d_txt_n, PPAD_NSEQ * E);
    A(d_txt_raw, PPAD_NSEQ * E);
    A(pix, (size_t)e->micro * 3 * S * S);
    A(tokens, ntok);
    A(dtokens, ntok);
    A(img_raw, (size_t)e->micro * E);
    A(img_n, (size_t)e->micro * E);
    A(img_norm, (size_t)e->micro);
    A(d_img_n, (size_t)e->micro * E);
    A(d_img_raw, (size_t)e->micro * E);
#undef A
    return 0;
fail:
    engine_free(e);
    return -1;
}

void engine_free(ppad_engine *e) {
    clip_text_acts_free(&e->tacts);
    if (e->have_vacts) clip_vision_acts_free(&e->vacts);
    if (e->have_facts) clip_vision_acts_free(&e->facts);
    free(e->emb), free(e->demb), free(e->txt_raw), free(e->txt_n), free(e->txt_norm), free(e->d_txt_n);
    free(e->d_txt_raw), free(e->pix), free(e->tokens), free(e->dtokens), free(e->img_raw), free(e->img_n);
    free(e->img_norm), free(e->d_img_n), free(e->d_img_raw);
    memset(e, 0, sizeof *e);
}

int engine_encode_texts(ppad_engine *e, const ppad_params *p, int save_for_backward, ppad_err *err) {
    (void)save_for_backward; /* the text activations are small: always kept */
    const clip_model *m = e->m;
    if (seqs_embed(&e->seqs, m, p->ctx, e->emb, err) != 0) return -1;
    clip_text_forward(m, e->txt_raw, e->emb, e->seqs.eot, PPAD_NSEQ, &e->tacts);
    l2norm_forward(e->txt_n, e->txt_norm, e->txt_raw, PPAD_NSEQ, m->cfg.embed_dim);
    return 0;
}

static int needs_prompt(const ppad_engine *e, int pos) { return e->image_prompt && pos != REGION_WHOLE; }

static clip_vision_acts *acts_for(ppad_engine *e, int save, ppad_err *err) {
    if (save) {
        if (!e->have_vacts && clip_vision_acts_alloc(&e->vacts, e->m, e->micro, 1, err) != 0) return NULL;
        e->have_vacts = 1;
        return &e->vacts;
    }
    if (!e->have_facts && clip_vision_acts_alloc(&e->facts, e->m, e->micro, 0, err) != 0) return NULL;
    e->have_facts = 1;
    return &e->facts;
}

void engine_apply_prompt(const ppad_engine *e, const ppad_params *p, float *tokens /* (NP, W) */, int pos) {
    const clip_config *c = &e->m->cfg;
    const size_t W = (size_t)c->vision_width;
    if (!needs_prompt(e, pos)) return;
    for (int t = 0; t < c->n_patches; t++)
        if (!e->keep[pos][t]) memcpy(tokens + (size_t)t * W, p->mask_emb + (size_t)t * W, sizeof(float) * W);
}

/* Runs the image tower on e->tokens (nb samples, prompts applied) and leaves
 * normalised features in e->img_n. */
static int forward_tokens(ppad_engine *e, int nb, int save, ppad_err *err) {
    clip_vision_acts *a = acts_for(e, save, err);
    if (!a) return -1;
    clip_vision_forward(e->m, e->img_raw, e->tokens, nb, a);
    l2norm_forward(e->img_n, e->img_norm, e->img_raw, nb, e->m->cfg.embed_dim);
    return 0;
}

/* Gathers samples idx[0..nb) into e->pix, embeds patches, applies the image
 * prompt and runs the image tower; leaves normalised features in e->img_n. */
static int forward_micro(ppad_engine *e, const ppad_params *p, const float *pixels, const int *positions,
                         const int *idx, int nb, int save, ppad_err *err) {
    const clip_model *m = e->m;
    const clip_config *c = &m->cfg;
    const size_t npx = (size_t)3 * c->image_size * c->image_size, W = (size_t)c->vision_width;
    for (int j = 0; j < nb; j++) memcpy(e->pix + j * npx, pixels + (size_t)idx[j] * npx, sizeof(float) * npx);
    if (clip_patch_embed(m, e->tokens, e->pix, nb, err) != 0) return -1;
    for (int j = 0; j < nb; j++) engine_apply_prompt(e, p, e->tokens + (size_t)j * c->n_patches * W, positions[idx[j]]);
    return forward_tokens(e, nb, save, err);
}

int engine_encode_images(ppad_engine *e, const ppad_params *p, float *feat, const float *pixels, const int *positions,
                         int N, ppad_err *err) {
    const int E = e->m->cfg.embed_dim;
    int *idx = ppad_malloc(sizeof(int) * (size_t)e->micro, err);
    if (!idx) return -1;
    for (int i0 = 0; i0 < N; i0 += e->micro) {
        int nb = N - i0 < e->micro ? N - i0 : e->micro;
        for (int j = 0; j < nb; j++) idx[j] = i0 + j;
        if (forward_micro(e, p, pixels, positions, idx, nb, 0, err) != 0) {
            free(idx);
            return -1;
        }
        memcpy(feat + (size_t)i0 * E, e->img_n, sizeof(float) * (size_t)nb * E);
    }
    free(idx);
    return 0;
}

int engine_encode_tokens(ppad_engine *e, const ppad_params *p, float *feat, const float *tokens, const int *src,
                         const int *positions, int N, ppad_err *err) {
    const clip_config *c = &e->m->cfg;
    const int E = c->embed_dim;
    const size_t per = (size_t)c->n_patches * c->vision_width;
    for (int i0 = 0; i0 < N; i0 += e->micro) {
        int nb = N - i0 < e->micro ? N - i0 : e->micro;
        for (int j = 0; j < nb; j++) {
            memcpy(e->tokens + (size_t)j * per, tokens + (size_t)src[i0 + j] * per, sizeof(float) * per);
            engine_apply_prompt(e, p, e->tokens + (size_t)j * per, positions[i0 + j]);
        }
        if (forward_tokens(e, nb, 0, err) != 0) return -1;
        memcpy(feat + (size_t)i0 * E, e->img_n, sizeof(float) * (size_t)nb * E);
    }
    return 0;
}

/* log(1 + exp(-|x|)) + max(x, 0) - x*y: BCE with logits, stable. */
static double bce(double x, double y) { return fmax(x, 0.0) - x * y + log1p(exp(-fabs(x))); }

int engine_loss_grad(ppad_engine *e, ppad_params *p, const float *pixels, const int *positions, const int *labels,
                     int N, double *loss, float *logits, ppad_err *err) {
    const clip_model *m = e->m;
    const clip_config *c = &m->cfg;
    const int E = c->embed_dim, NP = c->n_patches;
    const size_t W = (size_t)c->vision_width, Wt = (size_t)c->text_width;
    const float scale = expf(m->logit_scale);
    const double inv = 1.0 / (2.0 * N);
    for (int i = 0; i < N; i++)
        if (positions[i] < 0 || positions[i] >= PPAD_NPOS || (labels[i] != 0 && labels[i] != 1))
            return ppad_fail(err, "sample %d: position %d / label %d out of range", i, positions[i], labels[i]);
    if (engine_encode_texts(e, p, 1, err) != 0) return -1;
    memset(e->d_txt_n, 0, sizeof(float) * PPAD_NSEQ * E);
    memset(p->d_ctx, 0, sizeof(float) * (size_t)p->n_ctx * Wt);
    memset(p->d_mask_emb, 0, sizeof(float) * (size_t)NP * W);
    /* order: samples that need the image-tower backward first, then forward-only ones */
    int *order = ppad_malloc(sizeof(int) * (size_t)N, err);
    if (!order) return -1;
    int n_back = 0, k = 0;
    for (int i = 0; i < N; i++)
        if (needs_prompt(e, positions[i])) order[k++] = i;
    n_back = k;
    for (int i = 0; i < N; i++)
        if (!needs_prompt(e, positions[i])) order[k++] = i;
    double total = 0;
    for (int s0 = 0, nb = 0; s0 < N; s0 += nb) {
        nb = N - s0 < e->micro ? N - s0 : e->micro;
        if (s0 < n_back && s0 + nb > n_back) nb = n_back - s0; /* keep backward and forward-only apart */
        const int *idx = order + s0;
        int back = s0 < n_back;
        if (forward_micro(e, p, pixels, positions, idx, nb, back, err) != 0) {
            free(order);
            return -1;
        }
        for (int j = 0; j < nb; j++) {
            int i = idx[j], pos = positions[i];
            const float *fi = e->img_n + (size_t)j * E;
            float *dfi = e->d_img_n + (size_t)j * E;
            memset(dfi, 0, sizeof(float) * E);
            for (int cl = 0; cl < PPAD_NCLS; cl++) {
                int q = pos * PPAD_NCLS + cl;
                const float *ft = e->txt_n + (size_t)q * E;
                float dot = 0;
                for (int d = 0; d < E; d++) dot += fi[d] * ft[d];
                float z = scale * dot;
                if (logits) logits[(size_t)i * 2 + cl] = z;
                double y = (labels[i] == cl) ? 1.0 : 0.0;
                total += bce(z, y);
                float dz = (float)((1.0 / (1.0 + exp(-(double)z)) - y) * inv);
                float g = dz * scale;
                float *dft = e->d_txt_n + (size_t)q * E;
                for (int d = 0; d < E; d++) {
                    dft[d] += g * fi[d];
                    dfi[d] += g * ft[d];
                }
            }
        }
        if (!back) continue;
        memset(e->d_img_raw, 0, sizeof(float) * (size_t)nb * E);
        l2norm_backward(e->d_img_raw, e->d_img_n, e->img_n, e->img_norm, nb, E);
        memset(e->dtokens, 0, sizeof(float) * (size_t)nb * NP * W);
        if (clip_vision_backward(m, e->dtokens, e->d_img_raw, nb, &e->vacts, err) != 0) {
            free(order);
            return -1;
        }
        for (int j = 0; j < nb; j++) {
            int pos = positions[idx[j]];
            for (int t = 0; t < NP; t++) {
                if (e->keep[pos][t]) continue;
                const float *src = e->dtokens + ((size_t)j * NP + t) * W;
                float *dst = p->d_mask_emb + (size_t)t * W;
                for (size_t d = 0; d < W; d++) dst[d] += src[d];
            }
        }
    }
    free(order);
    *loss = total * inv;
    /* text side: once for all samples */
    memset(e->d_txt_raw, 0, sizeof(float) * PPAD_NSEQ * E);
    l2norm_backward(e->d_txt_raw, e->d_txt_n, e->txt_n, e->txt_norm, PPAD_NSEQ, E);
    memset(e->demb, 0, sizeof(float) * PPAD_NSEQ * c->context * Wt);
    if (clip_text_backward(m, e->demb, e->d_txt_raw, PPAD_NSEQ, &e->tacts, err) != 0) return -1;
    for (int q = 0; q < PPAD_NSEQ; q++)
        for (int kk = 0; kk < p->n_ctx; kk++) {
            const float *src = e->demb + ((size_t)q * c->context + e->seqs.ctx_start[q] + kk) * Wt;
            float *dst = p->d_ctx + (size_t)kk * Wt;
            for (size_t d = 0; d < Wt; d++) dst[d] += src[d];
        }
    return 0;
}

void params_sgd_step(ppad_params *p, double lr, double momentum) {
    const float flr = (float)lr, fm = (float)momentum;
    float *v = p->block, *g = p->block + p->n, *mb = p->block + 2 * p->n;
    for (size_t i = 0; i < p->n; i++) {
        mb[i] = p->momentum_init ? fm * mb[i] + g[i] : g[i];
        v[i] -= flr * mb[i];
    }
    p->momentum_init = 1;
}

double cosine_lr_next(double prev_lr, double base_lr, int t, int t_max) {
    if (t == 0) return base_lr;
    if ((t - 1 - t_max) % (2 * t_max) == 0) return prev_lr + base_lr * (1 - cos(M_PI / t_max)) / 2;
    return (1 + cos(M_PI * t / t_max)) / (1 + cos(M_PI * (t - 1) / t_max)) * prev_lr;
}
