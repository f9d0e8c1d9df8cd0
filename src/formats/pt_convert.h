/* pt_convert.h — element conversions for PyTorch storages: half / bfloat16 /
 * double to fp32 and integer types to int64, plus a strided gather that
 * copies a (shape, stride, offset) view of raw little-endian storage bytes
 * into a contiguous row-major array. */
#ifndef PPAD_FORMATS_PT_CONVERT_H
#define PPAD_FORMATS_PT_CONVERT_H

#include <stddef.h>
#include <stdint.h>

#include "formats/torch_pt.h"

/* IEEE 754 binary16 -> binary32, exact for every bit pattern (subnormals,
 * infinities; NaNs keep sign and payload, quietened). */
float pt_half_to_f32(uint16_t h);
/* fp32 -> IEEE half, round to nearest even (overflow to inf, NaN kept quiet). */
uint16_t pt_f32_to_half(float f);
/* bfloat16 -> binary32 (the upper 16 bits of a float; exact). */
float pt_bf16_to_f32(uint16_t b);

/* Bytes per element of a storage type. */
size_t pt_dtype_size(pt_dtype t);
/* 1 for f32/f16/bf16/f64, 0 for integer and bool types. */
int pt_dtype_is_float(pt_dtype t);

/* Converts n consecutive little-endian elements of type t at src to fp32
 * (float types only) / int64 (integer and bool types only). */
void pt_convert_f32(float *dst, const unsigned char *src, pt_dtype t, size_t n);
void pt_convert_i64(int64_t *dst, const unsigned char *src, pt_dtype t, size_t n);

/* True when the view is row-major contiguous (size-1 dims may have any stride). */
int pt_view_contiguous(const pt_tensor *v);

/* Copies the view (ndim, shape, stride, offset; in elements) of the storage
 * bytes at base into dst (numel elements, row-major), converting as above.
 * The caller has checked that the view lies inside the storage. */
void pt_gather_f32(float *dst, const unsigned char *base, pt_dtype t, const pt_tensor *v);
void pt_gather_i64(int64_t *dst, const unsigned char *base, pt_dtype t, const pt_tensor *v);

#endif
