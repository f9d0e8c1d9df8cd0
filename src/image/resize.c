/* resize.c — Pillow 9.4's bicubic resampler for 8-bit gray, pixel for pixel.
 *
 * Pillow resamples separably with a convolution whose support widens when
 * shrinking (antialiasing): for each output index the weights of the input
 * samples are evaluated in double precision, divided by their sum, converted to
 * fixed point with PRECISION_BITS fraction bits (rounded half away from zero),
 * and applied with integer arithmetic, rounding by adding one half before the
 * shift and clipping to 0..255. The horizontal pass runs first (only on the
 * input rows the vertical pass will read), then the vertical pass on its 8-bit
 * output; a pass whose dimension is unchanged is skipped, and a resize to the
 * same size is a copy. Any deviation in these steps changes some pixels by one
 * level, so each is kept exactly. */
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "image/image.h"

/* 8 bits of result plus 2 of headroom for the negative lobes in an int32. */
#define RESIZE_PRECISION_BITS (32 - 8 - 2)

/* Keys' cubic convolution kernel with a = -0.5, support 2. */
static double resize_cubic(double x) {
    const double a = -0.5;
    if (x < 0.0) x = -x;
    if (x < 1.0) return ((a + 2.0) * x - (a + 3.0)) * x * x + 1.0;
    if (x < 2.0) return (((x - 5.0) * x + 8.0) * x - 4.0) * a;
    return 0.0;
}

/* For each of n_out output samples: the first input index, the number of
 * inputs used, and ksize fixed-point weights (zero past the count). */
typedef struct resize_taps {
    int ksize;
    int *first, *count; /* (n_out) */
    int32_t *w;         /* (n_out, ksize) */
} resize_taps;

static void resize_taps_free(resize_taps *t) {
    free(t->first);
    free(t->count);
    free(t->w);
    memset(t, 0, sizeof *t);
}

static int resize_taps_init(resize_taps *t, int n_in, int n_out, ppad_err *err) {
    memset(t, 0, sizeof *t);
    double scale = (double)n_in / n_out; /* Pillow: (box end - box start) / out, box = whole image */
    double fscale = scale < 1.0 ? 1.0 : scale;
    double support = 2.0 * fscale;
    int ksize = (int)ceil(support) * 2 + 1;
    if (ksize <= 0 || (size_t)n_out > SIZE_MAX / sizeof(double) / (size_t)ksize)
        return ppad_fail(err, "resize: %d -> %d needs too many filter taps", n_in, n_out);
    double *wd = ppad_malloc(sizeof *wd * (size_t)ksize, err);
    t->first = ppad_malloc(sizeof *t->first * (size_t)n_out, err);
    t->count = ppad_malloc(sizeof *t->count * (size_t)n_out, err);
    t->w = ppad_calloc((size_t)n_out * (size_t)ksize, sizeof *t->w, err);
    if (!wd || !t->first || !t->count || !t->w) {
        free(wd);
        resize_taps_free(t);
        return -1;
    }
    t->ksize = ksize;
    double inv = 1.0 / fscale;
    for (int o = 0; o < n_out; o++) {
        double center = (o + 0.5) * scale;
        int lo = (int)(center - support + 0.5); /* truncation, as Pillow "rounds" */
        if (lo < 0) lo = 0;
        int hi = (int)(center + support + 0.5);
        if (hi > n_in) hi = n_in;
        int n = hi - lo;
        double sum = 0.0;
        for (int i = 0; i < n; i++) {
            wd[i] = resize_cubic((i + lo - center + 0.5) * inv);
            sum += wd[i];
        }
        int32_t *w = t->w + (size_t)o * ksize;
        for (int i = 0; i < n; i++) {
            double v = sum != 0.0 ? wd[i] / sum : wd[i];
            v *= (double)(1 << RESIZE_PRECISION_BITS);
            w[i] = (int32_t)(v < 0 ? v - 0.5 : v + 0.5); /* half away from zero, then truncate */
        }
        t->first[o] = lo;
        t->count[o] = n;
    }
    free(wd);
    return 0;
}

/* Fixed-point accumulator -> 8 bits: floor(acc / 2^P) clipped to 0..255 (the
 * accumulator started at one half, so this rounds). */
static inline uint8_t resize_clip8(int32_t acc) {
    if (acc < 0) return 0;
    int32_t v = acc >> RESIZE_PRECISION_BITS;
    return (uint8_t)(v > 255 ? 255 : v);
}

/* out (rows, w_out) from in rows [row0, row0 + rows) of width w_in. */
static void resize_horizontal(uint8_t *out, int w_out, int rows, const uint8_t *in, int w_in, int row0,
                              const resize_taps *t) {
#pragma omp parallel for schedule(static) if ((long)rows * w_out > 65536)
    for (int y = 0; y < rows; y++) {
        const uint8_t *src = in + (size_t)(y + row0) * w_in;
        uint8_t *dst = out + (size_t)y * w_out;
        for (int x = 0; x < w_out; x++) {
            const int32_t *k = t->w + (size_t)x * t->ksize;
            const uint8_t *s = src + t->first[x];
            int32_t acc = 1 << (RESIZE_PRECISION_BITS - 1);
            for (int i = 0; i < t->count[x]; i++) acc += (int32_t)s[i] * k[i];
            dst[x] = resize_clip8(acc);
        }
    }
}

/* out (h_out, w) from in (rows, w); first[] indexes rows of in. */
static void resize_vertical(uint8_t *out, int h_out, const uint8_t *in, int w, const resize_taps *t) {
#pragma omp parallel for schedule(static) if ((long)h_out * w > 65536)
    for (int y = 0; y < h_out; y++) {
        const int32_t *k = t->w + (size_t)y * t->ksize;
        const uint8_t *src = in + (size_t)t->first[y] * w;
        uint8_t *dst = out + (size_t)y * w;
        int n = t->count[y];
        for (int x = 0; x < w; x++) {
            int32_t acc = 1 << (RESIZE_PRECISION_BITS - 1);
            for (int i = 0; i < n; i++) acc += (int32_t)src[(size_t)i * w + x] * k[i];
            dst[x] = resize_clip8(acc);
        }
    }
}

int image_resize_bicubic(gray8 *out, const gray8 *in, int w, int h, ppad_err *err) {
    memset(out, 0, sizeof *out);
    if (w < 1 || h < 1) return ppad_fail(err, "resize: invalid target size %dx%d", w, h);
    if (!in || !in->px || in->w < 1 || in->h < 1) return ppad_fail(err, "resize: empty input image");
    if (gray8_alloc(out, w, h, err)) return -1;
    if (w == in->w && h == in->h) {
        memcpy(out->px, in->px, (size_t)w * (size_t)h);
        return 0;
    }
    int need_h = w != in->w, need_v = h != in->h;
    resize_taps tv, th;
    memset(&th, 0, sizeof th);
    if (resize_taps_init(&tv, in->h, h, err)) goto fail;
    if (!need_h) {
        resize_vertical(out->px, h, in->px, w, &tv);
        resize_taps_free(&tv);
        return 0;
    }
    if (resize_taps_init(&th, in->w, w, err)) goto fail;
    /* Horizontal pass over only the rows the vertical taps touch (all rows when
     * the height is unchanged, since then tv is the identity over every row). */
    int row0 = need_v ? tv.first[0] : 0;
    int row1 = need_v ? tv.first[h - 1] + tv.count[h - 1] : in->h;
    if (!need_v) {
        resize_horizontal(out->px, w, h, in->px, in->w, 0, &th);
    } else {
        uint8_t *tmp = ppad_malloc((size_t)w * (size_t)(row1 - row0), err);
        if (!tmp) goto fail;
        resize_horizontal(tmp, w, row1 - row0, in->px, in->w, row0, &th);
        for (int y = 0; y < h; y++) tv.first[y] -= row0;
        resize_vertical(out->px, h, tmp, w, &tv);
        free(tmp);
    }
    resize_taps_free(&tv);
    resize_taps_free(&th);
    return 0;
fail:
    resize_taps_free(&tv);
    resize_taps_free(&th);
    gray8_free(out);
    return -1;
}
