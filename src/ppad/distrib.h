/* distrib.h — distributions of scores and probabilities for the report:
 * histograms per class (numpy.histogram's bins and counting, to the bin) and
 * five-number summaries (numpy.percentile, linear). Non-finite values (a
 * position that was not scored) are left out and counted. */
#ifndef PPAD_PPAD_DISTRIB_H
#define PPAD_PPAD_DISTRIB_H

#include "ppad.h"

#define DISTRIB_MAX_BINS 200

/* Counts of the finite values of each class (label 0 and 1) in `bins` equal
 * bins over [lo, hi] (numpy.histogram(v, bins, range=(lo, hi)): edges are
 * np.linspace(lo, hi, bins + 1); a value on an inner edge belongs to the bin
 * on its right, hi to the last bin; values outside [lo, hi] are not counted). */
typedef struct ppad_hist {
    int bins;
    double edges[DISTRIB_MAX_BINS + 1];
    long count[2][DISTRIB_MAX_BINS]; /* [label][bin] */
    long outside[2];                 /* finite values outside [lo, hi] */
} ppad_hist;

/* lo < hi, both finite; 1 <= bins <= DISTRIB_MAX_BINS. values may hold
 * non-finite entries (skipped). stride: distance between consecutive values
 * (1 for a plain array, PPAD_NPOS for one column of the probabilities). */
int distrib_histogram(ppad_hist *out, const double *values, long stride, const int *labels, long n, int bins, double lo,
                      double hi, ppad_err *err);

/* The range a histogram of scores uses: [0, 1] when every value lies in it
 * (probabilities), else [min, max] (widened by 0.5 on each side when all are
 * equal). Only finite values are looked at; none: [0, 1]. */
void distrib_range(double *lo, double *hi, const double *values, long stride, long n);

typedef struct ppad_summary {
    long n;                                /* finite values summarised */
    double min, q1, median, q3, max, mean; /* NaN when n == 0 */
} ppad_summary;

/* Summary of the finite values with the given label (label < 0: all). */
int distrib_summary(ppad_summary *out, const double *values, long stride, const int *labels, long n, int label,
                    ppad_err *err);

#endif
