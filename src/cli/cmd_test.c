/* cmd_test.c — ppad test: PPAD's metrics (ACC, AUC, F1, AP) on a dataset's
 * test split with given prompts. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/dist.h"
#include "base/error.h"
#include "cli/cli.h"

static const char *HELP =
    "usage: ppad test --weights W --prompts P --data DIR [options]\n\n"
    "Scores every test image of DIR (normal label 0, abnormal label 1) and prints ACC, AUC, F1 and AP\n"
    "(scikit-learn definitions; abnormal iff score > threshold) with the counts.\n\n"
    "  --weights W         CheXzero CLIP checkpoint (.pt)\n"
    "  --prompts P         prompts (.pt)\n"
    "  --strict            refuse prompts whose provenance names another backbone (default: a warning)\n"
    "  --data DIR          dataset folder (or CSV manifest with --layout csv)\n"
    "  --layout L          zhanglab | chexpert | vindr | csv (default: detected)\n"
    "  --scores OUT.csv    write path,label,score,p_left,p_right,p_upper,p_lower,p_whole per image\n"
    "  --json              print the metrics as JSON\n"
    "  --report DIR        also write DIR/report.html and DIR/report.json (see ppad report --help):\n"
    "                      metrics with 95% bootstrap CIs, curves, histograms, gallery with thumbnails\n"
    "  --threshold T       decision threshold for ACC/F1, in [0, 1] (default 0.5)\n"
    "  --no-position       ablation: whole image only (score = p_whole)\n"
    "  --no-image-prompt   ablation: never apply the image prompt\n"
    "  --classes A,B / --positions ... / --vocab V   prompt names (see ppad step --help)\n"
    "  --precision P       fp32 (default) or bf16: image tower matrix products in bfloat16 (AVX512-BF16,\n"
    "                      fp32 accumulation; falls back to fp32 on CPUs without it); ~2x faster\n";

int cmd_test(int argc, char **argv) {
    cli_session_opts so = {0};
    const char *data = NULL, *layout = NULL, *scores = NULL, *report_dir = NULL;
    double threshold = 0.5;
    int json = 0, no_position = 0;
    ppad_err err = {{0}};
    cli_image_args ia = {0};
    image_opts io;
    const cli_opt opts[] = {
        CLI_IMAGE_OPTS(ia),
        CLI_SESSION_OPTS(so),
        OPT("--prompts", OPT_IN, &so.prompts, .required = 1),
        OPT("--data", OPT_IN, &data, .required = 1),
        OPT("--layout", OPT_STR, &layout),
        OPT("--scores", OPT_OUT, &scores),
        OPT("--report", OPT_OUTDIR, &report_dir),
        OPT("--json", OPT_FLAG, &json),
        OPT("--threshold", OPT_DBL, &threshold, .dmin = 0, .dmax = 1),
        OPT("--no-position", OPT_FLAG, &no_position),
        OPT_END};
    const cli_verb verb = {.name = "test", .help = HELP, .opts = opts};
    cli_ctx cx;
    int status;
    char cmdline[1024];
    cli_command_line(cmdline, sizeof cmdline, argc, argv, "test");
    if (cli_parse(&cx, &verb, argc, argv, &status)) return status;
    if ((status = cli_image_opts(&io, &ia, &cx)) != 0) return status;
    if (no_position) so.no_image_prompt = 1;
    cli_report rep;
    if ((status = cli_report_prepare(&rep, &cx, report_dir, &err)) != 0)
        return status == 2 ? cli_usage("test", "%s", err.msg) : cli_error(&err);
    dataset d;
    /* every rank opens the inputs; under MPI they agree before any work (dist.h) */
    int orc = dataset_open(&d, data, layout, &err);
    if (dist_agree(orc, &err) != 0) {
        if (orc == 0) dataset_free(&d);
        return cli_error(&err);
    }
    d.img = io;
    if ((status = cli_check_dataset_outputs(&cx, &d, &err)) != 0) {
        dataset_free(&d);
        return cli_usage("test", "%s", err.msg);
    }
    cli_session s;
    if (dist_agree(session_open(&s, &so, &err), &err) != 0) {
        session_close(&s);
        dataset_free(&d);
        return cli_error(&err);
    }
    ppad_metrics m;
    double *fused = NULL, *probs = NULL;
    int rc = cli_eval_dataset_keep(&s, &s.p, &d, no_position, threshold, scores, cx.quiet, &m, rep.on ? &fused : NULL,
                                   rep.on ? &probs : NULL, &err);
    rc = dist_agree(rc, &err);
    if (rc == 0) {
        if (json) metrics_print_json(stdout, &m);
        else metrics_print_text(stdout, &m);
        fflush(stdout);
    }
    if (rc == 0 && rep.on) {
        report_input in = {.title = "ppad test", .threshold = threshold};
        report_set(&in, "weights", "%s", so.weights);
        report_set(&in, "prompts", "%s", so.prompts);
        report_set(&in, "precision", "%s", so.precision ? "bf16" : "fp32");
        if (no_position) report_set(&in, "ablation", "--no-position (whole image only)");
        else if (so.no_image_prompt) report_set(&in, "ablation", "--no-image-prompt");
        report_set(&in, "command", "%s", cmdline);
        /* heat maps of the gallery's images (relevance), with the model loaded here */
        cli_visuals cv = {.s = &s, .p = &s.p, .d = &d, .method = EXPLAIN_RELEVANCE, .threshold = threshold};
        if (!no_position) { /* made over the ranks, then handed to rank 0's report */
            in.visuals = cli_report_visuals, in.visuals_ctx = &cv;
            rc = cli_visuals_prepare(&cv, &in, fused, probs, &err);
        }
        if (rc == 0) rc = dist_root_verdict(cli_report_write(&rep, &in, &d, fused, probs, &err), &err); /* rank 0 writes */
        cli_visuals_free(&cv);
    }
    free(fused), free(probs);
    session_close(&s);
    dataset_free(&d);
    return rc ? cli_error(&err) : 0;
}
