/* heatmaps_cli.c — heat maps on the command line: the folder that
 * `ppad explain --out DIR` and `ppad predict --heatmaps DIR` write (per image
 * NAME_overlay.png and NAME_panel.png, and DIR/index.csv, which `ppad report
 * --heatmaps DIR` reads), the --raw rows, and the report gallery's hook for
 * test/train --report. */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/dist.h"
#include "base/error.h"
#include "base/fileio.h"
#include "cli/cli.h"
#include "ppad/evaluate.h"

int cli_explain_load(gray8 *orig, float *pixels, const char *path, const image_opts *opts, int S, ppad_err *err) {
    if (image_load_gray(orig, path, opts, err) != 0) return -1;
    gray8 in;
    int rc = image_resize_bicubic(&in, orig, S, S, err);
    if (rc != 0) {
        ppad_fail_prefix(err, path);
        gray8_free(orig);
        return -1;
    }
    image_normalize(pixels, &in);
    gray8_free(&in);
    return 0;
}

int cli_explain_check(const char *path, const explain_result *r, ppad_err *err) {
    int ok = isfinite(r->fused);
    for (int k = 0; k < PPAD_NPOS; k++)
        for (int q = 0; q < EXPLAIN_NP; q++) ok = ok && isfinite(r->maps[k][q]);
    if (ok) return 0;
    return ppad_fail(err, "%s: the score or a heat map is not a finite number; check the prompts and the backbone",
                     path);
}

void cli_explain_raw_rows(FILE *f, const char *path, const explain_result *r, int method) {
    char b[32];
    for (int k = 0; k < PPAD_NPOS; k++) {
        cli_csv_field(f, path);
        fprintf(f, ",%s,%s", regions_key(k), explain_method_name(method));
        for (int q = 0; q < EXPLAIN_NP; q++) fprintf(f, ",%s", cli_num(b, r->maps[k][q]));
        fputc('\n', f);
    }
}

/* ---- the --out folder ---- */

/* A file name from the image's name: its base name without the extension,
 * characters other than letters, digits, '-', '_' and '.' as '_'. */
static void stem_of(char *out, size_t size, const char *path) {
    const char *b = strrchr(path, '/');
    b = b ? b + 1 : path;
    const char *dot = strrchr(b, '.');
    size_t n = dot && dot != b ? (size_t)(dot - b) : strlen(b);
    if (n > size - 1) n = size - 1;
    if (n == 0) {
        snprintf(out, size, "image");
        return;
    }
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)b[i];
        out[i] = isalnum(c) || c == '-' || c == '_' || c == '.' ? (char)c : '_';
    }
    out[n] = 0;
}

void cli_heatmaps_free(cli_heatmaps *h) {
    for (size_t i = 0; i < h->n; i++) free(h->stem[i]);
    free(h->stem);
    for (size_t i = 0; i < h->n_written; i++) free(h->written[i]);
    free(h->written);
    free(h->index);
    memset(h, 0, sizeof *h);
}

int cli_heatmaps_prepare(cli_heatmaps *h, const cli_ctx *cx, const char *dir, const cli_inputs *in, int method,
                         double threshold, ppad_err *err) {
    memset(h, 0, sizeof *h);
    if (!dir) return 0;
    h->dir = dir;
    h->method = method;
    h->threshold = threshold;
    h->n = in->n;
    h->stem = ppad_calloc(in->n ? in->n : 1, sizeof(char *), err);
    h->written = ppad_calloc(2 * in->n + 1, sizeof(char *), err);
    if (!h->stem || !h->written) goto fail1;
    /* names, unique within the run (a, a-2, a-3 ...) */
    for (size_t i = 0; i < in->n; i++) {
        char base[200], name[220];
        stem_of(base, sizeof base, in->paths[i]);
        snprintf(name, sizeof name, "%s", base);
        for (int k = 2;; k++) {
            int clash = 0;
            for (size_t j = 0; j < i && !clash; j++) clash = !strcmp(h->stem[j], name);
            if (!clash) break;
            snprintf(name, sizeof name, "%s-%d", base, k);
        }
        h->stem[i] = strdup(name);
        if (!h->stem[i]) {
            ppad_fail(err, "out of memory");
            goto fail1;
        }
    }
    /* the folder (its parent must exist; cli_parse checked that), then every
     * file it will hold is checked now, like the verb's own outputs */
    if (!dir_exists(dir)) {
        if (mkdir(dir, 0777) != 0 && !(errno == EEXIST && dir_exists(dir))) {
            if (errno == ENOENT) ppad_fail(err, "%s: cannot create the folder: its parent does not exist", dir);
            else ppad_fail(err, "%s: cannot create the folder: %s", dir, strerror(errno));
            goto fail1;
        }
        h->made_dir = 1;
    }
    char path[4096];
    snprintf(path, sizeof path, "%s/index.csv", dir);
    int rc = cli_check_output(cx, "--out", path, 0, err);
    for (size_t i = 0; i < in->n && rc == 0; i++)
        for (int f = 0; f < 2 && rc == 0; f++) {
            snprintf(path, sizeof path, "%s/%s_%s.png", dir, h->stem[i], f ? "panel" : "overlay");
            rc = cli_check_output(cx, "--out", path, 0, err);
        }
    if (rc != 0) {
        cli_heatmaps_discard(h);
        cli_heatmaps_free(h);
        return rc;
    }
    h->on = 1;
    h->index_len = 0;
    return 0;
fail1:
    if (!err->msg[0]) ppad_fail(err, "out of memory");
    cli_heatmaps_discard(h);
    cli_heatmaps_free(h);
    return 1;
}

static int write_blob(cli_heatmaps *h, const char *path, const report_blob *b, ppad_err *err) {
    atomic_file af;
    if (atomic_open(&af, path, err) != 0) return -1;
    if (fwrite(b->data, 1, b->size, af.fp) != b->size) {
        atomic_abort(&af);
        return ppad_fail(err, "%s: cannot write the file", path);
    }
    if (atomic_commit(&af, err) != 0) return -1;
    h->written[h->n_written] = strdup(path);
    if (h->written[h->n_written]) h->n_written++;
    return 0;
}

static int index_append(cli_heatmaps *h, const char *s, ppad_err *err) {
    size_t n = strlen(s);
    if (h->index_len + n + 1 > h->index_cap) {
        size_t cap = h->index_cap ? 2 * h->index_cap : 4096;
        while (cap < h->index_len + n + 1) cap *= 2;
        char *b = realloc(h->index, cap);
        if (!b) return ppad_fail(err, "out of memory");
        h->index = b;
        h->index_cap = cap;
    }
    memcpy(h->index + h->index_len, s, n + 1);
    h->index_len += n;
    return 0;
}

int cli_heatmaps_add(cli_heatmaps *h, size_t i, const char *path, const gray8 *orig, const explain_result *r,
                     const double *probs, double fused, ppad_err *err) {
    if (!h->on) return 0;
    report_visual v = {{0}, {0}};
    if (report_explain_draw(&v, orig, r, h->method, h->threshold, err) != 0) return ppad_fail_prefix(err, path);
    int rc = cli_heatmaps_put(h, i, path, &v, probs, fused, err);
    report_blob_free(&v.overlay);
    report_blob_free(&v.panel);
    return rc;
}

int cli_heatmaps_put(cli_heatmaps *h, size_t i, const char *path, const report_visual *v, const double *probs,
                     double fused, ppad_err *err) {
    if (!h->on) return 0;
    char file[4096], names[2][260];
    int rc = 0;
    for (int f = 0; f < 2 && rc == 0; f++) {
        snprintf(names[f], sizeof names[f], "%s_%s.png", h->stem[i], f ? "panel" : "overlay");
        snprintf(file, sizeof file, "%s/%s", h->dir, names[f]);
        rc = write_blob(h, file, f ? &v->panel : &v->overlay, err);
    }
    if (rc != 0) return -1;
    /* path,overlay,panel,score,verdict,p_left,...,p_whole,method */
    char *row = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&row, &len);
    if (!f) return ppad_fail(err, "out of memory");
    char b[32];
    cli_csv_field(f, path);
    fprintf(f, ",%s,%s,%s,%s", names[0], names[1], cli_num(b, fused), fused > h->threshold ? "abnormal" : "normal");
    cli_print_probs(f, probs);
    fprintf(f, ",%s\n", explain_method_name(h->method));
    fclose(f);
    rc = index_append(h, row, err);
    free(row);
    return rc;
}

int cli_heatmaps_finish(cli_heatmaps *h, ppad_err *err) {
    if (!h->on) return 0;
    char path[4096];
    snprintf(path, sizeof path, "%s/index.csv", h->dir);
    atomic_file af;
    if (atomic_open(&af, path, err) != 0) return -1;
    fputs("path,overlay,panel,score,verdict,p_left,p_right,p_upper,p_lower,p_whole,method\n", af.fp);
    if (h->index_len && fwrite(h->index, 1, h->index_len, af.fp) != h->index_len) {
        atomic_abort(&af);
        return ppad_fail(err, "%s: cannot write the file", path);
    }
    return atomic_commit(&af, err);
}

void cli_heatmaps_discard(cli_heatmaps *h) {
    for (size_t i = 0; i < h->n_written; i++) unlink(h->written[i]);
    if (h->made_dir) rmdir(h->dir); /* only if empty */
}

/* ---- the report gallery's hook (test/train --report) ---- */

/* The gallery's images: orig at full size (the pictures), pixels the
 * dataset's way to the model's input (ctx: the dataset). */
static int gallery_load(void *ctx, gray8 *orig, float *pixels, const char *path, ppad_err *err) {
    const dataset *d = ctx;
    gray8 in = {0};
    if (report_dataset_image((void *)d, orig, path, err) != 0) return -1;
    if (eval_load_dataset(&in, d, path, err) != 0) {
        gray8_free(orig);
        return -1;
    }
    image_normalize(pixels, &in);
    gray8_free(&in);
    return 0;
}

static int blob_copy(report_blob *dst, const report_blob *src, ppad_err *err) {
    if (!(dst->data = ppad_malloc(src->size ? src->size : 1, err))) return -1;
    memcpy(dst->data, src->data, src->size);
    dst->size = src->size;
    return 0;
}

/* Rank 0: gallery image i's pictures (drawn by its rank), kept. */
static int gallery_row(void *ctx, size_t i, const explain_result *r, const report_visual *v, ppad_err *err) {
    (void)r;
    cli_visuals *c = ctx;
    if (!v) return 0;
    return blob_copy(&c->vis[i].overlay, &v->overlay, err) || blob_copy(&c->vis[i].panel, &v->panel, err) ? -1 : 0;
}

void cli_visuals_free(cli_visuals *c) {
    for (int i = 0; c->vis && i < c->n; i++) report_blob_free(&c->vis[i].overlay), report_blob_free(&c->vis[i].panel);
    for (int i = 0; c->paths && i < c->n; i++) free(c->paths[i]);
    free(c->vis), free(c->paths);
    c->vis = NULL, c->paths = NULL, c->n = 0, c->prepared = 0;
}

int cli_visuals_prepare(cli_visuals *c, const report_input *in, const double *fused, const double *probs,
                        ppad_err *err) {
    ppad_engine *e = &c->s->eng;
    const int S = e->m->cfg.image_size;
    ppad_scores sc;
    long *rows = NULL;
    float *pixels = NULL;
    ppad_explainer x;
    int have_x = 0, have_sc = 0, rc = report_scores_from_dataset(&sc, c->d, fused, probs, err);
    have_sc = rc == 0;
    report_input gin = {.scores = &sc, .threshold = in->threshold, .gallery = in->gallery};
    if (rc == 0) rc = report_gallery_rows(&rows, &c->n, &gin, err);
    if (rc == 0 && !sc.paths) c->n = 0; /* no paths: no heat maps (the report says so) */
    if (rc == 0 && (!(c->paths = ppad_calloc((size_t)c->n + 1, sizeof(char *), err)) ||
                    !(c->vis = ppad_calloc((size_t)c->n + 1, sizeof(report_visual), err)) ||
                    !(pixels = ppad_aligned_alloc(sizeof(float) * 3 * (size_t)S * S, err))))
        rc = -1;
    for (int i = 0; rc == 0 && i < c->n; i++)
        if (!(c->paths[i] = strdup(sc.paths[rows[i]]))) rc = ppad_fail(err, "out of memory");
    if (rc == 0) rc = explain_init(&x, e, c->method, err), have_x = rc == 0;
    if (rc == 0) rc = engine_encode_texts(e, c->p, 0, err);
    if ((rc = dist_agree(rc, err)) == 0) {
        cli_inputs gi = {c->paths, (size_t)c->n, (size_t)c->n};
        long n_bad = 0;
        const cli_explain_job job = {.x = &x, .p = c->p, .in = &gi, .pixels = pixels, .S = S, .draw = 1,
                                     .chunk = ((size_t)c->n + (size_t)dist_size() - 1) / (size_t)dist_size(), /* one a rank */
                                     .method = c->method, .threshold = c->threshold, .load = gallery_load,
                                     .load_ctx = (void *)c->d, .row = gallery_row, .row_ctx = c};
        rc = cli_explain_shard(&job, &n_bad, NULL, err);
    }
    c->prepared = rc == 0;
    if (rc != 0) cli_visuals_free(c);
    if (have_x) explain_free(&x);
    if (have_sc) scores_free(&sc);
    free(rows), free(pixels);
    return rc;
}

int cli_report_visuals(void *vctx, report_visual *out, const char *const *paths, int n, ppad_err *err) {
    cli_visuals *c = vctx;
    if (c->prepared) { /* made over the ranks by cli_visuals_prepare */
        if (n != c->n) return ppad_fail(err, "internal: the gallery has %d images, %d were prepared", n, c->n);
        for (int i = 0; i < n; i++) {
            if (strcmp(paths[i], c->paths[i]) != 0)
                return ppad_fail(err, "internal: gallery image %d is %s, not %s", i, paths[i], c->paths[i]);
            out[i] = c->vis[i], c->vis[i] = (report_visual){{0}, {0}}; /* the gallery owns them now */
        }
        return 0;
    }
    ppad_engine *e = &c->s->eng;
    const int S = e->m->cfg.image_size;
    float *pixels = ppad_aligned_alloc(sizeof(float) * 3 * (size_t)S * S, err);
    ppad_explainer x;
    int rc = -1;
    if (!pixels) return -1;
    if (explain_init(&x, e, c->method, err) != 0) goto out_px;
    if (engine_encode_texts(e, c->p, 0, err) != 0) goto out;
    for (int i = 0; i < n; i++) {
        gray8 orig = {0};
        explain_result r;
        if (gallery_load((void *)c->d, &orig, pixels, paths[i], err) != 0) goto out;
        int bad = explain_image(&x, c->p, pixels, &r, err) != 0 || cli_explain_check(paths[i], &r, err) != 0 ||
                  report_explain_draw(&out[i], &orig, &r, c->method, c->threshold, err) != 0;
        gray8_free(&orig);
        if (bad) goto out;
    }
    rc = 0;
out:
    explain_free(&x);
out_px:
    free(pixels);
    return rc;
}
