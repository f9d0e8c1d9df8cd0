/* explain_shard.c — ppad explain's images over the MPI ranks (issue 14):
 * chunks of EVAL_CHUNK images dealt round-robin as predict deals them (one
 * image a chunk in one process, so rows still stream out one by one); each
 * rank loads, explains and draws its chunk, the round's results are gathered
 * and rank 0 alone hands them to the caller in input order (it writes every
 * file), up to the first failure. */
#include <stdint.h>
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

/* Explains images i0 .. i0 + nb into b; stops after a failure unless skip_bad. */
static int explain_chunk(const cli_explain_job *j, size_t i0, size_t nb, buf *b) {
    for (size_t i = i0; i < i0 + nb; i++) {
        const char *path = j->in->paths[i];
        item_head h;
        memset(&h, 0, sizeof h);
        gray8 orig = {0};
        report_visual v = {{0}, {0}};
        ppad_err why = {{0}};
        if (cli_explain_load(&orig, j->pixels, path, j->io, j->S, &why) == 0 &&
            explain_image(j->x, j->p, j->pixels, &h.r, &why) == 0 && cli_explain_check(path, &h.r, &why) == 0) {
            h.ok = 1;
            if (j->draw && report_explain_draw(&v, &orig, &h.r, j->method, j->threshold, &why) != 0) {
                ppad_fail_prefix(&why, path);
                h.ok = 0, h.fatal = 1;
            }
        }
        gray8_free(&orig);
        if (h.ok) h.ov = v.overlay.size, h.pn = v.panel.size;
        else h.msg_len = strlen(why.msg);
        int rc = put(b, &h, sizeof h) || put(b, why.msg, h.msg_len) || put(b, v.overlay.data, h.ov) ||
                 put(b, v.panel.data, h.pn);
        report_blob_free(&v.overlay);
        report_blob_free(&v.panel);
        if (rc) return -1;
        if (!h.ok && (h.fatal || !j->skip_bad)) break;
    }
    return 0;
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
            cli_error(&why);
            (*n_bad)++;
            continue;
        }
        report_visual v = {{(unsigned char *)p + off, h.ov}, {(unsigned char *)p + off + h.ov, h.pn}};
        off += h.ov + h.pn;
        if (j->row(j->row_ctx, i, &h.r, j->draw ? &v : NULL, err) != 0) return -1;
    }
    return 0;
}

int cli_explain_shard(const cli_explain_job *j, long *n_bad, ppad_progress *bar, ppad_err *err) {
    const int ranks = dist_size(), rank = dist_rank();
    const size_t n = j->in->n, chunk = ranks == 1 ? 1 : EVAL_CHUNK;
    const size_t n_chunks = (n + chunk - 1) / chunk;
    size_t *counts = malloc(sizeof(size_t) * (size_t)ranks);
    buf b = {0};
    int rc = counts ? 0 : ppad_fail(err, "out of memory");
    *n_bad = 0;
    if ((rc = dist_agree(rc, err)) != 0) goto out;
    for (size_t c0 = 0; c0 < n_chunks; c0 += (size_t)ranks) {
        size_t c = c0 + (size_t)rank;
        b.len = 0;
        if (c < n_chunks) {
            size_t i0 = c * chunk, nb = n - i0 < chunk ? n - i0 : chunk;
            if (explain_chunk(j, i0, nb, &b) != 0) rc = ppad_fail(err, "out of memory explaining the images");
        }
        if ((rc = dist_agree(rc, err)) != 0) goto out;
        char *all = NULL;
        if (ranks > 1) dist_allgather(b.p, b.len, (void **)&all, counts);
        else all = b.p, counts[0] = b.len;
        size_t off = 0;
        for (int r = 0; dist_root() && r < ranks && c0 + (size_t)r < n_chunks && rc == 0; r++) {
            rc = deliver(j, all + off, counts[r], (c0 + (size_t)r) * chunk, n_bad, err);
            off += counts[r];
        }
        if (ranks > 1) free(all);
        if ((rc = dist_root_verdict(rc, err)) != 0) goto out;
        if (bar) progress_update(bar, (long)((c0 + (size_t)ranks) * chunk < n ? (c0 + (size_t)ranks) * chunk : n), NULL);
    }
    dist_bcast(n_bad, sizeof *n_bad, 0);
out:
    free(b.p);
    free(counts);
    return rc;
}
