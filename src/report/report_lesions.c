/* report_lesions.c — a sample of the synthetic lesions a training run used,
 * drawn again with the run's settings (method, seed, position rule) through
 * src/synth, each with its outline, for the report of `ppad train`. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "base/rng.h"
#include "data/data.h"
#include "report/report.h"
#include "synth/synth.h"

static const char *const POS_NAMES[REGION_COUNT] = {"left lung", "right lung", "upper lung", "lower lung",
                                                    "whole image"};

/* Gray image to RGB with the mask's boundary (2 px wide) in yellow. */
static int outline_png(report_blob *out, const gray8 *g, const uint8_t *mask, ppad_err *err) {
    const int w = g->w, h = g->h;
    uint8_t *rgb = ppad_malloc((size_t)w * h * 3, err);
    if (!rgb) return -1;
    for (long i = 0; i < (long)w * h; i++) rgb[3 * i] = rgb[3 * i + 1] = rgb[3 * i + 2] = g->px[i];
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            if (!mask[(size_t)y * w + x]) continue;
            int edge = 0;
            for (int dy = -2; dy <= 2 && !edge; dy++)
                for (int dx = -2; dx <= 2 && !edge; dx++) {
                    int yy = y + dy, xx = x + dx;
                    if (abs(dx) + abs(dy) > 2) continue;
                    edge = yy < 0 || yy >= h || xx < 0 || xx >= w || !mask[(size_t)yy * w + xx];
                }
            if (edge) {
                uint8_t *p = rgb + 3 * ((size_t)y * w + x);
                p[0] = 255, p[1] = 212, p[2] = 0;
            }
        }
    int rc = image_encode_png(&out->data, &out->size, rgb, w, h, 3, err);
    free(rgb);
    return rc;
}

int report_lesions_draw(report_lesion *out, int n, const char *const *images, int n_images,
                        int (*load)(void *ctx, gray8 *out, const char *path, ppad_err *err), void *load_ctx,
                        const char *method, unsigned long long seed, int no_position, ppad_err *err) {
    memset(out, 0, sizeof *out * (size_t)(n > 0 ? n : 0));
    if (n_images < 1) return ppad_fail(err, "no normal images to draw lesions on");
    int fpi = !strcmp(method, "fpi");
    if (!fpi && strcmp(method, "sas")) return ppad_fail(err, "lesions: unknown synthesis method '%s'", method);
    ppad_rng master;
    rng_seed(&master, seed);
    int rc = -1;
    for (int i = 0; i < n; i++) {
        ppad_rng r;
        rng_split(&r, &master);
        int k = (int)rng_int(&r, 0, n_images),
            other = n_images > 1 ? (k + 1 + (int)rng_int(&r, 0, n_images - 1)) % n_images : k;
        gray8 img = {0}, src = {0}, res = {0};
        uint8_t *mask = NULL;
        if (load(load_ctx, &img, images[k], err) != 0) goto fail;
        if (fpi && load(load_ctx, &src, images[other], err) != 0) goto fail;
        if (gray8_alloc(&res, img.w, img.h, err) != 0) goto fail;
        mask = ppad_malloc((size_t)img.w * img.h, err);
        if (!mask) goto fail;
        int pos = no_position ? REGION_WHOLE : sas_draw_position(&r);
        report_lesion *l = &out[i];
        l->position = pos;
        snprintf(l->source, sizeof l->source, "%s", images[k]);
        if (fpi) {
            fpi_params fp;
            if (fpi_apply(&res, mask, &img, &src, pos, &r, &fp, err) != 0) goto fail;
            l->param = fp.alpha;
            snprintf(l->method, sizeof l->method, "fpi");
            snprintf(l->caption, sizeof l->caption, "FPI · %s · α %.2f", POS_NAMES[pos], l->param);
        } else {
            sas_params sp;
            if (sas_apply(&res, mask, &img, pos, NAN, &r, &sp, err) != 0) goto fail;
            l->param = sp.weight;
            snprintf(l->method, sizeof l->method, "sas");
            snprintf(l->caption, sizeof l->caption, "SAS · %s · weight %s%g", POS_NAMES[pos], sp.weight < 0 ? "−" : "",
                     fabs(sp.weight));
        }
        int orc = outline_png(&l->png, &res, mask, err);
        gray8_free(&img), gray8_free(&src), gray8_free(&res), free(mask);
        if (orc != 0) goto out;
        continue;
    fail:
        gray8_free(&img), gray8_free(&src), gray8_free(&res), free(mask);
        goto out;
    }
    rc = 0;
out:
    if (rc) report_lesions_free(out, n);
    return rc;
}

void report_lesions_free(report_lesion *l, int n) {
    for (int i = 0; i < n; i++) report_blob_free(&l[i].png);
}
