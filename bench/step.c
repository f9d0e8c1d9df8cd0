/* step.c — one PPAD training step (engine_loss_grad + params_sgd_step), its
 * time and the process's peak RSS.
 *
 *   build/bench/step --weights W [--batch 64] [--micro 16] [--reps 2] [--threads 2] [--warmup N]
 *                    [--precision fp32|bf16]
 *
 * The batch is what training sees: random normalised pixels, sample i at
 * position i % 5 (left, right, upper, lower, whole) with label i % 2, freshly
 * initialised prompts (spec initialisation, seed 1), SGD lr 0.001 momentum 0.9.
 * One warm-up step on the first --warmup samples (default: the whole batch),
 * then the median of --reps timed steps. --precision bf16 runs the image
 * tower's products in bf16 as `ppad train --precision bf16` does
 * (precision_used says which ran). Prints key=value lines. */
#include "bench.h"
#include "ppad/engine.h"
#include "ppad/prompts.h"

int main(int argc, char **argv) {
    const char *weights = NULL, *precision = "fp32";
    int N = 64, micro = 16, reps = 2, threads = 2, warm = -1;
    for (int i = 1; i < argc; i++) {
        if (bench_str_opt(argc, argv, &i, "--weights", &weights) || bench_int_opt(argc, argv, &i, "--batch", &N) ||
            bench_int_opt(argc, argv, &i, "--micro", &micro) || bench_int_opt(argc, argv, &i, "--reps", &reps) ||
            bench_int_opt(argc, argv, &i, "--threads", &threads) || bench_int_opt(argc, argv, &i, "--warmup", &warm) ||
            bench_str_opt(argc, argv, &i, "--precision", &precision))
            continue;
        fprintf(stderr, "step: unexpected argument '%s'\n", argv[i]);
        return 2;
    }
    if (!weights) return bench_die("step", "--weights is required");
    if (N < 1 || micro < 1 || reps < 1 || reps > 100) return bench_die("step", "--batch, --micro, --reps must be >= 1");
    if (warm < 0 || warm > N) warm = N;
    bench_threads(threads);

    ppad_err err = {{0}};
    clip_model m;
    if (clip_load(&m, weights, &err) != 0) return bench_die("step", err.msg);
    const int bf16 = ppad_set_precision(&m, precision, &err); /* 1 bf16, 0 fp32 */
    if (bf16 < 0) return bench_die("step", err.msg);
    const double model_rss = bench_rss_mb(), load_peak = bench_peak_rss_mb();
    const int reset = bench_reset_peak() == 0;
    ppad_params p;
    if (params_alloc(&p, PPAD_NCTX, m.cfg.text_width, m.cfg.n_patches, m.cfg.vision_width, &err) != 0)
        return bench_die("step", err.msg);
    params_init_random(&p, 1);
    ppad_names names;
    names_default(&names);
    ppad_seqs seqs;
    if (seqs_build(&seqs, &names, p.n_ctx, NULL, &err) != 0) return bench_die("step", err.msg);
    ppad_engine e;
    if (engine_init(&e, &m, &seqs, micro, 1, &err) != 0) return bench_die("step", err.msg);

    const size_t npx = (size_t)3 * m.cfg.image_size * m.cfg.image_size;
    float *pix = bench_alloc(sizeof(float) * npx * (size_t)N);
    int *pos = bench_alloc(sizeof(int) * (size_t)N), *lab = bench_alloc(sizeof(int) * (size_t)N);
    ppad_rng rng;
    rng_seed(&rng, 4321);
    bench_fill_normal(pix, npx * (size_t)N, &rng);
    for (int i = 0; i < N; i++) pos[i] = i % PPAD_NPOS, lab[i] = i % 2;

    double t[100], loss = 0;
    for (int r = -1; r < reps; r++) { /* r = -1: warm-up */
        int n = r < 0 ? warm : N;
        if (n == 0) continue;
        double t0 = bench_now();
        if (engine_loss_grad(&e, &p, pix, pos, lab, n, &loss, NULL, &err) != 0) return bench_die("step", err.msg);
        params_sgd_step(&p, 0.001, 0.9);
        if (r >= 0) t[r] = bench_now() - t0;
    }
    const double s = bench_median(t, reps);
    printf("batch=%d\nmicro=%d\nthreads=%d\nreps=%d\n", N, micro, threads, reps);
    printf("precision_used=%s\n", bf16 ? "bf16" : "fp32");
    printf("step_s=%.4f\nper_sample_ms=%.2f\nloss=%.6f\n", s, 1e3 * s / N, loss);
    /* peak_rss_mb: the whole process (VmHWM); work_peak_rss_mb: since the model was loaded */
    const double work_peak = reset ? bench_peak_rss_mb() : -1;
    printf("model_rss_mb=%.1f\nwork_peak_rss_mb=%.1f\n", model_rss, work_peak);
    printf("peak_rss_mb=%.1f\n", work_peak > load_peak ? work_peak : load_peak);
    engine_free(&e);
    params_free(&p);
    free(pix), free(pos), free(lab);
    clip_free(&m);
    return 0;
}
