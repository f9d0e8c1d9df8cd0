/* jpeg_read.c — JPEG -> 8-bit gray through libjpeg(-turbo), as Pillow does it.
 *
 * Pillow decodes with libjpeg's defaults (ISLOW DCT, fancy upsampling) to RGB for
 * 3-component files and to L for 1-component files; convert('L') then applies
 * the RGB -> L formula. Doing the same against the same library gives the same
 * pixels. libjpeg's error_exit longjmps back to jpeg_decode_run; warnings that
 * mean the pixel data is damaged (file ends early, bad Huffman code, premature
 * end of a data segment, ...) are treated as errors too, where Pillow would
 * refuse a truncated file but silently decode corrupt data to garbage. Other
 * warnings (stray bytes between markers) are ignored, as Pillow ignores them.
 * Nothing is printed. */
#include <stdio.h> /* jpeglib.h needs FILE and size_t first */

#include <jpeglib.h>
/* after jpeglib.h: jconfig.h decides which message codes exist */
#include <jerror.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "image/image_codec.h"

typedef struct jpeg_ctx {
    struct jpeg_error_mgr mgr; /* first, so the j_common_ptr's err can be cast back */
    jmp_buf jump;
    char msg[JMSG_LENGTH_MAX];
    int truncated;
    struct jpeg_decompress_struct cinfo;
    int created;
    const unsigned char *data;
    size_t size;
    const char *name;
    unsigned char *row; /* one decoded scanline */
    gray8 img;
} jpeg_ctx;

static void jpeg_ctx_error_exit(j_common_ptr ci) {
    jpeg_ctx *c = (jpeg_ctx *)ci->err;
    c->mgr.format_message(ci, c->msg);
    longjmp(c->jump, 1);
}

static void jpeg_ctx_emit(j_common_ptr ci, int level) {
    jpeg_ctx *c = (jpeg_ctx *)ci->err;
    if (level >= 0) return; /* trace messages */
    switch (c->mgr.msg_code) {
    case JWRN_JPEG_EOF: /* jpeg_mem_src ran out of data */
        c->truncated = 1;
        longjmp(c->jump, 1);
    case JWRN_HIT_MARKER:
    case JWRN_MUST_RESYNC:
    case JWRN_HUFF_BAD_CODE:
    case JWRN_ARITH_BAD_CODE:
    case JWRN_NOT_SEQUENTIAL:
    case JWRN_BOGUS_PROGRESSION:
        c->mgr.format_message(ci, c->msg);
        longjmp(c->jump, 1);
    default:
        c->mgr.num_warnings++;
    }
}

static void jpeg_ctx_output(j_common_ptr ci) { (void)ci; }

/* Allocation failure or refused header: err already set; name the file. */
static int jpeg_named(const jpeg_ctx *c, ppad_err *err) {
    ppad_fail_prefix(err, c->name);
    return -2;
}

/* Everything that can longjmp; all state lives in *c (the caller's frame). */
static int jpeg_decode_run(jpeg_ctx *c, ppad_err *err) {
    struct jpeg_decompress_struct *ci = &c->cinfo;
    if (setjmp(c->jump)) return -1;
    jpeg_create_decompress(ci);
    c->created = 1;
    jpeg_mem_src(ci, c->data, (unsigned long)c->size);
    jpeg_read_header(ci, TRUE);

    if (ci->jpeg_color_space == JCS_CMYK || ci->jpeg_color_space == JCS_YCCK || ci->num_components == 4) {
        ppad_fail(err, "unsupported JPEG colour space (CMYK/YCCK); convert it to RGB or grayscale first");
        return jpeg_named(c, err);
    }
    if (ci->num_components == 1) {
        ci->out_color_space = JCS_GRAYSCALE;
    } else if (ci->num_components == 3) {
        ci->out_color_space = JCS_RGB;
    } else {
        ppad_fail(err, "unsupported JPEG with %d colour components", ci->num_components);
        return jpeg_named(c, err);
    }
    if (image_check_size((long)ci->image_width, (long)ci->image_height, c->name, err)) return -2;

    jpeg_start_decompress(ci);
    int w = (int)ci->output_width, h = (int)ci->output_height, n = ci->output_components;
    if (gray8_alloc(&c->img, w, h, err)) return jpeg_named(c, err);
    c->row = ppad_malloc((size_t)w * (size_t)n, err);
    if (!c->row) return jpeg_named(c, err);
    while (ci->output_scanline < ci->output_height) {
        uint8_t *dst = c->img.px + (size_t)ci->output_scanline * (size_t)w;
        JSAMPROW rows[1] = {c->row};
        if (jpeg_read_scanlines(ci, rows, 1) != 1) {
            snprintf(c->msg, sizeof c->msg, "decoder returned no scanline");
            return -1;
        }
        if (n == 1) {
            memcpy(dst, c->row, (size_t)w);
        } else {
            for (int x = 0; x < w; x++) dst[x] = image_rgb_to_l(c->row[3 * x], c->row[3 * x + 1], c->row[3 * x + 2]);
        }
    }
    jpeg_finish_decompress(ci); /* reads up to EOI: a missing end is a truncated file */
    return 0;
}

static int jpeg_decode(gray8 *out, image_info *info, const unsigned char *data, size_t size, const char *name,
                        const image_opts *opts, ppad_err *err) {
    (void)opts;
    info->bits = 8; /* libjpeg-turbo here decodes 8-bit JPEG only */
    memset(out, 0, sizeof *out);
    jpeg_ctx *c = ppad_calloc(1, sizeof *c, err);
    if (!c) return ppad_fail_prefix(err, name);
    c->data = data;
    c->size = size;
    c->name = name;
    c->cinfo.err = jpeg_std_error(&c->mgr);
    c->mgr.error_exit = jpeg_ctx_error_exit;
    c->mgr.emit_message = jpeg_ctx_emit;
    c->mgr.output_message = jpeg_ctx_output;

    int rc = jpeg_decode_run(c, err);
    if (c->created) jpeg_destroy_decompress(&c->cinfo);
    free(c->row);
    if (rc == 0) *out = c->img;
    else gray8_free(&c->img);
    if (rc == -1) {
        if (c->truncated) ppad_fail(err, "%s: truncated JPEG (file ends early)", name);
        else {
            const char *m = c->msg; /* libjpeg's own text often starts "Corrupt JPEG data: " */
            if (!strncmp(m, "Corrupt JPEG data: ", 19)) m += 19;
            ppad_fail(err, "%s: corrupt JPEG: %s", name, m);
        }
    }
    free(c);
    return rc == 0 ? 0 : -1;
}

static int jpeg_sniff(const unsigned char *data, size_t size) {
    return size >= 3 && data[0] == 0xff && data[1] == 0xd8 && data[2] == 0xff;
}

const image_decoder image_jpeg_decoder = {"JPEG", jpeg_sniff, jpeg_decode};
