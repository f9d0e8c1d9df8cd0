/* cmd_test.c — ppad test: PPAD's metrics (ACC, AUC, F1, AP) on a dataset's
 * test split with given prompts. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "cli/cli.h"

static const char *HELP =
    "usage: ppad test --weights W --prompts P --data DIR [options]\n\n"
    "Scores every test image of DIR (normal label 0, abnormal label 1) and prints ACC, AUC, F1 and AP\n"
    "(scikit-learn definitions; abnormal iff score > threshold) with the counts.\n\n"
    "  --weights W         CheXzero CLIP checkpoint (.pt)\n"
    "  --prompts P         prompts (.pt)\n"
    "  --data DIR          dataset folder (or CSV manifest with --layout csv)\n"
    "  --layout L          zhanglab | chexpert | vindr | csv (default: detected)\n"
    "  --scores OUT.csv    write path,label,score,p_left,p_right,p_upper,p_lower,p_whole per image\n"
    "  --json              print the metrics as JSON\n"
    "  --report DIR        also write DIR/report.html and DIR/report.json (see ppad report --help):\n"
    "                      metrics with 95% bootstrap CIs, curves, histograms, gallery with thumbnails\n"
    "  --threshold T       decision threshold for ACC/F1 (default 0.5)\n"
    "  --no-position       ablation: whole image only (score = p_whole)\n"
    "  --no-image-prompt   ablation: never apply the image prompt\n"
    "  --classes A,B / --positions ... / --vocab V   prompt names (see ppad step --help)\n"
    "  --precision P       fp32 (default) or bf16: image tower matrix products in bfloat16 (AVX512-BF16,\n"
    "                      fp32 accumulation; falls back to fp32 on CPUs without it); ~2x faster\n"
    "  --threads N         worker threads (default: all cores)\n"
    "  --quiet             no progress bar\n";

int cmd_test(int argc, char **argv) {
    cli_session_opts so = {.image_prompt = 1};
    const char *data = NULL, *layout = NULL, *scores = NULL, *report_dir = NULL;
    double threshold = 0.5;
    long threads = 0;
    int json = 0, no_position = 0, quiet = 0;
    ppad_err err = {{0}};
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        int has = i + 1 < argc;
        if (cli_is_help(a)) { fputs(HELP, stdout); return 0; }
        CLI_SESSION_OPTS(so)
        else if (!strcmp(a, "--prompts") && has) so.prompts = argv[++i];
        else if (!strcmp(a, "--data") && has) data = argv[++i];
        else if (!strcmp(a, "--layout") && has) layout = argv[++i];
        else if (!strcmp(a, "--scores") && has) scores = argv[++i];
        else if (!strcmp(a, "--report") && has) report_dir = argv[++i];
        else if (!strcmp(a, "--json")) json = 1;
        else if (!strcmp(a, "--quiet")) quiet = 1;
        else if (!strcmp(a, "--no-position")) no_position = 1;
        CLI_DBL_OPT("--threshold", threshold)
        CLI_INT_OPT("--threads", 1, 1024, threads)
        else return cli_usage("test", "unexpected argument '%s'", a);
    }
    if (!so.weights || !so.prompts || !data) return cli_usage("test", "--weights, --prompts and --data are required");
    if (no_position) so.image_prompt = 0;
    cli_report rep;
    const char *inputs[] = {so.weights, so.prompts, data, scores};
    if (cli_report_prepare(&rep, report_dir, inputs, 4, &err) != 0) return cli_error(&err);
    cli_set_threads(threads);
    dataset d;
    if (dataset_open(&d, data, layout, &err) != 0) return cli_error(&err);
    cli_session s;
    if (session_open(&s, &so, &err) != 0) {
        dataset_free(&d);
        return cli_error(&err);
    }
    ppad_metrics m;
    double *fused = NULL, *probs = NULL;
    int rc = cli_eval_dataset_keep(&s, &s.p, &d, no_position, threshold, scores, quiet, &m, rep.on ? &fused : NULL,
                                   rep.on ? &probs : NULL, &err);
    if (rc == 0) {
        if (json) metrics_print_json(stdout, &m);
        else metrics_print_text(stdout, &m);
        fflush(stdout);
    }
    if (rc == 0 && rep.on) {
        report_input in = {.title = "ppad test", .threshold = threshold};
        report_set(&in, "weights", "%s", so.weights);
        report_set(&in, "prompts", "%s", so.prompts);
        report_set(&in, "precision", "%s", so.precision ? so.precision : "fp32");
        if (no_position) report_set(&in, "ablation", "--no-position (whole image only)");
        else if (!so.image_prompt) report_set(&in, "ablation", "--no-image-prompt");
        cli_report_command(&in, argc, argv, "test");
        rc = cli_report_write(&rep, &in, &d, fused, probs, &err);
    }
    free(fused), free(probs);
    session_close(&s);
    dataset_free(&d);
    return rc ? cli_error(&err) : 0;
}
