/* manifest.c — reads `path,label,position` CSV manifests. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/csv.h"
#include "base/error.h"
#include "base/fileio.h"
#include "data/data.h"
#include "ppad/manifest.h"

int manifest_load(ppad_manifest *m, const char *csv_path, ppad_err *err) {
    memset(m, 0, sizeof *m);
    unsigned char *data;
    size_t size;
    if (file_read_all(&data, &size, csv_path, err) != 0) return -1;
    /* folder of the manifest, for relative paths */
    char dir[4096];
    snprintf(dir, sizeof dir, "%s", csv_path);
    char *slash = strrchr(dir, '/');
    if (slash) slash[1] = 0;
    else dir[0] = 0;
    int cap = 0, rc = -1, header_seen = 0, got;
    long line = 1;
    char *pos = (char *)data, *end = (char *)data + size;
    csv_record rec = {0};
    while ((got = csv_next(&pos, end, &line, &rec, err)) == 1) {
        if (csv_blank(&rec)) continue;
        const long lineno = rec.line;
        char **f = rec.f;
        const int nf = rec.n;
        if (!header_seen) {
            header_seen = 1;
            if (nf != 3 || strcmp(f[0], "path") || strcmp(f[1], "label") || strcmp(f[2], "position")) {
                ppad_fail(err, "%s: line %ld: expected the header 'path,label,position'", csv_path, lineno);
                goto out;
            }
            continue;
        }
        if (nf != 3) {
            ppad_fail(err, "%s: line %ld: expected 3 fields (path,label,position), found %d", csv_path, lineno, nf);
            goto out;
        }
        int label = strcmp(f[1], "0") == 0 ? 0 : strcmp(f[1], "1") == 0 ? 1 : -1;
        if (label < 0) {
            ppad_fail(err, "%s: line %ld: label '%s' is not 0 or 1", csv_path, lineno, f[1]);
            goto out;
        }
        int pos = regions_parse(f[2]);
        if (pos < 0) {
            ppad_fail(err, "%s: line %ld: position '%s' is not one of left, right, upper, lower, whole", csv_path,
                      lineno, f[2]);
            goto out;
        }
        if (m->n == cap) {
            cap = cap ? 2 * cap : 64;
            char **np = realloc(m->paths, sizeof(char *) * (size_t)cap);
            if (np) m->paths = np;
            int *nl = realloc(m->labels, sizeof(int) * (size_t)cap);
            if (nl) m->labels = nl;
            int *npos = realloc(m->positions, sizeof(int) * (size_t)cap);
            if (npos) m->positions = npos;
            if (!np || !nl || !npos) {
                ppad_fail(err, "%s: out of memory", csv_path);
                goto out;
            }
        }
        size_t len = strlen(dir) + strlen(f[0]) + 1;
        char *p = ppad_malloc(len, err);
        if (!p) goto out;
        snprintf(p, len, "%s%s", f[0][0] == '/' ? "" : dir, f[0]);
        m->paths[m->n] = p;
        m->labels[m->n] = label;
        m->positions[m->n] = pos;
        m->n++;
    }
    if (got < 0) {
        ppad_fail_prefix(err, csv_path);
        goto out;
    }
    if (m->n == 0) {
        ppad_fail(err, "%s: no samples (expected a header 'path,label,position' and at least one row)", csv_path);
        goto out;
    }
    rc = 0;
out:
    csv_record_free(&rec);
    free(data);
    if (rc) manifest_free(m);
    return rc;
}

void manifest_free(ppad_manifest *m) {
    for (int i = 0; i < m->n; i++) free(m->paths[i]);
    free(m->paths);
    free(m->labels);
    free(m->positions);
    memset(m, 0, sizeof *m);
}
