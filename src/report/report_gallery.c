/* report_gallery.c — the gallery: the most confident false positives
 * (label 0, highest scores above the threshold), the most confident false
 * negatives (label 1, lowest scores at or below it) and the top true
 * positives (label 1, highest scores), each with its thumbnail and heat maps
 * when available. Ties keep the order of the scores file. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "base/fileio.h"
#include "report/report_internal.h"

const char *const GALLERY_KEYS[GAL_GROUPS] = {"false_positives", "false_negatives", "true_positives"};
const char *const GALLERY_TITLES[GAL_GROUPS] = {"Most confident false positives", "Most confident false negatives",
                                                "Top true positives"};

void report_blob_free(report_blob *b) {
    free(b->data);
    b->data = NULL;
    b->size = 0;
}

typedef struct cand {
    double key;
    long row;
} cand;

static int cmp_cand(const void *pa, const void *pb) {
    const cand *a = pa, *b = pb;
    if (a->key != b->key) return a->key > b->key ? -1 : 1; /* key descending */
    return (a->row > b->row) - (a->row < b->row);          /* then file order */
}

static int select_group(report_numbers *r, int g, const ppad_scores *s, double t, int want, ppad_err *err) {
    cand *c = ppad_malloc(sizeof(cand) * (size_t)s->n, err);
    if (!c) return -1;
    long m = 0;
    for (long i = 0; i < s->n; i++) {
        int pos = s->scores[i] > t, y = s->labels[i];
        int in = g == GAL_FP ? (y == 0 && pos) : g == GAL_FN ? (y == 1 && !pos) : (y == 1 && pos);
        if (in) c[m].key = g == GAL_FN ? -s->scores[i] : s->scores[i], c[m].row = i, m++;
    }
    qsort(c, (size_t)m, sizeof *c, cmp_cand);
    int k = m < want ? (int)m : want;
    r->gal[g] = ppad_calloc(k > 0 ? (size_t)k : 1, sizeof(gallery_item), err);
    if (!r->gal[g]) {
        free(c);
        return -1;
    }
    for (int i = 0; i < k; i++) r->gal[g][i].row = c[i].row;
    r->n_gal[g] = k;
    free(c);
    return 0;
}

/* The image for a thumbnail: the loader, or the path itself, then the path
 * relative to image_base. */
static int load_image(gray8 *out, const report_input *in, const char *path, ppad_err *err) {
    if (in->load_image) return in->load_image(in->load_ctx, out, path, err);
    if (image_load_gray(out, path, NULL, err) == 0) return 0;
    if (in->image_base && path[0] != '/') {
        char alt[4096];
        snprintf(alt, sizeof alt, "%s/%s", in->image_base, path);
        ppad_err e2;
        if (file_exists(alt) && image_load_gray(out, alt, NULL, &e2) == 0) return 0;
    }
    return -1;
}

static int thumbnail(report_blob *out, const gray8 *g, ppad_err *err) {
    int w = g->w, h = g->h;
    report_fit_size(&w, &h, REPORT_THUMB_SIDE);
    gray8 small = {0};
    const gray8 *use = g;
    if (w != g->w || h != g->h) {
        if (image_resize_bicubic(&small, g, w, h, err) != 0) return -1;
        use = &small;
    }
    int rc = image_encode_png(&out->data, &out->size, use->px, use->w, use->h, 1, err);
    gray8_free(&small);
    return rc;
}

int report_gallery_build(report_numbers *r, const report_input *in, ppad_err *err) {
    const ppad_scores *s = in->scores;
    int want = in->gallery == 0 ? REPORT_DEFAULT_GALLERY : in->gallery;
    if (want < 0) want = 0;
    for (int g = 0; g < GAL_GROUPS; g++)
        if (select_group(r, g, s, in->threshold, want, err) != 0) return -1;
    if (!s->paths) {
        if (in->images || in->visuals)
            report_note(r, "The scores have no 'path' column: the gallery shows rows, without images or heat maps.");
        return 0;
    }
    int total = 0;
    for (int g = 0; g < GAL_GROUPS; g++) total += r->n_gal[g];
    if (in->images) {
        int failed = 0;
        for (int g = 0; g < GAL_GROUPS; g++)
            for (int i = 0; i < r->n_gal[g]; i++) {
                gallery_item *it = &r->gal[g][i];
                const char *path = s->paths[it->row];
                gray8 img = {0};
                ppad_err e;
                if (load_image(&img, in, path, &e) != 0) {
                    snprintf(it->note, sizeof it->note, "image not shown: %s", e.msg);
                    if (in->warn) in->warn(in->warn_ctx, e.msg);
                    failed++;
                    continue;
                }
                int rc = thumbnail(&it->thumb, &img, err);
                gray8_free(&img);
                if (rc != 0) return -1;
            }
        if (failed)
            report_note(r, "%d gallery image%s could not be read and %s shown without %s image.", failed,
                        failed == 1 ? "" : "s", failed == 1 ? "is" : "are", failed == 1 ? "its" : "their");
    }
    if (in->visuals && total > 0) {
        const char **paths = ppad_malloc(sizeof(char *) * (size_t)total, err);
        report_visual *vis = ppad_calloc((size_t)total, sizeof(report_visual), err);
        if (!paths || !vis) {
            free(paths), free(vis);
            return -1;
        }
        int j = 0;
        for (int g = 0; g < GAL_GROUPS; g++)
            for (int i = 0; i < r->n_gal[g]; i++) paths[j++] = s->paths[r->gal[g][i].row];
        int rc = in->visuals(in->visuals_ctx, vis, paths, total, err);
        j = 0;
        for (int g = 0; g < GAL_GROUPS; g++)
            for (int i = 0; i < r->n_gal[g]; i++) r->gal[g][i].vis = vis[j++]; /* owned by the item now */
        free(paths), free(vis);
        if (rc != 0) return -1;
        /* overlays come at the image's own size (explain --out's files, or drawn so): shown as thumbnails */
        for (int g = 0; g < GAL_GROUPS; g++)
            for (int i = 0; i < r->n_gal[g]; i++)
                if (report_fit_png(&r->gal[g][i].vis.overlay, REPORT_THUMB_SIDE, err) != 0) return -1;
    }
    return 0;
}
