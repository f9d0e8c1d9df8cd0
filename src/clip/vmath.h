/* vmath.h — a vectorisable expf for the kernels' inner loops (glibc's expf
 * is a scalar call that stops GCC from vectorising a loop). Cody-Waite range
 * reduction x = n ln2 + r, |r| <= ln2/2, then a degree-6 polynomial for e^r
 * and 2^n assembled in the exponent bits. Relative error < 2e-7 over the
 * clamped range [-87.3, 88] (e^88 = 1.65e38 stays finite) (tested against expf in test_vmath). */
#ifndef PPAD_CLIP_VMATH_H
#define PPAD_CLIP_VMATH_H

#include <stdint.h>
#include <string.h>

#pragma omp declare simd notinbranch
static inline float vexpf(float x) {
    const float x0 = x;
    x = x > -87.3f ? x : -87.3f; /* written so that NaN is clamped too: no NaN reaches the int conversion */
    x = x < 88.0f ? x : 88.0f;
    /* round to nearest: adding and subtracting 1.5 * 2^23 leaves the integer part */
    float nf = (x * 1.44269504088896341f + 12582912.0f) - 12582912.0f;
    float r = x - nf * 0.693145751953125f;                    /* ln2 high part (exact product) */
    r = r - nf * 1.428606765330187045e-06f;                   /* ln2 low part */
    float p = 1.0f / 720.0f;
    p = p * r + 1.0f / 120.0f;
    p = p * r + 1.0f / 24.0f;
    p = p * r + 1.0f / 6.0f;
    p = p * r + 0.5f;
    p = p * r + 1.0f;
    p = p * r + 1.0f;
    int32_t e = ((int32_t)nf + 127) << 23;
    float s;
    __builtin_memcpy(&s, &e, 4);
    return x0 == x0 ? p * s : x0; /* NaN in, NaN out */
}

#endif
