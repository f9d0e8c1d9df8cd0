/* cmd_predict.c — ppad predict: PPAD's anomaly score of each image, with the
 * five per-position probabilities and a verdict, as CSV on stdout. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/dist.h"
#include "base/error.h"
#include "cli/cli.h"
#include "ppad/evaluate.h"

static const char *HELP =
    "usage: ppad predict --weights W --prompts P [options] IMAGE|FOLDER... [--list FILE]\n\n"
    "Scores chest X-rays with trained PPAD prompts. Prints CSV with a header, one row per image as soon\n"
    "as it is scored (in input order):\n"
    "  path,score,p_left,p_right,p_upper,p_lower,p_whole,verdict\n"
    "p_* is the anomaly probability with each position's prompts (softmax over normal/pneumonia);\n"
    "score is max(p) if max(p) > 0.8, else mean(p); verdict is 'abnormal' if score > threshold.\n"
    "Numbers are the shortest decimals that read back exactly; paths are quoted where CSV needs it.\n"
    "A random or untrained backbone gives meaningless scores: this is a research tool, not a diagnosis.\n\n"
    "  --weights W         CheXzero CLIP checkpoint (.pt)\n"
    "  --prompts P         trained prompts (.pt from ppad train, or a released PPAD file)\n"
    "  --strict            refuse prompts whose provenance names another backbone (default: a warning)\n"
    "  IMAGE|FOLDER        image files (PNG, JPEG), or folders standing for the images in them\n"
    "  --list FILE         also the images listed in FILE, one path per line (relative paths start at\n"
    "                      FILE's folder; '#' comments); '-' reads the list from standard input\n"
    "  --on-error M        stop (default): the first image that cannot be read or scored ends the run;\n"
    "                      skip: report each such image on stderr, score the rest, exit 1 at the end\n"
    "  --threshold T       decision threshold in [0, 1] (default 0.5)\n"
    "  --no-position       ablation: whole image only, score = p_whole (other p_* are empty)\n"
    "  --no-image-prompt   ablation: never apply the image prompt\n"
    "  --classes A,B / --positions ... / --vocab V   prompt names (see ppad step --help)\n"
    "  --precision P       fp32 (default) or bf16: image tower matrix products in bfloat16 (AVX512-BF16,\n"
    "                      fp32 accumulation; falls back to fp32 on CPUs without it); ~2x faster\n"
    "  --heatmaps DIR      also the heat maps of every scored image, as ppad explain --out DIR writes them\n"
    "                      (NAME_overlay.png, NAME_panel.png, DIR/index.csv with these scores), with the\n"
    "                      model already loaded; about doubles the time with relevance (see ppad explain --help)\n"
    "  --heatmap-method M  relevance (default) or gradcam\n"
    "A score that is not a finite number (broken prompts or backbone) is an error, never a verdict.\n";

typedef struct predict_ctx {
    const cli_inputs *in;
    double threshold;
    long n_bad;
    /* --heatmaps: one block of images (from b0) at a time; its rows wait for its heat maps */
    cli_heatmaps *hm;
    size_t b0;
    double *probs, *fused; /* (block, PPAD_NPOS), (block): the scoring's numbers */
    ppad_err *why;         /* (block): the failed images' messages */
    unsigned char *state;  /* (block): ROW_* */
    size_t *idx;           /* (block): the heat-map job's image j is the block's image idx[j] */
} predict_ctx;

enum { ROW_WAITING = 0, ROW_SCORED, ROW_FAILED, ROW_DONE };

static void csv_row(const predict_ctx *c, const char *path, const double *probs, double fused) {
    char b[32];
    cli_csv_field(stdout, path);
    printf(",%s", cli_num(b, fused));
    cli_print_probs(stdout, probs);
    printf(",%s\n", fused > c->threshold ? "abnormal" : "normal");
}

/* A score that is not a finite number makes a failed image. */
static const ppad_err *check_finite(const char *path, double fused, const ppad_err *bad, ppad_err *why) {
    if (bad || isfinite(fused)) return bad;
    ppad_fail(why, "%s: the score is not a finite number (%g); check the prompts and the backbone", path, fused);
    return why;
}

static int print_row(void *vctx, int i, const double *probs, double fused, const ppad_err *bad, ppad_err *err) {
    predict_ctx *c = vctx;
    const char *path = c->in->paths[i];
    ppad_err why;
    if ((bad = check_finite(path, fused, bad, &why)) != NULL) {
        if (c->n_bad < 0 && bad == &why) { /* --on-error stop */
            *err = why;
            return -1;
        }
        if (dist_root()) cli_error(bad); /* every rank sees every row; rank 0 tells */
        c->n_bad++;
        return 0;
    }
    csv_row(c, path, probs, fused);
    if (i % 8 == 7 && fflush(stdout) != 0) return ppad_fail(err, "cannot write the output");
    return 0;
}

/* --heatmaps, scoring: the block's rows kept (every rank sees every row). */
static int keep_row(void *vctx, int i, const double *probs, double fused, const ppad_err *bad, ppad_err *err) {
    predict_ctx *c = vctx;
    ppad_err *why = &c->why[i];
    if ((bad = check_finite(c->in->paths[c->b0 + (size_t)i], fused, bad, why)) != NULL) {
        if (c->n_bad < 0 && bad == why) {
            *err = *why;
            return -1;
        }
        if (bad != why) *why = *bad;
        c->state[i] = ROW_FAILED;
        c->n_bad++;
        return 0;
    }
    memcpy(c->probs + (size_t)i * PPAD_NPOS, probs, sizeof(double) * PPAD_NPOS);
    c->fused[i] = fused;
    c->state[i] = ROW_SCORED;
    return 0;
}

/* --heatmaps, rank 0: the pictures of the job's image j (drawn by its rank). */
static int heatmaps_row(void *vctx, size_t j, const explain_result *r, const report_visual *v, ppad_err *err) {
    predict_ctx *c = vctx;
    const size_t k = c->idx[j], i = c->b0 + k;
    if (cli_heatmaps_put(c->hm, i, c->in->paths[i], v, r->probs, r->fused, err) != 0) return -1;
    c->state[k] = ROW_DONE;
    return 0;
}

static void heatmaps_bad(void *vctx, size_t j, const ppad_err *why) {
    predict_ctx *c = vctx;
    c->why[c->idx[j]] = *why;
    c->state[c->idx[j]] = ROW_FAILED;
}

/* Rank 0: the block's rows and errors in input order, up to the first image
 * whose run ended (not scored, or its heat maps not made). */
static int print_block(const predict_ctx *c, size_t nb, ppad_err *err) {
    for (size_t k = 0; k < nb && (c->state[k] == ROW_FAILED || c->state[k] == ROW_DONE); k++) {
        if (c->state[k] == ROW_FAILED) cli_error(&c->why[k]);
        else csv_row(c, c->in->paths[c->b0 + k], c->probs + k * PPAD_NPOS, c->fused[k]);
    }
    return fflush(stdout) != 0 ? ppad_fail(err, "cannot write the output") : 0;
}

/* predict --heatmaps, collective: blocks of 4 rounds of scoring (chunks of
 * EVAL_CHUNK over the ranks as without heat maps: the same scores); then the
 * heat maps of the block's scored images over the ranks (cli_explain_shard:
 * each rank explains and draws its share, rank 0 writes the files); then the
 * block's rows and errors, in input order. */
static int predict_heatmaps(predict_ctx *c, cli_session *ss, const image_opts *io, int method, int skip_bad,
                            ppad_progress *bar, ppad_err *err) {
    const size_t n = c->in->n, block = (size_t)EVAL_CHUNK * (size_t)dist_size() * 4;
    const int S = ss->m->cfg.image_size;
    float *pixels = ppad_aligned_alloc(sizeof(float) * 3 * (size_t)S * S, err);
    c->probs = ppad_malloc(sizeof(double) * PPAD_NPOS * block, err);
    c->fused = ppad_malloc(sizeof(double) * block, err);
    c->why = ppad_malloc(sizeof(ppad_err) * block, err);
    c->state = ppad_malloc(block, err);
    c->idx = ppad_malloc(sizeof(size_t) * block, err);
    char **sub = ppad_malloc(sizeof(char *) * block, err);
    double *sprobs = ppad_malloc(sizeof(double) * PPAD_NPOS * block, err);
    double *sfused = ppad_malloc(sizeof(double) * block, err);
    ppad_explainer x;
    int have_x = 0, rc = pixels && c->probs && c->fused && c->why && c->state && c->idx && sub && sprobs && sfused ? 0 : -1;
    if (rc == 0) rc = explain_init(&x, &ss->eng, method, err), have_x = rc == 0;
    if ((rc = dist_agree(rc, err)) != 0) goto out;
    for (c->b0 = 0; c->b0 < n; c->b0 += block) {
        const size_t nb = n - c->b0 < block ? n - c->b0 : block;
        memset(c->state, ROW_WAITING, nb);
        ppad_err serr = {{0}};
        int src = evaluate_stream(&ss->eng, &ss->p, (const char *const *)c->in->paths + c->b0, (int)nb,
                                  eval_load_default, io, 0, skip_bad, keep_row, c, NULL, &serr);
        /* the images scored (up to a failure that ends the run) get their heat maps */
        size_t m = 0;
        for (size_t k = 0; k < nb; k++)
            if (c->state[k] == ROW_SCORED) {
                sub[m] = c->in->paths[c->b0 + k], c->idx[m] = k;
                memcpy(sprobs + m * PPAD_NPOS, c->probs + k * PPAD_NPOS, sizeof(double) * PPAD_NPOS);
                sfused[m++] = c->fused[k];
            }
        cli_inputs in = {sub, m, m};
        long hm_bad = 0;
        const cli_explain_job job = {.x = &x, .p = &ss->p, .in = &in, .io = io, .pixels = pixels, .S = S, .draw = 1,
                                     .method = method, .skip_bad = skip_bad, .threshold = c->threshold,
                                     .probs = sprobs, .fused = sfused, .row = heatmaps_row, .bad = heatmaps_bad,
                                     .row_ctx = c};
        int xrc = cli_explain_shard(&job, &hm_bad, NULL, err);
        c->n_bad += hm_bad;
        if ((rc = dist_root_verdict(dist_root() ? print_block(c, nb, err) : 0, err)) != 0) goto out;
        if (xrc != 0 || src != 0) { /* only images before a failed scoring were explained: xrc's comes first */
            if (xrc == 0) *err = serr;
            rc = -1;
            goto out;
        }
        if (bar) progress_update(bar, (long)(c->b0 + nb), NULL);
    }
out:
    if (have_x) explain_free(&x);
    free(pixels), free(c->probs), free(c->fused), free(c->why), free(c->state), free(c->idx), free(sub), free(sprobs);
    free(sfused);
    return rc;
}

int cmd_predict(int argc, char **argv) {
    cli_session_opts so = {0};
    double threshold = 0.5;
    int no_position = 0, on_error = 0;
    const char *list = NULL, *heatmaps = NULL;
    int heatmap_method = 0;
    cli_list args = {0};
    cli_image_args ia = {0};
    image_opts io;
    ppad_err err = {{0}};
    const cli_opt opts[] = {
        CLI_SESSION_OPTS(so),
        CLI_IMAGE_OPTS(ia),
        OPT("--prompts", OPT_IN, &so.prompts, .required = 1),
        OPT("--list", OPT_IN, &list),
        OPT("--on-error", OPT_CHOICE, &on_error, .choices = "stop|skip"),
        OPT("--threshold", OPT_DBL, &threshold, .dmin = 0, .dmax = 1),
        OPT("--no-position", OPT_FLAG, &no_position),
        OPT("--heatmaps", OPT_OUTDIR, &heatmaps),
        OPT("--heatmap-method", OPT_CHOICE, &heatmap_method, .choices = "relevance|gradcam"),
        OPT_END};
    const cli_verb verb = {.name = "predict", .help = HELP, .opts = opts, .args = &args, .args_name = "IMAGE (or --list FILE)", .args_min = 0, .args_are_inputs = 1};
    cli_ctx cx;
    int status;
    if (cli_parse(&cx, &verb, argc, argv, &status)) return status;
    if ((status = cli_image_opts(&io, &ia, &cx)) != 0) return status;
    if (args.n == 0 && !list) return cli_usage("predict", "give at least one IMAGE, FOLDER or --list FILE");
    if (no_position && heatmaps) return cli_usage("predict", "--heatmaps needs the five positions (not --no-position)");
    if (no_position) so.no_image_prompt = 1;
    cli_inputs in;
    if (cli_inputs_gather_shared(&in, &args, list, &err) != 0) return cli_error(&err);
    cli_heatmaps hm;
    status = dist_root() ? cli_heatmaps_prepare(&hm, &cx, heatmaps, &in, heatmap_method, threshold, &err) : 0;
    if (!dist_root()) { /* rank 0 writes the pictures; the others only know that they are on */
        memset(&hm, 0, sizeof hm);
        hm.on = heatmaps != NULL;
    }
    if ((status = dist_root_verdict(status, &err)) != 0) {
        cli_inputs_free(&in);
        return status == 2 ? cli_usage("predict", "%s", err.msg) : cli_error(&err);
    }
    cli_session ss;
    int rc = 1, orc = session_open(&ss, &so, &err);
    if (dist_agree(orc, &err) != 0) { /* under MPI every rank loads the model */
        if (orc == 0) session_close(&ss);
        cli_heatmaps_discard(&hm);
        cli_heatmaps_free(&hm);
        cli_inputs_free(&in);
        return cli_error(&err);
    }
    predict_ctx pc = {&in, threshold, on_error ? 0 : -1, .hm = &hm};
    ppad_progress bar;
    progress_begin(&bar, "score", (long)in.n, cx.quiet || in.n < 64);
    printf("path,score,p_left,p_right,p_upper,p_lower,p_whole,verdict\n");
    if (hm.on ? predict_heatmaps(&pc, &ss, &io, heatmap_method, on_error, &bar, &err) != 0
              : evaluate_stream(&ss.eng, &ss.p, (const char *const *)in.paths, (int)in.n, eval_load_default, &io,
                                no_position, on_error, print_row, &pc, &bar, &err) != 0)
        goto done;
    progress_end(&bar, NULL);
    if (dist_root_verdict(fflush(stdout) != 0 ? ppad_fail(&err, "cannot write the output") : 0, &err) != 0) goto done;
    if (dist_root_verdict(dist_root() ? cli_heatmaps_finish(&hm, &err) : 0, &err) != 0) goto done;
    if (pc.n_bad > 0) {
        ppad_fail(&err, "%ld of %zu images could not be scored (listed above)", pc.n_bad, in.n);
        dist_root_verdict(-1, &err); /* every rank knows: rank 0 tells */
        rc = 1;
        fflush(stdout);
        cli_error(&err);
        goto out;
    }
    rc = 0;
done:
    if (rc) {
        fflush(stdout);
        cli_heatmaps_discard(&hm);
        cli_error(&err);
    }
out:
    cli_heatmaps_free(&hm);
    cli_inputs_free(&in);
    session_close(&ss);
    return rc;
}
