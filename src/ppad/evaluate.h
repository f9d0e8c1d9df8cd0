/* evaluate.h — scores a list of image files in bounded chunks (memory does
 * not grow with the number of images): per-position probabilities and the
 * fused score of every image. Used by `predict`, `test` and `train`'s
 * evaluations. */
#ifndef PPAD_PPAD_EVALUATE_H
#define PPAD_PPAD_EVALUATE_H

#include "base/progress.h"
#include "data/data.h"
#include "image/image.h"
#include "ppad/metrics.h"
#include "ppad/score.h"

/* Images per chunk; under MPI chunk c belongs to rank c % size (explain and
 * embed split their inputs the same way). */
#define EVAL_CHUNK 32

/* How to turn a path into the model's 224x224 gray input. */
typedef image_loader eval_loader;
/* Default loader: decode + Pillow bicubic straight to 224 (ctx: const image_opts *, may be NULL). */
int eval_load_default(gray8 *out, const void *ctx, const char *path, ppad_err *err);

/* Loader for a dataset's images (ctx: the const dataset *): its base size, then 224. */
int eval_load_dataset(gray8 *out, const void *ctx, const char *path, ppad_err *err);
/* Loads n images into pixels (n, 3, S, S), normalised as CheXzero does; fails
 * naming the file if one cannot be read or does not come out S x S. */
int evaluate_load_chunk(float *pixels, const char *const *paths, int n, eval_loader load, const void *load_ctx, int S,
                        ppad_err *err);
/* Receives the result of image i, in input order: probs (5; NaN where a
 * position was not scored) and fused; or, when bad is not NULL, why image i
 * could not be scored (only with skip_bad). Returns 0 to go on, -1 to stop
 * (with err filled). */
typedef int (*eval_row_fn)(void *ctx, int i, const double *probs, double fused, const ppad_err *bad, ppad_err *err);
/* Scores n images chunk by chunk, handing every row to row as soon as its
 * chunk is done (memory does not grow with n). Without skip_bad the first
 * image that cannot be loaded ends the run with its error; with it, the row
 * callback gets that error and scoring goes on. progress may be NULL.
 * Collective under MPI (base/dist.h): each rank scores its chunks of 32 and
 * every rank's callback gets every row, in input order. */
int evaluate_stream(ppad_engine *e, const ppad_params *p, const char *const *paths, int n, eval_loader load,
                    const void *load_ctx, int no_position, int skip_bad, eval_row_fn row, void *row_ctx,
                    ppad_progress *progress, ppad_err *err);
/* probs (n, 5) and fused (n). progress may be NULL. */
int evaluate_paths(ppad_engine *e, const ppad_params *p, const char *const *paths, int n, eval_loader load,
                   const void *load_ctx, int no_position, double *probs, double *fused, ppad_progress *progress,
                   ppad_err *err);

/* A dataset's test split: probs (n_test, 5) and fused (n_test), then the
 * metrics at threshold (errors prefixed with the dataset's root). */
int evaluate_dataset(ppad_engine *e, const ppad_params *p, const dataset *d, int no_position, double threshold,
                     double *probs, double *fused, ppad_metrics *out, ppad_progress *progress, ppad_err *err);

#endif
