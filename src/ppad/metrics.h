/* metrics.h — the evaluation metrics of PPAD (spec section 5), computed exactly
 * as scikit-learn 1.2 computes them from labels (0 normal / 1 abnormal) and
 * scores:
 *   acc  accuracy_score(y, s > threshold)
 *   f1   f1_score(y, s > threshold)          (0 when nothing is predicted abnormal)
 *   auc  roc_auc_score(y, s)                 (trapezoid over distinct thresholds,
 *                                             ties counted half; roc_curve's
 *                                             drop_intermediate=True as sklearn)
 *   ap   average_precision_score(y, s)      (sum of (R_n - R_{n-1}) P_n over the
 *                                             distinct thresholds, no interpolation)
 * The arithmetic follows sklearn/numpy step by step (including numpy's pairwise
 * summation), so the results agree with sklearn to the last bit or within a
 * few ulps. The prediction is abnormal iff score > threshold (strictly). */
#ifndef PPAD_PPAD_METRICS_H
#define PPAD_PPAD_METRICS_H

#include <stdio.h>

#include "ppad.h"

struct json_object;

/* ppad_metrics is defined in ppad.h (public). */

/* Fills *out. Errors: n < 1, a label other than 0/1, a non-finite score or
 * threshold, and input with only one class (AUC and AP are undefined; sklearn
 * raises for AUC). Messages name no file: callers prefix one. */
int metrics_compute(ppad_metrics *out, const int *labels, const double *scores, long n, double threshold,
                    ppad_err *err);

/* The pieces metrics_compute is made of, shared with the curves
 * (ppad/curves.h) and the bootstrap (ppad/bootstrap.h). */

/* Errors of metrics_compute's input: n < 1, a label other than 0/1, a
 * non-finite score, a single class. *n_pos (may be NULL) receives the
 * number of label-1 samples. */
int metrics_check_input(const int *labels, const double *scores, long n, long *n_pos, ppad_err *err);

/* sklearn's _binary_clf_curve: scores sorted in descending order, one entry
 * per distinct score (k of them, highest first): thr[j] the score, tps[j] and
 * fps[j] the label-1 and label-0 samples scoring >= thr[j] (as doubles, as
 * numpy holds them). Same errors as metrics_check_input. */
typedef struct ppad_clf_curve {
    long k;
    double *fps, *tps, *thr; /* (k) each, one allocation */
} ppad_clf_curve;
int  metrics_clf_curve(ppad_clf_curve *out, const int *labels, const double *scores, long n, ppad_err *err);
void metrics_clf_curve_free(ppad_clf_curve *c);

/* roc_auc_score and average_precision_score from such counts (k >= 1, both
 * classes present); work holds 2k + 2 doubles. */
double metrics_auc_counts(const double *fps, const double *tps, long k, double *work);
double metrics_ap_counts(const double *fps, const double *tps, long k, double *work);
/* acc, f1 and the counts from a confusion at a threshold (auc, ap untouched). */
void metrics_from_counts(ppad_metrics *out, long n, long n_pos, long tp, long fp, double threshold);
/* numpy's np.sum of a float64 array (pairwise summation), to the bit. */
double metrics_sum(const double *a, long n);

/* A json number that prints as v's shortest exact decimal (round-trips to
 * the same double; ".0" added to integral values); NULL — JSON null — when v
 * is not finite (or out of memory). */
struct json_object *metrics_json_exact(double v);

/* The four metrics as an indexable list (acc, auc, f1, ap). */
enum { METRICS_ACC, METRICS_AUC, METRICS_F1, METRICS_AP, METRICS_N };
extern const char *const METRICS_NAMES[METRICS_N];       /* "acc", "auc", "f1", "ap" */
extern const char *const METRICS_LABELS[METRICS_N];      /* "ACC", "AUC", "F1", "AP" */
double metrics_value(const ppad_metrics *m, int which);

/* Mean and sample standard deviation (ddof = 1, as numpy.std(ddof=1) and the
 * paper's "mean ± sd") of each metric over repeated runs. With a single run
 * sd is 0 (ddof = 1 is undefined there). */
typedef struct ppad_metrics_stats {
    int runs;
    double mean[METRICS_N], sd[METRICS_N]; /* indexed by METRICS_ACC.. */
} ppad_metrics_stats;
int metrics_mean_sd(ppad_metrics_stats *out, const ppad_metrics *runs, int n_runs, ppad_err *err);

/* One human line, percentages with one decimal like the paper's tables:
 * "ACC 89.4 AUC 96.7 F1 91.8 AP 95.0 (n 100: 40 abnormal, 60 normal; TP 35 FP 5 TN 55 FN 5 at score > 0.5)" */
void metrics_print_text(FILE *f, const ppad_metrics *m);
/* Machine-readable lines "name value": acc auc f1 ap (%.17g, exact round trip),
 * n n_pos n_neg tp fp tn fn, threshold. */
void metrics_print_values(FILE *f, const ppad_metrics *m);
/* {"acc": .., "auc": .., "f1": .., "ap": .., "n": .., "n_pos": .., "n_neg": ..,
 *  "tp": .., "fp": .., "tn": .., "fn": .., "threshold": ..} and a newline. */
void metrics_print_json(FILE *f, const ppad_metrics *m);
/* The same object, for embedding into a larger JSON document (NULL when out of
 * memory); release with json_object_put(). */
struct json_object *metrics_to_json(const ppad_metrics *m);

/* "ACC 89.4 ± 1.2 AUC 96.7 ± 0.3 F1 91.8 ± 0.9 AP 95.0 ± 0.4 (5 runs, sd with ddof=1)" */
void metrics_stats_print_text(FILE *f, const ppad_metrics_stats *s);
/* {"runs": 5, "mean": {"acc": .., ...}, "sd": {"acc": .., ...}, "ddof": 1} */
void metrics_stats_print_json(FILE *f, const ppad_metrics_stats *s);
struct json_object *metrics_stats_to_json(const ppad_metrics_stats *s);

#endif
