/* vision.c — image-tower throughput and achieved GFLOPS.
 *
 *   build/bench/vision --weights W [--batch 64] [--reps 3] [--threads 2] [--backward]
 *
 * Forward: random normalised pixels (B, 3, S, S) -> conv1 (clip_patch_embed)
 * -> clip_vision_forward, activations not saved (inference). With --backward
 * also: forward with saved activations, then clip_vision_backward (input
 * gradient d tokens from a random d feature), timed on its own.
 * One warm-up pass, then the median of --reps timed passes.
 *
 * FLOPs are counted analytically per image (multiply-add = 2 FLOPs, GEMM-like
 * work only; LayerNorm, softmax, QuickGELU, residuals not counted):
 *   T = 1 + G*G tokens, W = width, L layers, P patch, E embed dim
 *   forward  = 2*(G*G)*W*(3*P*P)            conv1 as a GEMM
 *            + L * (24*T*W^2 + 4*T^2*W)      qkv 6TW^2, out 2TW^2, fc 8TW^2, proj 8TW^2;
 *                                            QK^T 2T^2W, att*V 2T^2W
 *            + 2*W*E                         projection of the class token
 *   backward = L * (24*T*W^2 + 8*T^2*W)      d input of each linear = same GEMM size;
 *                                            attention: dV, d att, dQ, dK (4 x 2T^2W)
 *            + 2*W*E                         (no conv1: the gradient stops at the patch tokens)
 * Prints key=value lines. */
#include "bench.h"
#include "clip/model.h"

static double flops_conv(const clip_config *c) {
    return 2.0 * c->n_patches * c->vision_width * (3.0 * c->patch * c->patch);
}

/* from patch tokens on (no conv1) */
static double flops_tower(const clip_config *c) {
    double T = 1.0 + c->n_patches, W = c->vision_width;
    return c->vision_layers * (24.0 * T * W * W + 4.0 * T * T * W) + 2.0 * W * c->embed_dim;
}

static double flops_forward(const clip_config *c) { return flops_conv(c) + flops_tower(c); }

static double flops_backward(const clip_config *c) {
    double T = 1.0 + c->n_patches, W = c->vision_width;
    return c->vision_layers * (24.0 * T * W * W + 8.0 * T * T * W) + 2.0 * W * c->embed_dim;
}

int main(int argc, char **argv) {
    const char *weights = NULL;
    int B = 64, reps = 3, threads = 2, backward = 0;
    for (int i = 1; i < argc; i++) {
        if (bench_str_opt(argc, argv, &i, "--weights", &weights) || bench_int_opt(argc, argv, &i, "--batch", &B) ||
            bench_int_opt(argc, argv, &i, "--reps", &reps) || bench_int_opt(argc, argv, &i, "--threads", &threads))
            continue;
        if (strcmp(argv[i], "--backward") == 0) {
            backward = 1;
            continue;
        }
        fprintf(stderr, "vision: unexpected argument '%s'\n", argv[i]);
        return 2;
    }
    if (!weights) return bench_die("vision", "--weights is required");
    if (B < 1 || reps < 1 || reps > 100) return bench_die("vision", "--batch and --reps must be at least 1");
    bench_threads(threads);

    ppad_err err = {{0}};
    clip_model m;
    if (clip_load(&m, weights, &err) != 0) return bench_die("vision", err.msg);
    const clip_config *c = &m.cfg;
    const size_t npx = (size_t)B * 3 * c->image_size * c->image_size;
    const size_t ntok = (size_t)B * c->n_patches * c->vision_width;
    float *pix = bench_alloc(sizeof(float) * npx);
    float *tok = bench_alloc(sizeof(float) * ntok);
    float *dtok = bench_alloc(sizeof(float) * ntok);
    float *feat = bench_alloc(sizeof(float) * (size_t)B * c->embed_dim);
    float *dfeat = bench_alloc(sizeof(float) * (size_t)B * c->embed_dim);
    ppad_rng rng;
    rng_seed(&rng, 1234);
    bench_fill_normal(pix, npx, &rng);
    bench_fill_normal(dfeat, (size_t)B * c->embed_dim, &rng);

    double t[100];
    clip_vision_acts a;
    if (clip_vision_acts_alloc(&a, &m, B, 0, &err) != 0) return bench_die("vision", err.msg);
    for (int r = -1; r < reps; r++) { /* r = -1: warm-up */
        double t0 = bench_now();
        if (clip_patch_embed(&m, tok, pix, B, &err) != 0) return bench_die("vision", err.msg);
        clip_vision_forward(&m, feat, tok, B, &a);
        if (r >= 0) t[r] = bench_now() - t0;
    }
    clip_vision_acts_free(&a);
    const double fwd_s = bench_median(t, reps), fwd_gflop = flops_forward(c) * B / 1e9;
    printf("batch=%d\nthreads=%d\nreps=%d\n", B, threads, reps);
    printf("fwd_s=%.4f\nimages_per_s=%.3f\nfwd_gflop=%.3f\nfwd_gflops=%.2f\n", fwd_s, B / fwd_s, fwd_gflop,
           fwd_gflop / fwd_s);
    printf("fwd_gflop_per_image=%.4f\n", flops_forward(c) / 1e9);

    if (backward) {
        double tf[100];
        if (clip_vision_acts_alloc(&a, &m, B, 1, &err) != 0) return bench_die("vision", err.msg);
        if (clip_patch_embed(&m, tok, pix, B, &err) != 0) return bench_die("vision", err.msg);
        for (int r = -1; r < reps; r++) {
            double t0 = bench_now();
            clip_vision_forward(&m, feat, tok, B, &a);
            double t1 = bench_now();
            memset(dtok, 0, sizeof(float) * ntok);
            double t2 = bench_now();
            if (clip_vision_backward(&m, dtok, dfeat, B, &a, &err) != 0) return bench_die("vision", err.msg);
            if (r >= 0) tf[r] = t1 - t0, t[r] = bench_now() - t2;
        }
        clip_vision_acts_free(&a);
        const double fs_s = bench_median(tf, reps), bwd_s = bench_median(t, reps);
        const double bwd_gflop = flops_backward(c) * B / 1e9;
        printf("fwd_saved_s=%.4f\nfwd_saved_gflops=%.2f\n", fs_s, flops_tower(c) * B / 1e9 / fs_s);
        printf("bwd_s=%.4f\nbwd_gflop=%.3f\nbwd_gflops=%.2f\n", bwd_s, bwd_gflop, bwd_gflop / bwd_s);
        printf("bwd_gflop_per_image=%.4f\n", flops_backward(c) / 1e9);
    }
    printf("peak_rss_mb=%.1f\n", bench_peak_rss_mb());
    free(pix), free(tok), free(dtok), free(feat), free(dfeat);
    clip_free(&m);
    return 0;
}
