/* parallel.c — independent jobs over the OpenMP threads. */
#include <string.h>

#include "base/parallel.h"

int par_run(int *rc, ppad_err *why, int n, par_job_fn job, void *ctx) {
    /* dynamic: files differ in size and codec, so jobs differ in cost */
#pragma omp parallel for schedule(dynamic, 1)
    for (int j = 0; j < n; j++) {
        memset(&why[j], 0, sizeof why[j]);
        rc[j] = job(ctx, j, &why[j]);
    }
    for (int j = 0; j < n; j++)
        if (rc[j] != 0) return j;
    return -1;
}
