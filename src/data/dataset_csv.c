/* dataset_csv.c — a generic dataset manifest: a CSV file whose header names the
 * columns "path" and "label" (0 normal, 1 abnormal) and optionally "split"
 * (train or test). Fields may be double-quoted ("" inside quotes is a quote);
 * blank lines are skipped; a UTF-8 byte order mark and CRLF line ends are
 * accepted. Relative paths are taken from the CSV's folder. */
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "base/fileio.h"
#include "data/dataset_internal.h"

enum { MAX_FIELDS = 64 };

/* Splits one line (NUL-terminated, modified in place) into at most MAX_FIELDS
 * fields. Returns the field count, or -1 on an unterminated quote. */
static int split_line(char *line, char **fields) {
    int n = 0;
    char *p = line;
    for (;;) {
        while (*p == ' ' || *p == '\t') p++;
        char *start = p, *w = p;
        if (*p == '"') {
            p++;
            for (;;) {
                if (!*p) return -1;
                if (*p == '"' && p[1] == '"') { *w++ = '"'; p += 2; continue; }
                if (*p == '"') { p++; break; }
                *w++ = *p++;
            }
            while (*p && *p != ',') p++; /* anything after the closing quote is ignored */
        } else {
            while (*p && *p != ',') *w++ = *p++;
            while (w > start && (w[-1] == ' ' || w[-1] == '\t')) w--;
        }
        int more = *p == ',';
        *w = 0;
        if (n < MAX_FIELDS) fields[n++] = start;
        if (!more) break;
        p++;
    }
    return n;
}

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

int ds_open_csv(dataset *d, const char *file, ds_list *train, ds_list *test, ppad_err *err) {
    (void)d;
    unsigned char *text;
    size_t size;
    if (!file_exists(file)) return ppad_fail(err, "%s: no such file", file);
    if (file_read_all(&text, &size, file, err)) return -1;
    char *base = dirname_of(file, err);
    if (!base) {
        free(text);
        return -1;
    }
    ds_list abn = {0};
    int rc = -1, col_path = -1, col_label = -1, col_split = -1, ncols = 0;
    char *s = (char *)text;
    if (size >= 3 && !memcmp(s, "\xEF\xBB\xBF", 3)) s += 3;
    if (memchr(text, 0, size)) {
        ppad_fail(err, "%s: not a text file (holds NUL bytes)", file);
        goto done;
    }
    long lineno = 0;
    int header = 1;
    while (*s) {
        char *line = s, *nl = strchr(s, '\n');
        if (nl) {
            *nl = 0;
            s = nl + 1;
        } else {
            s += strlen(s);
        }
        lineno++;
        size_t len = strlen(line);
        if (len && line[len - 1] == '\r') line[--len] = 0;
        char *q = line;
        while (*q == ' ' || *q == '\t') q++;
        if (!*q) continue; /* blank line */
        char *f[MAX_FIELDS];
        int nf = split_line(line, f);
        if (nf < 0) {
            ppad_fail(err, "%s:%ld: unterminated quoted field", file, lineno);
            goto done;
        }
        if (header) {
            header = 0;
            ncols = nf;
            for (int i = 0; i < nf; i++) {
                if (!strcmp(f[i], "path") && col_path < 0) col_path = i;
                else if (!strcmp(f[i], "label") && col_label < 0) col_label = i;
                else if (!strcmp(f[i], "split") && col_split < 0) col_split = i;
            }
            if (col_path < 0 || col_label < 0) {
                ppad_fail(err, "%s:1: the header must name the columns path and label (e.g. 'path,label')", file);
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
        if (!file_exists(full)) {
            ppad_fail(err, "%s: no such image (listed in %s line %ld)", full, file, lineno);
            free(full);
            goto done;
        }
        if (ds_list_add(is_train ? train : label ? &abn : test, full, label, err)) goto done;
    }
    if (header) {
        ppad_fail(err, "%s: empty manifest (expected a header 'path,label')", file);
        goto done;
    }
    if (train->n + test->n + abn.n == 0) {
        ppad_fail(err, "%s: the manifest lists no images", file);
        goto done;
    }
    rc = ds_list_append(test, &abn, err);
done:
    ds_list_free(&abn);
    free(base);
    free(text);
    return rc;
}
