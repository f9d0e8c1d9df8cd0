/* report_fit.c — pictures the page shows small are embedded small: a
 * heat-map overlay drawn (or read from `ppad explain --out`) at a 2500 x 3000
 * radiograph's own size is a PNG of many megabytes, shown in a gallery cell
 * of about 256 pixels. Decoded with libpng's simplified API, each channel
 * resized with the Pillow-exact bicubic (image/resize.c), encoded again. */
#include <png.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "image/image.h"
#include "report/report_internal.h"

void report_fit_size(int *w, int *h, int side) {
    if (*w <= side && *h <= side) return;
    if (*w >= *h) *h = (int)((long)*h * side / *w), *w = side;
    else *w = (int)((long)*w * side / *h), *h = side;
    if (*w < 1) *w = 1;
    if (*h < 1) *h = 1;
}

/* Resizes an (h, w, 3) picture to (nh, nw, 3) one channel at a time. */
static int fit_rgb(uint8_t *out, const uint8_t *px, int w, int h, int nw, int nh, ppad_err *err) {
    gray8 plane = {0}, small = {0};
    if (gray8_alloc(&plane, w, h, err) != 0) return -1;
    for (int ch = 0; ch < 3; ch++) {
        for (size_t i = 0; i < (size_t)w * h; i++) plane.px[i] = px[i * 3 + ch];
        if (image_resize_bicubic(&small, &plane, nw, nh, err) != 0) {
            gray8_free(&plane);
            return -1;
        }
        for (size_t i = 0; i < (size_t)nw * nh; i++) out[i * 3 + ch] = small.px[i];
        gray8_free(&small);
    }
    gray8_free(&plane);
    return 0;
}

int report_fit_png(report_blob *b, int side, ppad_err *err) {
    if (!b->data) return 0;
    png_image im;
    memset(&im, 0, sizeof im);
    im.version = PNG_IMAGE_VERSION;
    if (!png_image_begin_read_from_memory(&im, b->data, b->size))
        return ppad_fail(err, "a picture for the page: %s", im.message);
    int w = (int)im.width, h = (int)im.height, nw = w, nh = h;
    report_fit_size(&nw, &nh, side);
    if (nw == w && nh == h) {
        png_image_free(&im);
        return 0;
    }
    im.format = PNG_FORMAT_RGB;
    uint8_t *px = ppad_malloc((size_t)w * h * 3, err), *small = ppad_malloc((size_t)nw * nh * 3, err);
    int rc = -1;
    if (!px || !small) {
        png_image_free(&im);
        goto out;
    }
    if (!png_image_finish_read(&im, NULL, px, 0, NULL)) {
        ppad_fail(err, "a picture for the page: %s", im.message);
        goto out;
    }
    report_blob fitted = {0};
    if (fit_rgb(small, px, w, h, nw, nh, err) != 0 ||
        image_encode_png(&fitted.data, &fitted.size, small, nw, nh, 3, err) != 0)
        goto out;
    report_blob_free(b);
    *b = fitted;
    rc = 0;
out:
    free(px), free(small);
    return rc;
}
