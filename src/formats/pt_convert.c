/* pt_convert.c — storage element conversions (fp16/bf16/f64 -> fp32 with an
 * F16C fast path, integers -> int64) and the strided gather of tensor views. */
#include "formats/pt_convert.h"

#include <string.h>

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#include <immintrin.h>
#define PT_HAVE_X86 1
#endif

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "pt_convert.c assumes a little-endian host (PyTorch storages are little-endian)"
#endif

float pt_half_to_f32(uint16_t h) {
    uint32_t sign = (uint32_t)(h >> 15) << 31;
    uint32_t exp = (h >> 10) & 0x1f;
    uint32_t mant = h & 0x3ff;
    uint32_t bits;
    if (exp == 0) {
        if (mant == 0) {
            bits = sign; /* +-0 */
        } else {         /* subnormal: mant * 2^-24, renormalised */
            int e = 1;
            while (!(mant & 0x400)) {
                mant <<= 1;
                e--;
            }
            bits = sign | (uint32_t)(e + 112) << 23 | (mant & 0x3ff) << 13;
        }
    } else if (exp == 31) {
        bits = sign | 0x7f800000u | mant << 13;
        if (mant) bits |= 0x00400000u; /* NaN: quiet, as the hardware conversion does */
    } else {
        bits = sign | (exp + 112) << 23 | mant << 13;
    }
    float f;
    memcpy(&f, &bits, sizeof f);
    return f;
}

float pt_bf16_to_f32(uint16_t b) {
    uint32_t bits = (uint32_t)b << 16;
    float f;
    memcpy(&f, &bits, sizeof f);
    return f;
}

size_t pt_dtype_size(pt_dtype t) {
    switch (t) {
    case PT_F64: case PT_I64: return 8;
    case PT_F32: case PT_I32: return 4;
    case PT_F16: case PT_BF16: case PT_I16: return 2;
    case PT_I8: case PT_U8: case PT_BOOL: return 1;
    }
    return 0;
}

int pt_dtype_is_float(pt_dtype t) {
    return t == PT_F32 || t == PT_F16 || t == PT_BF16 || t == PT_F64;
}

static uint16_t ld16(const unsigned char *p) { uint16_t v; memcpy(&v, p, 2); return v; }

#ifdef PT_HAVE_X86
__attribute__((target("avx,f16c"))) static size_t half_block_f16c(float *dst, const unsigned char *src, size_t n) {
    size_t i = 0;
    for (; i + 32 <= n; i += 32) {
        __m128i a = _mm_loadu_si128((const __m128i *)(const void *)(src + 2 * i));
        __m128i b = _mm_loadu_si128((const __m128i *)(const void *)(src + 2 * i + 16));
        __m128i c = _mm_loadu_si128((const __m128i *)(const void *)(src + 2 * i + 32));
        __m128i d = _mm_loadu_si128((const __m128i *)(const void *)(src + 2 * i + 48));
        _mm256_storeu_ps(dst + i, _mm256_cvtph_ps(a));
        _mm256_storeu_ps(dst + i + 8, _mm256_cvtph_ps(b));
        _mm256_storeu_ps(dst + i + 16, _mm256_cvtph_ps(c));
        _mm256_storeu_ps(dst + i + 24, _mm256_cvtph_ps(d));
    }
    for (; i + 8 <= n; i += 8) {
        __m128i a = _mm_loadu_si128((const __m128i *)(const void *)(src + 2 * i));
        _mm256_storeu_ps(dst + i, _mm256_cvtph_ps(a));
    }
    return i;
}

/* CPUID leaf 1: F16C (ecx 29), AVX (ecx 28), OSXSAVE (ecx 27), and the OS saving
 * the YMM state (XCR0 bits 1-2). Written out rather than __builtin_cpu_supports,
 * whose "f16c" clang does not know (the fuzzing build uses clang). */
static int have_f16c(void) {
    unsigned a, b, c, d;
    if (!__get_cpuid(1, &a, &b, &c, &d)) return 0;
    if (!(c & (1u << 29)) || !(c & (1u << 28)) || !(c & (1u << 27))) return 0;
    unsigned lo, hi;
    __asm__("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    (void)hi;
    return (lo & 6u) == 6u;
}
#endif

static void half_block(float *dst, const unsigned char *src, size_t n) {
    size_t i = 0;
#ifdef PT_HAVE_X86
    if (n >= 8 && have_f16c()) i = half_block_f16c(dst, src, n);
#endif
    for (; i < n; i++) dst[i] = pt_half_to_f32(ld16(src + 2 * i));
}

static void bf16_block(float *dst, const unsigned char *src, size_t n) {
    for (size_t i = 0; i < n; i++) {
        uint32_t bits = (uint32_t)ld16(src + 2 * i) << 16;
        memcpy(dst + i, &bits, 4);
    }
}

void pt_convert_f32(float *dst, const unsigned char *src, pt_dtype t, size_t n) {
    switch (t) {
    case PT_F32: memcpy(dst, src, n * 4); break;
    case PT_F16: half_block(dst, src, n); break;
    case PT_BF16: bf16_block(dst, src, n); break;
    case PT_F64:
        for (size_t i = 0; i < n; i++) {
            double d;
            memcpy(&d, src + 8 * i, 8);
            dst[i] = (float)d;
        }
        break;
    default: break; /* integer types are not converted to float here */
    }
}

void pt_convert_i64(int64_t *dst, const unsigned char *src, pt_dtype t, size_t n) {
    for (size_t i = 0; i < n; i++) {
        const unsigned char *p = src + i * pt_dtype_size(t);
        switch (t) {
        case PT_I64: memcpy(dst + i, p, 8); break;
        case PT_I32: { int32_t v; memcpy(&v, p, 4); dst[i] = v; break; }
        case PT_I16: { int16_t v; memcpy(&v, p, 2); dst[i] = v; break; }
        case PT_I8: dst[i] = (int8_t)p[0]; break;
        case PT_U8: dst[i] = p[0]; break;
        case PT_BOOL: dst[i] = p[0] != 0; break;
        default: dst[i] = 0; break; /* float types are not converted to int here */
        }
    }
}

int pt_view_contiguous(const pt_tensor *v) {
    for (int i = 0; i < v->ndim; i++)
        if (v->shape[i] == 0) return 1; /* empty: nothing to gather, whatever the strides */
    int64_t expect = 1;
    for (int i = v->ndim - 1; i >= 0; i--) {
        if (v->shape[i] != 1 && v->stride[i] != expect) return 0;
        /* a product of the dimensions of a non-empty view: at most its numel,
         * but the shapes come from the file, so it is checked all the same */
        if (__builtin_mul_overflow(expect, v->shape[i], &expect)) return 0;
    }
    return 1;
}

/* Walks the view row by row (last dimension innermost) and calls the
 * converter on each run; a run is contiguous when the last stride is 1,
 * otherwise it is converted element by element. */
#define GATHER_BODY(DST_T, CONVERT)                                                          \
    size_t es = pt_dtype_size(t);                                                            \
    if (v->numel <= 0) return;                                                               \
    if (v->ndim == 0 || pt_view_contiguous(v)) {                                                \
        CONVERT(dst, base + (size_t)v->offset * es, t, (size_t)v->numel);                    \
        return;                                                                              \
    }                                                                                        \
    int last = v->ndim - 1;                                                                  \
    int64_t len = v->shape[last], st = v->stride[last];                                      \
    int64_t idx[PT_MAX_DIMS] = {0};                                                          \
    DST_T *out = dst;                                                                        \
    for (int64_t row = 0, rows = v->numel / len; row < rows; row++) {                        \
        int64_t off = v->offset;                                                             \
        for (int d = 0; d < last; d++) off += idx[d] * v->stride[d];                         \
        if (st == 1) {                                                                       \
            CONVERT(out, base + (size_t)off * es, t, (size_t)len);                           \
        } else {                                                                             \
            for (int64_t j = 0; j < len; j++)                                                \
                CONVERT(out + j, base + (size_t)(off + j * st) * es, t, 1);                  \
        }                                                                                    \
        out += len;                                                                          \
        for (int d = last - 1; d >= 0; d--) {                                                \
            if (++idx[d] < v->shape[d]) break;                                               \
            idx[d] = 0;                                                                      \
        }                                                                                    \
    }

void pt_gather_f32(float *dst, const unsigned char *base, pt_dtype t, const pt_tensor *v) {
    GATHER_BODY(float, pt_convert_f32)
}

void pt_gather_i64(int64_t *dst, const unsigned char *base, pt_dtype t, const pt_tensor *v) {
    GATHER_BODY(int64_t, pt_convert_i64)
}

uint16_t pt_f32_to_half(float f) {
    uint32_t x;
    memcpy(&x, &f, 4);
    uint32_t sign = (x >> 16) & 0x8000u;
    uint32_t ax = x & 0x7fffffffu;
    if (ax >= 0x7f800000u) /* inf or NaN */
        return (uint16_t)(sign | 0x7c00u | (ax > 0x7f800000u ? 0x200u | ((ax >> 13) & 0x3ffu) : 0));
    if (ax >= 0x477ff000u) return (uint16_t)(sign | 0x7c00u); /* rounds to >= 65520: inf */
    if (ax < 0x38800000u) {                                   /* below the smallest normal half: subnormal or 0 */
        if (ax < 0x33000000u) return (uint16_t)sign;          /* < 2^-25: rounds to 0 */
        uint32_t mant = (ax & 0x7fffffu) | 0x800000u;
        int shift = 126 - (int)(ax >> 23); /* 14..24 */
        uint32_t q = mant >> shift, rem = mant & ((1u << shift) - 1), half = 1u << (shift - 1);
        if (rem > half || (rem == half && (q & 1))) q++;
        return (uint16_t)(sign | q);
    }
    uint32_t q = (ax - 0x38000000u) >> 13; /* rebias exponent 127 -> 15 */
    uint32_t rem = ax & 0x1fffu;
    if (rem > 0x1000u || (rem == 0x1000u && (q & 1))) q++;
    return (uint16_t)(sign | q);
}
