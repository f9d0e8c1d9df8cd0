/* gemm.c — the GEMM ceiling of the BLAS ppad links (cblas_sgemm, fp32) at the
 * shapes of the image tower's biggest GEMMs, batch 64 (M = 64 * 50 rows):
 *   fc      M x 3072 x 768   out = x @ W^T   (NoTrans, Trans), as linear_forward
 *   proj    M x 768 x 3072   out = x @ W^T   (NoTrans, Trans)
 *   fc bwd  M x 768 x 3072   dx = dy @ W     (NoTrans, NoTrans), as linear_backward
 *   proj bwd M x 3072 x 768  dx = dy @ W     (NoTrans, NoTrans)
 *
 *   build/bench/gemm [--m 3200] [--reps 5] [--threads 2]
 *
 * GFLOPS = 2*M*N*K / time, median of --reps after one warm-up call per shape.
 * peak_gflops is the best shape's median. Prints key=value lines. */
#include "bench.h"

typedef struct shape {
    const char *name;
    int n, k, transb; /* M x N x K; B stored (N, K) when transb, else (K, N) */
} shape;

int main(int argc, char **argv) {
    int M = 3200, reps = 5, threads = 2;
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
    const size_t maxe = (size_t)M * 3072;
    float *a = bench_alloc(sizeof(float) * maxe), *b = bench_alloc(sizeof(float) * 3072 * 768),
          *c = bench_alloc(sizeof(float) * maxe);
    ppad_rng rng;
    rng_seed(&rng, 7);
    bench_fill_normal(a, maxe, &rng);
    bench_fill_normal(b, (size_t)3072 * 768, &rng);
    double peak = 0;
    printf("m=%d\nthreads=%d\nreps=%d\n", M, threads, reps);
    for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++) {
        const shape *sh = &shapes[s];
        double t[100];
        for (int r = -1; r < reps; r++) {
            double t0 = bench_now();
            cblas_sgemm(CblasRowMajor, CblasNoTrans, sh->transb ? CblasTrans : CblasNoTrans, M, sh->n, sh->k, 1.0f, a,
                        sh->k, b, sh->transb ? sh->k : sh->n, 0.0f, c, sh->n);
            if (r >= 0) t[r] = bench_now() - t0;
        }
        double g = 2.0 * M * sh->n * sh->k / bench_median(t, reps) / 1e9;
        printf("gflops_%s=%.2f\n", sh->name, g);
        if (g > peak) peak = g;
    }
    printf("peak_gflops=%.2f\n", peak);
    const char *ct = getenv("OPENBLAS_CORETYPE");
    printf("openblas_coretype=%s\n", ct ? ct : "(unset)");
    printf("openblas_config=%s\n", openblas_get_config());
    free(a), free(b), free(c);
    return 0;
}
