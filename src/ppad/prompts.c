/* prompts.c — learnable prompt parameters, prompt files and prompt sequences. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "base/rng.h"
#include "data/data.h"
#include "formats/torch_pt.h"
#include "ppad/prompts.h"

int params_alloc(ppad_params *p, int n_ctx, int text_width, int n_patches, int vision_width, ppad_err *err) {
    memset(p, 0, sizeof *p);
    p->n_ctx = n_ctx;
    p->text_width = text_width;
    p->n_patches = n_patches;
    p->vision_width = vision_width;
    size_t nc = (size_t)n_ctx * text_width, nm = (size_t)n_patches * vision_width;
    p->n = nc + nm;
    p->block = ppad_aligned_alloc(sizeof(float) * 3 * p->n, err);
    if (!p->block) return -1;
    memset(p->block, 0, sizeof(float) * 3 * p->n);
    p->ctx = p->block;
    p->mask_emb = p->block + nc;
    p->d_ctx = p->block + p->n;
    p->d_mask_emb = p->d_ctx + nc;
    p->m_ctx = p->block + 2 * p->n;
    p->m_mask_emb = p->m_ctx + nc;
    return 0;
}

int params_finite(const float *x, size_t n) {
    for (size_t i = 0; i < n; i++)
        if (!isfinite(x[i])) return 0;
    return 1;
}

void params_free(ppad_params *p) {
    free(p->block);
    memset(p, 0, sizeof *p);
}

void params_init_random(ppad_params *p, uint64_t seed) {
    ppad_rng r;
    rng_seed(&r, seed);
    for (size_t i = 0; i < (size_t)p->n_ctx * p->text_width; i++) p->ctx[i] = (float)rng_normal(&r, 0.0, 0.02);
    for (size_t i = 0; i < (size_t)p->n_patches * p->vision_width; i++)
        p->mask_emb[i] = (float)rng_normal(&r, 0.0, 0.02) * 10.0f;
    p->momentum_init = 0;
}

int params_check_model(const ppad_params *p, const clip_model *m, const char *what, ppad_err *err) {
    if (m->cfg.grid != REGION_GRID)
        return ppad_fail(err, "the model's patch grid is %dx%d; PPAD's regions need a %dx%d grid (224 px, patch 32)",
                         m->cfg.grid, m->cfg.grid, REGION_GRID, REGION_GRID);
    if (p->text_width != m->cfg.text_width || p->vision_width != m->cfg.vision_width || p->n_patches != m->cfg.n_patches)
        return ppad_fail(err, "%s: prompts are for text width %d / vision width %d / %d patches, the model has %d / %d / %d",
                         what, p->text_width, p->vision_width, p->n_patches, m->cfg.text_width, m->cfg.vision_width,
                         m->cfg.n_patches);
    return 0;
}

int params_load(ppad_params *p, const char *path, ppad_err *err) {
    pt_file *f;
    if (pt_open(&f, path, err) != 0) return -1;
    const pt_tensor *ctx = pt_find(f, "prompt_learner_ctx.ctx");
    const pt_tensor *me = pt_find(f, "image_mask_learner.mask_embedding");
    int rc = -1;
    if (!ctx || !me) {
        ppad_fail(err, "%s: not a PPAD prompt file (missing '%s')", path,
                  !ctx ? "prompt_learner_ctx.ctx" : "image_mask_learner.mask_embedding");
        goto out;
    }
    if (ctx->ndim != 2 || me->ndim != 3 || me->shape[0] != 1) {
        ppad_fail(err, "%s: prompt tensors have wrong ranks (ctx %dD, expected (n_ctx, width); mask_embedding %dD, "
                       "expected (1, patches, width))", path, ctx->ndim, me->ndim);
        goto out;
    }
    if (ctx->shape[0] < 1 || ctx->shape[0] > 64 || ctx->shape[1] < 1 || ctx->shape[1] > 65536 || me->shape[1] < 1 ||
        me->shape[1] > 4096 || me->shape[2] < 1 || me->shape[2] > 65536) {
        ppad_fail(err, "%s: prompt tensors have implausible shapes", path);
        goto out;
    }
    for (int i = 0; i < 2; i++) {
        const pt_tensor *t = i ? me : ctx;
        if (t->dtype != PT_F32 && t->dtype != PT_F16 && t->dtype != PT_BF16 && t->dtype != PT_F64) {
            ppad_fail(err, "%s: '%s' has dtype %s, expected floating point", path, t->name, pt_dtype_name(t->dtype));
            goto out;
        }
    }
    if (params_alloc(p, (int)ctx->shape[0], (int)ctx->shape[1], (int)me->shape[1], (int)me->shape[2], err) != 0) goto out;
    if (pt_read_f32(f, ctx, p->ctx, err) != 0 || pt_read_f32(f, me, p->mask_emb, err) != 0) {
        params_free(p);
        goto out;
    }
    prov_read(&p->prov, f);
    rc = 0;
out:
    pt_close(f);
    return rc;
}

int params_save(const ppad_params *p, const char *path, ppad_err *err) {
    if (!params_finite(p->ctx, p->n))
        return ppad_fail(err, "%s: not written: the prompts hold a value that is not a finite number (NaN or inf)", path);
    pt_out_tensor ts[2] = {
        {.dict = "prompt_learner_ctx", .key = "ctx", .data = p->ctx, .ndim = 2, .shape = {p->n_ctx, p->text_width}},
        {.dict = "image_mask_learner", .key = "mask_embedding", .data = p->mask_emb, .ndim = 3,
         .shape = {1, p->n_patches, p->vision_width}},
    };
    const char *keys[8], *values[8];
    int nm = prov_write_list(&p->prov, keys, values);
    return pt_write_f32_meta(path, ts, 2, PPAD_PROV_DICT, keys, values, nm, err);
}

void names_default(ppad_names *n) {
    memset(n, 0, sizeof *n);
    for (int i = 0; i < PPAD_NPOS; i++) snprintf(n->position[i], PPAD_MAXNAME, "%s", regions_name(i));
    snprintf(n->cls[0], PPAD_MAXNAME, "normal");
    snprintf(n->cls[1], PPAD_MAXNAME, "pneumonia");
}

int seqs_build(ppad_seqs *s, const ppad_names *names, int n_ctx, const bpe *vocab, ppad_err *err) {
    memset(s, 0, sizeof *s);
    s->n_ctx = n_ctx;
    for (int p = 0; p < PPAD_NPOS; p++) {
        int32_t pos_ids[BPE_CONTEXT];
        int npos = 0;
        if (bpe_encode(vocab, names->position[p], pos_ids, BPE_CONTEXT, &npos, err) != 0) return -1;
        for (int c = 0; c < PPAD_NCLS; c++) {
            int q = p * PPAD_NCLS + c;
            char text[4 * PPAD_MAXNAME + 64 * 2];
            size_t o = (size_t)snprintf(text, sizeof text, "%s", names->position[p]);
            for (int k = 0; k < n_ctx && o + 3 < sizeof text; k++) o += (size_t)snprintf(text + o, sizeof text - o, " X");
            snprintf(text + o, sizeof text - o, " %s.", names->cls[c]);
            if (bpe_tokenize(vocab, text, s->ids[q], err) != 0) return -1;
            s->eot[q] = 0;
            for (int i = 0; i < BPE_CONTEXT; i++)
                if (s->ids[q][i] == BPE_EOT) { s->eot[q] = i; break; }
            s->ctx_start[q] = 1 + npos;
            for (int k = 0; k < n_ctx; k++)
                if (s->ids[q][1 + npos + k] != 343)
                    return ppad_fail(err, "prompt '%s': the %d context slots do not follow the position tokens "
                                          "(position name tokenises differently inside the prompt)", text, n_ctx);
        }
    }
    return 0;
}

int seqs_embed(const ppad_seqs *s, const clip_model *m, const float *ctx, float *emb, ppad_err *err) {
    const int W = m->cfg.text_width, C = m->cfg.context;
    if (C != BPE_CONTEXT) return ppad_fail(err, "model context %d differs from the tokenizer's %d", C, BPE_CONTEXT);
    if (clip_token_embed(m, emb, &s->ids[0][0], PPAD_NSEQ, err) != 0) return -1;
    for (int q = 0; q < PPAD_NSEQ; q++)
        memcpy(emb + ((size_t)q * C + s->ctx_start[q]) * W, ctx, sizeof(float) * (size_t)s->n_ctx * W);
    return 0;
}
