/* evaluate.c — chunked scoring of image files. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/dist.h"
#include "base/error.h"
#include "ppad/evaluate.h"

int eval_load_default(gray8 *out, const void *ctx, const char *path, ppad_err *err) {
    return image_load_resized(out, path, 224, (const image_opts *)ctx, err);
}

int evaluate_load_chunk(float *pixels, const char *const *paths, int n, eval_loader load, const void *load_ctx, int S,
                        ppad_err *err) {
    for (int j0 = 0; j0 < n; j0 += EVAL_CHUNK) {
        int nb = n - j0 < EVAL_CHUNK ? n - j0 : EVAL_CHUNK, rc[EVAL_CHUNK];
        ppad_err why[EVAL_CHUNK];
        int bad = image_load_many(pixels + (size_t)j0 * 3 * S * S, rc, why, paths + j0, nb, S, load, load_ctx);
        if (bad >= 0) {
            *err = why[bad];
            return -1;
        }
    }
    return 0;
}

/* Under MPI the chunks of EVAL_CHUNK images are dealt round-robin: in round
 * k, rank r scores chunk k * size + r (exactly the chunk one process would
 * score, so every row comes out with the same bits), and all ranks exchange
 * the round's rows, so that every rank hands every row to the callback in
 * input order. Round-robin keeps each round's chunks consecutive, so rows
 * stream out in order with one chunk per rank in memory. What a rank sends
 * for its chunk (a "blob"): */
typedef struct blob_head { int32_t nb, fail; } blob_head;  /* fail: the chunk ended the run; its message follows */
typedef struct blob_row { double probs[PPAD_NPOS], fused; int32_t bad, pad; } blob_row; /* bad: message follows */

static int blob_put(char **buf, size_t *len, size_t *cap, const void *p, size_t n, ppad_err *err) {
    if (*len + n > *cap) {
        size_t c = (*cap ? *cap * 2 : 4096) + n;
        char *b = realloc(*buf, c);
        if (!b) return ppad_fail(err, "out of memory");
        *buf = b, *cap = c;
    }
    memcpy(*buf + *len, p, n);
    *len += n;
    return 0;
}

static int blob_msg(char **buf, size_t *len, size_t *cap, const ppad_err *e, ppad_err *err) {
    return blob_put(buf, len, cap, e->msg, strnlen(e->msg, sizeof e->msg - 1) + 1, err);
}

/* Scores chunk c (images i0 .. i0 + nb) into a blob. Returns -1 only when the
 * blob could not be made (then err says why); a failure of the chunk itself
 * goes into the blob. */
static int score_chunk(ppad_engine *e, const ppad_params *p, const char *const *paths, int i0, int nb,
                       eval_loader load, const void *load_ctx, int no_position, int skip_bad, float *pixels,
                       char **buf, size_t *len, size_t *cap, ppad_err *err) {
    const int S = e->m->cfg.image_size;
    const size_t npx = (size_t)3 * S * S;
    double probs[EVAL_CHUNK * PPAD_NPOS], fused[EVAL_CHUNK];
    int slot[EVAL_CHUNK];     /* per image of the chunk: its row in pixels, or -1 if it failed */
    ppad_err bad[EVAL_CHUNK]; /* why, for the failed ones */
    ppad_err why = {{0}};
    blob_head h = {nb, 0};
    int good = 0;
    *len = 0;
    int first_bad = image_load_many(pixels, slot, bad, paths + i0, nb, S, load, load_ctx);
    if (first_bad >= 0 && !skip_bad) {
        why = bad[first_bad];
        h.fail = 1;
    }
    for (int j = 0; j < nb && !h.fail; j++) { /* the good ones to the front, in order */
        if (slot[j] != 0) {
            slot[j] = -1;
            continue;
        }
        if (good != j) memcpy(pixels + (size_t)good * npx, pixels + (size_t)j * npx, sizeof(float) * npx);
        slot[j] = good++;
    }
    if (!h.fail && good && score_images(e, p, pixels, good, no_position, probs, fused, &why) != 0) h.fail = 1;
    if (blob_put(buf, len, cap, &h, sizeof h, err) != 0) return -1;
    if (h.fail) return blob_msg(buf, len, cap, &why, err);
    for (int j = 0; j < nb; j++) {
        int k = slot[j];
        blob_row r = {.bad = k < 0};
        if (k >= 0) memcpy(r.probs, probs + (size_t)k * PPAD_NPOS, sizeof r.probs), r.fused = fused[k];
        if (blob_put(buf, len, cap, &r, sizeof r, err) != 0) return -1;
        if (k < 0 && blob_msg(buf, len, cap, &bad[j], err) != 0) return -1;
    }
    return 0;
}

/* Hands the rows of one chunk's blob to row; -1 (err) if the chunk failed or row did. */
static int deliver(const char *b, int i0, eval_row_fn row, void *row_ctx, ppad_err *err) {
    blob_head h;
    memcpy(&h, b, sizeof h);
    b += sizeof h;
    if (h.fail) return ppad_fail(err, "%s", b);
    for (int j = 0; j < h.nb; j++) {
        blob_row r;
        memcpy(&r, b, sizeof r);
        b += sizeof r;
        ppad_err why;
        if (r.bad) {
            snprintf(why.msg, sizeof why.msg, "%s", b);
            b += strlen(b) + 1;
        }
        if (row(row_ctx, i0 + j, r.bad ? NULL : r.probs, r.bad ? NAN : r.fused, r.bad ? &why : NULL, err) != 0)
            return -1;
    }
    return 0;
}

int evaluate_stream(ppad_engine *e, const ppad_params *p, const char *const *paths, int n, eval_loader load,
                    const void *load_ctx, int no_position, int skip_bad, eval_row_fn row, void *row_ctx,
                    ppad_progress *progress, ppad_err *err) {
    const int S = e->m->cfg.image_size, ranks = dist_size(), rank = dist_rank();
    const int n_chunks = (n + EVAL_CHUNK - 1) / EVAL_CHUNK;
    const size_t npx = (size_t)3 * S * S;
    float *pixels = ppad_aligned_alloc(sizeof(float) * npx * EVAL_CHUNK, err);
    size_t *counts = ppad_malloc(sizeof(size_t) * (size_t)ranks, err);
    char *blob = NULL, *all = NULL;
    size_t len = 0, cap = 0;
    int rc = pixels && counts ? 0 : -1;
    /* the 10 prompt texts: every rank encodes them (cheap next to one chunk) */
    if (rc == 0) rc = engine_encode_texts(e, p, 0, err);
    if ((rc = dist_agree(rc, err)) != 0) goto out;
    for (int c0 = 0; c0 < n_chunks; c0 += ranks) {
        int c = c0 + rank;
        len = 0;
        if (c < n_chunks) {
            int i0 = c * EVAL_CHUNK, nb = n - i0 < EVAL_CHUNK ? n - i0 : EVAL_CHUNK;
            rc = score_chunk(e, p, paths, i0, nb, load, load_ctx, no_position, skip_bad, pixels, &blob, &len, &cap,
                             err);
        }
        if ((rc = dist_agree(rc, err)) != 0) goto out;
        free(all);
        dist_allgather(blob, len, (void **)&all, counts);
        /* every rank delivers the round's rows in input order, up to a failed chunk */
        size_t off = 0;
        for (int r = 0; r < ranks && c0 + r < n_chunks && rc == 0; r++) {
            rc = deliver(all + off, (c0 + r) * EVAL_CHUNK, row, row_ctx, err);
            off += counts[r];
        }
        if ((rc = dist_agree(rc, err)) != 0) goto out;
        if (progress) {
            int done = (c0 + ranks) * EVAL_CHUNK;
            progress_update(progress, done < n ? done : n, NULL);
        }
    }
    rc = 0;
out:
    free(pixels), free(counts), free(blob), free(all);
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
