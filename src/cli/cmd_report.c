/* cmd_report.c — ppad report: an HTML page (and JSON) of an evaluation from
 * a scores CSV. The work is in src/report. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "base/fileio.h"
#include "cli/cli.h"
#include "ppad/bootstrap.h"
#include "report/report.h"

static const char *HELP =
    "usage: ppad report --scores S.csv --out report.html [options]\n\n"
    "Writes one self-contained HTML page (no network, nothing external; prints well) showing an\n"
    "evaluation: ACC, AUC, F1, AP with 95% bootstrap confidence intervals, ROC and precision-recall\n"
    "curves with the operating point, score histograms per class, the confusion matrix, a cut-off table\n"
    "(Youden's J, 90% and 95% sensitivity), per-position probability distributions, the training loss and\n"
    "learning rate (--log), per-run metrics with mean +- sd (several scores files), and a gallery of the most\n"
    "confident false positives, false negatives and top true positives. Every number drawn is also in the\n"
    "page as JSON (<script type=\"application/json\" id=\"ppad-report\">).\n\n"
    "  --scores S.csv..  scores CSV (path,label,score,p_left,p_right,p_upper,p_lower,p_whole, as ppad test\n"
    "                    --scores writes; label and score are required). Several files are the runs of a\n"
    "                    training (train --runs R writes SCORES-run1.csv ...): the page shows the last and\n"
    "                    a table of all\n"
    "  --out FILE.html   the page (written atomically; never over an input)\n"
    "  --json FILE       also write the JSON copy to FILE\n"
    "  --log FILE..      training log CSV (step,epoch,lr,loss,n_abnormal,seconds), one per run\n"
    "  --images          embed thumbnails of the gallery's images (paths as in the CSV, else relative to it)\n"
    "  --heatmaps DIR    heat maps from 'ppad explain --out DIR' (DIR/index.csv) for the gallery\n"
    "  --threshold T     decision threshold in [0, 1]: abnormal iff score > T (default 0.5)\n"
    "  --bootstrap B     bootstrap resamples (default 1000)\n"
    "  --seed S          bootstrap seed (default 0; same seed, same intervals)\n"
    "  --gallery N       images per gallery group (default 6; 0 hides the gallery)\n"
    "  --title TEXT      page title\n";

static void warn_line(void *ctx, const char *msg) {
    (void)ctx;
    fprintf(stderr, "ppad: warning: %s\n", msg);
}

/* An output that exists and is one of the list inputs: 2 (a usage error). */
static int refuse_input(const char *opt, const char *out, const cli_list *in, const char *in_opt, ppad_err *err) {
    for (int i = 0; out && i < in->n; i++)
        if (file_exists(out) && cli_same_file(out, in->v[i])) {
            ppad_fail(err, "%s %s names the same file as %s; refusing to overwrite an input", opt, out, in_opt);
            return 2;
        }
    return 0;
}

int cmd_report(int argc, char **argv) {
    cli_list scores = {0}, logs_in = {0};
    int images = 0, boot = BOOTSTRAP_DEFAULT_B, gallery = REPORT_DEFAULT_GALLERY;
    const char *out = NULL, *json = NULL, *heatmaps = NULL, *title = NULL;
    double threshold = 0.5;
    long long seed = 0;
    ppad_err err = {{0}};
    const cli_opt opts[] = {
        OPT("--scores", OPT_LIST, &scores, .required = 1),
        OPT("--out", OPT_OUT, &out, .required = 1),
        OPT("--json", OPT_OUT, &json),
        OPT("--log", OPT_LIST, &logs_in),
        OPT("--images", OPT_FLAG, &images),
        OPT("--heatmaps", OPT_IN, &heatmaps),
        OPT("--threshold", OPT_DBL, &threshold, .dmin = 0, .dmax = 1),
        OPT("--bootstrap", OPT_INT, &boot, .imin = 1, .imax = 1000000),
        OPT("--seed", OPT_LONG, &seed, .imin = 0, .imax = LLONG_MAX),
        OPT("--gallery", OPT_INT, &gallery, .imin = 0, .imax = 1000),
        OPT("--title", OPT_STR, &title),
        OPT_END};
    const cli_verb verb = {.name = "report", .help = HELP, .opts = opts};
    cli_ctx cx;
    int status;
    char cmdline[1024];
    cli_command_line(cmdline, sizeof cmdline, argc, argv, "report");
    if (cli_parse(&cx, &verb, argc, argv, &status)) return status;
    /* the inputs cli_parse does not know of: the lists, and the heat maps' index */
    char index[4096] = "";
    cli_list idx = {0};
    const char *idx_v[1] = {index};
    if (heatmaps) {
        snprintf(index, sizeof index, "%s/index.csv", heatmaps);
        idx.v = idx_v, idx.n = 1;
    }
    const char *const outs[2] = {out, json}, *const out_opts[2] = {"--out", "--json"};
    for (int k = 0; k < 2; k++)
        if (refuse_input(out_opts[k], outs[k], &scores, "--scores", &err) ||
            refuse_input(out_opts[k], outs[k], &logs_in, "--log", &err) ||
            refuse_input(out_opts[k], outs[k], &idx, "--heatmaps", &err))
            return cli_usage("report", "%s", err.msg);

    int rc = 1, n_read = 0, n_logs_read = 0, n_scores = scores.n;
    ppad_scores *sc = ppad_calloc((size_t)n_scores, sizeof(ppad_scores), &err);
    ppad_metrics *runs = ppad_calloc((size_t)n_scores, sizeof(ppad_metrics), &err);
    char (*names)[32] = ppad_calloc((size_t)n_scores, sizeof *names, &err);
    const char **run_names = ppad_calloc((size_t)n_scores, sizeof(char *), &err);
    ppad_train_log *logs = ppad_calloc((size_t)(logs_in.n ? logs_in.n : 1), sizeof(ppad_train_log), &err);
    report_heatmaps hm = {0};
    report_input in = {0};
    if (!sc || !runs || !names || !run_names || !logs) goto done;
    for (; n_read < n_scores; n_read++) {
        if (scores_csv_read(&sc[n_read], scores.v[n_read], &err) != 0) goto done;
        if (metrics_compute(&runs[n_read], sc[n_read].labels, sc[n_read].scores, sc[n_read].n, threshold, &err) != 0) {
            ppad_fail_prefix(&err, scores.v[n_read]);
            n_read++;
            goto done;
        }
        snprintf(names[n_read], sizeof names[n_read], "run %d", n_read + 1);
        run_names[n_read] = names[n_read];
    }
    for (; n_logs_read < logs_in.n; n_logs_read++)
        if (trainlog_read(&logs[n_logs_read], logs_in.v[n_logs_read], &err) != 0) goto done;
    if (heatmaps && report_heatmaps_open(&hm, heatmaps, &err) != 0) goto done;

    const char *last = scores.v[n_scores - 1];
    char source[4200], base[4096];
    snprintf(source, sizeof source, "scores %s", last);
    snprintf(base, sizeof base, "%s", last);
    char *slash = strrchr(base, '/');
    if (slash) *slash = 0;
    else snprintf(base, sizeof base, ".");
    in.title = title;
    in.source = source;
    in.scores = &sc[n_scores - 1];
    in.threshold = threshold;
    in.bootstrap = boot;
    in.seed = (unsigned long long)seed;
    in.logs = logs;
    in.n_logs = logs_in.n;
    in.runs = runs;
    in.run_names = run_names;
    in.n_runs = n_scores;
    in.gallery = gallery ? gallery : -1;
    in.images = images;
    in.image_base = base;
    in.visuals = heatmaps ? report_heatmaps_visuals : NULL;
    in.visuals_ctx = &hm;
    in.warn = warn_line;
    for (int i = 0; i < n_scores; i++) {
        char key[64];
        snprintf(key, sizeof key, n_scores > 1 ? "scores, run %d" : "scores", i + 1);
        report_set(&in, key, "%s", scores.v[i]);
    }
    for (int i = 0; i < logs_in.n; i++) {
        char key[64];
        snprintf(key, sizeof key, logs_in.n > 1 ? "training log, run %d" : "training log", i + 1);
        report_set(&in, key, "%s", logs_in.v[i]);
    }
    if (heatmaps) report_set(&in, "heat maps", "%s", heatmaps);
    report_set(&in, "command", "%s", cmdline);
    if (report_write(&in, out, json, &err) != 0) goto done;
    if (!cx.quiet) fprintf(stderr, "report written to %s%s%s\n", out, json ? " and " : "", json ? json : "");
    rc = 0;
done:
    if (rc) cli_error(&err);
    for (int i = 0; i < n_read; i++) scores_free(&sc[i]);
    for (int i = 0; i < n_logs_read; i++) trainlog_free(&logs[i]);
    free(sc), free(runs), free(names), free(run_names), free(logs);
    report_heatmaps_free(&hm);
    return rc;
}
