/* train.c — the PPAD training loop: shots, synthesis, SGD with a cosine schedule. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/dist.h"
#include "base/error.h"
#include "base/parallel.h"
#include "base/progress.h"
#include "base/rng.h"
#include "synth/synth.h"
#include "data/data.h"
#include "ppad/train.h"

void train_opts_default(ppad_train_opts *o) {
    memset(o, 0, sizeof *o);
    o->shots = 64;
    o->epochs = 100;
    o->batch = 64;
    o->lr = 1e-3;
    o->momentum = 0.9;
    o->p_synth = 0.5;
    o->seed = 0;
    o->synthesis = TRAIN_SAS;
    o->label = "train";
}

/* Fisher-Yates with ppad's rng. */
static void shuffle(int *a, int n, ppad_rng *r) {
    for (int i = n - 1; i > 0; i--) {
        int j = (int)rng_int(r, 0, i + 1);
        int t = a[i];
        a[i] = a[j];
        a[j] = t;
    }
}

typedef struct shot_cache {
    int n;
    gray8 *img; /* at the dataset's base size (224, or 256 for VinDr) */
} shot_cache;

static void cache_free(shot_cache *c) {
    for (int i = 0; i < c->n; i++) gray8_free(&c->img[i]);
    free(c->img);
    memset(c, 0, sizeof *c);
}

/* The shots, one file per thread: shot i is the training image order[i]. */
typedef struct shot_jobs {
    gray8 *img; /* (shots) */
    const dataset *d;
    const int *order;
} shot_jobs;

static int shot_load_one(void *ctx, int i, ppad_err *err) {
    const shot_jobs *L = ctx;
    return dataset_load_base(&L->img[i], L->d, L->d->train[L->order[i]].path, err);
}

/* One training sample: draws position and synthesis, writes normalised pixels. */
static int make_sample(float *pixels, int *position, int *label, const shot_cache *c, int k, const ppad_train_opts *o,
                       int S, ppad_rng *r, gray8 *work, ppad_err *err) {
    const gray8 *src = &c->img[k];
    int pos = o->no_position ? REGION_WHOLE : sas_draw_position(r);
    int synth = o->synthesis != TRAIN_NONE && rng_uniform(r) < o->p_synth;
    const gray8 *use = src;
    if (synth) {
        if (o->synthesis == TRAIN_SAS) {
            if (sas_apply(work, NULL, src, pos, NAN, r, NULL, err) != 0) return -1;
        } else {
            int other = c->n > 1 ? (int)rng_int(r, 0, c->n - 1) : 0;
            if (c->n > 1 && other >= k) other++;
            if (fpi_apply(work, NULL, src, &c->img[other], pos, r, NULL, err) != 0) return -1;
        }
        use = work;
    }
    gray8 resized = {0};
    if (use->w != S || use->h != S) {
        if (image_resize_bicubic(&resized, use, S, S, err) != 0) return -1;
        use = &resized;
    }
    image_normalize(pixels, use);
    gray8_free(&resized);
    *position = pos;
    *label = synth ? 1 : 0;
    return 0;
}

/* The shortest decimal that reads back as v. */
static void shortest(char *buf, size_t n, double v) {
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(buf, n, "%.*g", prec, v);
        if (strtod(buf, NULL) == v) return;
    }
}

/* The provenance of prompts trained with o on e's backbone. */
static void train_provenance(ppad_params *p, const ppad_engine *e, const ppad_train_opts *o) {
    static const char *const SYN[] = {"sas", "fpi", "none"};
    char lr[32], mom[32], ps[32], cfg[512];
    shortest(lr, sizeof lr, o->lr);
    shortest(mom, sizeof mom, o->momentum);
    shortest(ps, sizeof ps, o->p_synth);
    snprintf(cfg, sizeof cfg,
             "shots=%d epochs=%d batch=%d lr=%s momentum=%s p_synth=%s synthesis=%s no_position=%d precision=%s",
             o->shots, o->epochs, o->batch, lr, mom, ps,
             o->synthesis >= 0 && o->synthesis <= 2 ? SYN[o->synthesis] : "?", o->no_position,
             e->m->block16 ? "bf16" : "fp32");
    prov_set(&p->prov, e->m->path, e->m->fingerprint, "ppad train", cfg, o->seed);
}

/* Training stops at the first step whose loss or gradients (before the SGD
 * step) or prompts (after it) are not finite: nothing later would mean anything. */
static int check_finite(const ppad_params *p, double loss, int step, int ep, int after, ppad_err *err) {
    const char *what = NULL;
    if (!isfinite(loss)) what = "the loss";
    else if (!after && !params_finite(p->d_ctx, p->n)) what = "a gradient";
    else if (after && !params_finite(p->ctx, p->n)) what = "a prompt value";
    if (!what) return 0;
    return ppad_fail(err, "training stopped at step %d (epoch %d): %s is not a finite number%s; no prompts written "
                     "(a smaller learning rate, or prompts and backbone without NaN/inf, may help)",
                     step + 1, ep + 1, what, after ? " after the SGD step" : "");
}

int ppad_train(ppad_engine *e, ppad_params *p, const dataset *d, const ppad_train_opts *o, ppad_err *err) {
    const clip_model *m = e->m;
    const int S = m->cfg.image_size;
    const size_t npx = (size_t)3 * S * S;
    if (d->n_train == 0) return ppad_fail(err, "%s: no training normals", d->root);
    if (o->shots < 1 || o->batch < 1 || o->epochs < 1)
        return ppad_fail(err, "shots, batch and epochs must be positive");
    if (o->t_max < 0) return ppad_fail(err, "the cosine period t_max must be positive (0: epochs)");
    if ((size_t)o->shots > d->n_train)
        return ppad_fail(err, "%s: --shots %d but only %zu training normals", d->root, o->shots, d->n_train);
    ppad_rng master, r;
    rng_seed(&master, o->seed);
    /* the shots: a seeded draw without replacement */
    int *order = ppad_malloc(sizeof(int) * d->n_train, err);
    int *perm = ppad_malloc(sizeof(int) * (size_t)o->shots, err);
    int *pos = ppad_malloc(sizeof(int) * (size_t)o->batch, err);
    int *lab = ppad_malloc(sizeof(int) * (size_t)o->batch, err);
    float *pixels = ppad_aligned_alloc(sizeof(float) * npx * (size_t)o->batch, err);
    shot_cache cache = {0};
    gray8 work = {0};
    int rc = -1, lrc = 0;
    if (!order || !perm || !pos || !lab || !pixels) goto setup;
    for (size_t i = 0; i < d->n_train; i++) order[i] = (int)i;
    rng_split(&r, &master);
    shuffle(order, (int)d->n_train, &r);
    cache.img = ppad_calloc((size_t)o->shots, sizeof(gray8), err);
    if (!cache.img) goto setup;
    {
        int *rcs = ppad_malloc(sizeof(int) * (size_t)o->shots, err);
        ppad_err *whys = ppad_malloc(sizeof(ppad_err) * (size_t)o->shots, err);
        shot_jobs L = {cache.img, d, order};
        int ok = rcs && whys, bad = ok ? par_run(rcs, whys, o->shots, shot_load_one, &L) : -1;
        cache.n = o->shots; /* the ones that failed stay zero, which cache_free accepts */
        if (bad >= 0) *err = whys[bad];
        free(rcs), free(whys);
        if (!ok || bad >= 0) goto setup;
    }
    if (gray8_alloc(&work, cache.img[0].w, cache.img[0].h, err) != 0) goto setup;
    lrc = 1;
setup:
    /* under MPI every rank loads the shots and draws every sample of each
     * batch (the same rng stream), then computes its own micro-batches */
    if (dist_agree(lrc ? 0 : -1, err) != 0) goto out;

    const int per_epoch = (o->shots + o->batch - 1) / o->batch;
    const int total = per_epoch * o->epochs;
    const int t_max = o->t_max > 0 ? o->t_max : o->epochs; /* the authors' T_max = max_epoch */
    ppad_progress bar;
    progress_begin(&bar, o->label ? o->label : "train", total, o->quiet);
    if (o->log) fprintf(o->log, "step,epoch,lr,loss,n_abnormal,seconds\n");
    double lr = o->lr, t0 = ppad_now(), last_loss = NAN;
    train_provenance(p, e, o);
    int step = 0;
    for (int ep = 0; ep < o->epochs; ep++) {
        ppad_rng er;
        rng_split(&er, &master);
        for (int i = 0; i < o->shots; i++) perm[i] = i;
        shuffle(perm, o->shots, &er);
        for (int b0 = 0; b0 < o->shots; b0 += o->batch, step++) {
            int nb = o->shots - b0 < o->batch ? o->shots - b0 : o->batch, n_ab = 0, src = 0;
            for (int j = 0; j < nb && src == 0; j++) {
                src = make_sample(pixels + (size_t)j * npx, &pos[j], &lab[j], &cache, perm[b0 + j], o, S, &er, &work,
                                  err);
                n_ab += lab[j];
            }
            if (dist_agree(src, err) != 0) goto out;
            double loss;
            lr = cosine_lr_next(lr, o->lr, step, t_max);
            if (engine_loss_grad(e, p, pixels, pos, lab, nb, &loss, NULL, err) != 0) goto out;
            if (check_finite(p, loss, step, ep, 0, err) != 0) goto out;
            params_sgd_step(p, lr, o->momentum);
            if (check_finite(p, loss, step, ep, 1, err) != 0) goto out;
            last_loss = loss;
            if (o->log) {
                fprintf(o->log, "%d,%d,%.9g,%.9g,%d,%.3f\n", step + 1, ep + 1, lr, loss, n_ab, ppad_now() - t0);
                fflush(o->log);
            }
            char extra[64];
            snprintf(extra, sizeof extra, "epoch %d/%d loss %.4f", ep + 1, o->epochs, loss);
            progress_update(&bar, step + 1, extra);
        }
        int last = ep + 1 == o->epochs;
        if (o->on_eval && (last || (o->eval_every > 0 && (ep + 1) % o->eval_every == 0))) {
            if (o->on_eval(o->eval_ctx, ep + 1, p, err) != 0) goto out;
        }
    }
    {
        char extra[64];
        snprintf(extra, sizeof extra, "loss %.4f", last_loss);
        progress_end(&bar, extra);
    }
    rc = 0;
out:
    cache_free(&cache);
    gray8_free(&work);
    free(order), free(perm), free(pos), free(lab), free(pixels);
    return rc;
}
