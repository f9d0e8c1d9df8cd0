/* api.c — the public PPAD API of ppad.h (prompts, datasets, training,
 * scoring, metrics) over the internal engine. Every call that runs the towers
 * builds its own engine with the paper's prompt words, so the objects carry
 * no hidden state between calls. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef _OPENMP
#include <omp.h>
#endif
#include <cblas.h>

#include "base/error.h"
#include "ppad/evaluate.h"
#include "ppad/explain.h"
#include "ppad/train.h"

#define API_MICRO 16

void ppad_set_threads(int n) {
    if (n <= 0) return;
#ifdef _OPENMP
    omp_set_num_threads(n);
#endif
    openblas_set_num_threads(n);
}

int ppad_set_precision(ppad_model *m, const char *precision, ppad_err *err) {
    if (!precision || !strcmp(precision, "fp32")) return 0;
    if (strcmp(precision, "bf16") != 0) return ppad_fail(err, "precision must be fp32 or bf16, not '%s'", precision);
    return clip_enable_bf16(m, err);
}

static ppad_prompts *prompts_new(const ppad_model *m, ppad_err *err) {
    ppad_prompts *p = ppad_calloc(1, sizeof *p, err);
    if (!p) return NULL;
    const clip_config *c = &m->cfg;
    if (params_alloc(p, PPAD_NCTX, c->text_width, c->n_patches, c->vision_width, err) != 0) {
        free(p);
        return NULL;
    }
    return p;
}

int ppad_prompts_init(ppad_prompts **out, const ppad_model *m, unsigned long long seed, ppad_err *err) {
    *out = prompts_new(m, err);
    if (!*out) return -1;
    params_init_random(*out, seed);
    prov_set(&(*out)->prov, m->path, m->fingerprint, "init", NULL, seed);
    return 0;
}

int ppad_prompts_load(ppad_prompts **out, const ppad_model *m, const char *path, ppad_err *err) {
    return ppad_prompts_load_flags(out, m, path, 0, err) < 0 ? -1 : 0;
}

int ppad_prompts_load_flags(ppad_prompts **out, const ppad_model *m, const char *path, unsigned flags,
                            ppad_err *err) {
    *out = NULL;
    ppad_prompts *p = ppad_calloc(1, sizeof *p, err);
    if (!p) return -1;
    if (params_load(p, path, err) != 0) {
        free(p);
        return -1;
    }
    if (params_check_model(p, m, path, err) != 0) {
        ppad_prompts_free(p);
        return -1;
    }
    ppad_err why;
    if (prov_check_backbone(&p->prov, m, path, &why)) {
        if (flags & PPAD_PROMPTS_STRICT) {
            ppad_fail(err, "%s (refused: strict)", why.msg);
            ppad_prompts_free(p);
            return -1;
        }
        *out = p;
        if (flags & PPAD_PROMPTS_QUIET) {
            *err = why;
            return 1;
        }
        fprintf(stderr, "ppad: warning: %s\n", why.msg);
        return 0;
    }
    *out = p;
    return 0;
}

int ppad_prompts_save(const ppad_prompts *p, const char *path, ppad_err *err) { return params_save(p, path, err); }

void ppad_prompts_free(ppad_prompts *p) {
    if (!p) return;
    params_free(p);
    free(p);
}

int ppad_dataset_open(ppad_dataset **out, const char *root, const char *layout, ppad_err *err) {
    *out = ppad_calloc(1, sizeof **out, err);
    if (!*out) return -1;
    if (dataset_open(*out, root, layout, err) != 0) {
        free(*out);
        *out = NULL;
        return -1;
    }
    return 0;
}

void ppad_dataset_free(ppad_dataset *d) {
    if (!d) return;
    dataset_free(d);
    free(d);
}

long ppad_dataset_size(const ppad_dataset *d, int test_split) { return (long)(test_split ? d->n_test : d->n_train); }

/* An engine with the paper's prompt words (no vocabulary needed). */
static int engine_open(ppad_engine *e, ppad_seqs *seqs, const ppad_model *m, int micro, ppad_err *err) {
    ppad_names names;
    names_default(&names);
    if (seqs_build(seqs, &names, PPAD_NCTX, NULL, err) != 0) return -1;
    return engine_init(e, m, seqs, micro > 0 ? micro : API_MICRO, 1, err);
}

void ppad_train_config_default(ppad_train_config *c) {
    ppad_train_opts o;
    train_opts_default(&o);
    memset(c, 0, sizeof *c);
    c->shots = o.shots, c->epochs = o.epochs, c->batch = o.batch;
    c->lr = o.lr, c->momentum = o.momentum, c->p_synth = o.p_synth;
    c->synthesis = "sas";
    c->seed = 0;
    c->micro_batch = API_MICRO;
    c->quiet = 1;
}

int ppad_train_prompts(const ppad_model *m, ppad_prompts *p, const ppad_dataset *d, const ppad_train_config *c,
                       ppad_err *err) {
    ppad_train_opts o;
    train_opts_default(&o);
    o.shots = c->shots, o.epochs = c->epochs, o.batch = c->batch;
    o.lr = c->lr, o.momentum = c->momentum, o.p_synth = c->p_synth;
    o.t_max = c->t_max;
    o.seed = c->seed;
    o.quiet = c->quiet;
    if (!c->synthesis || !strcmp(c->synthesis, "sas")) o.synthesis = TRAIN_SAS;
    else if (!strcmp(c->synthesis, "fpi")) o.synthesis = TRAIN_FPI;
    else if (!strcmp(c->synthesis, "none")) o.synthesis = TRAIN_NONE;
    else return ppad_fail(err, "synthesis must be sas, fpi or none, not '%s'", c->synthesis);
    if (o.shots < 1 || o.epochs < 1 || o.batch < 1) return ppad_fail(err, "shots, epochs and batch must be >= 1");
    if (!(o.p_synth >= 0 && o.p_synth <= 1)) return ppad_fail(err, "p_synth must be in [0, 1]");
    if (!(isfinite(o.lr) && o.lr > 0)) return ppad_fail(err, "lr must be a finite number > 0, not %g", o.lr);
    if (!(o.momentum >= 0 && o.momentum < 1)) return ppad_fail(err, "momentum must be in [0, 1), not %g", o.momentum);
    if (params_check_model(p, m, "prompts", err) != 0) return -1;
    ppad_engine e;
    ppad_seqs seqs;
    if (engine_open(&e, &seqs, m, c->micro_batch, err) != 0) return -1;
    p->momentum_init = 0; /* a fresh optimiser, as `ppad train --init` */
    int rc = ppad_train(&e, p, d, &o, err);
    engine_free(&e);
    return rc;
}

int ppad_score_files(const ppad_model *m, const ppad_prompts *p, const char *const *paths, int n, double *probs,
                     double *fused, ppad_err *err) {
    if (n < 0) return ppad_fail(err, "negative image count");
    if (params_check_model(p, m, "prompts", err) != 0) return -1;
    double *pr = probs ? probs : ppad_malloc(sizeof(double) * (size_t)(n > 0 ? n : 1) * PPAD_NPOS, err);
    if (!pr) return -1;
    ppad_engine e;
    ppad_seqs seqs;
    int rc = -1;
    if (engine_open(&e, &seqs, m, API_MICRO, err) == 0) {
        rc = evaluate_paths(&e, p, paths, n, eval_load_default, NULL, 0, pr, fused, NULL, err);
        engine_free(&e);
    }
    for (int i = 0; rc == 0 && i < n; i++) /* never a score that is not a number */
        for (int k = 0; k < PPAD_NPOS; k++)
            if (isnan(pr[(size_t)i * PPAD_NPOS + k]) || (fused && !isfinite(fused[i]))) {
                rc = ppad_fail(err, "%s: the score is not a finite number; check the prompts and the backbone", paths[i]);
                break;
            }
    if (pr != probs) free(pr);
    return rc;
}

int ppad_evaluate(const ppad_model *m, const ppad_prompts *p, const ppad_dataset *d, double threshold,
                  double *fused, ppad_metrics *out, ppad_err *err) {
    if (!(threshold >= 0 && threshold <= 1)) return ppad_fail(err, "threshold must be in [0, 1], not %g", threshold);
    if (params_check_model(p, m, "prompts", err) != 0) return -1;
    const size_t n = d->n_test > 0 ? d->n_test : 1;
    double *probs = ppad_malloc(sizeof(double) * n * PPAD_NPOS, err);
    double *f = fused ? fused : ppad_malloc(sizeof(double) * n, err);
    ppad_engine e;
    ppad_seqs seqs;
    int rc = -1;
    if (probs && f && engine_open(&e, &seqs, m, API_MICRO, err) == 0) {
        rc = evaluate_dataset(&e, p, d, 0, threshold, probs, f, out, NULL, err);
        engine_free(&e);
    }
    free(probs);
    if (f != fused) free(f);
    return rc;
}

_Static_assert(PPAD_EXPLAIN_RELEVANCE == EXPLAIN_RELEVANCE && PPAD_EXPLAIN_GRADCAM == EXPLAIN_GRADCAM,
               "public and internal explanation methods agree");

int ppad_explain_files(const ppad_model *m, const ppad_prompts *p, const char *const *paths, int n, int method,
                       float *maps, double *probs, double *fused, ppad_err *err) {
    if (n < 0) return ppad_fail(err, "negative image count");
    if (method != EXPLAIN_RELEVANCE && method != EXPLAIN_GRADCAM) return ppad_fail(err, "unknown heat-map method %d", method);
    if (params_check_model(p, m, "prompts", err) != 0) return -1;
    const int S = m->cfg.image_size;
    float *pixels = ppad_aligned_alloc(sizeof(float) * 3 * (size_t)S * S, err);
    if (!pixels) return -1;
    ppad_engine e;
    ppad_seqs seqs;
    ppad_explainer x;
    int rc = -1;
    if (engine_open(&e, &seqs, m, API_MICRO, err) != 0) goto out_px;
    if (explain_init(&x, &e, method, err) != 0) goto out_e;
    if (engine_encode_texts(&e, p, 0, err) != 0) goto out_x;
    for (int i = 0; i < n; i++) {
        explain_result r;
        if (evaluate_load_chunk(pixels, paths + i, 1, eval_load_default, NULL, S, err) != 0) goto out_x;
        if (explain_image(&x, p, pixels, &r, err) != 0) goto out_x;
        memcpy(maps + (size_t)i * PPAD_NPOS * EXPLAIN_NP, r.maps, sizeof r.maps);
        if (probs) memcpy(probs + (size_t)i * PPAD_NPOS, r.probs, sizeof r.probs);
        if (fused) fused[i] = r.fused;
    }
    rc = 0;
out_x:
    explain_free(&x);
out_e:
    engine_free(&e);
out_px:
    free(pixels);
    return rc;
}
