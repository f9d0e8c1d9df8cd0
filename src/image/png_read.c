/* png_read.c — PNG -> 8-bit gray through libpng, as Pillow's convert('L') does.
 *
 * libpng is asked for no transforms except de-interlacing: every colour type and
 * bit depth arrives as raw big-endian samples and is converted here, so the
 * rules are visible in one place (see image.h); 16-bit gray samples are kept
 * whole and mapped to 8 bits at the end by png16.c (--png16, the sBIT chunk).
 * libpng errors longjmp back to
 * png_decode_run and become one line naming the file; warnings are dropped. */
#include <png.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "image/image_codec.h"

typedef struct png_ctx {
    const unsigned char *data;
    size_t size, pos;
    const char *name;
    int truncated;      /* the read callback ran past the end of the file */
    char msg[256];      /* libpng's error text */
    png_structp png;
    png_infop info;
    unsigned char *raw; /* one row (progressive) or the whole image (interlaced) */
    png_bytep *rows;
    gray8 img;
    uint16_t *s16;      /* (h, w) 16-bit gray samples, for 16-bit gray (+alpha) images only */
    int sbit;           /* the sBIT chunk's gray bits (0: none) */
    uint8_t pal_l[256]; /* gray value of each palette index */
} png_ctx;

static void png_ctx_error(png_structp png, png_const_charp msg) {
    png_ctx *c = png_get_error_ptr(png);
    snprintf(c->msg, sizeof c->msg, "%s", msg ? msg : "unknown libpng error");
    png_longjmp(png, 1);
}

static void png_ctx_warning(png_structp png, png_const_charp msg) {
    (void)png;
    (void)msg; /* benign problems (unknown profiles, extra data): Pillow ignores them too */
}

static void png_ctx_read(png_structp png, png_bytep dst, size_t n) {
    png_ctx *c = png_get_io_ptr(png);
    if (n > c->size - c->pos) {
        c->truncated = 1;
        png_error(png, "file ends early");
    }
    memcpy(dst, c->data + c->pos, n);
    c->pos += n;
}

/* Palette lookup as Pillow builds it: entries beyond PLTE keep Pillow's
 * initial gray ramp (index i -> (i, i, i)). */
static void png_palette_gray(png_ctx *c) {
    for (int i = 0; i < 256; i++) c->pal_l[i] = (uint8_t)i;
    png_colorp pal = NULL;
    int n = 0;
    if (png_get_PLTE(c->png, c->info, &pal, &n) & PNG_INFO_PLTE)
        for (int i = 0; i < n && i < 256; i++) c->pal_l[i] = image_rgb_to_l(pal[i].red, pal[i].green, pal[i].blue);
}

/* Sub-byte sample x of a packed row (MSB first). */
static inline unsigned png_packed(const unsigned char *row, int x, int bits) {
    int per = 8 / bits;
    int shift = 8 - bits * (x % per + 1);
    return (row[x / per] >> shift) & ((1u << bits) - 1);
}

static void png_convert_row(const png_ctx *c, int y, const unsigned char *src, int color, int depth) {
    int w = c->img.w;
    uint8_t *dst = c->img.px + (size_t)y * w;
    int hi = depth == 16 ? 2 : 1; /* bytes per sample; for 16-bit the first byte is the high byte */
    if (c->s16) { /* 16-bit gray (+alpha): the whole sample, big-endian */
        uint16_t *d16 = c->s16 + (size_t)y * w;
        int step = color == PNG_COLOR_TYPE_GRAY ? 2 : 4;
        for (int x = 0; x < w; x++) d16[x] = (uint16_t)(src[x * step] << 8 | src[x * step + 1]);
        return;
    }
    switch (color) {
    case PNG_COLOR_TYPE_GRAY:
        if (depth >= 8) {
            for (int x = 0; x < w; x++) dst[x] = src[x * hi];
        } else {
            unsigned scale = depth == 1 ? 255 : depth == 2 ? 85 : 17;
            for (int x = 0; x < w; x++) dst[x] = (uint8_t)(png_packed(src, x, depth) * scale);
        }
        break;
    case PNG_COLOR_TYPE_GRAY_ALPHA:
        for (int x = 0; x < w; x++) dst[x] = src[x * 2 * hi];
        break;
    case PNG_COLOR_TYPE_RGB:
    case PNG_COLOR_TYPE_RGB_ALPHA: {
        int step = (color == PNG_COLOR_TYPE_RGB ? 3 : 4) * hi;
        for (int x = 0; x < w; x++) {
            const unsigned char *p = src + (size_t)x * step;
            dst[x] = image_rgb_to_l(p[0], p[hi], p[2 * hi]);
        }
        break;
    }
    case PNG_COLOR_TYPE_PALETTE:
        if (depth == 8) {
            for (int x = 0; x < w; x++) dst[x] = c->pal_l[src[x]];
        } else {
            for (int x = 0; x < w; x++) dst[x] = c->pal_l[png_packed(src, x, depth)];
        }
        break;
    }
}

/* A failure whose message is already in err (allocation, size check): prefix the file name. */
static int png_named(const png_ctx *c, ppad_err *err) {
    ppad_fail_prefix(err, c->name);
    return -2;
}

/* Everything that can longjmp lives here; all state is in *c (owned by the
 * caller's frame), so nothing local needs to survive the jump. */
static int png_decode_run(png_ctx *c, ppad_err *err) {
    if (setjmp(png_jmpbuf(c->png))) return -1;

    png_set_crc_action(c->png, PNG_CRC_DEFAULT, PNG_CRC_ERROR_QUIT); /* bad CRC anywhere: corrupt */
    png_set_read_fn(c->png, c, png_ctx_read);
    png_read_info(c->png, c->info);

    png_uint_32 w32, h32;
    int depth, color, interlace;
    png_get_IHDR(c->png, c->info, &w32, &h32, &depth, &color, &interlace, NULL, NULL);
    if (image_check_size((long)(w32 > 0x7fffffff ? 0x7fffffff : w32), (long)(h32 > 0x7fffffff ? 0x7fffffff : h32),
                         c->name, err))
        return -2;
    int passes = png_set_interlace_handling(c->png);
    png_read_update_info(c->png, c->info);
    if (color == PNG_COLOR_TYPE_PALETTE) png_palette_gray(c);

    size_t rowbytes = png_get_rowbytes(c->png, c->info);
    int w = (int)w32, h = (int)h32;
    if (gray8_alloc(&c->img, w, h, err)) return png_named(c, err);
    if (depth == 16 && (color == PNG_COLOR_TYPE_GRAY || color == PNG_COLOR_TYPE_GRAY_ALPHA)) {
        c->s16 = ppad_malloc(sizeof *c->s16 * (size_t)w * (size_t)h, err);
        if (!c->s16) return png_named(c, err);
        png_color_8p sig = NULL;
        if (png_get_sBIT(c->png, c->info, &sig) & PNG_INFO_sBIT && sig) c->sbit = sig->gray;
    }

    if (passes == 1) {
        c->raw = ppad_malloc(rowbytes, err);
        if (!c->raw) return png_named(c, err);
        for (int y = 0; y < h; y++) {
            png_read_row(c->png, c->raw, NULL);
            png_convert_row(c, y, c->raw, color, depth);
        }
    } else {
        c->raw = ppad_malloc(rowbytes * (size_t)h, err);
        c->rows = ppad_malloc(sizeof *c->rows * (size_t)h, err);
        if (!c->raw || !c->rows) return png_named(c, err);
        for (int y = 0; y < h; y++) c->rows[y] = c->raw + rowbytes * (size_t)y;
        png_read_image(c->png, c->rows);
        for (int y = 0; y < h; y++) png_convert_row(c, y, c->rows[y], color, depth);
    }
    return 0;
}

static int png_decode(gray8 *out, image_info *info, const unsigned char *data, size_t size, const char *name,
                       const image_opts *opts, ppad_err *err) {
    memset(out, 0, sizeof *out);
    png_ctx c;
    memset(&c, 0, sizeof c);
    c.data = data;
    c.size = size;
    c.name = name;
    c.png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &c, png_ctx_error, png_ctx_warning);
    if (c.png) c.info = png_create_info_struct(c.png);
    if (!c.png || !c.info) {
        png_destroy_read_struct(c.png ? &c.png : NULL, NULL, NULL);
        return ppad_fail(err, "%s: out of memory starting the PNG decoder", name);
    }
    int rc = png_decode_run(&c, err);
    if (rc == 0) info->bits = png_get_bit_depth(c.png, c.info);
    png_destroy_read_struct(&c.png, &c.info, NULL);
    free(c.raw);
    free(c.rows);
    if (rc == 0 && c.s16)
        image_png16_to_gray(c.img.px, c.s16, (size_t)c.img.w * (size_t)c.img.h, c.sbit, opts, name, info->detail,
                            sizeof info->detail);
    free(c.s16);
    if (rc == 0) {
        *out = c.img;
        return 0;
    }
    gray8_free(&c.img);
    if (rc == -2) return -1; /* err already names the file */
    if (c.truncated) return ppad_fail(err, "%s: truncated PNG (file ends early)", name);
    return ppad_fail(err, "%s: corrupt PNG: %s", name, c.msg);
}

static int png_sniff(const unsigned char *data, size_t size) {
    static const unsigned char sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    /* a file that is only the start of the signature is a truncated PNG: claim it */
    return memcmp(data, sig, size < 8 ? size : 8) == 0;
}

const image_decoder image_png_decoder = {"PNG", png_sniff, png_decode};
