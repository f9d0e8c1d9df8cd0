/* bench.h — small helpers shared by the benchmark programs in bench/<name>.c:
 * wall clock, peak RSS, thread control, option parsing, random inputs, and
 * the key=value output that bench/run.sh reads. Header-only (static
 * functions) so that each bench/<name>.c builds alone into build/bench/<name>. */
#ifndef PPAD_BENCH_H
#define PPAD_BENCH_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cblas.h>
#include <omp.h>

#include "base/rng.h"
#include "ppad.h"

static inline double bench_now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* A "Vm...:  N kB" field of /proc/self/status, in MB (10^6 bytes); -1 if absent. */
static inline double bench_status_mb(const char *field) {
    FILE *f = fopen("/proc/self/status", "r");
    if (!f) return -1;
    char line[256];
    double kb = -1;
    size_t n = strlen(field);
    while (fgets(line, sizeof line, f))
        if (strncmp(line, field, n) == 0 && line[n] == ':') kb = strtod(line + n + 1, NULL);
    fclose(f);
    return kb < 0 ? -1 : kb * 1024.0 / 1e6;
}

/* Peak resident set size of this process so far. */
static inline double bench_peak_rss_mb(void) { return bench_status_mb("VmHWM"); }
/* Resident set size now. */
static inline double bench_rss_mb(void) { return bench_status_mb("VmRSS"); }

/* Resets VmHWM to the current RSS (Linux >= 4.0), so that a later
 * bench_peak_rss_mb() is the peak since this call: e.g. the peak of a step
 * without the model load's transient. Returns 0, or -1 where unsupported. */
static inline int bench_reset_peak(void) {
    FILE *f = fopen("/proc/self/clear_refs", "w");
    if (!f) return -1;
    int ok = fputs("5", f) >= 0;
    return fclose(f) == 0 && ok ? 0 : -1;
}

/* Both pools: ppad's own OpenMP loops and (OpenMP-built) OpenBLAS. */
static inline void bench_threads(int n) {
    if (n <= 0) return;
    omp_set_num_threads(n);
    openblas_set_num_threads(n);
}

static inline int bench_cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Median of n values (sorts them). */
static inline double bench_median(double *v, int n) {
    qsort(v, (size_t)n, sizeof *v, bench_cmp_double);
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

static inline int bench_die(const char *prog, const char *msg) {
    fprintf(stderr, "%s: %s\n", prog, msg);
    return 1;
}

/* "--name VALUE" integer option; returns 1 when argv[*i] matched (and advances *i). */
static inline int bench_int_opt(int argc, char **argv, int *i, const char *name, int *out) {
    if (strcmp(argv[*i], name) != 0 || *i + 1 >= argc) return 0;
    char *end;
    long v = strtol(argv[*i + 1], &end, 10);
    if (*end || v < 0 || v > 1000000) {
        fprintf(stderr, "bench: %s needs a non-negative integer, got '%s'\n", name, argv[*i + 1]);
        exit(2);
    }
    *out = (int)v;
    *i += 1;
    return 1;
}

static inline int bench_str_opt(int argc, char **argv, int *i, const char *name, const char **out) {
    if (strcmp(argv[*i], name) != 0 || *i + 1 >= argc) return 0;
    *out = argv[*i + 1];
    *i += 1;
    return 1;
}

/* Normalised-pixel-like values: N(0, 1). */
static inline void bench_fill_normal(float *x, size_t n, ppad_rng *r) {
    for (size_t i = 0; i < n; i++) x[i] = (float)rng_normal(r, 0.0, 1.0);
}

/* Checked allocation for bench programs: a bench that cannot allocate says so and stops. */
static inline void *bench_alloc(size_t bytes) {
    void *p = NULL;
    if (posix_memalign(&p, 64, bytes ? bytes : 64) != 0) {
        fprintf(stderr, "bench: cannot allocate %zu bytes\n", bytes);
        exit(1);
    }
    return p;
}

#endif
