/* png_encode.c — 8-bit gray or RGB PNG into a memory buffer (libpng), for
 * images embedded in a page (the report's data: URIs). */
#include <png.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "image/image.h"

typedef struct pnge_ctx {
    png_structp png;
    png_infop info;
    unsigned char *buf;
    size_t size, cap;
    int oom;
    char msg[256];
} pnge_ctx;

static void pnge_error(png_structp png, png_const_charp msg) {
    pnge_ctx *c = png_get_error_ptr(png);
    snprintf(c->msg, sizeof c->msg, "%s", msg ? msg : "unknown libpng error");
    png_longjmp(png, 1);
}

static void pnge_warning(png_structp png, png_const_charp msg) {
    (void)png;
    (void)msg;
}

static void pnge_write(png_structp png, png_bytep data, size_t n) {
    pnge_ctx *c = png_get_io_ptr(png);
    if (c->size + n > c->cap) {
        size_t cap = c->cap ? c->cap : 4096;
        while (cap < c->size + n) cap *= 2;
        unsigned char *b = realloc(c->buf, cap);
        if (!b) {
            c->oom = 1;
            png_error(png, "out of memory");
        }
        c->buf = b;
        c->cap = cap;
    }
    memcpy(c->buf + c->size, data, n);
    c->size += n;
}

static void pnge_flush(png_structp png) { (void)png; }

static int pnge_run(pnge_ctx *c, const uint8_t *px, int w, int h, int channels) {
    if (setjmp(png_jmpbuf(c->png))) return -1;
    png_set_write_fn(c->png, c, pnge_write, pnge_flush);
    png_set_IHDR(c->png, c->info, (png_uint_32)w, (png_uint_32)h, 8,
                 channels == 3 ? PNG_COLOR_TYPE_RGB : PNG_COLOR_TYPE_GRAY, PNG_INTERLACE_NONE,
                 PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    png_write_info(c->png, c->info);
    for (int y = 0; y < h; y++) png_write_row(c->png, (png_bytep)(px + (size_t)y * w * channels));
    png_write_end(c->png, c->info);
    return 0;
}

int image_encode_png(unsigned char **out, size_t *size, const uint8_t *px, int w, int h, int channels, ppad_err *err) {
    *out = NULL;
    *size = 0;
    if (!px || w < 1 || h < 1 || (channels != 1 && channels != 3))
        return ppad_fail(err, "PNG encoder: no image (%dx%d, %d channels)", w, h, channels);
    pnge_ctx c;
    memset(&c, 0, sizeof c);
    c.png = png_create_write_struct(PNG_LIBPNG_VER_STRING, &c, pnge_error, pnge_warning);
    if (c.png) c.info = png_create_info_struct(c.png);
    int rc = !c.png || !c.info ? -1 : pnge_run(&c, px, w, h, channels);
    if (!c.png || !c.info) snprintf(c.msg, sizeof c.msg, "out of memory");
    png_destroy_write_struct(c.png ? &c.png : NULL, c.info ? &c.info : NULL);
    if (rc != 0) {
        free(c.buf);
        return ppad_fail(err, "PNG encoder: %s", c.msg);
    }
    *out = c.buf;
    *size = c.size;
    return 0;
}
