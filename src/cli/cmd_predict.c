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
    /* --heatmaps */
    cli_heatmaps *hm;
    ppad_explainer *x;
    const ppad_params *p;
    float *pixels; /* (3, S, S) */
    int S;
    const image_opts *io;
} predict_ctx;

/* The heat maps of scored image i (its index row gets predict's own numbers). */
static int heatmaps_row(predict_ctx *c, int i, const double *probs, double fused, ppad_err *why) {
    const char *path = c->in->paths[i];
    gray8 orig = {0};
    explain_result r;
    int rc = -1;
    if (cli_explain_load(&orig, c->pixels, path, c->io, c->S, why) == 0 && explain_image(c->x, c->p, c->pixels, &r, why) == 0 &&
        cli_explain_check(path, &r, why) == 0) {
        /* the pictures say what the CSV says: the scoring's probabilities (the explanation's
         * own forward pass agrees to ~1e-7 but not bit for bit) */
        memcpy(r.probs, probs, sizeof r.probs);
        r.fused = fused;
        rc = cli_heatmaps_add(c->hm, (size_t)i, path, &orig, &r, probs, fused, why);
    }
    gray8_free(&orig);
    return rc;
}

static int print_row(void *vctx, int i, const double *probs, double fused, const ppad_err *bad, ppad_err *err) {
    predict_ctx *c = vctx;
    const char *path = c->in->paths[i];
    ppad_err why;
    if (!bad && !isfinite(fused)) {
        ppad_fail(&why, "%s: the score is not a finite number (%g); check the prompts and the backbone", path, fused);
        bad = &why;
        if (c->n_bad < 0) { /* --on-error stop */
            *err = why;
            return -1;
        }
    }
    /* heat maps: rank 0 alone draws them (not sharded; under MPI the others count on its verdict) */
    if (!bad && c->hm->on && dist_root() && heatmaps_row(c, i, probs, fused, &why) != 0) {
        if (c->n_bad < 0) {
            *err = why;
            return -1;
        }
        bad = &why;
    }
    if (bad) {
        if (dist_root()) cli_error(bad); /* every rank sees every row; rank 0 tells */
        c->n_bad++;
        return 0;
    }
    char b[32];
    cli_csv_field(stdout, path);
    printf(",%s", cli_num(b, fused));
    cli_print_probs(stdout, probs);
    printf(",%s\n", fused > c->threshold ? "abnormal" : "normal");
    if (i % 8 == 7 && fflush(stdout) != 0) return ppad_fail(err, "cannot write the output");
    return 0;
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
    predict_ctx pc = {&in, threshold, on_error ? 0 : -1, .hm = &hm, .p = &ss.p, .S = ss.m->cfg.image_size, .io = &io};
    ppad_explainer x;
    int have_x = 0;
    int xrc = 0;
    if (hm.on && dist_root()) {
        pc.pixels = ppad_aligned_alloc(sizeof(float) * 3 * (size_t)pc.S * pc.S, &err);
        xrc = !pc.pixels || explain_init(&x, &ss.eng, heatmap_method, &err) != 0;
        have_x = !xrc;
        pc.x = &x;
    }
    if (dist_agree(xrc ? -1 : 0, &err) != 0) goto done;
    ppad_progress bar;
    progress_begin(&bar, "score", (long)in.n, cx.quiet || in.n < 64);
    printf("path,score,p_left,p_right,p_upper,p_lower,p_whole,verdict\n");
    if (evaluate_stream(&ss.eng, &ss.p, (const char *const *)in.paths, (int)in.n, eval_load_default, &io,
                        no_position, on_error, print_row, &pc, &bar, &err) != 0)
        goto done;
    progress_end(&bar, NULL);
    if (dist_root_verdict(fflush(stdout) != 0 ? ppad_fail(&err, "cannot write the output") : 0, &err) != 0) goto done;
    if (dist_root_verdict(dist_root() ? cli_heatmaps_finish(&hm, &err) : 0, &err) != 0) goto done;
    dist_bcast(&pc.n_bad, sizeof pc.n_bad, 0); /* rank 0's count includes the heat maps that failed */
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
    if (have_x) explain_free(&x);
    free(pc.pixels);
    cli_heatmaps_free(&hm);
    cli_inputs_free(&in);
    session_close(&ss);
    return rc;
}
