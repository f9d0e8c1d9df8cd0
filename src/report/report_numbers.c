/* report_numbers.c — every number the report shows, computed once from the
 * input by the ppad layer's functions. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/error.h"
#include "report/report_internal.h"

void report_note(report_numbers *r, const char *fmt, ...) {
    if (r->n_notes >= (int)(sizeof r->notes / sizeof r->notes[0])) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->notes[r->n_notes++], sizeof r->notes[0], fmt, ap);
    va_end(ap);
}

/* UTC now, or SOURCE_DATE_EPOCH (reproducible pages). */
static void generated_time(char *buf, size_t n) {
    const char *sde = getenv("SOURCE_DATE_EPOCH");
    time_t t = time(NULL);
    if (sde && *sde) {
        char *e;
        long long v = strtoll(sde, &e, 10);
        if (!*e && v >= 0) t = (time_t)v;
    }
    struct tm tm;
    if (!gmtime_r(&t, &tm) || !strftime(buf, n, "%Y-%m-%d %H:%M UTC", &tm)) snprintf(buf, n, "unknown");
}

static int position_compute(position_stats *ps, const ppad_scores *s, int k, ppad_err *err) {
    memset(ps, 0, sizeof *ps);
    ps->auc = NAN;
    if (!s->probs || !s->has_prob[k]) return 0;
    const double *col = s->probs + k;
    long have = 0;
    for (long i = 0; i < s->n; i++) have += isfinite(col[i * PPAD_NPOS]) != 0;
    ps->n_missing = s->n - have;
    if (have == 0) return 0;
    ps->available = 1;
    for (int y = 0; y < 2; y++)
        if (distrib_summary(&ps->s[y], col, PPAD_NPOS, s->labels, s->n, y, err) != 0) return -1;
    if (distrib_histogram(&ps->hist, col, PPAD_NPOS, s->labels, s->n, REPORT_BINS, 0, 1, err) != 0) return -1;
    if (ps->s[0].n > 0 && ps->s[1].n > 0) {
        int *lab = ppad_malloc(sizeof(int) * (size_t)have, err);
        double *v = ppad_malloc(sizeof(double) * (size_t)have, err);
        if (!lab || !v) {
            free(lab), free(v);
            return -1;
        }
        long m = 0;
        for (long i = 0; i < s->n; i++)
            if (isfinite(col[i * PPAD_NPOS])) lab[m] = s->labels[i], v[m++] = col[i * PPAD_NPOS];
        ppad_metrics pm;
        int rc = metrics_compute(&pm, lab, v, m, 0.5, err);
        free(lab), free(v);
        if (rc != 0) return -1;
        ps->auc = pm.auc;
    }
    return 0;
}

int report_numbers_compute(report_numbers *r, const report_input *in, ppad_err *err) {
    memset(r, 0, sizeof *r);
    const ppad_scores *s = in->scores;
    generated_time(r->generated, sizeof r->generated);
    if (!s || s->n < 1) return ppad_fail(err, "no scores to report");
    if (metrics_compute(&r->m, s->labels, s->scores, s->n, in->threshold, err) != 0) return -1;
    int B = in->bootstrap > 0 ? in->bootstrap : BOOTSTRAP_DEFAULT_B;
    if (metrics_bootstrap(&r->ci, NULL, s->labels, s->scores, s->n, in->threshold, B, in->seed, err) != 0) return -1;
    if (r->ci.used < r->ci.B)
        report_note(r,
                    "%d of the %d bootstrap resamples held a single class (AUC and AP undefined) and were left out "
                    "of all four intervals.",
                    r->ci.B - r->ci.used, r->ci.B);
    if (curves_compute(&r->cv, s->labels, s->scores, s->n, err) != 0) return -1;
    curves_youden(&r->youden, &r->cv);
    curves_at_sensitivity(&r->sens90, &r->cv, 0.90);
    curves_at_sensitivity(&r->sens95, &r->cv, 0.95);
    const ppad_metrics *m = &r->m;
    r->op_fpr = (double)m->fp / (double)(m->n - m->n_pos);
    r->op_tpr = (double)m->tp / (double)m->n_pos;
    r->op_recall = r->op_tpr;
    r->op_precision = m->tp + m->fp > 0 ? (double)m->tp / (double)(m->tp + m->fp) : NAN;
    double lo, hi;
    distrib_range(&lo, &hi, s->scores, 1, s->n);
    if (distrib_histogram(&r->hist, s->scores, 1, s->labels, s->n, REPORT_BINS, lo, hi, err) != 0) return -1;
    for (int k = 0; k < PPAD_NPOS; k++)
        if (position_compute(&r->pos[k], s, k, err) != 0) return -1;
    if (in->n_runs > 1) {
        if (metrics_mean_sd(&r->stats, in->runs, in->n_runs, err) != 0) return -1;
        r->has_stats = 1;
    }
    return report_gallery_build(r, in, err);
}

void report_numbers_free(report_numbers *r) {
    curves_free(&r->cv);
    for (int g = 0; g < GAL_GROUPS; g++) {
        for (int i = 0; i < r->n_gal[g]; i++) {
            report_blob_free(&r->gal[g][i].thumb);
            report_blob_free(&r->gal[g][i].vis.overlay);
            report_blob_free(&r->gal[g][i].vis.panel);
        }
        free(r->gal[g]);
    }
    memset(r, 0, sizeof *r);
}
