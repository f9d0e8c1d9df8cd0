/* train.h — PPAD's training loop (spec section 4).
 *
 * `shots` normal images are drawn (seeded) from the training normals and kept
 * in memory. Every epoch visits them in a fresh random order, in batches of
 * `batch`. Each sample, each time it is drawn, gets a position drawn uniformly
 * from the five (only "whole" with no_position) and, with probability
 * p_synth, a synthetic lesion inside that position's region (SAS, or FPI
 * blending a patch of another shot) and label 1; otherwise it stays normal,
 * label 0. One SGD step (momentum, cosine learning rate) per batch.
 *
 * The learning rate follows the authors' CosineAnnealingLR(T_max = epochs),
 * stepped once per iteration (spec section 4). At the paper's settings (one
 * iteration per epoch) that is one cosine over the run; with shots > batch it
 * reaches zero after `epochs` iterations and rises again, as theirs does.
 * t_max > 0 sets another period in iterations (t_max = epochs x iterations per
 * epoch: one cosine over all steps). */
#ifndef PPAD_PPAD_TRAIN_H
#define PPAD_PPAD_TRAIN_H

#include <stdio.h>

#include "data/data.h"
#include "ppad/engine.h"

enum { TRAIN_SAS = 0, TRAIN_FPI = 1, TRAIN_NONE = 2 };

typedef struct ppad_train_opts {
    int shots, epochs, batch;
    double lr, momentum, p_synth;
    int t_max;       /* cosine period in iterations; 0: epochs (the authors') */
    unsigned long long seed;
    int synthesis;   /* TRAIN_SAS, TRAIN_FPI, TRAIN_NONE */
    int no_position; /* train the whole-image prompts only */
    int eval_every;  /* call on_eval every K epochs (0: only at the end) */
    /* Called after epochs eval_every, 2*eval_every, ... and after the last one. */
    int (*on_eval)(void *ctx, int epoch, const ppad_params *p, ppad_err *err);
    void *eval_ctx;
    FILE *log;       /* per-step CSV (step,epoch,lr,loss,n_abnormal,seconds) or NULL */
    int quiet;       /* no progress bar */
    const char *label; /* progress bar label */
} ppad_train_opts;

void train_opts_default(ppad_train_opts *o);
int  ppad_train(ppad_engine *e, ppad_params *p, const dataset *d, const ppad_train_opts *o, ppad_err *err);

#endif
