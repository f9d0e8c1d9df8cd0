/* bootstrap.c — seeded percentile bootstrap of the four metrics. */
#include "ppad/bootstrap.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"

void bootstrap_resample(long *counts, long n, ppad_rng *r) {
    memset(counts, 0, sizeof(long) * (size_t)n);
    for (long i = 0; i < n; i++) counts[rng_int(r, 0, n)]++;
}

void bootstrap_stream(ppad_rng *out, unsigned long long seed, int b) {
    ppad_rng master;
    rng_seed(&master, seed);
    for (int i = 0; i <= b; i++) rng_split(out, &master);
}

/* numpy 1.24 _quantile, method "linear": virtual index q (n - 1), then
 * _lerp(a, b, t) = a + (b - a) t, or b - (b - a)(1 - t) for t >= 0.5. */
double bootstrap_percentile(const double *a, long m, double q) {
    double v = (q / 100) * (double)(m - 1);
    double fl = floor(v);
    long i = (long)fl;
    if (i < 0) i = 0;
    if (i >= m - 1) return a[m - 1];
    double t = v - fl, lo = a[i], hi = a[i + 1], d = hi - lo;
    return t >= 0.5 ? hi - d * (1 - t) : lo + d * t;
}

static int cmp_double(const void *pa, const void *pb) {
    double a = *(const double *)pa, b = *(const double *)pb;
    return (a > b) - (a < b);
}

/* The samples in descending score order, grouped by equal score. */
typedef struct sorted_set {
    long n, g;   /* samples, groups (distinct scores) */
    long *order; /* (n) sample indices, descending score */
    long *start; /* (g + 1) group boundaries in order */
} sorted_set;

typedef struct idx_score {
    double s;
    long i;
} idx_score;

static int cmp_desc(const void *pa, const void *pb) {
    const idx_score *a = pa, *b = pb;
    return (a->s < b->s) - (a->s > b->s);
}

static int sorted_set_build(sorted_set *ss, const double *scores, long n, ppad_err *err) {
    idx_score *v = ppad_malloc(sizeof *v * (size_t)n, err);
    ss->order = ppad_malloc(sizeof(long) * (size_t)n, err);
    ss->start = ppad_malloc(sizeof(long) * (size_t)(n + 1), err);
    if (!v || !ss->order || !ss->start) {
        free(v);
        return -1;
    }
    for (long i = 0; i < n; i++) v[i].s = scores[i], v[i].i = i;
    qsort(v, (size_t)n, sizeof *v, cmp_desc);
    ss->n = n;
    ss->g = 0;
    for (long i = 0; i < n; i++) {
        ss->order[i] = v[i].i;
        if (i == 0 || v[i].s - v[i - 1].s != 0) ss->start[ss->g++] = i;
    }
    ss->start[ss->g] = n;
    free(v);
    return 0;
}

/* Metrics of one resample; returns 0, or 1 when it holds a single class. */
static int replicate(double out[METRICS_N], const long *counts, const sorted_set *ss, const int *labels,
                     const double *scores, double threshold, double *fps, double *tps, double *work) {
    long k = 0, cp = 0, cn = 0, tp = 0, fp = 0;
    for (long g = 0; g < ss->g; g++) {
        long p = 0, q = 0;
        for (long j = ss->start[g]; j < ss->start[g + 1]; j++) {
            long i = ss->order[j];
            if (labels[i]) p += counts[i];
            else q += counts[i];
        }
        if (p + q == 0) continue; /* score not drawn: no threshold there */
        cp += p, cn += q;
        if (scores[ss->order[ss->start[g]]] > threshold) tp += p, fp += q;
        tps[k] = (double)cp, fps[k] = (double)cn, k++;
    }
    if (cp == 0 || cn == 0) return 1;
    ppad_metrics m;
    metrics_from_counts(&m, cp + cn, cp, tp, fp, threshold);
    out[METRICS_ACC] = m.acc;
    out[METRICS_F1] = m.f1;
    out[METRICS_AUC] = metrics_auc_counts(fps, tps, k, work);
    out[METRICS_AP] = metrics_ap_counts(fps, tps, k, work);
    return 0;
}

int metrics_bootstrap(ppad_bootstrap *out, double *values, const int *labels, const double *scores, long n,
                      double threshold, int B, unsigned long long seed, ppad_err *err) {
    memset(out, 0, sizeof *out);
    if (B < 1 || B > 10000000) return ppad_fail(err, "bootstrap resamples %d: expected 1 to 10000000", B);
    if (!isfinite(threshold)) return ppad_fail(err, "threshold %g is not a finite number", threshold);
    if (metrics_check_input(labels, scores, n, NULL, err) != 0) return -1;
    out->B = B;
    out->seed = seed;
    out->level = 0.95;
    sorted_set ss = {0};
    ppad_rng *streams = ppad_malloc(sizeof(ppad_rng) * (size_t)B, err);
    double *vals = ppad_malloc(sizeof(double) * METRICS_N * (size_t)B, err);
    double *col = ppad_malloc(sizeof(double) * (size_t)B, err);
    int *skipped = ppad_calloc((size_t)B, sizeof(int), err);
    int rc = -1, oom = 0;
    if (!streams || !vals || !col || !skipped || sorted_set_build(&ss, scores, n, err) != 0) goto out;
    {
        ppad_rng master;
        rng_seed(&master, seed);
        for (int b = 0; b < B; b++) rng_split(&streams[b], &master);
    }
#pragma omp parallel
    {
        long *counts = malloc(sizeof(long) * (size_t)n);
        double *w = malloc(sizeof(double) * (size_t)(4 * n + 4));
        if (!counts || !w) {
#pragma omp atomic write
            oom = 1;
        } else {
#pragma omp for schedule(dynamic, 8)
            for (int b = 0; b < B; b++) {
                bootstrap_resample(counts, n, &streams[b]);
                skipped[b] = replicate(vals + (size_t)b * METRICS_N, counts, &ss, labels, scores, threshold, w, w + n,
                                       w + 2 * n);
            }
        }
        free(counts);
        free(w);
    }
    if (oom) {
        ppad_fail(err, "out of memory");
        goto out;
    }
    /* per metric: the used values, sorted, then the percentiles */
    int used = 0;
    for (int b = 0; b < B; b++) used += !skipped[b];
    out->used = used;
    for (int k = 0; k < METRICS_N; k++) {
        long m = 0;
        for (int b = 0; b < B; b++)
            if (!skipped[b]) col[m++] = vals[(size_t)b * METRICS_N + k];
        if (m == 0) {
            out->lo[k] = out->hi[k] = NAN;
            continue;
        }
        qsort(col, (size_t)m, sizeof(double), cmp_double);
        out->lo[k] = bootstrap_percentile(col, m, 2.5);
        out->hi[k] = bootstrap_percentile(col, m, 97.5);
    }
    if (values)
        for (int b = 0; b < B; b++)
            for (int k = 0; k < METRICS_N; k++)
                values[(size_t)b * METRICS_N + k] = skipped[b] ? NAN : vals[(size_t)b * METRICS_N + k];
    rc = 0;
out:
    free(streams), free(vals), free(col), free(skipped);
    free(ss.order), free(ss.start);
    return rc;
}
