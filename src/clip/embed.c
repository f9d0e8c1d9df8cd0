/* embed.c — the public embedding API: files or texts in, L2-normalised CLIP
 * features out, processed in bounded batches. */
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "clip/kernels.h"
#include "clip/model.h"
#include "image/image.h"
#include "formats/torch_pt.h"
#include "tokenizer/bpe.h"

#define EMBED_BATCH 16

int ppad_model_load(ppad_model **out, const char *path, ppad_err *err) {
    *out = NULL;
    clip_model *m = ppad_calloc(1, sizeof *m, err);
    if (!m) return -1;
    if (clip_load(m, path, err) != 0) {
        free(m);
        return -1;
    }
    *out = m;
    return 0;
}

void ppad_model_free(ppad_model *m) {
    if (!m) return;
    clip_free(m);
    free(m);
}

void ppad_model_describe(const ppad_model *m, ppad_model_info *in) {
    const clip_config *c = &m->cfg;
    memset(in, 0, sizeof *in);
    in->image_size = c->image_size;
    in->patch = c->patch;
    in->grid = c->grid;
    in->vision_width = c->vision_width;
    in->vision_layers = c->vision_layers;
    in->vision_heads = c->vision_heads;
    in->embed_dim = c->embed_dim;
    in->context = c->context;
    in->vocab = c->vocab;
    in->text_width = c->text_width;
    in->text_layers = c->text_layers;
    in->text_heads = c->text_heads;
    in->n_params = (long long)m->n_params;
    in->params_in_place = (long long)m->n_mapped;
    in->n_tensors = m->n_tensors;
    for (int d = 0; d < 10; d++) {
        if (d == PT_F32) in->params_f32 = m->dtype_params[d], in->n_f32 = m->dtype_tensors[d];
        else if (d == PT_F16) in->params_f16 = m->dtype_params[d], in->n_f16 = m->dtype_tensors[d];
        else if (d == PT_BF16) in->params_bf16 = m->dtype_params[d], in->n_bf16 = m->dtype_tensors[d];
        else in->params_other += m->dtype_params[d], in->n_other += m->dtype_tensors[d];
    }
    in->logit_scale = m->logit_scale;
    in->load_seconds = m->load_seconds;
    clip_arch_name(c, in->arch, sizeof in->arch);
    in->fingerprint = m->fingerprint;
}

int ppad_vocab_load(ppad_vocab **out, const char *explicit_path, const char *weights_path, ppad_err *err) {
    *out = NULL;
    char path[4096];
    if (bpe_find(path, sizeof path, explicit_path, weights_path, err) != 0) return -1;
    return bpe_load(out, path, err);
}

void ppad_vocab_free(ppad_vocab *v) { bpe_free(v); }

int ppad_embed_images(const ppad_model *m, float *feat, const char *const *paths, int n, ppad_err *err) {
    return clip_embed_images(m, feat, paths, n, NULL, err);
}

int clip_embed_images(const clip_model *m, float *feat, const char *const *paths, int n, const image_opts *opts,
                      ppad_err *err) {
    const clip_config *c = &m->cfg;
    const int S = c->image_size, E = c->embed_dim, B = n < EMBED_BATCH ? (n > 0 ? n : 1) : EMBED_BATCH;
    const size_t npx = (size_t)3 * S * S;
    int rc = -1;
    clip_vision_acts acts;
    float *pixels = ppad_aligned_alloc(sizeof(float) * B * npx, err);
    float *tokens = ppad_aligned_alloc(sizeof(float) * (size_t)B * c->n_patches * c->vision_width, err);
    float *raw = ppad_aligned_alloc(sizeof(float) * (size_t)B * E, err);
    int *rcs = ppad_malloc(sizeof(int) * (size_t)B, err);
    ppad_err *whys = ppad_malloc(sizeof(ppad_err) * (size_t)B, err);
    if (!pixels || !tokens || !raw || !rcs || !whys || clip_vision_acts_alloc(&acts, m, B, 0, err) != 0) {
        free(rcs), free(whys);
        free(pixels), free(tokens), free(raw);
        return -1;
    }
    for (int i0 = 0; i0 < n; i0 += B) {
        int nb = n - i0 < B ? n - i0 : B;
        int bad = image_load_many(pixels, rcs, whys, paths + i0, nb, S, NULL, opts);
        if (bad >= 0) {
            *err = whys[bad];
            goto done;
        }
        if (clip_patch_embed(m, tokens, pixels, nb, err) != 0) goto done;
        clip_vision_forward(m, raw, tokens, nb, &acts);
        l2norm_forward(feat + (size_t)i0 * E, NULL, raw, nb, E);
    }
    rc = 0;
done:
    clip_vision_acts_free(&acts);
    free(pixels), free(tokens), free(raw), free(rcs), free(whys);
    return rc;
}

int ppad_embed_texts(const ppad_model *m, const ppad_vocab *vocab, float *feat, const char *const *texts, int n,
                     ppad_err *err) {
    const clip_config *c = &m->cfg;
    const int ctx = c->context, W = c->text_width, E = c->embed_dim, B = n < EMBED_BATCH ? (n > 0 ? n : 1) : EMBED_BATCH;
    if (ctx != BPE_CONTEXT) return ppad_fail(err, "model context length %d differs from the tokenizer's %d", ctx, BPE_CONTEXT);
    int rc = -1;
    clip_text_acts acts;
    int32_t *ids = ppad_malloc(sizeof(int32_t) * (size_t)B * ctx, err);
    int *eot = ppad_malloc(sizeof(int) * (size_t)B, err);
    float *emb = ppad_aligned_alloc(sizeof(float) * (size_t)B * ctx * W, err);
    float *raw = ppad_aligned_alloc(sizeof(float) * (size_t)B * E, err);
    if (!ids || !eot || !emb || !raw || clip_text_acts_alloc(&acts, m, B, ctx, 0, err) != 0) {
        free(ids), free(eot), free(emb), free(raw);
        return -1;
    }
    for (int i0 = 0; i0 < n; i0 += B) {
        int nb = n - i0 < B ? n - i0 : B;
        for (int j = 0; j < nb; j++) {
            if (bpe_tokenize(vocab, texts[i0 + j], ids + (size_t)j * ctx, err) != 0) goto done;
            eot[j] = clip_eot_index(ids + (size_t)j * ctx, ctx);
        }
        if (clip_token_embed(m, emb, ids, nb, err) != 0) goto done;
        clip_text_forward(m, raw, emb, eot, nb, &acts);
        l2norm_forward(feat + (size_t)i0 * E, NULL, raw, nb, E);
    }
    rc = 0;
done:
    clip_text_acts_free(&acts);
    free(ids), free(eot), free(emb), free(raw);
    return rc;
}
