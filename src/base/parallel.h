/* parallel.h — independent jobs over the OpenMP threads, with one error per
 * job: how a chunk of image files is decoded, one file per thread (decoding
 * is single-threaded inside each codec, so a chunk of 32 files keeps every
 * thread busy). Results do not depend on the number of threads. */
#ifndef PPAD_BASE_PARALLEL_H
#define PPAD_BASE_PARALLEL_H

#include "base/error.h"

/* Job j of n: 0, or -1 with *err filled. Called from several threads at once,
 * so it may only write what belongs to job j. */
typedef int (*par_job_fn)(void *ctx, int j, ppad_err *err);

/* Runs job(ctx, j, &why[j]) for j in [0, n) on the current OpenMP threads;
 * rc[j] (n) gets each job's return value. Every job runs, whatever the others
 * return. Returns the index of the first job (in order) that failed, or -1. */
int par_run(int *rc, ppad_err *why, int n, par_job_fn job, void *ctx);

#endif
