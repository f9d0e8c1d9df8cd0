/* test_kernel_variants.c — the overwriting / in-place backward variants used by
 * the transformer's backward (linear_backward_set, quickgelu_backward_inplace)
 * against the accumulating kernels that test_kernels_grad checks with finite
 * differences: each must equal its accumulating twin applied to zeros. */
#include <stdlib.h>
#include <string.h>

#include "base/rng.h"
#include "check.h"
#include "clip/kernels.h"

int main(void) {
    ppad_rng r;
    rng_seed(&r, 7);
    const int N = 37, C = 96, OC = 160;
    float *dout = malloc(sizeof(float) * N * OC), *w = malloc(sizeof(float) * OC * C);
    float *a = calloc((size_t)N * C, sizeof(float)), *b = malloc(sizeof(float) * N * C);
    for (int i = 0; i < N * OC; i++) dout[i] = (float)rng_normal(&r, 0, 1);
    for (int i = 0; i < OC * C; i++) w[i] = (float)rng_normal(&r, 0, 0.1);
    for (int i = 0; i < N * C; i++) b[i] = 1e30f; /* garbage: must be overwritten */
    linear_backward(a, dout, w, N, C, OC);
    linear_backward_set(b, dout, w, N, C, OC);
    /* same GEMM, with and without the accumulate post-op */
    check_close("linear_backward_set = linear_backward into zeros (1e-6 + 1e-6 rel)", b, a, (long)N * C, 1e-6, 1e-6);

    const size_t M = 5000;
    float *x = malloc(sizeof(float) * M), *g = malloc(sizeof(float) * M), *d1 = calloc(M, sizeof(float));
    for (size_t i = 0; i < M; i++) x[i] = (float)rng_normal(&r, 0, 4), g[i] = (float)rng_normal(&r, 0, 1);
    quickgelu_backward(d1, x, g, M);
    quickgelu_backward_inplace(g, x, M);
    check_close("quickgelu_backward_inplace = quickgelu_backward into zeros (exact)", g, d1, (long)M, 0, 0);
    free(dout), free(w), free(a), free(b), free(x), free(g), free(d1);
    return check_done();
}
