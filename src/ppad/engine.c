/* engine.c — PPAD's loss and prompt gradients through the frozen towers. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/dist.h"
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
    const size_t E = (size_t)c->embed_dim, S = (size_t)c->image_size, Wt = (size_t)c->text_width;
    const size_t ntok = (size_t)e->micro * c->n_patches * c->vision_width;
    for (int g = 0; g < ENGINE_TEXT_GROUPS; g++) {
        int T = 1;
        for (int q = g * ENGINE_TEXT_SEQS; q < (g + 1) * ENGINE_TEXT_SEQS; q++)
            if (seqs->eot[q] + 1 > T) T = seqs->eot[q] + 1;
        if (clip_text_acts_alloc(&e->tacts[g], m, ENGINE_TEXT_SEQS, T, 1, err) != 0) goto fail;
    }
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
    for (int g = 0; g < ENGINE_TEXT_GROUPS; g++) clip_text_acts_free(&e->tacts[g]);
    if (e->have_vacts) clip_vision_acts_free(&e->vacts);
    if (e->have_facts) clip_vision_acts_free(&e->facts);
    free(e->emb), free(e->demb), free(e->txt_raw), free(e->txt_n), free(e->txt_norm), free(e->d_txt_n);
    free(e->d_txt_raw), free(e->pix), free(e->tokens), free(e->dtokens), free(e->img_raw), free(e->img_n);
    free(e->img_norm), free(e->d_img_n), free(e->d_img_raw);
    memset(e, 0, sizeof *e);
}

/* Group g's sequences through the text tower: e->txt_raw's rows of the group
 * (from e->emb, which seqs_embed filled), activations kept in e->tacts[g]. */
static void text_forward_group(ppad_engine *e, int g) {
    const clip_config *c = &e->m->cfg;
    const int q0 = g * ENGINE_TEXT_SEQS;
    clip_text_forward(e->m, e->txt_raw + (size_t)q0 * c->embed_dim, e->emb + (size_t)q0 * c->context * c->text_width,
                      e->seqs.eot + q0, ENGINE_TEXT_SEQS, &e->tacts[g]);
}

/* Group g's part of the context gradient, dctx (n_ctx, Wt), from e->d_txt_n
 * (NSEQ, E): its sequences backward through the text tower, their context
 * slots added up in sequence order. */
static int text_backward_group(ppad_engine *e, const ppad_params *p, int g, float *dctx, ppad_err *err) {
    const clip_config *c = &e->m->cfg;
    const int E = c->embed_dim, q0 = g * ENGINE_TEXT_SEQS;
    const size_t Wt = (size_t)c->text_width, row = (size_t)c->context * Wt;
    float *demb = e->demb + (size_t)q0 * row, *draw = e->d_txt_raw + (size_t)q0 * E; /* the group's rows */
    memset(draw, 0, sizeof(float) * ENGINE_TEXT_SEQS * E);
    l2norm_backward(draw, e->d_txt_n + (size_t)q0 * E, e->txt_n + (size_t)q0 * E, e->txt_norm + q0, ENGINE_TEXT_SEQS,
                    E);
    memset(demb, 0, sizeof(float) * ENGINE_TEXT_SEQS * row);
    if (clip_text_backward(e->m, demb, draw, ENGINE_TEXT_SEQS, &e->tacts[g], err) != 0) return -1;
    memset(dctx, 0, sizeof(float) * (size_t)p->n_ctx * Wt);
    for (int q = q0; q < q0 + ENGINE_TEXT_SEQS; q++)
        for (int k = 0; k < p->n_ctx; k++) {
            const float *src = e->demb + ((size_t)q * c->context + e->seqs.ctx_start[q] + k) * Wt;
            float *dst = dctx + (size_t)k * Wt;
            for (size_t d = 0; d < Wt; d++) dst[d] += src[d];
        }
    return 0;
}

int engine_encode_texts(ppad_engine *e, const ppad_params *p, int save_for_backward, ppad_err *err) {
    (void)save_for_backward; /* the text activations are small: always kept */
    const clip_model *m = e->m;
    if (seqs_embed(&e->seqs, m, p->ctx, e->emb, err) != 0) return -1;
    for (int g = 0; g < ENGINE_TEXT_GROUPS; g++) text_forward_group(e, g);
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

/* One micro-batch's share of the loss and gradients, computed from zero:
 * *loss the sum of its BCE terms, dtxt (NSEQ, E) its part of d_txt_n, dmask
 * (NP, W) its part of d_mask_emb (only if back), lg (nb, 2) its logits (may
 * be NULL). */
static int micro_grad(ppad_engine *e, const ppad_params *p, const float *pixels, const int *positions,
                      const int *labels, const int *idx, int nb, int back, double inv, double *loss, float *dtxt,
                      float *dmask, float *lg, ppad_err *err) {
    const clip_model *m = e->m;
    const clip_config *c = &m->cfg;
    const int E = c->embed_dim, NP = c->n_patches;
    const size_t W = (size_t)c->vision_width;
    const float scale = expf(m->logit_scale);
    double total = 0;
    memset(dtxt, 0, sizeof(float) * PPAD_NSEQ * E);
    if (forward_micro(e, p, pixels, positions, idx, nb, back, err) != 0) return -1;
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
            if (lg) lg[(size_t)j * 2 + cl] = z;
            double y = (labels[i] == cl) ? 1.0 : 0.0;
            total += bce(z, y);
            float dz = (float)((1.0 / (1.0 + exp(-(double)z)) - y) * inv);
            float g = dz * scale;
            float *dft = dtxt + (size_t)q * E;
            for (int d = 0; d < E; d++) {
                dft[d] += g * fi[d];
                dfi[d] += g * ft[d];
            }
        }
    }
    *loss = total;
    if (!back) return 0;
    memset(e->d_img_raw, 0, sizeof(float) * (size_t)nb * E);
    l2norm_backward(e->d_img_raw, e->d_img_n, e->img_n, e->img_norm, nb, E);
    memset(e->dtokens, 0, sizeof(float) * (size_t)nb * NP * W);
    if (clip_vision_backward(m, e->dtokens, e->d_img_raw, nb, &e->vacts, err) != 0) return -1;
    memset(dmask, 0, sizeof(float) * (size_t)NP * W);
    for (int j = 0; j < nb; j++) {
        int pos = positions[idx[j]];
        for (int t = 0; t < NP; t++) {
            if (e->keep[pos][t]) continue;
            const float *src = e->dtokens + ((size_t)j * NP + t) * W;
            float *dst = dmask + (size_t)t * W;
            for (size_t d = 0; d < W; d++) dst[d] += src[d];
        }
    }
    return 0;
}

/* Relative costs of a sample in the image tower (measured: a sample with the
 * backward takes about twice the time of a forward-only one). */
enum { COST_BACK = 2, COST_FWD = 1 };

/* Splits n samples into ceil(n / most) runs of nearly equal size (the first
 * n % runs one longer), from s0[M] on; returns the new M. */
static int plan_runs(int *s0, int *nbs, int *back, int M, int a, int n, int most, int is_back) {
    if (n <= 0) return M;
    int runs = (n + most - 1) / most;
    for (int r = 0; r < runs; r++) {
        int nb = n / runs + (r < n % runs);
        s0[M] = a, nbs[M] = nb, back[M] = is_back, M++;
        a += nb;
    }
    return M;
}

/* The micro-batches of one step: samples that need the image-tower backward
 * first, in ceil(n / micro) runs of nearly equal size, then the forward-only
 * ones in runs of at most micro / 4 (they are cheap: small pieces let
 * plan_owners even out the ranks' work). Micro-batch k is order[s0[k] ..
 * s0[k] + nb[k]). The plan does not depend on the number of ranks. Returns
 * the number of micro-batches. */
static int plan_micro(const ppad_engine *e, const int *positions, int N, int *order, int *s0, int *nbs, int *back) {
    int k = 0;
    for (int i = 0; i < N; i++)
        if (needs_prompt(e, positions[i])) order[k++] = i;
    const int n_back = k;
    for (int i = 0; i < N; i++)
        if (!needs_prompt(e, positions[i])) order[k++] = i;
    int M = plan_runs(s0, nbs, back, 0, 0, n_back, e->micro, 1);
    return plan_runs(s0, nbs, back, M, n_back, N - n_back, (e->micro + 3) / 4, 0);
}

/* Which rank computes each micro-batch: in order, to the rank with the least
 * work so far (COST_BACK, COST_FWD; ties: the lower rank). Every rank
 * computes the same plan. */
static void plan_owners(int *owner, const int *nbs, const int *back, int M, int ranks) {
    long load[ranks];
    for (int r = 0; r < ranks; r++) load[r] = 0;
    for (int k = 0; k < M; k++) {
        int best = 0;
        for (int r = 1; r < ranks; r++)
            if (load[r] < load[best]) best = r;
        owner[k] = best;
        load[best] += (long)nbs[k] * (back[k] ? COST_BACK : COST_FWD);
    }
}

/* Text group g is run by rank g % ranks. */
static int text_owner(int g) { return g % dist_size(); }

/* Collective: buf (ENGINE_TEXT_GROUPS, n) holds this rank's groups' blocks;
 * afterwards every rank holds every group's. pack: scratch of the same size. */
static void text_exchange(float *buf, float *pack, size_t n) {
    const int ranks = dist_size(), rank = dist_rank();
    if (ranks == 1) return;
    size_t mine = 0, counts[ranks], base[ranks], at[ranks];
    for (int g = 0; g < ENGINE_TEXT_GROUPS; g++)
        if (text_owner(g) == rank) memcpy(pack + mine, buf + (size_t)g * n, sizeof(float) * n), mine += n;
    void *all = NULL;
    dist_allgather(pack, sizeof(float) * mine, &all, counts);
    for (int r = 0; r < ranks; r++) base[r] = r ? base[r - 1] + counts[r - 1] : 0, at[r] = 0;
    for (int g = 0; g < ENGINE_TEXT_GROUPS; g++) {
        int r = text_owner(g);
        memcpy(buf + (size_t)g * n, (const char *)all + base[r] + at[r], sizeof(float) * n);
        at[r] += sizeof(float) * n;
    }
    free(all);
}

/* Bytes of micro-batch k's record: loss, dtxt, dmask (if back), logits (if wanted). */
static size_t rec_bytes(const clip_config *c, int nb, int back, int want_logits) {
    size_t n = sizeof(double) + sizeof(float) * PPAD_NSEQ * (size_t)c->embed_dim;
    if (back) n += sizeof(float) * (size_t)c->n_patches * c->vision_width;
    if (want_logits) n += sizeof(float) * 2 * (size_t)nb;
    return n;
}

/* Under MPI (base/dist.h) each micro-batch is computed by one rank
 * (plan_owners: balanced by cost), and each text group by one rank
 * (text_owner). Every rank then holds every micro-batch's record and adds
 * them up in micro-batch order, which is what one process does too; the text
 * features and the groups' parts of the context gradient are exchanged and
 * the parts added in group order. So the gradients have the same bits for any
 * number of ranks. */
int engine_loss_grad(ppad_engine *e, ppad_params *p, const float *pixels, const int *positions, const int *labels,
                     int N, double *loss, float *logits, ppad_err *err) {
    const clip_model *m = e->m;
    const clip_config *c = &m->cfg;
    const int E = c->embed_dim, NP = c->n_patches, ranks = dist_size(), rank = dist_rank();
    const size_t W = (size_t)c->vision_width, Wt = (size_t)c->text_width, nmask = (size_t)NP * W;
    const size_t nctx = (size_t)p->n_ctx * Wt, nblk = nctx > (size_t)ENGINE_TEXT_SEQS * E ? nctx : (size_t)ENGINE_TEXT_SEQS * E;
    const double inv = 1.0 / (2.0 * N);
    for (int i = 0; i < N; i++)
        if (positions[i] < 0 || positions[i] >= PPAD_NPOS || (labels[i] != 0 && labels[i] != 1))
            return ppad_fail(err, "sample %d: position %d / label %d out of range", i, positions[i], labels[i]);
    int *order = ppad_malloc(sizeof(int) * (size_t)N * 5, err);
    char *mine = NULL, *all = NULL;
    size_t *counts = ppad_malloc(sizeof(size_t) * (size_t)ranks, err), mine_len = 0;
    /* (2, GROUPS, nblk): the groups' context-gradient parts, and the exchange's packing */
    float *parts = ppad_malloc(sizeof(float) * 2 * ENGINE_TEXT_GROUPS * nblk, err), *pack = parts + ENGINE_TEXT_GROUPS * nblk;
    int rc = order && counts && parts ? 0 : -1, M = 0;
    int *s0 = order + N, *nbs = order + 2 * N, *back = order + 3 * N, *owner = order + 4 * N;
    if (rc == 0) {
        M = plan_micro(e, positions, N, order, s0, nbs, back);
        plan_owners(owner, nbs, back, M, ranks);
    }
    /* this rank's records, in micro-batch order */
    for (int k = 0; rc == 0 && k < M; k++)
        if (owner[k] == rank) mine_len += rec_bytes(c, nbs[k], back[k], logits != NULL);
    if (rc == 0 && !(mine = ppad_aligned_alloc(mine_len ? mine_len : 1, err))) rc = -1;
    /* text features: this rank's groups, then every group's */
    if (rc == 0) rc = seqs_embed(&e->seqs, m, p->ctx, e->emb, err);
    for (int g = 0; rc == 0 && g < ENGINE_TEXT_GROUPS; g++)
        if (text_owner(g) == rank) text_forward_group(e, g);
    if ((rc = dist_agree(rc, err)) != 0) goto out;
    text_exchange(e->txt_raw, pack, (size_t)ENGINE_TEXT_SEQS * E);
    l2norm_forward(e->txt_n, e->txt_norm, e->txt_raw, PPAD_NSEQ, E);
    for (size_t k = 0, off = 0; rc == 0 && k < (size_t)M; k++) {
        if (owner[k] != rank) continue;
        char *r = mine + off;
        float *dtxt = (float *)(r + sizeof(double)), *dmask = dtxt + PPAD_NSEQ * E;
        float *lg = logits ? dmask + (back[k] ? nmask : 0) : NULL;
        double l = 0;
        rc = micro_grad(e, p, pixels, positions, labels, order + s0[k], nbs[k], back[k], inv, &l, dtxt, dmask, lg, err);
        memcpy(r, &l, sizeof l);
        off += rec_bytes(c, nbs[k], back[k], logits != NULL);
    }
    if ((rc = dist_agree(rc, err)) != 0) goto out;
    dist_allgather(mine, mine_len, (void **)&all, counts);
    /* sums in micro-batch order; rank r's blob holds its micro-batches in order */
    memset(e->d_txt_n, 0, sizeof(float) * PPAD_NSEQ * E);
    memset(p->d_mask_emb, 0, sizeof(float) * nmask);
    {
        size_t base[ranks], at[ranks];
        for (int r = 0, acc = 0; r < ranks; r++) base[r] = (size_t)acc, at[r] = 0, acc += (int)counts[r];
        double total = 0;
        for (int k = 0; k < M; k++) {
            int r = owner[k];
            const char *rec = all + base[r] + at[r];
            at[r] += rec_bytes(c, nbs[k], back[k], logits != NULL);
            double l;
            memcpy(&l, rec, sizeof l);
            total += l;
            const float *dtxt = (const float *)(rec + sizeof(double)), *dmask = dtxt + PPAD_NSEQ * E;
            for (int d = 0; d < PPAD_NSEQ * E; d++) e->d_txt_n[d] += dtxt[d];
            if (back[k])
                for (size_t d = 0; d < nmask; d++) p->d_mask_emb[d] += dmask[d];
            if (logits) {
                const float *lg = dmask + (back[k] ? nmask : 0);
                for (int j = 0; j < nbs[k]; j++)
                    for (int cl = 0; cl < PPAD_NCLS; cl++)
                        logits[(size_t)order[s0[k] + j] * 2 + cl] = lg[(size_t)j * 2 + cl];
            }
        }
        *loss = total * inv;
    }
    /* text side: each rank its groups, once for all samples; the parts added in group order */
    for (int g = 0; rc == 0 && g < ENGINE_TEXT_GROUPS; g++)
        if (text_owner(g) == rank) rc = text_backward_group(e, p, g, parts + (size_t)g * nctx, err);
    if ((rc = dist_agree(rc, err)) != 0) goto out;
    text_exchange(parts, pack, nctx);
    memset(p->d_ctx, 0, sizeof(float) * nctx);
    for (int g = 0; g < ENGINE_TEXT_GROUPS; g++)
        for (size_t d = 0; d < nctx; d++) p->d_ctx[d] += parts[(size_t)g * nctx + d];
out:
    free(order), free(counts), free(mine), free(all), free(parts);
    return rc;
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
