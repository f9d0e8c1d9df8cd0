/* model_random.c — writes a random-initialised CLIP ViT checkpoint with
 * CheXzero's exact key names, shapes and mixed fp16/fp32 layout, initialised
 * as OpenAI CLIP initialises a fresh model. Used by the demo, which must run
 * without downloading anything: a random backbone is no diagnostic model. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "base/rng.h"
#include "clip/model.h"
#include "clip/model_demo.h"
#include "formats/torch_pt.h"

typedef struct builder {
    pt_out_tensor *ts;
    char **names; /* owned key strings */
    int n, cap;
    float **bufs;
    ppad_rng rng;
    ppad_err *err;
    int failed;
} builder;

enum { INIT_NORMAL, INIT_UNIFORM, INIT_CONST };

/* Adds a tensor; half = stored as fp16 (what clip.load's convert_weights makes fp16). */
static void add(builder *b, const char *key, int half, int ndim, int64_t d0, int64_t d1, int64_t d2, int64_t d3,
                int init, double a) {
    if (b->failed) return;
    if (b->n == b->cap) {
        int cap = b->cap ? 2 * b->cap : 512;
        pt_out_tensor *ts = realloc(b->ts, sizeof *ts * (size_t)cap);
        if (ts) b->ts = ts;
        char **names = realloc(b->names, sizeof *names * (size_t)cap);
        if (names) b->names = names;
        float **bufs = realloc(b->bufs, sizeof *bufs * (size_t)cap);
        if (bufs) b->bufs = bufs;
        if (!ts || !names || !bufs) {
            b->failed = 1;
            ppad_fail(b->err, "out of memory");
            return;
        }
        b->cap = cap;
    }
    int64_t shape[4] = {d0, d1, d2, d3}, numel = 1;
    for (int i = 0; i < ndim; i++) numel *= shape[i];
    float *buf = ppad_malloc(sizeof(float) * (size_t)numel, b->err);
    char *name = ppad_strdup(key, b->err);
    if (!buf || !name) {
        free(buf), free(name);
        b->failed = 1;
        return;
    }
    for (int64_t i = 0; i < numel; i++)
        buf[i] = init == INIT_NORMAL ? (float)rng_normal(&b->rng, 0.0, a)
               : init == INIT_UNIFORM ? (float)((2.0 * rng_uniform(&b->rng) - 1.0) * a)
                                      : (float)a;
    pt_out_tensor *t = &b->ts[b->n];
    memset(t, 0, sizeof *t);
    t->key = name;
    t->data = buf;
    t->ndim = ndim;
    for (int i = 0; i < ndim; i++) t->shape[i] = shape[i];
    t->half = half;
    b->names[b->n] = name;
    b->bufs[b->n] = buf;
    b->n++;
}

static void add_blocks(builder *b, const char *tower, int L, int W, double gain) {
    char k[160];
    double attn_std = pow(W, -0.5), proj_std = gain * pow(W, -0.5) * pow(2.0 * L, -0.5), fc_std = pow(2.0 * W, -0.5);
    for (int i = 0; i < L; i++) {
#define K(s) (snprintf(k, sizeof k, "%stransformer.resblocks.%d.%s", tower, i, s), k)
        add(b, K("attn.in_proj_weight"), 1, 2, 3 * W, W, 0, 0, INIT_NORMAL, attn_std);
        add(b, K("attn.in_proj_bias"), 1, 1, 3 * W, 0, 0, 0, INIT_CONST, 0);
        add(b, K("attn.out_proj.weight"), 1, 2, W, W, 0, 0, INIT_NORMAL, proj_std);
        add(b, K("attn.out_proj.bias"), 1, 1, W, 0, 0, 0, INIT_CONST, 0);
        add(b, K("ln_1.weight"), 0, 1, W, 0, 0, 0, INIT_CONST, 1);
        add(b, K("ln_1.bias"), 0, 1, W, 0, 0, 0, INIT_CONST, 0);
        add(b, K("mlp.c_fc.weight"), 1, 2, 4 * W, W, 0, 0, INIT_NORMAL, fc_std);
        add(b, K("mlp.c_fc.bias"), 1, 1, 4 * W, 0, 0, 0, INIT_UNIFORM, pow(W, -0.5));
        add(b, K("mlp.c_proj.weight"), 1, 2, W, 4 * W, 0, 0, INIT_NORMAL, proj_std);
        add(b, K("mlp.c_proj.bias"), 1, 1, W, 0, 0, 0, INIT_UNIFORM, pow(4.0 * W, -0.5));
        add(b, K("ln_2.weight"), 0, 1, W, 0, 0, 0, INIT_CONST, 1);
        add(b, K("ln_2.bias"), 0, 1, W, 0, 0, 0, INIT_CONST, 0);
#undef K
    }
}

/* conv1 (width, 3, P, P): every filter takes, on each cell x cell block, the value its
 * draw has at the block's top-left pixel — a low-pass patch embedding that sees
 * (P / cell)^2 block means of each patch instead of single pixels. */
static void conv_cells(float *w, int64_t filters, int P, int cell) {
    for (int64_t f = 0; f < filters; f++)
        for (int y = 0; y < P; y++)
            for (int x = 0; x < P; x++) w[f * P * P + y * P + x] = w[f * P * P + y / cell * cell * P + x / cell * cell];
}

/* demo_lookup over the builder's tensors */
static float *builder_find(void *cx, const char *key, int64_t numel) {
    builder *b = cx;
    for (int i = 0; i < b->n; i++) {
        if (strcmp(b->names[i], key)) continue;
        int64_t n = 1;
        for (int d = 0; d < b->ts[i].ndim; d++) n *= b->ts[i].shape[d];
        return n == numel ? b->bufs[i] : NULL;
    }
    return NULL;
}

int clip_random_check(const clip_config *c, const clip_random_opts *o, ppad_err *err) {
    if (o->patch_cell > 1 && c->patch % o->patch_cell)
        return ppad_fail(err, "--patch-cell %d does not divide the patch size %d", o->patch_cell, c->patch);
    if (o->demo && (o->embed_std > 0 || o->residual_gain > 0 || o->patch_cell > 1))
        return ppad_fail(err, "--demo sets the image tower by hand: not with --embed-std, --residual-gain or --patch-cell");
    if (o->demo && demo_backbone_check(c, err)) return -1;
    return 0;
}

int clip_random_write(const char *path, const clip_config *c, unsigned long long seed, const clip_random_opts *o,
                      ppad_err *err) {
    const clip_random_opts none = {0};
    if (!o) o = &none;
    if (clip_random_check(c, o, err)) return -1;
    const double embed_std = o->embed_std, residual_gain = o->residual_gain;
    builder b = {.err = err};
    rng_seed(&b.rng, seed);
    const int Wv = c->vision_width, Wt = c->text_width, E = c->embed_dim, P = c->patch, G = c->grid;
    const double vscale = pow(Wv, -0.5), estd = embed_std > 0 ? embed_std : vscale;
    /* the order of CLIP's state_dict() */
    add(&b, "positional_embedding", 0, 2, c->context, Wt, 0, 0, INIT_NORMAL, 0.01);
    add(&b, "text_projection", 1, 2, Wt, E, 0, 0, INIT_NORMAL, pow(Wt, -0.5));
    add(&b, "logit_scale", 0, 0, 0, 0, 0, 0, INIT_CONST, log(100.0));
    add(&b, "visual.class_embedding", 0, 1, Wv, 0, 0, 0, INIT_NORMAL, estd);
    add(&b, "visual.positional_embedding", 0, 2, G * G + 1, Wv, 0, 0, INIT_NORMAL, estd);
    add(&b, "visual.proj", 1, 2, Wv, E, 0, 0, INIT_NORMAL, vscale);
    add(&b, "visual.conv1.weight", 1, 4, Wv, 3, P, P, INIT_UNIFORM, 1.0 / sqrt(3.0 * P * P));
    if (!b.failed && o->patch_cell > 1) conv_cells(b.bufs[b.n - 1], 3LL * Wv, P, o->patch_cell);
    add(&b, "visual.ln_pre.weight", 0, 1, Wv, 0, 0, 0, INIT_CONST, 1);
    add(&b, "visual.ln_pre.bias", 0, 1, Wv, 0, 0, 0, INIT_CONST, 0);
    add_blocks(&b, "visual.", c->vision_layers, Wv, residual_gain > 0 ? residual_gain : 1.0);
    add(&b, "visual.ln_post.weight", 0, 1, Wv, 0, 0, 0, INIT_CONST, 1);
    add(&b, "visual.ln_post.bias", 0, 1, Wv, 0, 0, 0, INIT_CONST, 0);
    add_blocks(&b, "", c->text_layers, Wt, 1.0);
    add(&b, "token_embedding.weight", 0, 2, c->vocab, Wt, 0, 0, INIT_NORMAL, 0.02);
    add(&b, "ln_final.weight", 0, 1, Wt, 0, 0, 0, INIT_CONST, 1);
    add(&b, "ln_final.bias", 0, 1, Wt, 0, 0, 0, INIT_CONST, 0);
    if (!b.failed && o->demo && demo_backbone_fill(builder_find, &b, c, err)) b.failed = 1;
    int rc = b.failed ? -1 : pt_write_f32(path, b.ts, b.n, err);
    for (int i = 0; i < b.n; i++) free(b.names[i]), free(b.bufs[i]);
    free(b.ts), free(b.names), free(b.bufs);
    return rc;
}
