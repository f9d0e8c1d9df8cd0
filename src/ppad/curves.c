/* curves.c — ROC and precision-recall points as scikit-learn 1.2 computes them
 * (sklearn/metrics/_ranking.py roc_curve, precision_recall_curve), from the
 * distinct-score counts of metrics_clf_curve. */
#include "ppad/curves.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "ppad/metrics.h"

int curves_compute(ppad_curves *out, const int *labels, const double *scores, long n, ppad_err *err) {
    memset(out, 0, sizeof *out);
    ppad_clf_curve c;
    if (metrics_clf_curve(&c, labels, scores, n, err) != 0) return -1;
    const long k = c.k;
    /* roc: 5 arrays of k + 1; pr: 2 of k + 1 and one of k */
    double *block = ppad_malloc(sizeof(double) * (size_t)(8 * (k + 1)), err);
    if (!block) {
        metrics_clf_curve_free(&c);
        return -1;
    }
    out->fpr = block;
    out->tpr = block + (k + 1);
    out->roc_thr = block + 2 * (k + 1);
    out->roc_fps = block + 3 * (k + 1);
    out->roc_tps = block + 4 * (k + 1);
    out->precision = block + 5 * (k + 1);
    out->recall = block + 6 * (k + 1);
    out->pr_thr = block + 7 * (k + 1);
    out->n_roc = out->n_pr = k + 1;
    const double fl = c.fps[k - 1], tl = c.tps[k - 1];
    out->n_neg = (long)fl;
    out->n_pos = (long)tl;
    /* np.r_[0, fps], np.r_[thresholds[0] + 1, thresholds] */
    out->roc_fps[0] = 0, out->roc_tps[0] = 0, out->roc_thr[0] = c.thr[0] + 1;
    for (long j = 0; j < k; j++) {
        out->roc_fps[j + 1] = c.fps[j];
        out->roc_tps[j + 1] = c.tps[j];
        out->roc_thr[j + 1] = c.thr[j];
    }
    for (long j = 0; j <= k; j++) {
        out->fpr[j] = out->roc_fps[j] / fl;
        out->tpr[j] = out->roc_tps[j] / tl;
    }
    /* reversed (recall decreasing), then (P = 1, R = 0) */
    for (long i = 0; i < k; i++) {
        long j = k - 1 - i;
        double ps = c.tps[j] + c.fps[j];
        out->precision[i] = ps != 0 ? c.tps[j] / ps : 0;
        out->recall[i] = c.tps[j] / tl;
        out->pr_thr[i] = c.thr[j];
    }
    out->precision[k] = 1, out->recall[k] = 0;
    metrics_clf_curve_free(&c);
    return 0;
}

void curves_free(ppad_curves *c) {
    free(c->fpr); /* one block */
    memset(c, 0, sizeof *c);
}

static void cutoff_at(ppad_cutoff *o, const ppad_curves *c, long i) {
    o->index = i;
    o->threshold = c->roc_thr[i];
    o->ppad_threshold = nextafter(c->roc_thr[i], -INFINITY);
    o->sensitivity = c->tpr[i];
    o->specificity = 1 - c->fpr[i];
    o->youden_j = c->tpr[i] - c->fpr[i];
    o->tp = (long)c->roc_tps[i];
    o->fp = (long)c->roc_fps[i];
    o->fn = c->n_pos - o->tp;
    o->tn = c->n_neg - o->fp;
}

void curves_youden(ppad_cutoff *out, const ppad_curves *c) {
    long best = 0;
    for (long i = 1; i < c->n_roc; i++)
        if (c->tpr[i] - c->fpr[i] > c->tpr[best] - c->fpr[best]) best = i;
    cutoff_at(out, c, best);
}

void curves_at_sensitivity(ppad_cutoff *out, const ppad_curves *c, double target) {
    long i = 0;
    while (i < c->n_roc - 1 && !(c->tpr[i] >= target)) i++;
    cutoff_at(out, c, i);
}
