/* scores_csv.c — reads the label, score, path and p_* columns of a CSV file. */
#include "ppad/scores_csv.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/csv.h"
#include "base/error.h"
#include "base/fileio.h"

const char *const SCORES_PROB_COLUMNS[PPAD_NPOS] = {"p_left", "p_right", "p_upper", "p_lower", "p_whole"};

enum { COL_LABEL, COL_SCORE, COL_PATH, COL_P0, COL_N = COL_P0 + PPAD_NPOS };
static const char *const COL_NAMES[COL_N] = {"label", "score", "path", "p_left", "p_right", "p_upper", "p_lower",
                                             "p_whole"};

static int grow(ppad_scores *s, long *cap, ppad_err *err) {
    long c = *cap ? 2 * *cap : 1024;
    int *l = realloc(s->labels, sizeof(int) * (size_t)c);
    if (l) s->labels = l;
    double *v = realloc(s->scores, sizeof(double) * (size_t)c);
    if (v) s->scores = v;
    int ok = l && v;
    if (ok && s->paths) {
        char **p = realloc(s->paths, sizeof(char *) * (size_t)c);
        if (p) s->paths = p;
        ok = p != NULL;
    }
    if (ok && s->probs) {
        double *p = realloc(s->probs, sizeof(double) * PPAD_NPOS * (size_t)c);
        if (p) s->probs = p;
        ok = p != NULL;
    }
    if (!ok) return ppad_fail(err, "out of memory");
    *cap = c;
    return 0;
}

/* A required finite number; empty allowed (NaN) when may_be_empty. */
static int parse_number(double *out, const char *s, int may_be_empty) {
    if (!*s) {
        *out = NAN;
        return may_be_empty ? 0 : -1;
    }
    char *e;
    *out = strtod(s, &e);
    return *e || !isfinite(*out) ? -1 : 0;
}

int scores_csv_read(ppad_scores *out, const char *path, ppad_err *err) {
    memset(out, 0, sizeof *out);
    if (dir_exists(path)) return ppad_fail(err, "%s: is a folder, expected a CSV file with columns label,score", path);
    unsigned char *data;
    size_t size;
    if (file_read_all(&data, &size, path, err) != 0) return -1;
    char *pos = (char *)data, *end = (char *)data + size;
    csv_record rec = {0};
    long line = 1, cap = 0;
    int ncol = 0, col[COL_N], rc = -1, got, any_prob = 0;
    got = csv_header(&pos, end, &line, &rec, COL_NAMES, COL_N, col, err);
    if (got < 0) goto fail_prefix;
    if (got == 0) {
        ppad_fail(err, "%s: empty file (expected a CSV header with columns named 'label' and 'score')", path);
        goto out;
    }
    ncol = rec.n;
    if (col[COL_LABEL] < 0 || col[COL_SCORE] < 0) {
        ppad_fail(err, "%s: line %ld: the header has no column named '%s' (expected columns 'label' and 'score')",
                  path, rec.line, col[COL_LABEL] < 0 ? "label" : "score");
        goto out;
    }
    for (int k = 0; k < PPAD_NPOS; k++) {
        out->has_prob[k] = col[COL_P0 + k] >= 0;
        any_prob |= out->has_prob[k];
    }
    /* non-NULL placeholders: grow() reallocates the optional arrays only when present */
    if (col[COL_PATH] >= 0 && !(out->paths = malloc(sizeof(char *)))) goto oom;
    if (any_prob && !(out->probs = malloc(sizeof(double) * PPAD_NPOS))) goto oom;
    /* rows */
    while ((got = csv_next(&pos, end, &line, &rec, err)) == 1) {
        if (csv_blank(&rec)) continue;
        if (rec.n != ncol) {
            ppad_fail(err, "%s: line %ld: %d field%s, but the header has %d", path, rec.line, rec.n,
                      rec.n == 1 ? "" : "s", ncol);
            goto out;
        }
        const char *ls = rec.f[col[COL_LABEL]], *ss = rec.f[col[COL_SCORE]];
        char *e;
        double lv = strtod(ls, &e);
        if (!*ls || *e || (lv != 0 && lv != 1)) {
            ppad_fail(err, "%s: line %ld: label '%s' is not 0 (normal) or 1 (abnormal)", path, rec.line, ls);
            goto out;
        }
        double sv = strtod(ss, &e);
        if (!*ss || *e) {
            ppad_fail(err, "%s: line %ld: score '%s' is not a number", path, rec.line, ss);
            goto out;
        }
        if (!isfinite(sv)) {
            ppad_fail(err, "%s: line %ld: score '%s' is not a finite number", path, rec.line, ss);
            goto out;
        }
        if (out->n == cap && grow(out, &cap, err) != 0) goto fail_prefix;
        if (out->probs) {
            double *p = out->probs + (size_t)out->n * PPAD_NPOS;
            for (int k = 0; k < PPAD_NPOS; k++) {
                p[k] = NAN;
                if (!out->has_prob[k]) continue;
                const char *f = rec.f[col[COL_P0 + k]];
                if (parse_number(&p[k], f, 1) != 0 || p[k] < 0 || p[k] > 1) {
                    ppad_fail(err, "%s: line %ld: %s '%s' is not a probability in [0, 1] (or empty)", path, rec.line,
                              SCORES_PROB_COLUMNS[k], f);
                    goto out;
                }
            }
        }
        if (out->paths && !(out->paths[out->n] = strdup(rec.f[col[COL_PATH]]))) goto oom;
        out->labels[out->n] = (int)lv;
        out->scores[out->n] = sv;
        out->n++;
    }
    if (got < 0) goto fail_prefix;
    if (out->n == 0) {
        ppad_fail(err, "%s: no data rows after the header", path);
        goto out;
    }
    rc = 0;
    goto out;
oom:
    ppad_fail(err, "out of memory");
fail_prefix:
    ppad_fail_prefix(err, path);
out:
    csv_record_free(&rec);
    free(data);
    if (rc) scores_free(out);
    return rc;
}

void scores_free(ppad_scores *s) {
    if (s->paths)
        for (long i = 0; i < s->n; i++) free(s->paths[i]);
    free(s->paths);
    free(s->labels);
    free(s->scores);
    free(s->probs);
    memset(s, 0, sizeof *s);
}
