/* dist.c — a training step and scoring as they run under MPI (issue 14):
 * the same program alone or under `mpirun -np N`, timed on rank 0 (which
 * waits for the others in every exchange, so its time is the job's).
 *
 *   build/bench/dist --weights W --what step|score [--batch 64] [--micro 16] [--images 128] [--reps 3]
 *                    [--threads 1]
 *
 * step: engine_loss_grad + params_sgd_step on a batch as bench/step.c makes
 * it (random pixels, sample i at position i % 5, label i % 2); one warm-up
 * step, then the median of --reps. Also the bytes every rank sent per step
 * (summed over ranks) and the time of the text tower's forward + backward
 * (one process: both groups).
 * score: evaluate_stream over --images synthetic 224x224 gray images (made
 * from the path by the loader, no disk), one warm-up pass over 32, then the
 * median of --reps passes. Prints key=value lines (rank 0). */
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "base/dist.h"
#include "clip/kernels.h"
#include "ppad/engine.h"
#include "ppad/evaluate.h"
#include "ppad/prompts.h"

/* a deterministic gray image from the path's number */
static int synth_load(gray8 *out, const void *ctx, const char *path, ppad_err *err) {
    (void)ctx;
    if (gray8_alloc(out, 224, 224, err) != 0) return -1;
    unsigned h = (unsigned)atoi(path) * 2654435761u;
    for (int i = 0; i < 224 * 224; i++) {
        h = h * 1103515245u + 12345u;
        out->px[i] = (uint8_t)(h >> 24);
    }
    return 0;
}

static int count_row(void *ctx, int i, const double *probs, double fused, const ppad_err *bad, ppad_err *err) {
    (void)i, (void)probs, (void)fused, (void)bad, (void)err;
    ++*(int *)ctx;
    return 0;
}

int main(int argc, char **argv) {
    dist_init(&argc, &argv);
    const char *weights = NULL, *what = "step";
    int N = 64, micro = 16, reps = 3, threads = 1, images = 128;
    for (int i = 1; i < argc; i++) {
        if (bench_str_opt(argc, argv, &i, "--weights", &weights) || bench_str_opt(argc, argv, &i, "--what", &what) ||
            bench_int_opt(argc, argv, &i, "--batch", &N) || bench_int_opt(argc, argv, &i, "--micro", &micro) ||
            bench_int_opt(argc, argv, &i, "--reps", &reps) || bench_int_opt(argc, argv, &i, "--threads", &threads) ||
            bench_int_opt(argc, argv, &i, "--images", &images))
            continue;
        fprintf(stderr, "dist: unexpected argument '%s'\n", argv[i]);
        return 2;
    }
    if (!weights) return bench_die("dist", "--weights is required");
    if (N < 1 || micro < 1 || reps < 1 || reps > 100 || images < 1) return bench_die("dist", "bad sizes");
    bench_threads(threads);
    ppad_err err = {{0}};
    clip_model m;
    if (clip_load(&m, weights, &err) != 0) return bench_die("dist", err.msg);
    ppad_params p;
    if (params_alloc(&p, PPAD_NCTX, m.cfg.text_width, m.cfg.n_patches, m.cfg.vision_width, &err) != 0)
        return bench_die("dist", err.msg);
    params_init_random(&p, 1);
    ppad_names names;
    names_default(&names);
    ppad_seqs seqs;
    if (seqs_build(&seqs, &names, p.n_ctx, NULL, &err) != 0) return bench_die("dist", err.msg);
    ppad_engine e;
    if (engine_init(&e, &m, &seqs, micro, 1, &err) != 0) return bench_die("dist", err.msg);
    double t[100];
    printf("ranks=%d\nthreads=%d\nreps=%d\n", dist_size(), threads, reps);
    if (strcmp(what, "step") == 0) {
        const size_t npx = (size_t)3 * m.cfg.image_size * m.cfg.image_size;
        float *pix = bench_alloc(sizeof(float) * npx * (size_t)N);
        int *pos = bench_alloc(sizeof(int) * (size_t)N), *lab = bench_alloc(sizeof(int) * (size_t)N);
        ppad_rng rng;
        rng_seed(&rng, 4321);
        bench_fill_normal(pix, npx * (size_t)N, &rng);
        for (int i = 0; i < N; i++) pos[i] = i % PPAD_NPOS, lab[i] = i % 2;
        double loss = 0;
        size_t sent0 = 0;
        for (int r = -1; r < reps; r++) { /* r = -1: warm-up */
            if (r == 0) sent0 = dist_bytes_sent();
            double t0 = bench_now();
            if (engine_loss_grad(&e, &p, pix, pos, lab, N, &loss, NULL, &err) != 0) return bench_die("dist", err.msg);
            params_sgd_step(&p, 0.001, 0.9);
            if (r >= 0) t[r] = bench_now() - t0;
        }
        size_t mine = (dist_bytes_sent() - sent0) / (size_t)reps, *counts = bench_alloc(sizeof(size_t) * 64);
        void *all;
        dist_allgather(&mine, sizeof mine, &all, counts);
        size_t total = 0;
        for (int r = 0; r < dist_size(); r++) total += ((size_t *)all)[r];
        /* the text tower alone: forward (saved) + backward of the 10 sequences */
        double tt[3];
        for (int r = 0; r < 3; r++) {
            double t0 = bench_now();
            engine_encode_texts(&e, &p, 1, &err);
            memset(e.demb, 0, sizeof(float) * PPAD_NSEQ * m.cfg.context * m.cfg.text_width);
            for (int g = 0; g < ENGINE_TEXT_GROUPS; g++) {
                const size_t q0 = (size_t)g * ENGINE_TEXT_SEQS;
                clip_text_backward(&m, e.demb + q0 * m.cfg.context * m.cfg.text_width, e.txt_n + q0 * m.cfg.embed_dim,
                                   ENGINE_TEXT_SEQS, &e.tacts[g], &err);
            }
            tt[r] = bench_now() - t0;
        }
        printf("batch=%d\nmicro=%d\nstep_s=%.4f\nloss=%.9g\n", N, micro, bench_median(t, reps), loss);
        printf("bytes_per_step=%zu\ngrad_floats=%zu\ntext_fwd_bwd_s=%.4f\n", total, p.n, bench_median(tt, 3));
        free(all), free(counts), free(pix), free(pos), free(lab);
    } else {
        char (*names_buf)[16] = bench_alloc(sizeof *names_buf * (size_t)images);
        const char **paths = bench_alloc(sizeof(char *) * (size_t)images);
        for (int i = 0; i < images; i++) snprintf(names_buf[i], 16, "%d", i), paths[i] = names_buf[i];
        int rows = 0;
        if (evaluate_stream(&e, &p, paths, 32 < images ? 32 : images, synth_load, NULL, 0, 0, count_row, &rows, NULL,
                            &err) != 0)
            return bench_die("dist", err.msg);
        for (int r = 0; r < reps; r++) {
            double t0 = bench_now();
            if (evaluate_stream(&e, &p, paths, images, synth_load, NULL, 0, 0, count_row, &rows, NULL, &err) != 0)
                return bench_die("dist", err.msg);
            t[r] = bench_now() - t0;
        }
        double s = bench_median(t, reps);
        printf("images=%d\nscore_s=%.4f\nimages_per_s=%.3f\n", images, s, images / s);
        free(names_buf), free(paths);
    }
    engine_free(&e);
    params_free(&p);
    clip_free(&m);
    dist_finalize();
    return 0;
}
