/* bootstrap.h — percentile bootstrap confidence intervals of ACC, AUC, F1
 * and AP (metrics.h definitions).
 *
 * Replicate b (0 <= b < B) resamples the n (label, score) pairs n times with
 * replacement, with its own random stream: the b-th rng_split of a generator
 * seeded with `seed` (so the result does not depend on the thread count).
 * Its metrics are exactly what metrics_compute gives on the resampled list
 * (the resample is counted per sample over the one sorted order, not
 * re-sorted: same counts, same arithmetic). A replicate that holds a single
 * class (AUC and AP undefined) is left out of all four intervals; `used`
 * says how many remain. The interval is numpy.percentile(values, [2.5, 97.5])
 * (linear interpolation) of the used replicates, for level 0.95. */
#ifndef PPAD_PPAD_BOOTSTRAP_H
#define PPAD_PPAD_BOOTSTRAP_H

#include "base/rng.h"
#include "ppad.h"
#include "ppad/metrics.h"

#define BOOTSTRAP_DEFAULT_B 1000

typedef struct ppad_bootstrap {
    int B, used; /* replicates drawn, and those with both classes */
    unsigned long long seed;
    double level;                        /* 0.95 */
    double lo[METRICS_N], hi[METRICS_N]; /* NaN when used == 0 */
} ppad_bootstrap;

/* values: NULL, or (B, METRICS_N) receiving each replicate's acc, auc, f1, ap
 * (NaN rows for the replicates left out). B in 1..10^7. */
int metrics_bootstrap(ppad_bootstrap *out, double *values, const int *labels, const double *scores, long n,
                      double threshold, int B, unsigned long long seed, ppad_err *err);

/* One resample: counts[i] = how often sample i was drawn (n draws of
 * rng_int(r, 0, n)). The generator of replicate b is the b-th rng_split of
 * rng_seed(seed): bootstrap_stream gives it (for tests and tools). */
void bootstrap_resample(long *counts /* (n) */, long n, ppad_rng *r);
void bootstrap_stream(ppad_rng *out, unsigned long long seed, int b);

/* numpy.percentile(a, q) with the default linear method, a sorted ascending
 * (m >= 1 values), q in [0, 100]. */
double bootstrap_percentile(const double *sorted, long m, double q);

#endif
