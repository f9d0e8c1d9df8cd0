/* evaluate.c — chunked scoring of image files. */
#include <stdlib.h>

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

int evaluate_paths(ppad_engine *e, const ppad_params *p, const char *const *paths, int n, eval_loader load,
                   const void *load_ctx, int no_position, double *probs, double *fused, ppad_progress *progress,
                   ppad_err *err) {
    const int S = e->m->cfg.image_size;
    const size_t npx = (size_t)3 * S * S;
    float *pixels = ppad_aligned_alloc(sizeof(float) * npx * EVAL_CHUNK, err);
    if (!pixels) return -1;
    if (engine_encode_texts(e, p, 0, err) != 0) goto fail;
    for (int i0 = 0; i0 < n; i0 += EVAL_CHUNK) {
        int nb = n - i0 < EVAL_CHUNK ? n - i0 : EVAL_CHUNK;
        if (evaluate_load_chunk(pixels, paths + i0, nb, load, load_ctx, S, err) != 0) goto fail;
        if (score_images(e, p, pixels, nb, no_position, probs + (size_t)i0 * PPAD_NPOS, fused + i0, err) != 0)
            goto fail;
        if (progress) progress_update(progress, i0 + nb, NULL);
    }
    free(pixels);
    return 0;
fail:
    free(pixels);
    return -1;
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
