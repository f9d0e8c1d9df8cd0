/* cmd_metrics.c — ppad metrics: ACC, AUC, F1 and AP of a label,score CSV. */
#include <stdio.h>
#include <string.h>

#include "base/error.h"
#include "cli/cli.h"
#include "ppad/metrics.h"
#include "ppad/scores_csv.h"

static const char *HELP =
    "usage: ppad metrics --scores FILE.csv [--threshold T] [--json]\n\n"
    "Computes PPAD's evaluation metrics from a CSV whose header names a 'label' column\n"
    "(0 normal, 1 abnormal) and a 'score' column (other columns, in any order, are ignored,\n"
    "e.g. the output of 'ppad test --scores'). The definitions are scikit-learn's:\n"
    "  acc  accuracy_score(label, score > T)\n"
    "  auc  roc_auc_score(label, score)            (all distinct thresholds, ties count half)\n"
    "  f1   f1_score(label, score > T)             (0 when nothing is predicted abnormal)\n"
    "  ap   average_precision_score(label, score)  (no interpolation)\n\n"
    "Output: one 'name value' line each for acc auc f1 ap (exact decimals), n n_pos n_neg\n"
    "tp fp tn fn (predicted abnormal iff score > T) and threshold, then a summary line in\n"
    "percent as in the paper's tables.\n\n"
    "  --scores FILE  the CSV file\n"
    "  --threshold T  decision threshold for acc, f1 and the counts (default 0.5; strictly\n"
    "                 greater is abnormal)\n"
    "  --json         print one JSON object with the same names instead\n";

int cmd_metrics(int argc, char **argv) {
    const char *path = NULL;
    double threshold = 0.5;
    int json = 0;
    ppad_err err = {{0}};
    const cli_opt opts[] = {
        OPT("--scores", OPT_IN, &path, .required = 1),
        OPT("--threshold", OPT_DBL, &threshold, .dmin = 0, .dmax = 1),
        OPT("--json", OPT_FLAG, &json),
        OPT_END};
    const cli_verb verb = {.name = "metrics", .help = HELP, .opts = opts};
    cli_ctx cx;
    int status;
    if (cli_parse(&cx, &verb, argc, argv, &status)) return status;

    ppad_scores s;
    if (scores_csv_read(&s, path, &err) != 0) return cli_error(&err);
    ppad_metrics m;
    int rc = metrics_compute(&m, s.labels, s.scores, s.n, threshold, &err);
    scores_free(&s);
    if (rc != 0) {
        ppad_fail_prefix(&err, path);
        return cli_error(&err);
    }
    if (json) {
        metrics_print_json(stdout, &m);
    } else {
        metrics_print_values(stdout, &m);
        metrics_print_text(stdout, &m);
    }
    if (fflush(stdout) != 0) return cli_errorf("cannot write the output");
    return 0;
}
