/* distrib.c — histograms (numpy.histogram) and five-number summaries
 * (numpy.percentile, linear) of scores and per-position probabilities. */
#include "ppad/distrib.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "ppad/bootstrap.h"
#include "ppad/metrics.h"

int distrib_histogram(ppad_hist *out, const double *values, long stride, const int *labels, long n, int bins, double lo,
                      double hi, ppad_err *err) {
    memset(out, 0, sizeof *out);
    if (bins < 1 || bins > DISTRIB_MAX_BINS)
        return ppad_fail(err, "histogram: %d bins (1 to %d)", bins, DISTRIB_MAX_BINS);
    if (!isfinite(lo) || !isfinite(hi) || !(lo < hi)) return ppad_fail(err, "histogram: bad range [%g, %g]", lo, hi);
    out->bins = bins;
    /* np.linspace(lo, hi, bins + 1): lo + i * step, the last edge exactly hi */
    const double step = (hi - lo) / bins;
    for (int i = 0; i < bins; i++) out->edges[i] = lo + i * step;
    out->edges[bins] = hi;
    const double norm = bins / (hi - lo);
    for (long i = 0; i < n; i++) {
        double v = values[i * stride];
        int y = labels[i] ? 1 : 0;
        if (!isfinite(v)) continue;
        if (v < lo || v > hi) {
            out->outside[y]++;
            continue;
        }
        /* numpy/lib/histograms.py, the uniform-bins path: index from the
         * scaled value, then corrected against the edges themselves */
        long b = (long)((v - lo) * norm);
        if (b == bins) b--;
        if (v < out->edges[b]) b--;
        else if (b != bins - 1 && v >= out->edges[b + 1]) b++;
        out->count[y][b]++;
    }
    return 0;
}

void distrib_range(double *lo, double *hi, const double *values, long stride, long n) {
    double mn = INFINITY, mx = -INFINITY;
    for (long i = 0; i < n; i++) {
        double v = values[i * stride];
        if (!isfinite(v)) continue;
        if (v < mn) mn = v;
        if (v > mx) mx = v;
    }
    if (mn > mx || (mn >= 0 && mx <= 1)) {
        *lo = 0, *hi = 1;
    } else if (mn == mx) {
        *lo = mn - 0.5, *hi = mx + 0.5;
    } else {
        *lo = mn, *hi = mx;
    }
}

static int cmp_double(const void *pa, const void *pb) {
    double a = *(const double *)pa, b = *(const double *)pb;
    return (a > b) - (a < b);
}

int distrib_summary(ppad_summary *out, const double *values, long stride, const int *labels, long n, int label,
                    ppad_err *err) {
    memset(out, 0, sizeof *out);
    out->min = out->q1 = out->median = out->q3 = out->max = out->mean = NAN;
    double *v = ppad_malloc(sizeof(double) * (size_t)(n > 0 ? n : 1), err);
    if (!v) return -1;
    long m = 0;
    for (long i = 0; i < n; i++) {
        double x = values[i * stride];
        if (isfinite(x) && (label < 0 || labels[i] == label)) v[m++] = x;
    }
    out->n = m;
    if (m > 0) {
        out->mean = metrics_sum(v, m) / (double)m; /* np.mean: pairwise sum over the data order */
        qsort(v, (size_t)m, sizeof(double), cmp_double);
        out->min = v[0];
        out->max = v[m - 1];
        out->q1 = bootstrap_percentile(v, m, 25);
        out->median = bootstrap_percentile(v, m, 50);
        out->q3 = bootstrap_percentile(v, m, 75);
    }
    free(v);
    return 0;
}
