/* cmd_report.c — ppad report: an HTML page (and JSON) of an evaluation from
 * a scores CSV. The work is in src/report. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "cli/cli.h"
#include "ppad/bootstrap.h"
#include "report/report.h"

static const char *HELP =
    "usage: ppad report --scores S.csv --out report.html [options]\n\n"
    "Writes one self-contained HTML page (no network, nothing external; prints well) showing an\n"
    "evaluation: ACC, AUC, F1, AP with 95% bootstrap confidence intervals, ROC and precision-recall\n"
    "curves with the operating point, score histograms per class, the confusion matrix, a cut-off table\n"
    "(Youden's J, 90% and 95% sensitivity), per-position probability distributions, the training loss and\n"
    "learning rate (--log), per-run metrics with mean +- sd (several --scores), and a gallery of the most\n"
    "confident false positives, false negatives and top true positives. Every number drawn is also in the\n"
    "page as JSON (<script type=\"application/json\" id=\"ppad-report\">).\n\n"
    "  --scores S.csv    scores CSV (path,label,score,p_left,p_right,p_upper,p_lower,p_whole, as ppad test\n"
    "                    --scores writes; label and score are required). Repeat it for the runs of a\n"
    "                    training: the page shows the last and a table of all\n"
    "  --out FILE.html   the page (written atomically; never over an input)\n"
    "  --json FILE       also write the JSON copy to FILE\n"
    "  --log FILE        training log CSV (step,epoch,lr,loss,n_abnormal,seconds); repeat for runs\n"
    "  --images          embed thumbnails of the gallery's images (paths as in the CSV, else relative to it)\n"
    "  --heatmaps DIR    heat maps from 'ppad explain --out DIR' (DIR/index.csv) for the gallery\n"
    "  --threshold T     decision threshold: abnormal iff score > T (default 0.5)\n"
    "  --bootstrap B     bootstrap resamples (default 1000)\n"
    "  --seed S          bootstrap seed (default 0; same seed, same intervals)\n"
    "  --gallery N       images per gallery group (default 6; 0 hides the gallery)\n"
    "  --title TEXT      page title\n"
    "  --quiet           no message on success\n";

#define MAX_INPUTS 64

static void warn_line(void *ctx, const char *msg) {
    (void)ctx;
    fprintf(stderr, "ppad: warning: %s\n", msg);
}

int cmd_report(int argc, char **argv) {
    const char *scores_paths[MAX_INPUTS], *log_paths[MAX_INPUTS];
    int n_scores = 0, n_logs = 0, images = 0, quiet = 0;
    const char *out = NULL, *json = NULL, *heatmaps = NULL, *title = NULL;
    double threshold = 0.5;
    long boot = BOOTSTRAP_DEFAULT_B, gallery = REPORT_DEFAULT_GALLERY;
    long long seed = 0;
    ppad_err err = {{0}};
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        int has = i + 1 < argc;
        if (cli_is_help(a)) {
            fputs(HELP, stdout);
            return 0;
        } else if (!strcmp(a, "--scores") && has) {
            if (n_scores == MAX_INPUTS) return cli_usage("report", "at most %d --scores files", MAX_INPUTS);
            scores_paths[n_scores++] = argv[++i];
        } else if (!strcmp(a, "--log") && has) {
            if (n_logs == MAX_INPUTS) return cli_usage("report", "at most %d --log files", MAX_INPUTS);
            log_paths[n_logs++] = argv[++i];
        } else if (!strcmp(a, "--out") && has) out = argv[++i];
        else if (!strcmp(a, "--json") && has) json = argv[++i];
        else if (!strcmp(a, "--heatmaps") && has) heatmaps = argv[++i];
        else if (!strcmp(a, "--title") && has) title = argv[++i];
        else if (!strcmp(a, "--images")) images = 1;
        else if (!strcmp(a, "--quiet")) quiet = 1;
        CLI_DBL_OPT("--threshold", threshold)
        CLI_INT_OPT("--bootstrap", 1, 1000000, boot)
        CLI_INT_OPT("--gallery", 0, 1000, gallery)
        CLI_INT_OPT("--seed", 0, 0x7fffffffffffffffL, seed)
        else return cli_usage("report", "unexpected argument '%s'", a); }
    if (!n_scores) return cli_usage("report", "give the scores with --scores S.csv");
    if (!out) return cli_usage("report", "give the page to write with --out report.html");
    if (!isfinite(threshold)) return cli_usage("report", "--threshold: '%g' is not a finite number", threshold);

    /* every output checked against every input before any work */
    char index[4096] = "";
    if (heatmaps) snprintf(index, sizeof index, "%s/index.csv", heatmaps);
    const char *inputs[2 * MAX_INPUTS + 1];
    int n_in = 0;
    for (int i = 0; i < n_scores; i++) inputs[n_in++] = scores_paths[i];
    for (int i = 0; i < n_logs; i++) inputs[n_in++] = log_paths[i];
    if (heatmaps) inputs[n_in++] = index;
    if (report_check_outputs(out, json, inputs, n_in, &err) != 0) return cli_error(&err);

    int rc = 1;
    ppad_scores sc[MAX_INPUTS];
    ppad_train_log logs[MAX_INPUTS];
    ppad_metrics runs[MAX_INPUTS];
    char names[MAX_INPUTS][64];
    const char *run_names[MAX_INPUTS];
    int n_read = 0, n_logs_read = 0;
    report_heatmaps hm = {0};
    report_input in = {0};
    memset(sc, 0, sizeof sc);
    for (; n_read < n_scores; n_read++) {
        if (scores_csv_read(&sc[n_read], scores_paths[n_read], &err) != 0) goto done;
        if (metrics_compute(&runs[n_read], sc[n_read].labels, sc[n_read].scores, sc[n_read].n, threshold, &err) != 0) {
            ppad_fail_prefix(&err, scores_paths[n_read]);
            n_read++;
            goto done;
        }
        snprintf(names[n_read], sizeof names[n_read], "run %d", n_read + 1);
        run_names[n_read] = names[n_read];
    }
    for (; n_logs_read < n_logs; n_logs_read++)
        if (trainlog_read(&logs[n_logs_read], log_paths[n_logs_read], &err) != 0) goto done;
    if (heatmaps && report_heatmaps_open(&hm, heatmaps, &err) != 0) goto done;

    const char *last = scores_paths[n_scores - 1];
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
    in.bootstrap = (int)boot;
    in.seed = (unsigned long long)seed;
    in.logs = logs;
    in.n_logs = n_logs;
    in.runs = runs;
    in.run_names = run_names;
    in.n_runs = n_scores;
    in.gallery = gallery ? (int)gallery : -1;
    in.images = images;
    in.image_base = base;
    in.visuals = heatmaps ? report_heatmaps_visuals : NULL;
    in.visuals_ctx = &hm;
    in.warn = warn_line;
    for (int i = 0; i < n_scores; i++) {
        char key[64];
        snprintf(key, sizeof key, n_scores > 1 ? "scores, run %d" : "scores", i + 1);
        report_set(&in, key, "%s", scores_paths[i]);
    }
    for (int i = 0; i < n_logs; i++) {
        char key[64];
        snprintf(key, sizeof key, n_logs > 1 ? "training log, run %d" : "training log", i + 1);
        report_set(&in, key, "%s", log_paths[i]);
    }
    if (heatmaps) report_set(&in, "heat maps", "%s", heatmaps);
    cli_report_command(&in, argc, argv, "report");
    if (report_write(&in, out, json, &err) != 0) goto done;
    if (!quiet) fprintf(stderr, "report written to %s%s%s\n", out, json ? " and " : "", json ? json : "");
    rc = 0;
done:
    if (rc) cli_error(&err);
    for (int i = 0; i < n_read; i++) scores_free(&sc[i]);
    for (int i = 0; i < n_logs_read; i++) trainlog_free(&logs[i]);
    report_heatmaps_free(&hm);
    return rc;
}
