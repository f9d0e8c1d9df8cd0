/* dist.h — ppad's only door to MPI: ranks, broadcast, gather in rank order,
 * agreeing on failure, aborting the job. Built with MPI when the Makefile
 * finds Open MPI (-DPPAD_MPI); otherwise the same calls describe one process
 * (rank 0 of 1) and cost nothing. Nothing else in ppad includes mpi.h.
 *
 * Every function marked "collective" must be called by every rank, in the
 * same order. Failures follow one rule: a rank that fails does not return
 * early past a collective; it hands its rc and message to the next
 * dist_agree, which gives every rank the same verdict (the message of the
 * lowest failing rank), so that all ranks stop together and rank 0 prints the
 * one line. A failure no agreement covers ends the job with dist_abort. */
#ifndef PPAD_BASE_DIST_H
#define PPAD_BASE_DIST_H

#include <stddef.h>
#include <stdio.h>

#include "ppad.h" /* ppad_err */

/* Starts MPI when the process was launched by an MPI launcher (mpirun, srun:
 * OMPI_COMM_WORLD_SIZE, PMIX_RANK, PMI_RANK in the environment) or when
 * PPAD_MPI_INIT=1; otherwise stays a single process without starting Open
 * MPI's runtime. Ranks other than 0 get stdout and stderr muted (their output
 * would repeat rank 0's); dist_stderr() still reaches the real stderr. */
void dist_init(int *argc, char ***argv);
/* Collective at the end of a normal run; a no-op without MPI. */
void dist_finalize(void);
int  dist_rank(void);
int  dist_size(void);
static inline int dist_root(void) { return dist_rank() == 0; }
/* on = 1: this rank works alone, as rank 0 of 1 (collectives are no-ops),
 * until dist_solo(0): verbs rank 0 runs by itself, whole runs on ranks. */
void dist_solo(int on);
/* 1 if built with MPI. */
int  dist_built_with_mpi(void);
/* The real stderr of this rank (for a failure only this rank knows). */
FILE *dist_stderr(void);

/* Collective: rc of every rank (0 ok, non-zero failed); returns 0 if all are
 * 0, else the rc of the lowest failing rank with its message copied into err
 * on every rank. Marks the failure as agreed (dist_failure_agreed). */
int  dist_agree(int rc, ppad_err *err);
/* Collective: rank 0's rc and message (e.g. the verdict of checks only rank 0
 * makes) on every rank; returns that rc. */
int  dist_root_verdict(int rc, ppad_err *err);
/* 1 after a dist_agree / dist_root_verdict returned a failure: every rank
 * knows it, so only rank 0 needs to print it. */
int  dist_failure_agreed(void);

/* Collective: bytes of buf from rank root to every rank. The exchanges never
 * fail: one that cannot complete (a rank died, out of memory) ends the job
 * with a line on stderr. Return 0. */
int  dist_bcast(void *buf, size_t bytes, int root);
/* Collective: every rank gives mine (bytes, may differ per rank); *all gets
 * the blobs of ranks 0, 1, ... concatenated (malloc'd, the caller frees),
 * counts[r] (an array of dist_size()) the size of rank r's. */
int  dist_allgather(const void *mine, size_t bytes, void **all, size_t *counts);

/* Ends every rank of the job now with status code (a killed or failed rank
 * that cannot agree). Without MPI: exit(code). */
void dist_abort(int code) __attribute__((noreturn));

/* Bytes this rank has sent through the calls above (bench: bytes per step). */
size_t dist_bytes_sent(void);

/* The part of n items (or micro-batches) of a round-robin split that rank r
 * owns: item i belongs to rank i % size. */
static inline int dist_owner(int i) { return i % dist_size(); }

#endif
