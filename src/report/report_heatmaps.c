/* report_heatmaps.c — a heat-map folder (`ppad explain --out DIR`,
 * `ppad predict --heatmaps DIR`) as the report's visual hook: DIR/index.csv
 * (path,overlay,panel,score,verdict,p_left,...) maps image paths to PNG files
 * in DIR. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/csv.h"
#include "base/error.h"
#include "base/fileio.h"
#include "report/report.h"

#define HEATMAP_MAX_BYTES (64L << 20) /* one PNG embedded in a page: at most 64 MiB */

void report_heatmaps_free(report_heatmaps *h) {
    for (long i = 0; i < h->n; i++) {
        free(h->path[i]);
        free(h->overlay[i]);
        free(h->panel[i]);
    }
    free(h->path), free(h->overlay), free(h->panel), free(h->dir);
    memset(h, 0, sizeof *h);
}

int report_heatmaps_open(report_heatmaps *h, const char *dir, ppad_err *err) {
    memset(h, 0, sizeof *h);
    if (!dir_exists(dir)) return ppad_fail(err, "%s: not a folder (expected the --out folder of ppad explain)", dir);
    char index[4096];
    snprintf(index, sizeof index, "%s/index.csv", dir);
    if (!file_exists(index))
        return ppad_fail(
            err, "%s: no index.csv (expected a folder written by ppad explain --out or predict --heatmaps)", dir);
    unsigned char *data;
    size_t size;
    if (file_read_all(&data, &size, index, err) != 0) return -1;
    char *pos = (char *)data, *end = (char *)data + size;
    csv_record rec = {0};
    long line = 1, cap = 0;
    int got, rc = -1, col[3], ncol;
    static const char *const NAMES[3] = {"path", "overlay", "panel"};
    h->dir = strdup(dir);
    if (!h->dir) goto oom;
    got = csv_header(&pos, end, &line, &rec, NAMES, 3, col, err);
    if (got < 0) goto fail_prefix;
    if (got == 0) {
        ppad_fail(err, "%s: empty file (expected the header path,overlay,panel,...)", index);
        goto out;
    }
    ncol = rec.n;
    const int cp = col[0], co = col[1], cq = col[2];
    if (cp < 0 || (co < 0 && cq < 0)) {
        ppad_fail(err, "%s: line %ld: the header needs columns 'path' and 'overlay' (or 'panel')", index, rec.line);
        goto out;
    }
    while ((got = csv_next(&pos, end, &line, &rec, err)) == 1) {
        if (csv_blank(&rec)) continue;
        if (rec.n != ncol) {
            ppad_fail(err, "%s: line %ld: %d fields, but the header has %d", index, rec.line, rec.n, ncol);
            goto out;
        }
        const char *names[2] = {co >= 0 ? rec.f[co] : "", cq >= 0 ? rec.f[cq] : ""};
        for (int j = 0; j < 2; j++)
            if (strchr(names[j], '/') || !strcmp(names[j], "..")) {
                ppad_fail(err, "%s: line %ld: '%s' is not a file name inside the folder", index, rec.line, names[j]);
                goto out;
            }
        if (h->n == cap) {
            long nc = cap ? 2 * cap : 256;
            char **a = realloc(h->path, sizeof(char *) * (size_t)nc);
            if (a) h->path = a;
            char **b = realloc(h->overlay, sizeof(char *) * (size_t)nc);
            if (b) h->overlay = b;
            char **c = realloc(h->panel, sizeof(char *) * (size_t)nc);
            if (c) h->panel = c;
            if (!a || !b || !c) goto oom;
            cap = nc;
        }
        h->path[h->n] = strdup(rec.f[cp]);
        h->overlay[h->n] = strdup(names[0]);
        h->panel[h->n] = strdup(names[1]);
        h->n++;
        if (!h->path[h->n - 1] || !h->overlay[h->n - 1] || !h->panel[h->n - 1]) goto oom;
    }
    if (got < 0) goto fail_prefix;
    rc = 0;
    goto out;
oom:
    ppad_fail(err, "out of memory");
fail_prefix:
    ppad_fail_prefix(err, index);
out:
    csv_record_free(&rec);
    free(data);
    if (rc) report_heatmaps_free(h);
    return rc;
}

static int same_file(const char *a, const char *b) {
    struct stat sa, sb;
    return stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

static int read_png(report_blob *out, const report_heatmaps *h, const char *name, ppad_err *err) {
    if (!*name) return 0;
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", h->dir, name);
    struct stat st;
    if (stat(path, &st) != 0) return ppad_fail(err, "%s: listed in %s/index.csv but missing", path, h->dir);
    if (st.st_size > HEATMAP_MAX_BYTES)
        return ppad_fail(err, "%s: %lld bytes, too large to embed (at most %ld)", path, (long long)st.st_size,
                         HEATMAP_MAX_BYTES);
    if (file_read_all(&out->data, &out->size, path, err) != 0) return -1;
    if (out->size < 8 || memcmp(out->data, "\x89PNG\r\n\x1a\n", 8) != 0) {
        report_blob_free(out);
        return ppad_fail(err, "%s: not a PNG file", path);
    }
    return 0;
}

int report_heatmaps_visuals(void *ctx, report_visual *out, const char *const *paths, int n, ppad_err *err) {
    const report_heatmaps *h = ctx;
    for (int i = 0; i < n; i++) {
        long row = -1;
        for (long j = 0; j < h->n && row < 0; j++)
            if (!strcmp(h->path[j], paths[i])) row = j;
        for (long j = 0; j < h->n && row < 0; j++)
            if (same_file(h->path[j], paths[i])) row = j;
        if (row < 0) continue;
        if (read_png(&out[i].overlay, h, h->overlay[row], err) != 0) return -1;
        if (read_png(&out[i].panel, h, h->panel[row], err) != 0) return -1;
    }
    return 0;
}
