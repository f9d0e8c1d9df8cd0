/* dataset_csv.c — a generic dataset manifest: a CSV file whose header names the
 * columns "path" and "label" (0 normal, 1 abnormal) and optionally "split"
 * (train or test). Records are parsed by src/base/csv (double quotes with ""
 * escapes, CRLF); blank lines are skipped and a UTF-8 byte order mark is
 * accepted. Relative paths are taken from the CSV's folder. */
#include <stdlib.h>
#include <sys/stat.h>
#include <string.h>

#include "base/csv.h"
#include "base/error.h"
#include "base/fileio.h"
#include "data/dataset_internal.h"

static char *dirname_of(const char *file, ppad_err *err) {
    const char *slash = strrchr(file, '/');
    if (!slash) return ppad_strdup(".", err);
    size_t n = slash == file ? 1 : (size_t)(slash - file);
    char *d = ppad_malloc(n + 1, err);
    if (d) {
        memcpy(d, file, n);
        d[n] = 0;
    }
    return d;
}

/* One listed image, to find rows that name the same file twice. */
typedef struct row_id { dev_t dev; ino_t ino; long line; } row_id;

static int cmp_row(const void *a, const void *b) {
    const row_id *x = a, *y = b;
    if (x->dev != y->dev) return x->dev < y->dev ? -1 : 1;
    if (x->ino != y->ino) return x->ino < y->ino ? -1 : 1;
    return (x->line > y->line) - (x->line < y->line);
}

/* Fails naming the first (by line) row that repeats an earlier one: the same
 * file listed twice counts twice in every metric. */
static int check_duplicates(row_id *rows, size_t n, const char *file, ppad_err *err) {
    qsort(rows, n, sizeof *rows, cmp_row);
    long worst = -1, first = -1;
    for (size_t i = 1; i < n; i++)
        if (rows[i].dev == rows[i - 1].dev && rows[i].ino == rows[i - 1].ino && (worst < 0 || rows[i].line < worst)) {
            worst = rows[i].line;
            size_t j = i;
            while (j > 0 && rows[j - 1].dev == rows[i].dev && rows[j - 1].ino == rows[i].ino) j--;
            first = rows[j].line;
        }
    if (worst >= 0) return ppad_fail(err, "%s:%ld: lists the same image as line %ld (duplicate row)", file, worst, first);
    return 0;
}

int ds_open_csv(dataset *d, const char *file, ds_list *train, ds_list *test, ppad_err *err) {
    (void)d;
    unsigned char *text;
    size_t size;
    if (!file_exists(file)) return file_fail_not_regular(file, err);
    if (file_read_all(&text, &size, file, err)) return -1;
    char *base = dirname_of(file, err);
    if (!base) {
        free(text);
        return -1;
    }
    ds_list abn = {0};
    csv_record rec = {0};
    row_id *rows = NULL;
    size_t n_rows = 0, cap_rows = 0;
    int rc = -1, col_path = -1, col_label = -1, col_split = -1, ncols = 0;
    char *s = (char *)text;
    if (size >= 3 && !memcmp(s, "\xEF\xBB\xBF", 3)) s += 3;
    if (memchr(text, 0, size)) {
        ppad_fail(err, "%s: not a text file (holds NUL bytes)", file);
        goto done;
    }
    char *pos = s, *end = (char *)text + size;
    long line = 1, lineno;
    int header = 1, got;
    while ((got = csv_next(&pos, end, &line, &rec, err)) == 1) {
        if (csv_blank(&rec)) continue;
        char **f = rec.f;
        const int nf = rec.n;
        lineno = rec.line;
        if (header) {
            header = 0;
            ncols = nf;
            for (int i = 0; i < nf; i++) {
                if (!strcmp(f[i], "path") && col_path < 0) col_path = i;
                else if (!strcmp(f[i], "label") && col_label < 0) col_label = i;
                else if (!strcmp(f[i], "split") && col_split < 0) col_split = i;
            }
            if (col_path < 0 || col_label < 0) {
                ppad_fail(err, "%s:%ld: the header must name the columns path and label (e.g. 'path,label')", file,
                          lineno);
                goto done;
            }
            continue;
        }
        if (nf != ncols) {
            ppad_fail(err, "%s:%ld: %d fields, the header has %d", file, lineno, nf, ncols);
            goto done;
        }
        const char *path = f[col_path], *lab = f[col_label];
        if (!path[0]) {
            ppad_fail(err, "%s:%ld: empty path", file, lineno);
            goto done;
        }
        int label;
        if (!strcmp(lab, "0")) label = 0;
        else if (!strcmp(lab, "1")) label = 1;
        else {
            ppad_fail(err, "%s:%ld: label '%s' is not 0 (normal) or 1 (abnormal)", file, lineno, lab);
            goto done;
        }
        int is_train = 0;
        if (col_split >= 0) {
            const char *sp = f[col_split];
            if (!strcmp(sp, "train")) is_train = 1;
            else if (strcmp(sp, "test")) {
                ppad_fail(err, "%s:%ld: split '%s' is not train or test", file, lineno, sp);
                goto done;
            }
        }
        if (is_train && label) {
            ppad_fail(err, "%s:%ld: a train row must be normal (label 0): training uses normal images only", file,
                      lineno);
            goto done;
        }
        char *full = path[0] == '/' ? ppad_strdup(path, err) : ds_join(base, path, err);
        if (!full) goto done;
        struct stat st;
        if (stat(full, &st) != 0 || !S_ISREG(st.st_mode)) {
            ppad_err why;
            file_fail_not_regular(full, &why);
            ppad_fail(err, "%s (an image listed in %s line %ld)", why.msg, file, lineno);
            free(full);
            goto done;
        }
        if (n_rows == cap_rows) {
            size_t nc = cap_rows ? 2 * cap_rows : 256;
            row_id *nr = realloc(rows, sizeof *rows * nc);
            if (!nr) {
                ppad_fail(err, "%s: out of memory", file);
                free(full);
                goto done;
            }
            rows = nr, cap_rows = nc;
        }
        rows[n_rows++] = (row_id){st.st_dev, st.st_ino, lineno};
        if (ds_list_add(is_train ? train : label ? &abn : test, full, label, err)) goto done;
    }
    if (got < 0) {
        ppad_fail_prefix(err, file);
        goto done;
    }
    if (header) {
        ppad_fail(err, "%s: empty manifest (expected a header 'path,label')", file);
        goto done;
    }
    if (train->n + test->n + abn.n == 0) {
        ppad_fail(err, "%s: the manifest lists no images", file);
        goto done;
    }
    if (check_duplicates(rows, n_rows, file, err)) goto done;
    rc = ds_list_append(test, &abn, err);
done:
    free(rows);
    csv_record_free(&rec);
    ds_list_free(&abn);
    free(base);
    free(text);
    return rc;
}
