/* image.c — image loading front end: format detection by magic bytes, gray8
 * buffers, normalisation to the model's input, and the load + resize pipeline.
 * The codecs are png_read.c, jpeg_read.c and dicom_gray.c (+ dicom_read.cc),
 * the resampler resize.c. */
#include "image/image.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "base/fileio.h"
#include "image/image_codec.h"

int gray8_alloc(gray8 *g, int w, int h, ppad_err *err) {
    memset(g, 0, sizeof *g);
    if (w < 1 || h < 1) return ppad_fail(err, "invalid image size %dx%d", w, h);
    g->px = ppad_malloc((size_t)w * (size_t)h, err);
    if (!g->px) return -1;
    g->w = w;
    g->h = h;
    return 0;
}

void gray8_free(gray8 *g) {
    if (!g) return;
    free(g->px);
    memset(g, 0, sizeof *g);
}

int image_check_size(long w, long h, const char *name, ppad_err *err) {
    if (w <= 0 || h <= 0) return ppad_fail(err, "%s: corrupt image: size %ldx%ld", name, w, h);
    if (w > IMAGE_MAX_SIDE || h > IMAGE_MAX_SIDE || w * h > IMAGE_MAX_PIXELS)
        return ppad_fail(err, "%s: image size %ldx%ld is too large (at most %d per side and %ld pixels)", name, w, h,
                         IMAGE_MAX_SIDE, IMAGE_MAX_PIXELS);
    return 0;
}

/* The formats, tried in this order (each sniff looks at content only). */
static const image_decoder *const image_decoders[] = {&image_png_decoder, &image_jpeg_decoder, &image_dicom_decoder};
#define N_DECODERS (sizeof image_decoders / sizeof image_decoders[0])

void image_warn(const image_opts *opts, const char *name, const char *fmt, ...) {
    if (!opts || !opts->warn) return;
    char msg[1024];
    int k = snprintf(msg, sizeof msg, "%s: ", name);
    if (k < 0 || k >= (int)sizeof msg) k = 0;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg + k, sizeof msg - (size_t)k, fmt, ap);
    va_end(ap);
    opts->warn(opts->warn_ctx, msg);
}

int image_decode_gray(gray8 *out, image_info *info, const unsigned char *data, size_t size, const char *name,
                      const image_opts *opts, ppad_err *err) {
    static const image_opts defaults;
    image_info scratch;
    if (!info) info = &scratch;
    if (!opts) opts = &defaults;
    memset(out, 0, sizeof *out);
    memset(info, 0, sizeof *info);
    if (size == 0) return ppad_fail(err, "%s: empty file, not an image", name);
    for (size_t i = 0; i < N_DECODERS; i++) {
        const image_decoder *dec = image_decoders[i];
        if (!dec->sniff(data, size)) continue;
        snprintf(info->format, sizeof info->format, "%s", dec->name);
        if (dec->decode(out, info, data, size, name, opts, err) != 0) return -1;
        if (!info->width) info->width = out->w, info->height = out->h;
        return 0;
    }
    return ppad_fail(err, "%s: not a PNG, JPEG or DICOM image", name);
}

int image_file_is_dicom(const char *path) {
    unsigned char head[132];
    FILE *f = fopen(path, "rb");
    if (!f) return 0;
    size_t n = fread(head, 1, sizeof head, f);
    fclose(f);
    return image_dicom_decoder.sniff(head, n);
}

int image_load_info(gray8 *out, image_info *info, const char *path, const image_opts *opts, ppad_err *err) {
    memset(out, 0, sizeof *out);
    unsigned char *data;
    size_t size;
    if (file_read_all(&data, &size, path, err)) return -1;
    int rc = image_decode_gray(out, info, data, size, path, opts, err);
    free(data);
    return rc;
}

int image_load_gray(gray8 *out, const char *path, const image_opts *opts, ppad_err *err) {
    return image_load_info(out, NULL, path, opts, err);
}

void image_normalize(float *out, const gray8 *g) {
    /* float32 throughout, one operation at a time, as torchvision evaluates
     * (x / f32(255) - f32(MEAN)) / f32(STD); a 256-entry table of those values. */
    const float mean = (float)IMAGE_MEAN, std = (float)IMAGE_STD;
    float lut[256];
    for (int v = 0; v < 256; v++) {
        float x = (float)v / 255.0f;
        x = x - mean;
        lut[v] = x / std;
    }
    size_t n = (size_t)g->w * (size_t)g->h;
    for (size_t i = 0; i < n; i++) out[i] = lut[g->px[i]];
    memcpy(out + n, out, n * sizeof *out);
    memcpy(out + 2 * n, out, n * sizeof *out);
}

int image_load_resized(gray8 *out, const char *path, int size, const image_opts *opts, ppad_err *err) {
    return image_load_resized_info(out, NULL, path, size, opts, err);
}

int image_load_resized_info(gray8 *out, image_info *info, const char *path, int size, const image_opts *opts,
                            ppad_err *err) {
    memset(out, 0, sizeof *out);
    if (size < 1) return ppad_fail(err, "%s: invalid target size %d", path, size);
    gray8 src;
    if (image_load_info(&src, info, path, opts, err)) return -1;
    if (src.w == size && src.h == size) {
        *out = src;
        return 0;
    }
    int rc = image_resize_bicubic(out, &src, size, size, err);
    gray8_free(&src);
    if (rc) return ppad_fail_prefix(err, path);
    return 0;
}
