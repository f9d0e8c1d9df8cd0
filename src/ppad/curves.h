/* curves.h — the ROC and precision-recall curves of a scored test set,
 * exactly as scikit-learn 1.2 returns them, and the cut-offs a reader looks
 * for on them (Youden's J, a sensitivity target).
 *
 *   roc_curve(y, s, drop_intermediate=False):
 *     one point per distinct score, highest first, after a leading (0, 0)
 *     whose threshold is the highest score + 1 (sklearn 1.2; 1.3 writes inf);
 *     fpr = fps / fps[-1], tpr = tps / tps[-1]; the point of threshold t counts
 *     the samples with score >= t as abnormal.
 *   precision_recall_curve(y, s):
 *     the same distinct scores in increasing order, precision = tps / (tps +
 *     fps), recall = tps / tps[-1], then the final point (P = 1, R = 0) that
 *     has no threshold (n_pr = k + 1 points, k thresholds).
 * Ties are one point (all samples with equal scores change class together).
 * Input with a single class is an error (sklearn returns NaN rates and
 * warns; the report refuses with the message of metrics_check_input). */
#ifndef PPAD_PPAD_CURVES_H
#define PPAD_PPAD_CURVES_H

#include "ppad.h"

typedef struct ppad_curves {
    long n_pos, n_neg;
    long n_roc;                 /* k + 1 */
    double *fpr, *tpr;          /* (n_roc) */
    double *roc_thr;            /* (n_roc) decreasing */
    double *roc_fps, *roc_tps;  /* (n_roc) the counts behind fpr, tpr */
    long n_pr;                  /* k + 1 */
    double *precision, *recall; /* (n_pr), recall decreasing to 0 */
    double *pr_thr;             /* (n_pr - 1) increasing */
} ppad_curves;

int curves_compute(ppad_curves *out, const int *labels, const double *scores, long n, ppad_err *err);
void curves_free(ppad_curves *c);

/* A cut-off on the ROC curve, and what it gives. */
typedef struct ppad_cutoff {
    double threshold;                          /* abnormal iff score >= threshold (an roc_thr value) */
    double ppad_threshold;                     /* the same decision in ppad's rule, abnormal iff score > t:
                                                  the largest double below threshold */
    double sensitivity, specificity, youden_j; /* tpr, 1 - fpr, tpr - fpr */
    long tp, fp, tn, fn;
    long index; /* the ROC point */
} ppad_cutoff;

/* Youden's J: the first ROC point (highest threshold) of largest tpr - fpr,
 * as np.argmax(tpr - fpr). */
void curves_youden(ppad_cutoff *out, const ppad_curves *c);
/* The first ROC point (highest threshold) with tpr >= target, as
 * np.argmax(tpr >= target); target in (0, 1]. The last point always reaches it. */
void curves_at_sensitivity(ppad_cutoff *out, const ppad_curves *c, double target);

#endif
