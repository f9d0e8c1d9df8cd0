/* evaluate.c — chunked scoring of image files. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "ppad/evaluate.h"

#define EVAL_CHUNK 32

int eval_load_default(gray8 *out, const void *ctx, const char *path, ppad_err *err) {
    return image_load_resized(out, path, 224, (const image_opts *)ctx, err);
}

int evaluate_load_chunk(float *pixels, const char *const *paths, int n, eval_loader load, const void *load_ctx, int S,
                        ppad_err *err) {
    const size_t npx = (size_t)3 * S * S;
    for (int j = 0; j < n; j++) {
        gray8 g;
        if (load(&g, load_ctx, paths[j], err) != 0) return -1;
        if (g.w != S || g.h != S) {
            gray8_free(&g);
            return ppad_fail(err, "%s: loaded at %dx%d, the model needs %dx%d", paths[j], g.w, g.h, S, S);
        }
        image_normalize(pixels + (size_t)j * npx, &g);
        gray8_free(&g);
    }
    return 0;
}

int evaluate_stream(ppad_engine *e, const ppad_params *p, const char *const *paths, int n, eval_loader load,
                    const void *load_ctx, int no_position, int skip_bad, eval_row_fn row, void *row_ctx,
                    ppad_progress *progress, ppad_err *err) {
    const int S = e->m->cfg.image_size;
    const size_t npx = (size_t)3 * S * S;
    float *pixels = ppad_aligned_alloc(sizeof(float) * npx * EVAL_CHUNK, err);
    double probs[EVAL_CHUNK * PPAD_NPOS], fused[EVAL_CHUNK];
    int slot[EVAL_CHUNK];        /* per image of the chunk: its row in pixels, or -1 if it failed */
    ppad_err bad[EVAL_CHUNK];    /* why, for the failed ones */
    int rc = -1;
    if (!pixels) return -1;
    if (engine_encode_texts(e, p, 0, err) != 0) goto out;
    for (int i0 = 0; i0 < n; i0 += EVAL_CHUNK) {
        int nb = n - i0 < EVAL_CHUNK ? n - i0 : EVAL_CHUNK, good = 0;
        for (int j = 0; j < nb; j++) {
            ppad_err *why = skip_bad ? &bad[j] : err;
            memset(why, 0, sizeof *why);
            if (evaluate_load_chunk(pixels + (size_t)good * npx, paths + i0 + j, 1, load, load_ctx, S, why) == 0) {
                slot[j] = good++;
            } else {
                if (!skip_bad) goto out;
                slot[j] = -1;
            }
        }
        if (good && score_images(e, p, pixels, good, no_position, probs, fused, err) != 0) goto out;
        for (int j = 0; j < nb; j++) {
            int k = slot[j];
            if (row(row_ctx, i0 + j, k >= 0 ? probs + (size_t)k * PPAD_NPOS : NULL, k >= 0 ? fused[k] : NAN,
                    k >= 0 ? NULL : &bad[j], err) != 0)
                goto out;
        }
        if (progress) progress_update(progress, i0 + nb, NULL);
    }
    rc = 0;
out:
    free(pixels);
    return rc;
}

typedef struct rows_into { double *probs, *fused; } rows_into;

static int store_row(void *ctx, int i, const double *probs, double fused, const ppad_err *bad, ppad_err *err) {
    (void)bad, (void)err;
    rows_into *r = ctx;
    memcpy(r->probs + (size_t)i * PPAD_NPOS, probs, sizeof(double) * PPAD_NPOS);
    r->fused[i] = fused;
    return 0;
}

int evaluate_paths(ppad_engine *e, const ppad_params *p, const char *const *paths, int n, eval_loader load,
                   const void *load_ctx, int no_position, double *probs, double *fused, ppad_progress *progress,
                   ppad_err *err) {
    rows_into r = {probs, fused};
    return evaluate_stream(e, p, paths, n, load, load_ctx, no_position, 0, store_row, &r, progress, err);
}

int eval_load_dataset(gray8 *out, const void *ctx, const char *path, ppad_err *err) {
    return dataset_load_image(out, (const dataset *)ctx, path, err);
}

int evaluate_dataset(ppad_engine *e, const ppad_params *p, const dataset *d, int no_position, double threshold,
                     double *probs, double *fused, ppad_metrics *out, ppad_progress *progress, ppad_err *err) {
    if (d->n_test == 0) return ppad_fail(err, "%s: the dataset has no test images", d->root);
    const int n = (int)d->n_test;
    const char **paths = ppad_malloc(sizeof(char *) * (size_t)n, err);
    int *labels = ppad_malloc(sizeof(int) * (size_t)n, err);
    int rc = -1;
    if (!paths || !labels) goto out;
    for (int i = 0; i < n; i++) {
        paths[i] = d->test[i].path;
        labels[i] = d->test[i].label;
    }
    if (evaluate_paths(e, p, paths, n, eval_load_dataset, d, no_position, probs, fused, progress, err) != 0) goto out;
    if (metrics_compute(out, labels, fused, n, threshold, err) != 0) {
        ppad_fail_prefix(err, d->root);
        goto out;
    }
    rc = 0;
out:
    free(paths), free(labels);
    return rc;
}
