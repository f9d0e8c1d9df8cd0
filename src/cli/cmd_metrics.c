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
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (cli_is_help(a)) {
            fputs(HELP, stdout);
            return 0;
        } else if (strcmp(a, "--scores") == 0) {
            if (i + 1 >= argc) return cli_usage("metrics", "--scores needs a CSV file");
            path = argv[++i];
        } else if (strcmp(a, "--threshold") == 0) {
            if (i + 1 >= argc) return cli_usage("metrics", "--threshold needs a number");
            if (cli_double("--threshold", argv[++i], &threshold, &err) != 0) return cli_usage("metrics", "%s", err.msg);
        } else if (strcmp(a, "--json") == 0) {
            json = 1;
        } else {
            return cli_usage("metrics", "unknown argument '%s'", a);
        }
    }
    if (!path) return cli_usage("metrics", "give the scores with --scores FILE.csv");
    if (!(threshold == threshold) || threshold - threshold != 0)
        return cli_usage("metrics", "--threshold: '%g' is not a finite number", threshold);

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
