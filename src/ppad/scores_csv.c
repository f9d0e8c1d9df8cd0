/* scores_csv.c — reads the label and score columns of a CSV file. */
#include "ppad/scores_csv.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/csv.h"
#include "base/error.h"
#include "base/fileio.h"

static int grow(ppad_scores *s, long *cap, ppad_err *err) {
    long c = *cap ? 2 * *cap : 1024;
    int *l = realloc(s->labels, sizeof(int) * (size_t)c);
    if (l) s->labels = l;
    double *v = realloc(s->scores, sizeof(double) * (size_t)c);
    if (v) s->scores = v;
    if (!l || !v) return ppad_fail(err, "out of memory");
    *cap = c;
    return 0;
}

int scores_csv_read(ppad_scores *out, const char *path, ppad_err *err) {
    memset(out, 0, sizeof *out);
    if (dir_exists(path)) return ppad_fail(err, "%s: is a folder, expected a CSV file with columns label,score", path);
    unsigned char *data;
    size_t size;
    if (file_read_all(&data, &size, path, err) != 0) return -1;
    char *pos = (char *)data, *end = (char *)data + size;
    if (size >= 3 && memcmp(pos, "\xEF\xBB\xBF", 3) == 0) pos += 3;
    csv_record rec = {0};
    long line = 1, cap = 0;
    int ncol = 0, col_label = -1, col_score = -1, rc = -1, got;
    /* header */
    while ((got = csv_next(&pos, end, &line, &rec, err)) == 1 && csv_blank(&rec)) {
    }
    if (got < 0) goto fail_prefix;
    if (got == 0) {
        ppad_fail(err, "%s: empty file (expected a CSV header with columns named 'label' and 'score')", path);
        goto out;
    }
    ncol = rec.n;
    for (int i = 0; i < ncol; i++) {
        int *col = strcasecmp(rec.f[i], "label") == 0   ? &col_label
                   : strcasecmp(rec.f[i], "score") == 0 ? &col_score
                                                        : NULL;
        if (!col) continue;
        if (*col >= 0) {
            ppad_fail(err, "%s: line %ld: the header has two columns named '%s'", path, rec.line, rec.f[i]);
            goto out;
        }
        *col = i;
    }
    if (col_label < 0 || col_score < 0) {
        ppad_fail(err, "%s: line %ld: the header has no column named '%s' (expected columns 'label' and 'score')",
                  path, rec.line, col_label < 0 ? "label" : "score");
        goto out;
    }
    /* rows */
    while ((got = csv_next(&pos, end, &line, &rec, err)) == 1) {
        if (csv_blank(&rec)) continue;
        if (rec.n != ncol) {
            ppad_fail(err, "%s: line %ld: %d field%s, but the header has %d", path, rec.line, rec.n,
                      rec.n == 1 ? "" : "s", ncol);
            goto out;
        }
        const char *ls = rec.f[col_label], *ss = rec.f[col_score];
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
fail_prefix:
    ppad_fail_prefix(err, path);
out:
    csv_record_free(&rec);
    free(data);
    if (rc) scores_free(out);
    return rc;
}

void scores_free(ppad_scores *s) {
    free(s->labels);
    free(s->scores);
    memset(s, 0, sizeof *s);
}
