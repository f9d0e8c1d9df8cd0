/* score.c — PPAD scoring throughput (5 positions per image) and peak RSS.
 *
 *   build/bench/score --weights W [--images 64] [--chunk 32] [--micro 16] [--reps 2] [--threads 2] [--warmup 8]
 *                     [--precision fp32|bf16]
 *
 * Images are streamed as the test verbs stream a test set: chunks of --chunk
 * random normalised images are made, scored with score_images (engine
 * micro-batch --micro, the CLI's default 16) and dropped, so memory does not
 * grow with --images. The text prompts are encoded once per pass (as
 * evaluate_paths does). Only the scoring calls are timed (not the making of
 * the random pixels). One warm-up pass over --warmup images, then the median
 * of --reps passes over --images. --precision bf16 runs the image tower's
 * matrix products in bf16 as `ppad test --precision bf16` does (ppad_set_precision;
 * fp32 where the CPU lacks AVX512-BF16: precision_used says which ran).
 * Prints key=value lines. */
#include "bench.h"
#include "ppad/engine.h"
#include "ppad/prompts.h"
#include "ppad/score.h"

static int pass(ppad_engine *e, const ppad_params *p, float *pix, int n, int chunk, ppad_rng *rng, double *probs,
                double *fused, double *secs, ppad_err *err) {
    const size_t npx = (size_t)3 * e->m->cfg.image_size * e->m->cfg.image_size;
    double t0 = bench_now();
    if (engine_encode_texts(e, p, 0, err) != 0) return -1;
    double total = bench_now() - t0;
    for (int i0 = 0; i0 < n; i0 += chunk) {
        int nb = n - i0 < chunk ? n - i0 : chunk;
        bench_fill_normal(pix, npx * (size_t)nb, rng);
        t0 = bench_now();
        if (score_images(e, p, pix, nb, 0, probs, fused, err) != 0) return -1;
        total += bench_now() - t0;
    }
    *secs = total;
    return 0;
}

int main(int argc, char **argv) {
    const char *weights = NULL, *precision = "fp32";
    int N = 64, chunk = 32, micro = 16, reps = 2, threads = 2, warm = 8;
    for (int i = 1; i < argc; i++) {
        if (bench_str_opt(argc, argv, &i, "--weights", &weights) || bench_int_opt(argc, argv, &i, "--images", &N) ||
            bench_int_opt(argc, argv, &i, "--chunk", &chunk) || bench_int_opt(argc, argv, &i, "--micro", &micro) ||
            bench_int_opt(argc, argv, &i, "--reps", &reps) || bench_int_opt(argc, argv, &i, "--threads", &threads) ||
            bench_int_opt(argc, argv, &i, "--warmup", &warm) ||
            bench_str_opt(argc, argv, &i, "--precision", &precision))
            continue;
        fprintf(stderr, "score: unexpected argument '%s'\n", argv[i]);
        return 2;
    }
    if (!weights) return bench_die("score", "--weights is required");
    if (N < 1 || chunk < 1 || micro < 1 || reps < 1 || reps > 100)
        return bench_die("score", "--images, --chunk, --micro, --reps must be >= 1");
    bench_threads(threads);

    ppad_err err = {{0}};
    clip_model m;
    if (clip_load(&m, weights, &err) != 0) return bench_die("score", err.msg);
    const int bf16 = ppad_set_precision(&m, precision, &err); /* 1 bf16, 0 fp32 */
    if (bf16 < 0) return bench_die("score", err.msg);
    const double model_rss = bench_rss_mb(), load_peak = bench_peak_rss_mb();
    const int reset = bench_reset_peak() == 0;
    ppad_params p;
    if (params_alloc(&p, PPAD_NCTX, m.cfg.text_width, m.cfg.n_patches, m.cfg.vision_width, &err) != 0)
        return bench_die("score", err.msg);
    params_init_random(&p, 1);
    ppad_names names;
    names_default(&names);
    ppad_seqs seqs;
    if (seqs_build(&seqs, &names, p.n_ctx, NULL, &err) != 0) return bench_die("score", err.msg);
    ppad_engine e;
    if (engine_init(&e, &m, &seqs, micro, 1, &err) != 0) return bench_die("score", err.msg);

    const size_t npx = (size_t)3 * m.cfg.image_size * m.cfg.image_size;
    float *pix = bench_alloc(sizeof(float) * npx * (size_t)chunk);
    double *probs = bench_alloc(sizeof(double) * PPAD_NPOS * (size_t)chunk);
    double *fused = bench_alloc(sizeof(double) * (size_t)chunk);
    ppad_rng rng;
    rng_seed(&rng, 999);
    double t[100], s;
    if (warm > 0 && pass(&e, &p, pix, warm, chunk, &rng, probs, fused, &s, &err) != 0) return bench_die("score", err.msg);
    for (int r = 0; r < reps; r++)
        if (pass(&e, &p, pix, N, chunk, &rng, probs, fused, &t[r], &err) != 0) return bench_die("score", err.msg);
    s = bench_median(t, reps);
    printf("images=%d\nchunk=%d\nmicro=%d\nthreads=%d\nreps=%d\n", N, chunk, micro, threads, reps);
    printf("precision_used=%s\n", bf16 ? "bf16" : "fp32");
    printf("score_s=%.4f\nimages_per_s=%.3f\n", s, N / s);
    /* peak_rss_mb: the whole process (VmHWM); work_peak_rss_mb: since the model was loaded */
    const double work_peak = reset ? bench_peak_rss_mb() : -1;
    printf("model_rss_mb=%.1f\nwork_peak_rss_mb=%.1f\n", model_rss, work_peak);
    printf("peak_rss_mb=%.1f\n", work_peak > load_peak ? work_peak : load_peak);
    engine_free(&e);
    params_free(&p);
    free(pix), free(probs), free(fused);
    clip_free(&m);
    return 0;
}
