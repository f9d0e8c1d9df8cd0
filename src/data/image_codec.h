/* image_codec.h — internal to src/data: the two decoders behind image_decode_gray
 * and the conversions they share. Not part of the public image API. */
#ifndef PPAD_DATA_IMAGE_CODEC_H
#define PPAD_DATA_IMAGE_CODEC_H

#include <stddef.h>
#include <stdint.h>

#include "data/image.h"

/* PIL's RGB -> L: (19595 R + 38470 G + 7471 B + 0x8000) >> 16. */
static inline uint8_t image_rgb_to_l(unsigned r, unsigned g, unsigned b) {
    return (uint8_t)((r * 19595u + g * 38470u + b * 7471u + 0x8000u) >> 16);
}

/* Rejects zero or absurd dimensions with "name: ..." (returns -1). */
int image_check_size(long w, long h, const char *name, ppad_err *err);

/* Decoders: data holds the whole file; out is allocated on success only. */
int image_decode_png(gray8 *out, const unsigned char *data, size_t size, const char *name, ppad_err *err);
int image_decode_jpeg(gray8 *out, const unsigned char *data, size_t size, const char *name, ppad_err *err);

#endif
