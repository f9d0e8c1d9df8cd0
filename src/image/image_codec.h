/* image_codec.h — internal to src/image: the decoder interface every image
 * format implements (PNG, JPEG; DICOM joins the same way), and the helpers the
 * decoders share. Not part of the layer's public API (image.h).
 *
 * A format is one image_decoder: sniff() looks at the file's first bytes and
 * decode() turns the whole file into 8-bit gray. image_decode_gray() picks the
 * decoder by content (never by file name), in the order of image_decoders[]. */
#ifndef PPAD_IMAGE_IMAGE_CODEC_H
#define PPAD_IMAGE_IMAGE_CODEC_H

#include <stddef.h>
#include <stdint.h>

#include "image/image.h"

typedef struct image_decoder {
    const char *name; /* "PNG", "JPEG", ...: used in messages */
    /* 1 if data (size bytes, the whole file) is this format, 0 if not. */
    int (*sniff)(const unsigned char *data, size_t size);
    /* data (size bytes) -> out (allocated on success only); name is used in
     * messages. opts is never NULL here. info is never NULL either: format,
     * width and height are filled in by the caller; the decoder may set bits
     * and detail. */
    int (*decode)(gray8 *out, image_info *info, const unsigned char *data, size_t size, const char *name,
                  const image_opts *opts, ppad_err *err);
} image_decoder;

extern const image_decoder image_png_decoder;  /* png_read.c (libpng) */
extern const image_decoder image_jpeg_decoder; /* jpeg_read.c (libjpeg-turbo) */
extern const image_decoder image_dicom_decoder; /* dicom_gray.c + dicom_read.cc (DCMTK) */

/* PIL's RGB -> L: (19595 R + 38470 G + 7471 B + 0x8000) >> 16. */
static inline uint8_t image_rgb_to_l(unsigned r, unsigned g, unsigned b) {
    return (uint8_t)((r * 19595u + g * 38470u + b * 7471u + 0x8000u) >> 16);
}

/* Reports a warning through opts->warn (if set): "name: <text>". */
void image_warn(const image_opts *opts, const char *name, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* n 16-bit gray samples -> 8-bit by opts->png16 (png16.c); sbit is the PNG's
 * sBIT for gray (0: none). Writes what was done into detail; warns (once) when
 * the result uses only a small part of the gray range. */
void image_png16_to_gray(uint8_t *dst, const uint16_t *src, size_t n, int sbit, const image_opts *opts,
                         const char *name, char *detail, size_t detail_n);

/* Rejects zero or absurd dimensions with "name: ..." (returns -1). */
int image_check_size(long w, long h, const char *name, ppad_err *err);

#endif
