/* gemm.c — the GEMM ceiling at the shapes of the image tower's biggest GEMMs,
 * batch 64 (M = 64 * 50 token rows):
 *   fc_fwd    M x 3072 x 768   out = x @ W^T   (gemm_nt, as linear_forward)
 *   proj_fwd  M x 768 x 3072   out = x @ W^T   (gemm_nt)
 *   fc_bwd    M x 768 x 3072   dx = dy @ W     (gemm_nn, as linear_backward)
 *   proj_bwd  M x 3072 x 768   dx = dy @ W     (gemm_nn)
 * each through
 *   ppad      ppad's own entry points (src/clip/gemm.h): the library in use,
 *             oneDNN's matmul unless PPAD_GEMM=openblas or oneDNN is missing
 *   openblas  cblas_sgemm of the OpenBLAS ppad links (OPENBLAS_CORETYPE applies)
 *   bf16      gemm_*_bf16 (bf16 inputs, fp32 accumulation), where the CPU has AVX512-BF16
 *
 *   build/bench/gemm [--m 3200] [--reps 10] [--threads 2]
 *
 * GFLOPS = 2*M*N*K / time after one warm-up call per shape and path:
 * gflops_<shape>_<path> from the median of --reps calls, best_..._<path> from
 * the fastest. peak_<path>_gflops is the best call of any shape (the least
 * disturbed measurement of what the library can do); peak_gflops is that of
 * the path ppad uses for fp32. Prints key=value lines. */
#include "bench.h"
#include "clip/gemm.h"

typedef struct shape {
    const char *name;
    int n, k, nt; /* M x N x K; nt: B stored (N, K) (x @ W^T), else (K, N) (dy @ W) */
} shape;

enum { P_PPAD, P_OPENBLAS, P_BF16, NPATH };
static const char *const PATH_NAME[NPATH] = {"ppad", "openblas", "bf16"};

static void call(int path, const shape *sh, int M, float *c, const float *a, const float *b, const uint16_t *a16,
                 const uint16_t *b16) {
    switch (path) {
    case P_PPAD:
        if (sh->nt) gemm_nt(c, a, b, NULL, M, sh->n, sh->k, 0);
        else gemm_nn(c, a, b, M, sh->n, sh->k, 0);
        break;
    case P_OPENBLAS:
        cblas_sgemm(CblasRowMajor, CblasNoTrans, sh->nt ? CblasTrans : CblasNoTrans, M, sh->n, sh->k, 1.0f, a, sh->k, b,
                    sh->nt ? sh->k : sh->n, 0.0f, c, sh->n);
        break;
    default:
        if (sh->nt) gemm_nt_bf16(c, a16, b16, NULL, M, sh->n, sh->k, 0);
        else gemm_nn_bf16(c, a16, b16, M, sh->n, sh->k);
        break;
    }
}

int main(int argc, char **argv) {
    int M = 3200, reps = 10, threads = 2;
    for (int i = 1; i < argc; i++) {
        if (bench_int_opt(argc, argv, &i, "--m", &M) || bench_int_opt(argc, argv, &i, "--reps", &reps) ||
            bench_int_opt(argc, argv, &i, "--threads", &threads))
            continue;
        fprintf(stderr, "gemm: unexpected argument '%s'\n", argv[i]);
        return 2;
    }
    if (M < 1 || reps < 1 || reps > 100) return bench_die("gemm", "--m and --reps must be >= 1");
    bench_threads(threads);
    static const shape shapes[] = {
        {"fc_fwd", 3072, 768, 1}, {"proj_fwd", 768, 3072, 1}, {"fc_bwd", 768, 3072, 0}, {"proj_bwd", 3072, 768, 0}};
    const size_t na = (size_t)M * 3072, nb = (size_t)3072 * 768;
    float *a = bench_alloc(sizeof(float) * na), *b = bench_alloc(sizeof(float) * nb), *c = bench_alloc(sizeof(float) * na);
    uint16_t *a16 = bench_alloc(sizeof(uint16_t) * na), *b16 = bench_alloc(sizeof(uint16_t) * nb);
    ppad_rng rng;
    rng_seed(&rng, 7);
    bench_fill_normal(a, na, &rng);
    bench_fill_normal(b, nb, &rng);
    gemm_to_bf16(a16, a, na);
    gemm_to_bf16(b16, b, nb);
    const int bf16 = gemm_bf16_supported();
    double peak[NPATH] = {0};
    printf("m=%d\nthreads=%d\nreps=%d\nbackend=%s\nbf16_supported=%d\n", M, threads, reps, gemm_backend(), bf16);
    for (int path = 0; path < NPATH; path++) {
        if (path == P_BF16 && !bf16) continue;
        for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++) {
            const shape *sh = &shapes[s];
            double t[100], tmin = 1e30;
            for (int r = -1; r < reps; r++) {
                double t0 = bench_now();
                call(path, sh, M, c, a, b, a16, b16);
                if (r >= 0) t[r] = bench_now() - t0, tmin = t[r] < tmin ? t[r] : tmin;
            }
            const double gf = 2.0 * M * sh->n * sh->k / 1e9;
            printf("gflops_%s_%s=%.2f\nbest_gflops_%s_%s=%.2f\n", sh->name, PATH_NAME[path], gf / bench_median(t, reps),
                   sh->name, PATH_NAME[path], gf / tmin);
            if (gf / tmin > peak[path]) peak[path] = gf / tmin;
        }
        printf("peak_%s_gflops=%.2f\n", PATH_NAME[path], peak[path]);
    }
    printf("peak_gflops=%.2f\n", peak[P_PPAD]);
    const char *ct = getenv("OPENBLAS_CORETYPE");
    printf("openblas_coretype=%s\n", ct ? ct : "(unset)");
    printf("openblas_config=%s\n", openblas_get_config());
    free(a), free(b), free(c), free(a16), free(b16);
    return 0;
}
