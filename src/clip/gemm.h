/* gemm.h — the matrix products of the towers, through oneDNN's matmul
 * primitive (AVX-512 / AVX512-BF16 JIT kernels, chosen at run time) with
 * OpenBLAS's cblas_sgemm as the fallback. Row-major throughout.
 *
 * Backend: oneDNN unless the environment says PPAD_GEMM=openblas (used by the
 * benchmarks to compare) or oneDNN cannot create the primitive.
 * Primitives are created once per shape and kept in a small thread-safe cache:
 * the only process-wide state in libppad (immutable once created). */
#ifndef PPAD_CLIP_GEMM_H
#define PPAD_CLIP_GEMM_H

#include <stdint.h>

/* C (M, N) = A (M, K) @ B^T, B stored (N, K); + bias (N) if non-NULL; + C if accumulate. */
void gemm_nt(float *C, const float *A, const float *B, const float *bias, int M, int N, int K, int accumulate);
/* C = quickgelu(A @ B^T + bias), QuickGELU fused into the product (oneDNN's swish, alpha 1.702). */
void gemm_nt_gelu(float *C, const float *A, const float *B, const float *bias, int M, int N, int K);
/* C (M, N) = A (M, K) @ B, B stored (K, N); + C if accumulate. */
void gemm_nn(float *C, const float *A, const float *B, int M, int N, int K, int accumulate);

/* Batched strided product over 4-D views (batch0, batch1, rows, cols), each
 * given by dims and element strides: C = alpha * A @ B (+ C if accumulate).
 * Used for attention, whose per-head matrices live interleaved in (B, T, 3C).
 * Returns 0, or -1 if oneDNN has no fast kernel for it (the caller falls back). */
int gemm_batched(float *C, const int64_t cd[4], const int64_t cs[4], const float *A, const int64_t ad[4],
                 const int64_t as[4], const float *B, const int64_t bd[4], const int64_t bs[4], float alpha,
                 int accumulate);

/* bf16 products for the reduced-precision path: A and B in bf16 (B
 * stored as in the fp32 calls), accumulation and C in fp32; gelu = 1 fuses
 * QuickGELU. Returns 0, or -1 if oneDNN cannot run it (no bf16 support; or
 * PPAD_GEMM_BF16_FAIL=1 in the environment, which the tests use to exercise
 * the callers' fallbacks). */
int gemm_nt_bf16(float *C, const uint16_t *A, const uint16_t *B, const float *bias, int M, int N, int K, int gelu);
int gemm_nn_bf16(float *C, const uint16_t *A, const uint16_t *B, int M, int N, int K);
/* The general NT form: C is bf16 (uint16_t) if c_bf16, else fp32; accumulate
 * adds the product to C (fp32 C only). Same return convention; on -1 C is untouched. */
int gemm_nt_bf16_ex(void *C, int c_bf16, const uint16_t *A, const uint16_t *B, const float *bias, int M, int N, int K,
                    int gelu, int accumulate);
/* dst (n) = bf16(src), round to nearest even; parallel. */
void gemm_to_bf16(uint16_t *dst, const float *src, size_t n);
/* 1 if the CPU has AVX512-BF16 (or AMX) so that the bf16 path is fast. */
int gemm_bf16_supported(void);
/* "onednn" or "openblas" (the backend in use for fp32). */
const char *gemm_backend(void);

/* fp32 -> bf16, round to nearest even (NaN kept). */
uint16_t gemm_f32_to_bf16(float f);
/* bf16 -> fp32 (exact). */
static inline float gemm_bf16_to_f32(uint16_t h) {
    union { uint32_t u; float f; } v = {.u = (uint32_t)h << 16};
    return v.f;
}

#endif
