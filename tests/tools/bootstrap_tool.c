/* bootstrap_tool — test helper for tests/parity/test_report.py: the bootstrap
 * of src/ppad/bootstrap.c laid open, so that the test can redo replicates
 * with scikit-learn and the percentiles with numpy.
 *   bootstrap_tool SCORES.csv B SEED THRESHOLD K
 * prints one JSON object: "lo", "hi" (the intervals, acc auc f1 ap), "used",
 * "values" (B rows of the four replicate metrics, null for replicates left
 * out) and "counts" (for replicates 0..K-1, how often each sample was drawn). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "base/error.h"
#include "ppad/bootstrap.h"
#include "ppad/scores_csv.h"

static void num(double v) {
    if (isfinite(v)) printf("%.17g", v);
    else printf("null");
}

int main(int argc, char **argv) {
    if (argc != 6) {
        fprintf(stderr, "usage: bootstrap_tool SCORES.csv B SEED THRESHOLD K\n");
        return 2;
    }
    ppad_err err = {{0}};
    ppad_scores s;
    if (scores_csv_read(&s, argv[1], &err) != 0) {
        fprintf(stderr, "bootstrap_tool: %s\n", err.msg);
        return 1;
    }
    int B = atoi(argv[2]), K = atoi(argv[5]);
    unsigned long long seed = strtoull(argv[3], NULL, 10);
    double t = atof(argv[4]);
    double *values = malloc(sizeof(double) * METRICS_N * (size_t)(B > 0 ? B : 1));
    long *counts = malloc(sizeof(long) * (size_t)s.n);
    ppad_bootstrap bs;
    if (!values || !counts || metrics_bootstrap(&bs, values, s.labels, s.scores, s.n, t, B, seed, &err) != 0) {
        fprintf(stderr, "bootstrap_tool: %s\n", err.msg[0] ? err.msg : "out of memory");
        return 1;
    }
    printf("{\"used\": %d, \"lo\": [", bs.used);
    for (int k = 0; k < METRICS_N; k++) printf(k ? ", " : ""), num(bs.lo[k]);
    printf("], \"hi\": [");
    for (int k = 0; k < METRICS_N; k++) printf(k ? ", " : ""), num(bs.hi[k]);
    printf("], \"values\": [");
    for (int b = 0; b < B; b++) {
        printf(b ? ", [" : "[");
        for (int k = 0; k < METRICS_N; k++) printf(k ? ", " : ""), num(values[(size_t)b * METRICS_N + k]);
        printf("]");
    }
    printf("], \"counts\": [");
    for (int b = 0; b < K && b < B; b++) {
        ppad_rng r;
        bootstrap_stream(&r, seed, b);
        bootstrap_resample(counts, s.n, &r);
        printf(b ? ", [" : "[");
        for (long i = 0; i < s.n; i++) printf(i ? ",%ld" : "%ld", counts[i]);
        printf("]");
    }
    printf("]}\n");
    free(values), free(counts);
    scores_free(&s);
    return 0;
}
