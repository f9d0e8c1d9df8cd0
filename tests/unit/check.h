/* check.h — tiny test harness shared by the C unit tests.
 * Each check prints "PASS name" or "FAIL name: detail"; tests/run.sh counts
 * those lines. A test binary returns check_done(): non-zero if anything failed. */
#ifndef PPAD_TEST_CHECK_H
#define PPAD_TEST_CHECK_H

#include <math.h>
#include <stdarg.h>
#include <stdio.h>

static int check_n_pass, check_n_fail;

static inline void check_report(int ok, const char *name, const char *fmt, ...) {
    if (ok) {
        check_n_pass++;
        printf("PASS %s\n", name);
    } else {
        check_n_fail++;
        printf("FAIL %s: ", name);
        va_list ap;
        va_start(ap, fmt);
        vprintf(fmt, ap);
        va_end(ap);
        printf("\n");
    }
    fflush(stdout);
}

#define CHECK(cond, name) check_report(!!(cond), (name), "%s", #cond)

/* |got - ref| <= atol + rtol*|ref| elementwise; reports the worst element. */
static inline int check_close(const char *name, const float *got, const float *ref, long n, double atol, double rtol) {
    long worst = -1;
    double worst_excess = 0, max_abs = 0;
    for (long i = 0; i < n; i++) {
        double d = fabs((double)got[i] - (double)ref[i]);
        if (d > max_abs || isnan(d)) max_abs = isnan(d) ? INFINITY : d;
        double excess = d - (atol + rtol * fabs((double)ref[i]));
        if (isnan(d) || excess > worst_excess) { worst_excess = isnan(d) ? INFINITY : excess; worst = i; }
    }
    int ok = worst < 0;
    check_report(ok, name, "element %ld: got %.9g ref %.9g (atol %g rtol %g, max abs diff %g)", worst,
                 worst >= 0 ? got[worst] : 0.0, worst >= 0 ? ref[worst] : 0.0, atol, rtol, max_abs);
    return ok;
}

static inline int check_done(void) {
    printf("# %d passed, %d failed\n", check_n_pass, check_n_fail);
    return check_n_fail ? 1 : 0;
}

#endif
