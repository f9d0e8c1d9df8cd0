/* png16.c — 16-bit grayscale PNG samples to 8-bit gray (--png16).
 *
 * Modes (IMAGE_PNG16_*; see image.h and README "16-bit PNG"), v a 16-bit sample:
 *   sbit       (default) with an sBIT chunk of s significant bits (8 <= s < 16)
 *              and every sample below 2^s: v >> (s - 8) — the s-bit data that
 *              DICOM exports store unshifted; otherwise (no sBIT, sBIT 16, or
 *              samples above 2^s - 1, i.e. scaled to 16 bits as the PNG spec
 *              asks) the high byte v >> 8, as Pillow's 8-bit conversion keeps.
 *   high-byte  v >> 8 always.
 *   minmax     linear from the image's own [lo, hi] to [0, 255]:
 *              floor((v - lo) * 255 / (hi - lo) + 1/2), exactly in integers;
 *              a constant image gives 0.
 *   9 .. 16    N significant bits: min(v >> (N - 8), 255).
 * A warning (once per file, through opts->warn) says when the result spans
 * fewer than IMAGE_PNG16_NARROW gray levels although the samples vary. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "image/image_codec.h"

int image_png16_parse(int *mode, const char *s, ppad_err *err) {
    if (!strcmp(s, "sbit")) *mode = IMAGE_PNG16_SBIT;
    else if (!strcmp(s, "high-byte")) *mode = IMAGE_PNG16_HIGH_BYTE;
    else if (!strcmp(s, "minmax")) *mode = IMAGE_PNG16_MINMAX;
    else {
        char *end;
        long n = strtol(s, &end, 10);
        if (end == s || *end || n < 9 || n > 16)
            return ppad_fail(err, "unknown 16-bit PNG mapping '%s' (one of: %s)", s, IMAGE_PNG16_NAMES);
        *mode = IMAGE_PNG16_BITS((int)n);
    }
    return 0;
}

void image_png16_to_gray(uint8_t *dst, const uint16_t *src, size_t n, int sbit, const image_opts *opts,
                         const char *name, char *detail, size_t detail_n) {
    unsigned lo = 65535, hi = 0;
    for (size_t i = 0; i < n; i++) {
        if (src[i] < lo) lo = src[i];
        if (src[i] > hi) hi = src[i];
    }
    int mode = opts ? opts->png16 : IMAGE_PNG16_SBIT;
    int shift = 8; /* v >> shift, clipped to 255 */
    const char *rule = "high byte";
    char buf[64];
    if (mode == IMAGE_PNG16_SBIT && sbit >= 8 && sbit < 16 && hi < (1u << sbit)) {
        shift = sbit - 8;
        snprintf(buf, sizeof buf, "sBIT %d: v >> %d", sbit, shift);
        rule = buf;
    } else if (mode >= IMAGE_PNG16_BITS(9) && mode <= IMAGE_PNG16_BITS(16)) {
        shift = mode - IMAGE_PNG16_BITS(8);
        snprintf(buf, sizeof buf, "%d bits: v >> %d", mode - IMAGE_PNG16_BITS(0), shift);
        rule = buf;
    }
    unsigned out_lo, out_hi;
    if (mode == IMAGE_PNG16_MINMAX) {
        const unsigned long long range = hi - lo;
        for (size_t i = 0; i < n; i++)
            dst[i] = range ? (uint8_t)(((unsigned long long)(src[i] - lo) * 510u + range) / (2 * range)) : 0;
        snprintf(buf, sizeof buf, "min-max %u..%u", lo, hi);
        rule = buf;
        out_lo = 0, out_hi = range ? 255 : 0;
    } else {
        for (size_t i = 0; i < n; i++) {
            unsigned v = (unsigned)src[i] >> shift;
            dst[i] = (uint8_t)(v > 255 ? 255 : v);
        }
        out_lo = lo >> shift > 255 ? 255 : lo >> shift;
        out_hi = hi >> shift > 255 ? 255 : hi >> shift;
    }
    if (detail && detail_n) {
        if (sbit > 0) snprintf(detail, detail_n, "16-bit gray, samples %u..%u, sBIT %d, to 8 bits by %s", lo, hi,
                               sbit, rule);
        else snprintf(detail, detail_n, "16-bit gray, samples %u..%u, to 8 bits by %s", lo, hi, rule);
    }
    if (hi > lo && out_hi - out_lo + 1 < IMAGE_PNG16_NARROW)
        image_warn(opts, name, "16-bit PNG: samples %u..%u become gray levels %u..%u only (%s); "
                   "--png16 minmax or --png16 N (N significant bits) may suit it", lo, hi, out_lo, out_hi, rule);
}
