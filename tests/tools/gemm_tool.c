/* gemm_tool.c — times gemm_nt/gemm_nn (whichever backend PPAD_GEMM selects)
 * at given shapes: gemm_tool M N K [reps]. Prints GFLOPS. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "base/progress.h"
#include "clip/gemm.h"

int main(int argc, char **argv) {
    if (argc < 4) {
        fprintf(stderr, "usage: gemm_tool M N K [reps]\n");
        return 2;
    }
    int M = atoi(argv[1]), N = atoi(argv[2]), K = atoi(argv[3]), reps = argc > 4 ? atoi(argv[4]) : 10;
    float *A = malloc(sizeof(float) * (size_t)M * K), *B = malloc(sizeof(float) * (size_t)N * K),
          *C = malloc(sizeof(float) * (size_t)M * N), *bias = calloc((size_t)N, sizeof(float));
    for (size_t i = 0; i < (size_t)M * K; i++) A[i] = (float)(i % 13) * 0.1f;
    for (size_t i = 0; i < (size_t)N * K; i++) B[i] = (float)(i % 7) * 0.1f;
    const char *names[3] = {"nt+bias", "nn", "nt+acc"};
    for (int v = 0; v < 3; v++) {
        for (int w = 0; w < 2; w++) { /* warm-up */
            if (v == 0) gemm_nt(C, A, B, bias, M, N, K, 0);
            else if (v == 1) gemm_nn(C, A, B, M, N, K, 0);
            else gemm_nt(C, A, B, NULL, M, N, K, 1);
        }
        double t0 = ppad_now();
        for (int r = 0; r < reps; r++) {
            if (v == 0) gemm_nt(C, A, B, bias, M, N, K, 0);
            else if (v == 1) gemm_nn(C, A, B, M, N, K, 0);
            else gemm_nt(C, A, B, NULL, M, N, K, 1);
        }
        double dt = (ppad_now() - t0) / reps;
        printf("%s %s M=%d N=%d K=%d: %.2f ms, %.1f GFLOPS\n", gemm_backend(), names[v], M, N, K, dt * 1e3,
               2.0 * M * N * K / dt / 1e9);
    }
    uint16_t *B16 = malloc(sizeof(uint16_t) * (size_t)N * K), *A16 = malloc(sizeof(uint16_t) * (size_t)M * K);
    gemm_to_bf16(B16, B, (size_t)N * K);
    if (gemm_nt_bf16(C, A16, B16, bias, M, N, K, 0) == 0) {
        double t0 = ppad_now();
        for (int r = 0; r < reps; r++) {
            gemm_to_bf16(A16, A, (size_t)M * K); /* the rounding pass is part of the cost */
            gemm_nt_bf16(C, A16, B16, bias, M, N, K, 0);
        }
        double dt = (ppad_now() - t0) / reps;
        printf("onednn bf16 nt+bias M=%d N=%d K=%d: %.2f ms, %.1f GFLOPS\n", M, N, K, dt * 1e3, 2.0 * M * N * K / dt / 1e9);
    } else {
        printf("bf16 not available\n");
    }
    free(B16), free(A16);
    free(A), free(B), free(C), free(bias);
    return 0;
}
