/* metrics.c — ACC, F1, ROC AUC and AP exactly as scikit-learn 1.2 computes
 * them (sklearn/metrics/_ranking.py and _classification.py), step by step:
 *
 *   _binary_clf_curve: scores sorted descending; one point per distinct score
 *     (the last index of each run of equal scores); tps = positives up to and
 *     including it, fps = (index + 1) - tps. Order within ties is irrelevant.
 *   roc_auc_score: roc_curve with drop_intermediate=True (points whose second
 *     differences of fps and tps are both zero are dropped: exactly collinear,
 *     so the area is the same up to rounding), a leading (0, 0),
 *     fpr = fps/fps[-1], tpr = tps/tps[-1], area = np.trapz(tpr, fpr) =
 *     sum(dx * (y[1:] + y[:-1]) / 2.0).
 *   average_precision_score: precision = tps/(tps+fps), recall = tps/tps[-1],
 *     both reversed with a final (P=1, R=0) appended;
 *     AP = -sum(diff(recall) * precision[:-1]).
 *   accuracy = correct/n; f1 = 2*p*r/(p+r) with p = 0 when nothing is predicted
 *     abnormal (zero_division="warn" yields 0) and denominator 1 when p+r = 0.
 * Sums use numpy's pairwise summation so that results match to the bit. */
#include "ppad/metrics.h"

#include <json.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"

const char *const METRICS_NAMES[METRICS_N] = {"acc", "auc", "f1", "ap"};
const char *const METRICS_LABELS[METRICS_N] = {"ACC", "AUC", "F1", "AP"};

/* numpy's pairwise summation of a contiguous float64 array (np.add.reduce):
 * below 8 elements a plain loop, up to 128 eight accumulators combined as a
 * tree, above that split in halves at a multiple of 8. */
static double np_pairwise(const double *a, long n) {
    if (n < 8) {
        double res = 0.;
        for (long i = 0; i < n; i++) res += a[i];
        return res;
    }
    if (n <= 128) {
        double r[8];
        for (int j = 0; j < 8; j++) r[j] = a[j];
        long i;
        for (i = 8; i < n - (n % 8); i += 8)
            for (int j = 0; j < 8; j++) r[j] += a[i + j];
        double res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
        for (; i < n; i++) res += a[i];
        return res;
    }
    long n2 = n / 2;
    n2 -= n2 % 8;
    return np_pairwise(a, n2) + np_pairwise(a + n2, n - n2);
}

/* np.sum: the reduction starts from the identity 0.0. */
static double np_sum(const double *a, long n) { return 0.0 + np_pairwise(a, n); }

typedef struct scored { double s; int y; } scored;

static int cmp_desc(const void *pa, const void *pb) {
    const scored *a = pa, *b = pb;
    return (a->s < b->s) - (a->s > b->s);
}

double metrics_sum(const double *a, long n) { return np_sum(a, n); }

double metrics_auc_counts(const double *fps, const double *tps, long k, double *work) {
    double *x = work, *y = work + k + 1;
    long m = 0;
    x[m] = 0, y[m] = 0, m++; /* the curve starts at (0, 0) */
    for (long j = 0; j < k; j++) {
        int keep = 1;
        if (k > 2 && j > 0 && j < k - 1) /* drop_intermediate: np.diff(_, 2) == 0 for both */
            keep = ((fps[j + 1] - fps[j]) - (fps[j] - fps[j - 1])) != 0 ||
                   ((tps[j + 1] - tps[j]) - (tps[j] - tps[j - 1])) != 0;
        if (keep) x[m] = fps[j], y[m] = tps[j], m++;
    }
    double fl = x[m - 1], tl = y[m - 1];
    for (long i = 0; i < m; i++) x[i] /= fl, y[i] /= tl;
    /* np.trapz(y, x) = sum(diff(x) * (y[1:] + y[:-1]) / 2.0), written over x in place */
    for (long i = 0; i + 1 < m; i++) x[i] = (x[i + 1] - x[i]) * (y[i + 1] + y[i]) / 2.0;
    return np_sum(x, m - 1);
}

double metrics_ap_counts(const double *fps, const double *tps, long k, double *work) {
    double *p = work, *r = work + k + 1;
    double tl = tps[k - 1];
    for (long i = 0; i < k; i++) { /* reversed: recall decreasing */
        long j = k - 1 - i;
        p[i] = tps[j] / (tps[j] + fps[j]);
        r[i] = tps[j] / tl;
    }
    p[k] = 1, r[k] = 0;
    for (long i = 0; i < k; i++) p[i] = (r[i + 1] - r[i]) * p[i];
    return -np_sum(p, k);
}

int metrics_check_input(const int *labels, const double *scores, long n, long *n_pos, ppad_err *err) {
    if (n < 1) return ppad_fail(err, "no samples to compute metrics from");
    long np = 0;
    for (long i = 0; i < n; i++) {
        if (labels[i] != 0 && labels[i] != 1)
            return ppad_fail(err, "sample %ld: label %d is not 0 (normal) or 1 (abnormal)", i + 1, labels[i]);
        if (!isfinite(scores[i]))
            return ppad_fail(err, "sample %ld: score %g is not a finite number", i + 1, scores[i]);
        np += labels[i];
    }
    if (np == 0 || np == n)
        return ppad_fail(err,
                         "all %ld samples are %s (label %d): AUC and AP need both normal (0) and abnormal (1) samples",
                         n, np ? "abnormal" : "normal", np ? 1 : 0);
    if (n_pos) *n_pos = np;
    return 0;
}

int metrics_clf_curve(ppad_clf_curve *out, const int *labels, const double *scores, long n, ppad_err *err) {
    memset(out, 0, sizeof *out);
    if (metrics_check_input(labels, scores, n, NULL, err) != 0) return -1;
    scored *v = ppad_malloc(sizeof(scored) * (size_t)n, err);
    double *block = ppad_malloc(sizeof(double) * 3 * (size_t)n, err);
    if (!v || !block) {
        free(v);
        free(block);
        return -1;
    }
    for (long i = 0; i < n; i++) v[i].s = scores[i], v[i].y = labels[i];
    qsort(v, (size_t)n, sizeof *v, cmp_desc);
    out->fps = block, out->tps = block + n, out->thr = block + 2 * n;
    long k = 0, cum = 0;
    for (long i = 0; i < n; i++) {
        cum += v[i].y;
        if (i == n - 1 || v[i + 1].s - v[i].s != 0) { /* np.where(np.diff(y_score)) */
            out->tps[k] = (double)cum;
            out->fps[k] = (double)(i + 1 - cum);
            out->thr[k] = v[i].s;
            k++;
        }
    }
    out->k = k;
    free(v);
    return 0;
}

void metrics_clf_curve_free(ppad_clf_curve *c) {
    free(c->fps); /* one block */
    memset(c, 0, sizeof *c);
}

void metrics_from_counts(ppad_metrics *out, long n, long n_pos, long tp, long fp, double threshold) {
    out->n = n;
    out->n_pos = n_pos;
    out->tp = tp;
    out->fp = fp;
    out->fn = n_pos - tp;
    out->tn = (n - n_pos) - fp;
    out->threshold = threshold;
    out->acc = (double)(tp + out->tn) / (double)n;
    double prec = tp + fp > 0 ? (double)tp / (double)(tp + fp) : 0.0; /* zero_division -> 0 */
    double rec = (double)tp / (double)n_pos;
    double denom = prec + rec;
    if (denom == 0.0) denom = 1;
    out->f1 = 2 * prec * rec / denom;
}

int metrics_compute(ppad_metrics *out, const int *labels, const double *scores, long n, double threshold,
                    ppad_err *err) {
    memset(out, 0, sizeof *out);
    if (n >= 1 && !isfinite(threshold)) return ppad_fail(err, "threshold %g is not a finite number", threshold);
    long n_pos;
    if (metrics_check_input(labels, scores, n, &n_pos, err) != 0) return -1;
    long tp = 0, fp = 0;
    for (long i = 0; i < n; i++)
        if (scores[i] > threshold) {
            if (labels[i]) tp++;
            else fp++;
        }
    ppad_clf_curve c;
    if (metrics_clf_curve(&c, labels, scores, n, err) != 0) return -1;
    double *work = ppad_malloc(sizeof(double) * (size_t)(2 * c.k + 2), err);
    if (!work) {
        metrics_clf_curve_free(&c);
        return -1;
    }
    out->auc = metrics_auc_counts(c.fps, c.tps, c.k, work);
    out->ap = metrics_ap_counts(c.fps, c.tps, c.k, work);
    free(work);
    metrics_clf_curve_free(&c);
    metrics_from_counts(out, n, n_pos, tp, fp, threshold);
    return 0;
}

double metrics_value(const ppad_metrics *m, int which) {
    switch (which) {
    case METRICS_ACC: return m->acc;
    case METRICS_AUC: return m->auc;
    case METRICS_F1: return m->f1;
    case METRICS_AP: return m->ap;
    default: return NAN;
    }
}

int metrics_mean_sd(ppad_metrics_stats *out, const ppad_metrics *runs, int n_runs, ppad_err *err) {
    memset(out, 0, sizeof *out);
    if (n_runs < 1) return ppad_fail(err, "no runs to summarise");
    out->runs = n_runs;
    for (int k = 0; k < METRICS_N; k++) {
        double sum = 0;
        for (int r = 0; r < n_runs; r++) sum += metrics_value(&runs[r], k);
        double mean = sum / n_runs, ss = 0;
        for (int r = 0; r < n_runs; r++) {
            double d = metrics_value(&runs[r], k) - mean;
            ss += d * d;
        }
        out->mean[k] = mean;
        out->sd[k] = n_runs > 1 ? sqrt(ss / (n_runs - 1)) : 0.0;
    }
    return 0;
}

/* Shortest of %.15g..%.17g that reads back as the same double. */
static void fmt_exact(char *buf, size_t size, double v) {
    for (int prec = 15; prec <= 17; prec++) {
        snprintf(buf, size, "%.*g", prec, v);
        if (strtod(buf, NULL) == v) return;
    }
}

void metrics_print_text(FILE *f, const ppad_metrics *m) {
    for (int k = 0; k < METRICS_N; k++)
        fprintf(f, "%s%s %.1f", k ? " " : "", METRICS_LABELS[k], 100 * metrics_value(m, k));
    fprintf(f, " (n %ld: %ld abnormal, %ld normal; TP %ld FP %ld TN %ld FN %ld at score > %g)\n", m->n, m->n_pos,
            m->n - m->n_pos, m->tp, m->fp, m->tn, m->fn, m->threshold);
}

void metrics_print_values(FILE *f, const ppad_metrics *m) {
    char buf[40];
    for (int k = 0; k < METRICS_N; k++) {
        fmt_exact(buf, sizeof buf, metrics_value(m, k));
        fprintf(f, "%s %s\n", METRICS_NAMES[k], buf);
    }
    fprintf(f, "n %ld\nn_pos %ld\nn_neg %ld\ntp %ld\nfp %ld\ntn %ld\nfn %ld\n", m->n, m->n_pos, m->n - m->n_pos,
            m->tp, m->fp, m->tn, m->fn);
    fmt_exact(buf, sizeof buf, m->threshold);
    fprintf(f, "threshold %s\n", buf);
}

json_object *metrics_json_exact(double v) {
    if (!isfinite(v)) return NULL;
    char buf[48];
    fmt_exact(buf, sizeof buf - 2, v);
    if (!strpbrk(buf, ".eEni")) strcat(buf, ".0");
    return json_object_new_double_s(v, buf);
}

/* json_object_object_add that tolerates a NULL value (out of memory): returns -1 then. */
static int add(json_object *o, const char *key, json_object *v) {
    if (!v) return -1;
    if (json_object_object_add(o, key, v) != 0) {
        json_object_put(v);
        return -1;
    }
    return 0;
}

json_object *metrics_to_json(const ppad_metrics *m) {
    json_object *o = json_object_new_object();
    if (!o) return NULL;
    int bad = 0;
    for (int k = 0; k < METRICS_N; k++) bad |= add(o, METRICS_NAMES[k], metrics_json_exact(metrics_value(m, k)));
    bad |= add(o, "n", json_object_new_int64(m->n));
    bad |= add(o, "n_pos", json_object_new_int64(m->n_pos));
    bad |= add(o, "n_neg", json_object_new_int64(m->n - m->n_pos));
    bad |= add(o, "tp", json_object_new_int64(m->tp));
    bad |= add(o, "fp", json_object_new_int64(m->fp));
    bad |= add(o, "tn", json_object_new_int64(m->tn));
    bad |= add(o, "fn", json_object_new_int64(m->fn));
    bad |= add(o, "threshold", metrics_json_exact(m->threshold));
    if (bad) {
        json_object_put(o);
        return NULL;
    }
    return o;
}

static void print_json(FILE *f, json_object *o) {
    if (!o) {
        fputs("{\"error\": \"out of memory\"}\n", f);
        return;
    }
    int flags = JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED | JSON_C_TO_STRING_NOSLASHESCAPE;
    fputs(json_object_to_json_string_ext(o, flags), f);
    fputc('\n', f);
    json_object_put(o);
}

void metrics_print_json(FILE *f, const ppad_metrics *m) { print_json(f, metrics_to_json(m)); }

void metrics_stats_print_text(FILE *f, const ppad_metrics_stats *s) {
    for (int k = 0; k < METRICS_N; k++)
        fprintf(f, "%s%s %.1f \u00b1 %.1f", k ? " " : "", METRICS_LABELS[k], 100 * s->mean[k], 100 * s->sd[k]);
    fprintf(f, " (%d run%s; mean \u00b1 sample sd, ddof=1)\n", s->runs, s->runs == 1 ? "" : "s");
}

json_object *metrics_stats_to_json(const ppad_metrics_stats *s) {
    json_object *o = json_object_new_object(), *mean = json_object_new_object(), *sd = json_object_new_object();
    int bad = !o || !mean || !sd;
    if (!bad) {
        for (int k = 0; k < METRICS_N; k++) {
            bad |= add(mean, METRICS_NAMES[k], metrics_json_exact(s->mean[k]));
            bad |= add(sd, METRICS_NAMES[k], metrics_json_exact(s->sd[k]));
        }
        bad |= add(o, "runs", json_object_new_int(s->runs));
        bad |= add(o, "mean", mean);
        mean = NULL;
        bad |= add(o, "sd", sd);
        sd = NULL;
        bad |= add(o, "ddof", json_object_new_int(1));
    }
    json_object_put(mean);
    json_object_put(sd);
    if (bad) {
        json_object_put(o);
        return NULL;
    }
    return o;
}

void metrics_stats_print_json(FILE *f, const ppad_metrics_stats *s) { print_json(f, metrics_stats_to_json(s)); }
