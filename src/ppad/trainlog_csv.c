/* trainlog_csv.c — the training log CSV (step,epoch,lr,loss,n_abnormal,seconds). */
#include "ppad/trainlog_csv.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/csv.h"
#include "base/error.h"
#include "base/fileio.h"

const char *const TRAINLOG_COLUMNS[TRAINLOG_NCOL] = {"step", "epoch", "lr", "loss", "n_abnormal", "seconds"};

static int required(int c) { return c == TRAINLOG_STEP || c == TRAINLOG_LR || c == TRAINLOG_LOSS; }

int trainlog_parse(ppad_train_log *out, const char *data, size_t size, const char *name, ppad_err *err) {
    memset(out, 0, sizeof *out);
    char *buf = ppad_malloc(size + 1, err); /* csv_next parses in place */
    if (!buf) return -1;
    memcpy(buf, data, size);
    buf[size] = 0;
    char *pos = buf, *end = buf + size;
    csv_record rec = {0};
    long line = 1, cap = 0;
    int col[TRAINLOG_NCOL], ncol, got, rc = -1;
    got = csv_header(&pos, end, &line, &rec, TRAINLOG_COLUMNS, TRAINLOG_NCOL, col, err);
    if (got < 0) goto fail_prefix;
    if (got == 0) {
        ppad_fail(err, "%s: empty file (expected a training log with header step,epoch,lr,loss,...)", name);
        goto out;
    }
    ncol = rec.n;
    for (int c = 0; c < TRAINLOG_NCOL; c++)
        if (required(c) && col[c] < 0) {
            ppad_fail(err,
                      "%s: line %ld: the header has no column named '%s' (a training log has step,epoch,lr,loss,"
                      "n_abnormal,seconds)",
                      name, rec.line, TRAINLOG_COLUMNS[c]);
            goto out;
        }
    while ((got = csv_next(&pos, end, &line, &rec, err)) == 1) {
        if (csv_blank(&rec)) continue;
        if (rec.n != ncol) {
            ppad_fail(err, "%s: line %ld: %d field%s, but the header has %d", name, rec.line, rec.n,
                      rec.n == 1 ? "" : "s", ncol);
            goto out;
        }
        if (out->n == cap) {
            long nc = cap ? 2 * cap : 256;
            for (int c = 0; c < TRAINLOG_NCOL; c++) {
                double *p = realloc(out->col[c], sizeof(double) * (size_t)nc);
                if (!p) {
                    ppad_fail(err, "%s: out of memory", name);
                    goto out;
                }
                out->col[c] = p;
            }
            cap = nc;
        }
        for (int c = 0; c < TRAINLOG_NCOL; c++) {
            double v = NAN;
            if (col[c] >= 0) {
                const char *f = rec.f[col[c]];
                char *e;
                v = strtod(f, &e);
                if (!*f || *e || !isfinite(v)) {
                    ppad_fail(err, "%s: line %ld: %s '%s' is not a finite number", name, rec.line, TRAINLOG_COLUMNS[c],
                              f);
                    goto out;
                }
            }
            out->col[c][out->n] = v;
        }
        out->n++;
    }
    if (got < 0) goto fail_prefix;
    if (out->n == 0) {
        ppad_fail(err, "%s: no data rows after the header", name);
        goto out;
    }
    rc = 0;
    goto out;
fail_prefix:
    ppad_fail_prefix(err, name);
out:
    csv_record_free(&rec);
    free(buf);
    if (rc) trainlog_free(out);
    return rc;
}

int trainlog_read(ppad_train_log *out, const char *path, ppad_err *err) {
    memset(out, 0, sizeof *out);
    if (dir_exists(path)) return ppad_fail(err, "%s: is a folder, expected a training log CSV", path);
    unsigned char *data;
    size_t size;
    if (file_read_all(&data, &size, path, err) != 0) return -1;
    int rc = trainlog_parse(out, (const char *)data, size, path, err);
    free(data);
    return rc;
}

void trainlog_free(ppad_train_log *l) {
    for (int c = 0; c < TRAINLOG_NCOL; c++) free(l->col[c]);
    memset(l, 0, sizeof *l);
}
