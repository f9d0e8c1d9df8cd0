/* manifest.c — reads `path,label,position` CSV manifests. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "base/fileio.h"
#include "data/regions.h"
#include "ppad/manifest.h"

/* Splits one CSV line in place into at most max fields (double-quoted fields
 * with "" escapes are supported). Returns the field count. */
static int split_csv(char *line, char **fields, int max) {
    int n = 0;
    char *r = line, *w;
    while (n < max) {
        fields[n++] = w = r;
        if (*r == '"') {
            r++;
            while (*r) {
                if (*r == '"' && r[1] == '"') *w++ = '"', r += 2;
                else if (*r == '"') { r++; break; }
                else *w++ = *r++;
            }
        }
        while (*r && *r != ',') *w++ = *r++;
        int more = *r == ',';
        *w = 0;
        if (!more) break;
        r++;
    }
    return n;
}

static char *trim(char *s) {
    while (*s == ' ' || *s == '\t') s++;
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' || s[n - 1] == '\n')) s[--n] = 0;
    return s;
}

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
    int cap = 0, lineno = 0, rc = -1, header_seen = 0;
    char *next = (char *)data;
    while (next && *next) {
        char *line = next;
        char *nl = strchr(line, '\n');
        if (nl) *nl = 0;
        next = nl ? nl + 1 : NULL;
        lineno++; /* counts blank lines too, so messages name the real line */
        char *t = trim(line);
        if (!*t) continue;
        char *f[4];
        int nf = split_csv(t, f, 4);
        for (int i = 0; i < nf; i++) f[i] = trim(f[i]);
        if (m->n == 0 && !header_seen) {
            header_seen = 1;
            if (nf != 3 || strcmp(f[0], "path") || strcmp(f[1], "label") || strcmp(f[2], "position")) {
                ppad_fail(err, "%s: line %d: expected the header 'path,label,position'", csv_path, lineno);
                goto out;
            }
            continue;
        }
        if (nf != 3) {
            ppad_fail(err, "%s: line %d: expected 3 fields (path,label,position), found %d", csv_path, lineno, nf);
            goto out;
        }
        int label = strcmp(f[1], "0") == 0 ? 0 : strcmp(f[1], "1") == 0 ? 1 : -1;
        if (label < 0) {
            ppad_fail(err, "%s: line %d: label '%s' is not 0 or 1", csv_path, lineno, f[1]);
            goto out;
        }
        int pos = regions_parse(f[2]);
        if (pos < 0) {
            ppad_fail(err, "%s: line %d: position '%s' is not one of left, right, upper, lower, whole", csv_path,
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
    if (m->n == 0) {
        ppad_fail(err, "%s: no samples (expected a header 'path,label,position' and at least one row)", csv_path);
        goto out;
    }
    rc = 0;
out:
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
