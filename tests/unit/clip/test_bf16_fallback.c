/* test_bf16_fallback.c — a bf16 model keeps no fp32 copy of the image tower's
 * matrices, so when oneDNN cannot run a bf16 product (forced here with
 * PPAD_GEMM_BF16_FAIL=1) the mixed kernels must compute from the bf16 copy
 * alone: each result must equal the fp32 kernel run on the bf16-rounded matrix. */
#include <math.h>
#include <stdlib.h>

#include "base/rng.h"
#include "check.h"
#include "clip/gemm.h"
#include "clip/kernels.h"

int main(void) {
    setenv("PPAD_GEMM_BF16_FAIL", "1", 1); /* before the first bf16 product */
    ppad_rng r;
    rng_seed(&r, 11);
    const int N = 23, C = 96, OC = 160;
    float *inp = malloc(sizeof(float) * N * C), *wr = malloc(sizeof(float) * OC * C), *bias = malloc(sizeof(float) * OC);
    float *dout = malloc(sizeof(float) * N * OC);
    float *got = malloc(sizeof(float) * N * OC), *ref = malloc(sizeof(float) * N * OC);
    float *dgot = malloc(sizeof(float) * N * C), *dref = malloc(sizeof(float) * N * C);
    uint16_t *w16 = malloc(sizeof(uint16_t) * OC * C), *s16 = malloc(sizeof(uint16_t) * N * OC);
    for (int i = 0; i < N * C; i++) inp[i] = (float)rng_normal(&r, 0, 1);
    for (int i = 0; i < OC * C; i++) {
        w16[i] = gemm_f32_to_bf16((float)rng_normal(&r, 0, 0.1));
        wr[i] = gemm_bf16_to_f32(w16[i]); /* the matrix the fallback must use */
    }
    for (int i = 0; i < OC; i++) bias[i] = (float)rng_normal(&r, 0, 0.5);
    for (int i = 0; i < N * OC; i++) dout[i] = (float)rng_normal(&r, 0, 1);

    CHECK(gemm_nt_bf16(got, s16, w16, bias, N, OC, C, 0) == -1, "PPAD_GEMM_BF16_FAIL=1 makes bf16 products fail");

    /* fp32 sums in another order than the GEMM: 1e-5 abs + 1e-5 rel */
    linear_forward_mixed(got, inp, NULL, w16, bias, s16, N, C, OC, 0);
    linear_forward(ref, inp, wr, bias, N, C, OC);
    check_close("fallback linear forward = fp32 on the bf16 matrix", got, ref, (long)N * OC, 1e-5, 1e-5);

    linear_forward_mixed(got, inp, NULL, w16, bias, s16, N, C, OC, LINEAR_GELU);
    quickgelu_forward(ref, ref, (size_t)N * OC);
    check_close("fallback linear forward with QuickGELU", got, ref, (long)N * OC, 1e-5, 1e-5);

    for (int i = 0; i < N * OC; i++) got[i] = ref[i] = (float)i / 100.0f; /* the residual stream */
    linear_forward_mixed(got, inp, NULL, w16, bias, s16, N, C, OC, LINEAR_ACC);
    gemm_nt(ref, inp, wr, bias, N, OC, C, 1);
    check_close("fallback linear forward accumulating", got, ref, (long)N * OC, 1e-5, 1e-5);

    for (int i = 0; i < N * C; i++) dgot[i] = 1e30f; /* must be overwritten */
    linear_backward_set_mixed(dgot, dout, NULL, w16, s16, N, C, OC);
    linear_backward_set(dref, dout, wr, N, C, OC);
    check_close("fallback input gradient = fp32 on the bf16 matrix", dgot, dref, (long)N * C, 1e-5, 1e-5);

    free(inp), free(wr), free(bias), free(dout), free(got), free(ref), free(dgot), free(dref), free(w16), free(s16);
    return check_done();
}
