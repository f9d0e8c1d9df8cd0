/* test_parallel.c — par_run: every job runs once whatever the others return,
 * on more than one thread when there are several, each job's error stays its
 * own, and the first failure is the first in order (not the first to finish). */
#include <omp.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "base/parallel.h"
#include "check.h"

enum { N = 97 };

typedef struct jobs_ctx {
    int runs[N], thread[N];
} jobs_ctx;

static int job(void *ctx, int j, ppad_err *err) {
    jobs_ctx *c = ctx;
    c->runs[j]++;
    c->thread[j] = omp_get_thread_num();
    usleep(300); /* long enough that the other threads get jobs too */
    /* late jobs fail first in time: the answer must still be the lowest index */
    if (j == 61 || j == 90 || j == 95) return ppad_fail(err, "job %d failed", j);
    return 0;
}

int main(void) {
    jobs_ctx c;
    int rc[N];
    ppad_err why[N];
    for (int threads = 1; threads <= 4; threads *= 2) {
        omp_set_num_threads(threads);
        memset(&c, 0, sizeof c);
        int first = par_run(rc, why, N, job, &c);
        char name[64];
        snprintf(name, sizeof name, "first_failure_in_order_%dt", threads);
        CHECK(first == 61, name);
        int all_once = 1, rcs_ok = 1, msgs_ok = 1, used = 0;
        for (int j = 0; j < N; j++) {
            all_once &= c.runs[j] == 1;
            int failing = j == 61 || j == 90 || j == 95;
            rcs_ok &= failing ? rc[j] == -1 : rc[j] == 0;
            char want[32];
            snprintf(want, sizeof want, "job %d failed", j);
            msgs_ok &= failing ? strcmp(why[j].msg, want) == 0 : why[j].msg[0] == 0;
            used |= 1 << c.thread[j];
        }
        snprintf(name, sizeof name, "every_job_once_%dt", threads);
        CHECK(all_once, name);
        snprintf(name, sizeof name, "return_values_per_job_%dt", threads);
        CHECK(rcs_ok, name);
        snprintf(name, sizeof name, "errors_per_job_%dt", threads);
        CHECK(msgs_ok, name);
        snprintf(name, sizeof name, "threads_used_%dt", threads);
        CHECK(threads == 1 ? used == 1 : (used & ~1) != 0, name);
    }
    memset(&c, 0, sizeof c);
    CHECK(par_run(rc, why, 0, job, &c) == -1, "no_jobs_no_failure");
    return check_done();
}
