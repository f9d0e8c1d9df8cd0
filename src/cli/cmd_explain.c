/* cmd_explain.c — ppad explain: heat maps of where the model looks (spec
 * section 10), as pictures (--out DIR) and raw 7x7 maps (--raw FILE), with
 * the scores as CSV on stdout. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/dist.h"
#include "base/error.h"
#include "base/fileio.h"
#include "base/progress.h"
#include "cli/cli.h"

static const char *HELP =
    "usage: ppad explain --weights W --prompts P [--out DIR] [--raw MAPS.csv] [options] IMAGE|FOLDER...\n\n"
    "Heat maps of where the model looks for 'abnormal', for every position: for position k,\n"
    "z_k = logit_abnormal - logit_normal (p_k = sigmoid(z_k)) is traced back through the image tower:\n"
    "  relevance  (default) Chefer et al. 2021: every vision block's attention probabilities A weighted\n"
    "             by their gradient, R += mean_heads(max(dz/dA * A, 0)) R, map = the class token's row\n"
    "  gradcam    Grad-CAM (Selvaraju et al. 2017) on the last vision block's ln_1 output\n"
    "Prints the scores as ppad predict does (path,score,p_left,...,p_whole,verdict), and writes:\n"
    "  --out DIR      per image NAME_overlay.png (the fused view over the image, at its original size) and\n"
    "                 NAME_panel.png (the five positions, each map only over its region, captioned with\n"
    "                 the position and its probability, the score and the verdict), and DIR/index.csv\n"
    "                 (path,overlay,panel,score,verdict,p_left,...,p_whole,method; ppad report --heatmaps DIR)\n"
    "  --raw FILE     CSV, one row per image and position: path,position,method,m0,...,m48 with position\n"
    "                 left|right|upper|lower|whole and m0..m48 the raw, un-normalised 7x7 map, row-major\n"
    "                 (all 49 patches, also those that hold the image prompt)\n"
    "In pictures each map is scaled to [0, 1] over its region's patches, upsampled bilinearly and drawn\n"
    "with the Turbo colormap; the fused view is the map of the position whose p gave the score when\n"
    "max p > 0.8, else the mean of the five scaled maps. A map shows what raises z_k, not a diagnosis.\n\n"
    "  --weights W / --prompts P   as for ppad predict\n"
    "  IMAGE|FOLDER   image files (PNG, JPEG), or folders standing for the images in them\n"
    "  --list FILE    also the images listed in FILE ('-': standard input), as for ppad predict\n"
    "  --method M     relevance (default) or gradcam\n"
    "  --threshold T  decision threshold in [0, 1] for the verdict (default 0.5)\n"
    "  --on-error M   stop (default) or skip (report the image on stderr, go on, exit 1 at the end)\n"
    "  --precision P / --classes / --positions / --vocab / --no-image-prompt / --strict   as for ppad predict\n"
    "Costs about two scorings of the image with relevance (a backward pass through all 12 blocks), about\n"
    "1.1 with gradcam (the last block only). Outputs are checked before any work; a failed run leaves\n"
    "none of its files behind.\n";

typedef struct explain_out {
    const cli_inputs *in;
    cli_heatmaps *hm;
    FILE *raw; /* NULL: no --raw */
    int method;
    double threshold;
} explain_out;

/* Rank 0: one explained image's pictures, raw rows and CSV row. */
static int explain_row(void *vctx, size_t i, const explain_result *r, const report_visual *v, ppad_err *err) {
    explain_out *o = vctx;
    const char *path = o->in->paths[i];
    if (v && cli_heatmaps_put(o->hm, i, path, v, r->probs, r->fused, err) != 0) return -1;
    if (o->raw) cli_explain_raw_rows(o->raw, path, r, o->method);
    char b[32];
    cli_csv_field(stdout, path);
    printf(",%s", cli_num(b, r->fused));
    cli_print_probs(stdout, r->probs);
    printf(",%s\n", r->fused > o->threshold ? "abnormal" : "normal");
    fflush(stdout);
    return 0;
}

int cmd_explain(int argc, char **argv) {
    cli_session_opts so = {0};
    double threshold = 0.5;
    int method = 0, on_error = 0;
    const char *list = NULL, *out_dir = NULL, *raw = NULL;
    cli_list args = {0};
    cli_image_args ia = {0};
    image_opts io;
    ppad_err err = {{0}};
    const cli_opt opts[] = {
        CLI_SESSION_OPTS(so),
        CLI_IMAGE_OPTS(ia),
        OPT("--prompts", OPT_IN, &so.prompts, .required = 1),
        OPT("--list", OPT_IN, &list),
        OPT("--method", OPT_CHOICE, &method, .choices = "relevance|gradcam"),
        OPT("--out", OPT_OUTDIR, &out_dir),
        OPT("--raw", OPT_OUT, &raw),
        OPT("--on-error", OPT_CHOICE, &on_error, .choices = "stop|skip"),
        OPT("--threshold", OPT_DBL, &threshold, .dmin = 0, .dmax = 1),
        OPT_END};
    const cli_verb verb = {.name = "explain", .help = HELP, .opts = opts, .args = &args,
                           .args_name = "IMAGE (or --list FILE)", .args_min = 0, .args_are_inputs = 1};
    cli_ctx cx;
    int status;
    if (cli_parse(&cx, &verb, argc, argv, &status)) return status;
    if ((status = cli_image_opts(&io, &ia, &cx)) != 0) return status;
    if (args.n == 0 && !list) return cli_usage("explain", "give at least one IMAGE, FOLDER or --list FILE");
    if (!out_dir && !raw) return cli_usage("explain", "give --out DIR and/or --raw FILE (where the heat maps go)");
    cli_inputs in;
    if (cli_inputs_gather_shared(&in, &args, list, &err) != 0) return cli_error(&err);
    cli_heatmaps hm;
    status = dist_root() ? cli_heatmaps_prepare(&hm, &cx, out_dir, &in, method, threshold, &err) : 0;
    if (!dist_root()) memset(&hm, 0, sizeof hm); /* rank 0 writes every file */
    if ((status = dist_root_verdict(status, &err)) != 0) {
        cli_inputs_free(&in);
        return status == 2 ? cli_usage("explain", "%s", err.msg) : cli_error(&err);
    }
    cli_session ss;
    int orc = session_open(&ss, &so, &err);
    if (dist_agree(orc, &err) != 0) { /* under MPI every rank loads the model */
        if (orc == 0) session_close(&ss);
        cli_heatmaps_discard(&hm);
        cli_heatmaps_free(&hm);
        cli_inputs_free(&in);
        return cli_error(&err);
    }
    int rc = 1;
    long n_bad = 0;
    atomic_file rf = {0};
    ppad_explainer x;
    int have_x = 0;
    const int S = ss.m->cfg.image_size;
    float *pixels = ppad_aligned_alloc(sizeof(float) * 3 * (size_t)S * S, &err);
    int xrc = !pixels || explain_init(&x, &ss.eng, method, &err) != 0;
    have_x = !xrc;
    if (dist_agree(xrc || engine_encode_texts(&ss.eng, &ss.p, 0, &err) != 0 ? -1 : 0, &err) != 0) goto done;
    if (raw && dist_root_verdict(dist_root() ? atomic_open(&rf, raw, &err) : 0, &err) != 0) goto done;
    if (rf.fp) {
        fputs("path,position,method", rf.fp);
        for (int q = 0; q < EXPLAIN_NP; q++) fprintf(rf.fp, ",m%d", q);
        fputc('\n', rf.fp);
    }
    ppad_progress bar;
    progress_begin(&bar, "explain", (long)in.n, cx.quiet || in.n < 8);
    printf("path,score,p_left,p_right,p_upper,p_lower,p_whole,verdict\n");
    explain_out eo = {&in, &hm, rf.fp, method, threshold};
    const cli_explain_job job = {.x = &x, .p = &ss.p, .in = &in, .io = &io, .pixels = pixels, .S = S,
                                 .draw = out_dir != NULL, .method = method, .skip_bad = on_error, .threshold = threshold,
                                 .row = explain_row, .row_ctx = &eo};
    if (cli_explain_shard(&job, &n_bad, &bar, &err) != 0) goto done;
    progress_end(&bar, NULL);
    int wrc = 0;
    if (rf.fp) {
        if (ferror(rf.fp)) wrc = ppad_fail(&err, "%s: cannot write the file", raw);
        else wrc = atomic_commit(&rf, &err), rf.fp = NULL; /* committed or removed */
    }
    if (dist_root_verdict(wrc, &err) != 0) goto done;
    if (dist_root_verdict(dist_root() ? cli_heatmaps_finish(&hm, &err) : 0, &err) != 0) goto done;
    if (dist_root_verdict(fflush(stdout) != 0 ? ppad_fail(&err, "cannot write the output") : 0, &err) != 0) goto done;
    if (n_bad > 0) {
        ppad_fail(&err, "%ld of %zu images could not be explained (listed above)", n_bad, in.n);
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
        if (rf.fp) atomic_abort(&rf);
        cli_heatmaps_discard(&hm);
        cli_error(&err);
    }
out:
    if (have_x) explain_free(&x);
    free(pixels);
    cli_heatmaps_free(&hm);
    cli_inputs_free(&in);
    session_close(&ss);
    return rc;
}
