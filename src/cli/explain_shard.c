/* explain_shard.c — ppad explain's images over the MPI ranks (issue 14):
 * chunks of EVAL_CHUNK images dealt round-robin as predict deals them (one
 * image a chunk in one process, so rows still stream out one by one); each
 * rank loads and explains its chunk; unless a failure ends the run in this
 * round, it draws the pictures too; the round's results are gathered image by
 * image (one exchange holds one image a rank) and rank 0 alone hands them to
 * the caller in input order (it writes every file), up to the first failure. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/dist.h"
#include "base/error.h"
#include "cli/cli.h"
#include "ppad/evaluate.h"

/* One image's record in a chunk's blob; then msg_len bytes of message (a
 * failure), ov bytes of overlay PNG and pn bytes of panel PNG. */
typedef struct item_head {
    int32_t ok, fatal; /* fatal: ends the run even with --on-error skip (a picture that cannot be drawn) */
    uint64_t msg_len, ov, pn;
    explain_result r;
} item_head;

typedef struct buf {
    char *p;
    size_t len, cap;
} buf;

static int put(buf *b, const void *src, size_t n) {
    if (b->len + n > b->cap) {
        size_t cap = b->cap ? 2 * b->cap : 1 << 16;
        while (cap < b->len + n) cap *= 2;
        char *q = realloc(b->p, cap);
        if (!q) return -1;
        b->p = q, b->cap = cap;
    }
    if (n) memcpy(b->p + b->len, src, n);
    b->len += n;
    return 0;
}

/* One rank's chunk: images i0 .. i0 + nb explained (stopping after a failure
 * unless skip_bad), their pictures not yet drawn. */
typedef struct chunk_work {
    size_t nb;                /* images explained (up to and with a failure that ends the run) */
    int ends;                 /* 1: a failure here ends the run */
    item_head h[EVAL_CHUNK];
    ppad_err why[EVAL_CHUNK]; /* the failed ones' messages */
    gray8 orig[EVAL_CHUNK];   /* the good ones at their original size, for the pictures */
    size_t at[EVAL_CHUNK + 1]; /* image k's record: bytes at[k] .. at[k + 1] of the blob */
} chunk_work;

static void explain_chunk(const cli_explain_job *j, size_t i0, size_t nb, chunk_work *w) {
    w->nb = 0, w->ends = 0;
    for (size_t k = 0; k < nb; k++) {
        const char *path = j->in->paths[i0 + k];
        item_head *h = &w->h[k];
        memset(h, 0, sizeof *h);
        memset(&w->orig[k], 0, sizeof w->orig[k]);
        w->why[k].msg[0] = 0;
        w->nb = k + 1;
        int lrc = j->load ? j->load(j->load_ctx, &w->orig[k], j->pixels, path, &w->why[k])
                          : cli_explain_load(&w->orig[k], j->pixels, path, j->io, j->S, &w->why[k]);
        if (lrc == 0 &&
            explain_image(j->x, j->p, j->pixels, &h->r, &w->why[k]) == 0 && cli_explain_check(path, &h->r, &w->why[k]) == 0) {
            h->ok = 1;
            if (j->probs) { /* the check above is the explanation's own; the pictures show these */
                memcpy(h->r.probs, j->probs + (i0 + k) * PPAD_NPOS, sizeof h->r.probs);
                h->r.fused = j->fused[i0 + k];
            }
            if (!j->draw) gray8_free(&w->orig[k]);
            continue;
        }
        gray8_free(&w->orig[k]);
        if (!j->skip_bad) {
            w->ends = 1;
            break;
        }
    }
}

/* The chunk's blob into b; its pictures drawn only if draw (a run that goes
 * on: a failing one leaves no picture behind anyway). */
static int pack_chunk(const cli_explain_job *j, size_t i0, chunk_work *w, int draw, buf *b) {
    int rc = 0;
    w->at[0] = b->len;
    for (size_t k = 0; k < w->nb; k++) {
        item_head *h = &w->h[k];
        ppad_err *why = &w->why[k];
        report_visual v = {{0}, {0}};
        if (h->ok && draw && rc == 0 && report_explain_draw(&v, &w->orig[k], &h->r, j->method, j->threshold, why) != 0) {
            ppad_fail_prefix(why, j->in->paths[i0 + k]);
            h->ok = 0, h->fatal = 1;
        }
        gray8_free(&w->orig[k]);
        if (h->ok) h->ov = v.overlay.size, h->pn = v.panel.size;
        else h->msg_len = strlen(why->msg);
        if (rc == 0)
            rc = put(b, h, sizeof *h) || put(b, why->msg, h->ok ? 0 : h->msg_len) || put(b, v.overlay.data, h->ov) ||
                 put(b, v.panel.data, h->pn);
        report_blob_free(&v.overlay);
        report_blob_free(&v.panel);
        if (h->fatal) draw = 0; /* the run ends here: the rest is not delivered */
        w->at[k + 1] = b->len;
    }
    return rc ? -1 : 0;
}

/* Rank 0: the rows of one chunk's blob, to the callback. */
static int deliver(const cli_explain_job *j, const char *p, size_t len, size_t i, long *n_bad, ppad_err *err) {
    for (size_t off = 0; off < len; i++) {
        item_head h;
        memcpy(&h, p + off, sizeof h);
        off += sizeof h;
        if (!h.ok) {
            ppad_err why = {{0}};
            memcpy(why.msg, p + off, h.msg_len < sizeof why.msg ? h.msg_len : sizeof why.msg - 1);
            off += h.msg_len;
            if (h.fatal || !j->skip_bad) {
                *err = why;
                return -1;
            }
            if (j->bad) j->bad(j->row_ctx, i, &why);
            else cli_error(&why);
            (*n_bad)++;
            continue;
        }
        report_visual v = {{(unsigned char *)p + off, h.ov}, {(unsigned char *)p + off + h.ov, h.pn}};
        off += h.ov + h.pn;
        if (j->row(j->row_ctx, i, &h.r, h.ov ? &v : NULL, err) != 0) return -1;
    }
    return 0;
}

int cli_explain_shard(const cli_explain_job *j, long *n_bad, ppad_progress *bar, ppad_err *err) {
    const int ranks = dist_size(), rank = dist_rank();
    const size_t n = j->in->n, chunk = ranks == 1 ? 1 : j->chunk && j->chunk < EVAL_CHUNK ? j->chunk : EVAL_CHUNK;
    const size_t n_chunks = (n + chunk - 1) / chunk;
    size_t *counts = malloc(sizeof(size_t) * (size_t)ranks);
    buf b = {0};
    chunk_work *w = malloc(sizeof *w);
    buf *got = calloc((size_t)ranks, sizeof *got); /* rank 0: the round's records of each rank */
    int rc = counts && w && got ? 0 : ppad_fail(err, "out of memory");
    size_t mine = 0; /* images this rank explained (PPAD_DEBUG_SHARD=1: said on stderr) */
    *n_bad = 0;
    if ((rc = dist_agree(rc, err)) != 0) goto out;
    for (size_t c0 = 0; c0 < n_chunks; c0 += (size_t)ranks) {
        size_t c = c0 + (size_t)rank;
        b.len = 0;
        size_t i0 = c * chunk, nb = c < n_chunks ? (n - i0 < chunk ? n - i0 : chunk) : 0;
        explain_chunk(j, i0, nb, w);
        mine += w->nb;
        /* does a failure end the run in this round? then no rank draws */
        int32_t ends = w->ends, *flags = NULL;
        int any = ends;
        if (ranks > 1) {
            dist_allgather(&ends, sizeof ends, (void **)&flags, counts);
            for (int r = 0; r < ranks; r++) any |= flags[r];
            free(flags);
        }
        if (pack_chunk(j, i0, w, j->draw && !any, &b) != 0) rc = ppad_fail(err, "out of memory explaining the images");
        if ((rc = dist_agree(rc, err)) != 0) goto out;
        /* the records, image by image (slot k of every rank's chunk at once: one
         * exchange stays small); rank 0 keeps them per rank for the delivery */
        for (int r = 0; r < ranks; r++) got[r].len = 0;
        if (ranks == 1) got[0] = b; /* borrowed */
        for (size_t k = 0; ranks > 1 && k < chunk; k++) {
            size_t lo = k < w->nb ? w->at[k] : b.len, hi = k < w->nb ? w->at[k + 1] : b.len;
            char *all;
            dist_allgather(b.p + lo, hi - lo, (void **)&all, counts);
            size_t off = 0;
            for (int r = 0; dist_root() && r < ranks; off += counts[r], r++)
                if (put(&got[r], all + off, counts[r]) != 0) rc = ppad_fail(err, "out of memory explaining the images");
            free(all);
        }
        for (int r = 0; dist_root() && r < ranks && c0 + (size_t)r < n_chunks && rc == 0; r++)
            rc = deliver(j, got[r].p, got[r].len, (c0 + (size_t)r) * chunk, n_bad, err);
        if (ranks == 1) got[0] = (buf){0};
        if ((rc = dist_root_verdict(rc, err)) != 0) goto out;
        if (bar) progress_update(bar, (long)((c0 + (size_t)ranks) * chunk < n ? (c0 + (size_t)ranks) * chunk : n), NULL);
    }
    dist_bcast(n_bad, sizeof *n_bad, 0);
    if (getenv("PPAD_DEBUG_SHARD")) fprintf(dist_stderr(), "ppad: rank %d explained %zu images\n", rank, mine);
out:
    for (int r = 0; got && r < ranks; r++) free(got[r].p);
    free(got);
    free(b.p);
    free(counts);
    free(w);
    return rc;
}
