/* explain.c — the cost of one heat-map explanation against scoring the same
 * image (issue 12: target <= 1.5x).
 *
 *   build/bench/explain --weights W [--images 8] [--reps 3] [--threads 2]
 *
 * Per image, median over --reps passes of --images random normalised images
 * (one warm-up image first; the four measurements interleaved): score_images on that one image (5 positions,
 * one batch of 5, as a single `ppad predict IMAGE` scores it), score_images
 * over all --images at once (chunked throughput, as a test set is scored),
 * and explain_image with each method (5 positions as one batch of 5: the
 * forward with activations saved, then the image-tower backward with taps;
 * and that forward alone, to split the cost;
 * the text features are encoded once per pass for both, as the verbs do).
 * Prints key=value lines. */
#include "bench.h"
#include "ppad/engine.h"
#include "ppad/explain.h"
#include "ppad/prompts.h"
#include "ppad/score.h"

typedef struct bctx {
    ppad_engine *e;
    ppad_params *p;
    float *pix;
    int n;
    size_t npx;
    double *probs, *fused;
} bctx;

/* mode: 0 score one at a time, 1 score all at once, 2 relevance, 3 gradcam,
 * 4 the explanation's forward alone (patch embedding, prompts, activations saved) */
static int pass(bctx *b, int mode, ppad_explainer *x, double *secs, ppad_err *err) {
    if (engine_encode_texts(b->e, b->p, 0, err) != 0) return -1;
    double t0 = bench_now();
    if (mode == 1) {
        if (score_images(b->e, b->p, b->pix, b->n, 0, b->probs, b->fused, err) != 0) return -1;
    } else {
        for (int i = 0; i < b->n; i++) {
            const float *px = b->pix + (size_t)i * b->npx;
            explain_result r;
            if (mode == 4) {
                const clip_model *m = b->e->m;
                const size_t per = (size_t)m->cfg.n_patches * m->cfg.vision_width;
                if (clip_patch_embed(m, x->tokens, px, 1, err) != 0) return -1;
                for (int k = 0; k < PPAD_NPOS; k++) {
                    if (k) memcpy(x->tokens + k * per, x->tokens, sizeof(float) * per);
                    engine_apply_prompt(b->e, b->p, x->tokens + k * per, k);
                }
                clip_vision_forward(m, x->img_raw, x->tokens, PPAD_NPOS, &x->acts);
            } else if (mode == 0 ? score_images(b->e, b->p, px, 1, 0, b->probs, b->fused, err) != 0
                                 : explain_image(x, b->p, px, &r, err) != 0) {
                return -1;
            }
        }
    }
    *secs = (bench_now() - t0) / b->n;
    return 0;
}

int main(int argc, char **argv) {
    const char *weights = NULL;
    int N = 8, reps = 3, threads = 2;
    for (int i = 1; i < argc; i++) {
        if (bench_str_opt(argc, argv, &i, "--weights", &weights) || bench_int_opt(argc, argv, &i, "--images", &N) ||
            bench_int_opt(argc, argv, &i, "--reps", &reps) || bench_int_opt(argc, argv, &i, "--threads", &threads))
            continue;
        fprintf(stderr, "explain: unexpected argument '%s'\n", argv[i]);
        return 2;
    }
    if (!weights) return bench_die("explain", "--weights is required");
    if (N < 1 || reps < 1 || reps > 100) return bench_die("explain", "--images and --reps must be >= 1 (reps <= 100)");
    bench_threads(threads);
    ppad_err err = {{0}};
    clip_model m;
    if (clip_load(&m, weights, &err) != 0) return bench_die("explain", err.msg);
    ppad_params p;
    if (params_alloc(&p, PPAD_NCTX, m.cfg.text_width, m.cfg.n_patches, m.cfg.vision_width, &err) != 0)
        return bench_die("explain", err.msg);
    params_init_random(&p, 1);
    ppad_names names;
    names_default(&names);
    ppad_seqs seqs;
    if (seqs_build(&seqs, &names, p.n_ctx, NULL, &err) != 0) return bench_die("explain", err.msg);
    ppad_engine e;
    if (engine_init(&e, &m, &seqs, 16, 1, &err) != 0) return bench_die("explain", err.msg);
    ppad_explainer xr, xg;
    if (explain_init(&xr, &e, EXPLAIN_RELEVANCE, &err) != 0 || explain_init(&xg, &e, EXPLAIN_GRADCAM, &err) != 0)
        return bench_die("explain", err.msg);
    const size_t npx = (size_t)3 * m.cfg.image_size * m.cfg.image_size;
    bctx b = {&e, &p, bench_alloc(sizeof(float) * npx * (size_t)N), N, npx,
              bench_alloc(sizeof(double) * PPAD_NPOS * (size_t)N), bench_alloc(sizeof(double) * (size_t)N)};
    ppad_rng rng;
    rng_seed(&rng, 7);
    bench_fill_normal(b.pix, npx * (size_t)N, &rng);
    enum { NM = 5 };
    static const char *const KEY[NM] = {"score_one_s", "score_chunk_s", "relevance_s", "gradcam_s", "saved_forward_s"};
    double med[NM], t[NM][100], s;
    bctx warm = b;
    warm.n = 1;
    for (int mode = 0; mode < NM; mode++)
        if (pass(&warm, mode, mode == 3 ? &xg : &xr, &s, &err) != 0) return bench_die("explain", err.msg);
    /* the modes interleaved within each repetition, so that a busy machine slows them alike */
    for (int r = 0; r < reps; r++)
        for (int mode = 0; mode < NM; mode++)
            if (pass(&b, mode, mode == 3 ? &xg : &xr, &t[mode][r], &err) != 0) return bench_die("explain", err.msg);
    for (int mode = 0; mode < NM; mode++) med[mode] = bench_median(t[mode], reps);
    printf("images=%d\nreps=%d\nthreads=%d\n", N, reps, threads);
    for (int k = 0; k < NM; k++) printf("%s=%.4f\n", KEY[k], med[k]);
    printf("relevance_ratio=%.3f\ngradcam_ratio=%.3f\n", med[2] / med[0], med[3] / med[0]);
    printf("relevance_ratio_chunk=%.3f\ngradcam_ratio_chunk=%.3f\n", med[2] / med[1], med[3] / med[1]);
    printf("peak_rss_mb=%.1f\n", bench_peak_rss_mb());
    explain_free(&xr);
    explain_free(&xg);
    engine_free(&e);
    params_free(&p);
    free(b.pix), free(b.probs), free(b.fused);
    clip_free(&m);
    return 0;
}
