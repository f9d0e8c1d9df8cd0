/* png_write.c — 8-bit grayscale PNG writer (libpng), atomic: the image goes to
 * "<path>.tmp.<pid>" and is renamed over path only when complete. */
#include <errno.h>
#include <png.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "base/fileio.h"
#include "image/image.h"

typedef struct pngw_ctx {
    png_structp png;
    png_infop info;
    FILE *fp;
    char msg[256];
} pngw_ctx;

static void pngw_error(png_structp png, png_const_charp msg) {
    pngw_ctx *c = png_get_error_ptr(png);
    snprintf(c->msg, sizeof c->msg, "%s", msg ? msg : "unknown libpng error");
    png_longjmp(png, 1);
}

static void pngw_warning(png_structp png, png_const_charp msg) {
    (void)png;
    (void)msg;
}

/* Everything that can longjmp; state lives in *c. */
static int pngw_run(pngw_ctx *c, const gray8 *g) {
    if (setjmp(png_jmpbuf(c->png))) return -1;
    png_init_io(c->png, c->fp);
    png_set_IHDR(c->png, c->info, (png_uint_32)g->w, (png_uint_32)g->h, 8, PNG_COLOR_TYPE_GRAY, PNG_INTERLACE_NONE,
                 PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    png_write_info(c->png, c->info);
    for (int y = 0; y < g->h; y++) png_write_row(c->png, g->px + (size_t)y * g->w);
    png_write_end(c->png, c->info);
    return 0;
}

int image_write_png(const char *path, const gray8 *g, ppad_err *err) {
    if (!g || !g->px || g->w < 1 || g->h < 1) return ppad_fail(err, "%s: no image to write", path);
    char *tmp = atomic_tmp_name(path, err);
    if (!tmp) return ppad_fail_prefix(err, path);
    pngw_ctx c;
    memset(&c, 0, sizeof c);
    c.fp = fopen(tmp, "wb");
    if (!c.fp) {
        int e = errno;
        atomic_discard(tmp);
        free(tmp);
        return ppad_fail(err, "%s: cannot create: %s", path, strerror(e));
    }
    c.png = png_create_write_struct(PNG_LIBPNG_VER_STRING, &c, pngw_error, pngw_warning);
    if (c.png) c.info = png_create_info_struct(c.png);
    int rc;
    if (!c.png || !c.info) {
        snprintf(c.msg, sizeof c.msg, "out of memory");
        rc = -1;
    } else {
        rc = pngw_run(&c, g);
    }
    png_destroy_write_struct(c.png ? &c.png : NULL, c.info ? &c.info : NULL);
    int werr = ferror(c.fp);
    if (fclose(c.fp) != 0 || werr) {
        if (rc == 0) snprintf(c.msg, sizeof c.msg, "%s", strerror(errno));
        rc = -1;
    }
    if (rc != 0) {
        atomic_discard(tmp);
        free(tmp);
        return ppad_fail(err, "%s: cannot write PNG: %s", path, c.msg);
    }
    rc = atomic_rename(tmp, path, err);
    free(tmp);
    return rc;
}
