/* model_load.c — CLIP configuration from tensor shapes, and every frozen
 * weight converted once to fp32 into one block with a pointer table. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "base/error.h"
#include "base/progress.h"
#include "clip/gemm.h"
#include "clip/model.h"
#include "formats/torch_pt.h"

#define KEYLEN 160

/* The checkpoint may carry a common key prefix ("module." from DataParallel,
 * "model." ...): found by where visual.conv1.weight sits. */
typedef struct loader {
    pt_file *f;
    const char *path;
    char prefix[KEYLEN];
    float *cursor; /* next free float in the block (NULL while counting) */
    float *tail;   /* next free float of the block's tail (the image tower's matrices) */
    size_t count;  /* floats placed / needed */
    size_t count_tail; /* of which in the tail */
    size_t mapped;     /* of which read in place from the mapped file (not in the block) */
} loader;

static const pt_tensor *find(loader *ld, const char *key) {
    char full[2 * KEYLEN];
    snprintf(full, sizeof full, "%s%s", ld->prefix, key);
    return pt_find(ld->f, full);
}

static const char *shape_str(char *buf, size_t n, int ndim, const int64_t *shape) {
    size_t o = 0;
    o += (size_t)snprintf(buf + o, n - o, "(");
    for (int i = 0; i < ndim && o < n; i++)
        o += (size_t)snprintf(buf + o, n - o, "%s%lld", i ? ", " : "", (long long)shape[i]);
    if (o < n) snprintf(buf + o, n - o, "%s)", ndim == 1 ? "," : "");
    return buf;
}

/* Looks up key, checks its shape, and (in the placing pass) reads it into the block. */
static int take(loader *ld, const float **dst, const char *key, int ndim, int64_t d0, int64_t d1, int64_t d2,
                int64_t d3, ppad_err *err) {
    const pt_tensor *t = find(ld, key);
    if (!t) return ppad_fail(err, "%s: missing tensor '%s%s' (is this a CLIP ViT state dict?)", ld->path, ld->prefix, key);
    int64_t want[4] = {d0, d1, d2, d3};
    int ok = t->ndim == ndim;
    for (int i = 0; ok && i < ndim; i++) ok = t->shape[i] == want[i];
    if (!ok) {
        char a[96], b[96];
        return ppad_fail(err, "%s: tensor '%s%s' has shape %s, expected %s", ld->path, ld->prefix, key,
                         shape_str(a, sizeof a, t->ndim, t->shape), shape_str(b, sizeof b, ndim, want));
    }
    if (t->dtype != PT_F32 && t->dtype != PT_F16 && t->dtype != PT_BF16 && t->dtype != PT_F64)
        return ppad_fail(err, "%s: tensor '%s%s' has dtype %s, expected a floating-point type", ld->path, ld->prefix,
                         key, pt_dtype_name(t->dtype));
    /* the token embedding (fp32 in CheXzero, 100 MB, mostly unused: only the
     * rows of the tokens in use are ever read) stays in the mapped file */
    if (!strcmp(key, "token_embedding.weight")) {
        const float *mp;
        int r = pt_map_f32(ld->f, t, &mp, err);
        if (r < 0) return -1;
        if (r == 1) {
            *dst = mp;
            ld->count += (size_t)t->numel;
            ld->mapped += (size_t)t->numel;
            return 0;
        }
    }
    /* the image tower's matrices (conv1, and 2-D weights of its blocks) go to
     * the tail, which clip_enable_bf16 can release as one range */
    const int to_tail = !strncmp(key, "visual.", 7) && (ndim == 4 || (ndim == 2 && strstr(key, "resblocks.")));
    float **cur = to_tail ? &ld->tail : &ld->cursor;
    if (*cur) {
        if (pt_read_f32(ld->f, t, *cur, err) != 0) return -1;
        *dst = *cur;
        *cur += t->numel;
    }
    ld->count += (size_t)t->numel;
    if (to_tail) ld->count_tail += (size_t)t->numel;
    return 0;
}

static int take_layer(loader *ld, clip_layer *L, const char *tower, int i, int W, ppad_err *err) {
    char k[KEYLEN];
#define TAKE(field, name, nd, a, b)                                                         \
    do {                                                                                    \
        snprintf(k, sizeof k, "%stransformer.resblocks.%d.%s", tower, i, name);             \
        if (take(ld, &L->field, k, nd, a, b, 0, 0, err) != 0) return -1;                    \
    } while (0)
    TAKE(ln1_w, "ln_1.weight", 1, W, 0);
    TAKE(ln1_b, "ln_1.bias", 1, W, 0);
    TAKE(qkv_w, "attn.in_proj_weight", 2, 3 * W, W);
    TAKE(qkv_b, "attn.in_proj_bias", 1, 3 * W, 0);
    TAKE(out_w, "attn.out_proj.weight", 2, W, W);
    TAKE(out_b, "attn.out_proj.bias", 1, W, 0);
    TAKE(ln2_w, "ln_2.weight", 1, W, 0);
    TAKE(ln2_b, "ln_2.bias", 1, W, 0);
    TAKE(fc_w, "mlp.c_fc.weight", 2, 4 * W, W);
    TAKE(fc_b, "mlp.c_fc.bias", 1, 4 * W, 0);
    TAKE(proj_w, "mlp.c_proj.weight", 2, W, 4 * W);
    TAKE(proj_b, "mlp.c_proj.bias", 1, W, 0);
#undef TAKE
    return 0;
}

/* Counts "<tower>transformer.resblocks.N.<suffix>" keys: the number of distinct N. */
static int count_layers(loader *ld, const char *tower) {
    char pat[2 * KEYLEN];
    snprintf(pat, sizeof pat, "%s%stransformer.resblocks.", ld->prefix, tower);
    size_t pl = strlen(pat);
    int maxn = -1;
    for (int i = 0; i < pt_count(ld->f); i++) {
        const char *name = pt_get(ld->f, i)->name;
        if (strncmp(name, pat, pl) != 0) continue;
        char *end;
        long n = strtol(name + pl, &end, 10);
        if (end != name + pl && *end == '.' && n > maxn && n < 10000) maxn = (int)n;
    }
    return maxn + 1;
}

/* A dimension read from a tensor's shape must lie in [lo, hi] (refusing 0 and
 * values no CLIP has, before any int arithmetic on them). */
static int dim_ok(const loader *ld, const pt_tensor *t, int axis, const char *what, int64_t lo, int64_t hi,
                  ppad_err *err) {
    int64_t v = t->shape[axis];
    if (v >= lo && v <= hi) return 0;
    return ppad_fail(err, "%s: tensor '%s' gives %s %lld (dimension %d of its shape); expected %lld to %lld — "
                     "an empty or damaged checkpoint?", ld->path, t->name, what, (long long)v, axis, (long long)lo,
                     (long long)hi);
}

static int infer_config(loader *ld, clip_config *c, ppad_err *err) {
    const pt_tensor *conv = find(ld, "visual.conv1.weight");
    const pt_tensor *vpos = find(ld, "visual.positional_embedding");
    const pt_tensor *tproj = find(ld, "text_projection");
    const pt_tensor *pos = find(ld, "positional_embedding");
    const pt_tensor *tok = find(ld, "token_embedding.weight");
    const pt_tensor *lnf = find(ld, "ln_final.weight");
    const char *miss = !conv ? "visual.conv1.weight" : !vpos ? "visual.positional_embedding"
                     : !tproj ? "text_projection" : !pos ? "positional_embedding"
                     : !tok ? "token_embedding.weight" : !lnf ? "ln_final.weight" : NULL;
    if (miss) return ppad_fail(err, "%s: missing tensor '%s%s' (is this a CLIP ViT state dict?)", ld->path, ld->prefix, miss);
    if (conv->ndim != 4 || conv->shape[1] != 3 || conv->shape[2] != conv->shape[3])
        return ppad_fail(err, "%s: tensor '%svisual.conv1.weight' is not a (width, 3, P, P) convolution", ld->path, ld->prefix);
    if (vpos->ndim != 2 || tproj->ndim != 2 || pos->ndim != 2 || tok->ndim != 2 || lnf->ndim != 1)
        return ppad_fail(err, "%s: embedding tensors have unexpected ranks (not a CLIP ViT checkpoint?)", ld->path);
    if (dim_ok(ld, conv, 0, "the image tower's width", 64, CLIP_MAX_WIDTH, err) ||
        dim_ok(ld, conv, 3, "the patch size", 1, CLIP_MAX_PATCH, err) ||
        dim_ok(ld, vpos, 0, "1 + the number of patches", 2, 1 + (int64_t)CLIP_MAX_GRID * CLIP_MAX_GRID, err) ||
        dim_ok(ld, tproj, 1, "the embedding dimension", 1, CLIP_MAX_WIDTH, err) ||
        dim_ok(ld, pos, 0, "the text context", 1, CLIP_MAX_CONTEXT, err) ||
        dim_ok(ld, tok, 0, "the vocabulary size", 1, CLIP_MAX_VOCAB, err) ||
        dim_ok(ld, lnf, 0, "the text tower's width", 64, CLIP_MAX_WIDTH, err))
        return -1;
    c->vision_width = (int)conv->shape[0];
    c->patch = (int)conv->shape[3];
    int64_t np1 = vpos->shape[0] - 1;
    int g = 0;
    while ((int64_t)(g + 1) * (g + 1) <= np1) g++;
    if (g < 1 || (int64_t)g * g != np1)
        return ppad_fail(err, "%s: visual.positional_embedding has %lld rows, not 1 + a square number", ld->path,
                         (long long)vpos->shape[0]);
    if ((int64_t)g * c->patch > CLIP_MAX_IMAGE)
        return ppad_fail(err, "%s: a %dx%d grid of %d-pixel patches makes %lld-pixel images; at most %d are supported",
                         ld->path, g, g, c->patch, (long long)g * c->patch, CLIP_MAX_IMAGE);
    c->grid = g;
    c->n_patches = g * g;
    c->image_size = g * c->patch;
    c->vision_layers = count_layers(ld, "visual.");
    c->embed_dim = (int)tproj->shape[1];
    c->context = (int)pos->shape[0];
    c->vocab = (int)tok->shape[0];
    c->text_width = (int)lnf->shape[0];
    c->text_layers = count_layers(ld, "");
    if (c->vision_width % 64 || c->text_width % 64)
        return ppad_fail(err, "%s: widths %d/%d are not multiples of 64 (heads = width / 64)", ld->path,
                         c->vision_width, c->text_width);
    c->vision_heads = c->vision_width / 64;
    c->text_heads = c->text_width / 64;
    if (c->vision_layers < 1 || c->text_layers < 1)
        return ppad_fail(err, "%s: no transformer blocks found (vision %d, text %d)", ld->path, c->vision_layers,
                         c->text_layers);
    return 0;
}

/* One pass over every expected tensor: counts floats (cursor NULL) or places them. */
static int walk(loader *ld, clip_model *m, ppad_err *err) {
    const clip_config *c = &m->cfg;
    int Wv = c->vision_width, Wt = c->text_width, E = c->embed_dim, P = c->patch;
    const float *ls = NULL;
    if (take(ld, &m->conv1_w, "visual.conv1.weight", 4, Wv, 3, P, P, err) ||
        take(ld, &m->class_emb, "visual.class_embedding", 1, Wv, 0, 0, 0, err) ||
        take(ld, &m->vis_pos, "visual.positional_embedding", 2, 1 + c->n_patches, Wv, 0, 0, err) ||
        take(ld, &m->ln_pre_w, "visual.ln_pre.weight", 1, Wv, 0, 0, 0, err) ||
        take(ld, &m->ln_pre_b, "visual.ln_pre.bias", 1, Wv, 0, 0, 0, err))
        return -1;
    for (int i = 0; i < c->vision_layers; i++)
        if (take_layer(ld, &m->vis_layers[i], "visual.", i, Wv, err)) return -1;
    if (take(ld, &m->ln_post_w, "visual.ln_post.weight", 1, Wv, 0, 0, 0, err) ||
        take(ld, &m->ln_post_b, "visual.ln_post.bias", 1, Wv, 0, 0, 0, err) ||
        take(ld, &m->vis_proj, "visual.proj", 2, Wv, E, 0, 0, err) ||
        take(ld, &m->tok_emb, "token_embedding.weight", 2, c->vocab, Wt, 0, 0, err) ||
        take(ld, &m->txt_pos, "positional_embedding", 2, c->context, Wt, 0, 0, err))
        return -1;
    for (int i = 0; i < c->text_layers; i++)
        if (take_layer(ld, &m->txt_layers[i], "", i, Wt, err)) return -1;
    if (take(ld, &m->ln_final_w, "ln_final.weight", 1, Wt, 0, 0, 0, err) ||
        take(ld, &m->ln_final_b, "ln_final.bias", 1, Wt, 0, 0, 0, err) ||
        take(ld, &m->txt_proj, "text_projection", 2, Wt, E, 0, 0, err) ||
        take(ld, &ls, "logit_scale", 0, 0, 0, 0, 0, err))
        return -1;
    if (ls) m->logit_scale = *ls;
    return 0;
}

int clip_load(clip_model *m, const char *path, ppad_err *err) {
    memset(m, 0, sizeof *m);
    double t0 = ppad_now();
    loader ld = {.path = path};
    if (pt_open(&ld.f, path, err) != 0) return -1;
    /* key prefix: whatever stands before "visual.conv1.weight" */
    for (int i = 0; i < pt_count(ld.f); i++) {
        const char *name = pt_get(ld.f, i)->name;
        size_t n = strlen(name), k = strlen("visual.conv1.weight");
        if (n >= k && strcmp(name + n - k, "visual.conv1.weight") == 0 && (n == k || name[n - k - 1] == '.') &&
            n - k < KEYLEN) {
            memcpy(ld.prefix, name, n - k);
            ld.prefix[n - k] = 0;
            break;
        }
    }
    if (infer_config(&ld, &m->cfg, err) != 0) goto fail;
    m->vis_layers = ppad_calloc((size_t)m->cfg.vision_layers, sizeof(clip_layer), err);
    m->txt_layers = ppad_calloc((size_t)m->cfg.text_layers, sizeof(clip_layer), err);
    if (!m->vis_layers || !m->txt_layers) goto fail;
    if (walk(&ld, m, err) != 0) goto fail; /* counting pass: validates every shape first */
    m->n_params = ld.count;
    const size_t in_block = ld.count - ld.mapped;
    m->block = ppad_aligned_alloc((in_block ? in_block : 1) * sizeof(float), err);
    if (!m->block) goto fail;
    m->n_vis_mats = ld.count_tail;
    m->vis_mats = m->block + (in_block - ld.count_tail);
    ld.cursor = m->block;
    ld.tail = m->vis_mats;
    ld.count = ld.count_tail = ld.mapped = 0;
    if (walk(&ld, m, err) != 0) goto fail;
    m->n_tensors = pt_count(ld.f);
    for (int i = 0; i < pt_count(ld.f); i++) {
        const pt_tensor *t = pt_get(ld.f, i);
        if ((int)t->dtype >= 0 && (int)t->dtype < 10) {
            m->dtype_tensors[t->dtype]++;
            m->dtype_params[t->dtype] += t->numel;
        }
    }
    m->n_mapped = ld.mapped;
    m->fingerprint = pt_fingerprint(ld.f);
    snprintf(m->path, sizeof m->path, "%s", path);
    if (ld.mapped) m->file = ld.f; /* the mapped tensors live as long as the model */
    else pt_close(ld.f);
    m->load_seconds = ppad_now() - t0;
    return 0;
fail:
    pt_close(ld.f);
    clip_free(m);
    return -1;
}

/* Returns the whole pages inside [p, p + n) to the system (the range stays
 * mapped and reads as zeros; nothing reads it again). */
static void release_pages(void *p, size_t n) {
    const uintptr_t pg = (uintptr_t)sysconf(_SC_PAGESIZE);
    uintptr_t a = ((uintptr_t)p + pg - 1) / pg * pg, b = ((uintptr_t)p + n) / pg * pg;
    if (b > a) madvise((void *)a, b - a, MADV_DONTNEED);
}

int clip_enable_bf16(clip_model *m, ppad_err *err) {
    if (m->block16) return 1;
    if (!gemm_bf16_supported()) return 0;
    const clip_config *c = &m->cfg;
    const size_t W = (size_t)c->vision_width;
    size_t per_layer = 12 * W * W; /* qkv 3W^2 + out W^2 + fc 4W^2 + proj 4W^2 */
    size_t n = per_layer * (size_t)c->vision_layers + W * 3 * c->patch * c->patch;
    uint16_t *b = ppad_aligned_alloc(sizeof(uint16_t) * n, err);
    if (!b) return -1;
    uint16_t *cur = b;
#define CONV(dst, src, count)                                                          \
    do {                                                                               \
        size_t cnt_ = (count);                                                         \
        for (size_t i_ = 0; i_ < cnt_; i_++) cur[i_] = gemm_f32_to_bf16((src)[i_]);    \
        (dst) = cur;                                                                   \
        cur += cnt_;                                                                   \
    } while (0)
    /* conv1 first: it leads the tail. After each conversion the fp32 pages done
     * so far are given back, so the bf16 copies never coexist with all of them. */
    CONV(m->conv1_w16, m->conv1_w, W * 3 * c->patch * c->patch);
    release_pages(m->vis_mats, (size_t)(m->conv1_w + W * 3 * c->patch * c->patch - m->vis_mats) * sizeof(float));
    m->conv1_w = NULL;
    for (int l = 0; l < c->vision_layers; l++) {
        clip_layer *ly = &m->vis_layers[l];
        CONV(ly->qkv_w16, ly->qkv_w, 3 * W * W);
        CONV(ly->out_w16, ly->out_w, W * W);
        CONV(ly->fc_w16, ly->fc_w, 4 * W * W);
        CONV(ly->proj_w16, ly->proj_w, 4 * W * W);
        const float *hi = ly->qkv_w + 3 * W * W;
        const float *ends[3] = {ly->out_w + W * W, ly->fc_w + 4 * W * W, ly->proj_w + 4 * W * W};
        for (int k = 0; k < 3; k++)
            if (ends[k] > hi) hi = ends[k];
        release_pages(m->vis_mats, (size_t)(hi - m->vis_mats) * sizeof(float));
        /* the fp32 originals are no longer read */
        ly->qkv_w = ly->out_w = ly->fc_w = ly->proj_w = NULL;
    }
#undef CONV
    m->block16 = b;
    release_pages(m->vis_mats, m->n_vis_mats * sizeof(float));
    return 1;
}

void clip_free(clip_model *m) {
    if (!m) return;
    pt_close(m->file);
    free(m->block16);
    free(m->block);
    free(m->vis_layers);
    free(m->txt_layers);
    memset(m, 0, sizeof *m);
}

int clip_eot_index(const int32_t *ids, int n) {
    int best = 0;
    for (int i = 1; i < n; i++)
        if (ids[i] > ids[best]) best = i;
    return best;
}

/* OpenAI's CLIP ViT configurations, named only when every number matches. */
void clip_arch_name(const clip_config *c, char *buf, size_t n) {
    static const struct { const char *name; int image, patch, vw, vl, ew, tw, tl, ctx, vocab; } known[] = {
        {"ViT-B/32", 224, 32, 768, 12, 512, 512, 12, 77, 49408},
        {"ViT-B/16", 224, 16, 768, 12, 512, 512, 12, 77, 49408},
        {"ViT-L/14", 224, 14, 1024, 24, 768, 768, 12, 77, 49408},
        {"ViT-L/14@336px", 336, 14, 1024, 24, 768, 768, 12, 77, 49408},
    };
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
        if (c->image_size == known[i].image && c->patch == known[i].patch && c->vision_width == known[i].vw &&
            c->vision_layers == known[i].vl && c->embed_dim == known[i].ew && c->text_width == known[i].tw &&
            c->text_layers == known[i].tl && c->context == known[i].ctx && c->vocab == known[i].vocab) {
            snprintf(buf, n, "CLIP %s", known[i].name);
            return;
        }
    snprintf(buf, n, "CLIP ViT (%d layer%s, width %d, patch %d; text %d layer%s, width %d)", c->vision_layers,
             c->vision_layers == 1 ? "" : "s", c->vision_width, c->patch, c->text_layers,
             c->text_layers == 1 ? "" : "s", c->text_width);
}
