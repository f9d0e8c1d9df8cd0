/* dist.c — the MPI layer (see dist.h); without PPAD_MPI, one process. */
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/dist.h"
#include "base/error.h"

#ifdef PPAD_MPI
#include <mpi.h>
#endif

static int g_rank = 0, g_size = 1, g_agreed = 0;
static size_t g_sent = 0;
static FILE *g_err = NULL; /* this rank's real stderr once muted */
#ifdef PPAD_MPI
static int g_started = 0, g_own_init = 0;
static MPI_Comm g_comm;
#endif

static int g_solo_saved = 0, g_solo_rank = 0;

int dist_rank(void) { return g_rank; }

void dist_solo(int on) {
    if (on && !g_solo_saved) g_solo_saved = g_size, g_solo_rank = g_rank, g_size = 1, g_rank = 0;
    else if (!on && g_solo_saved) g_size = g_solo_saved, g_rank = g_solo_rank, g_solo_saved = 0;
}

int dist_size(void) { return g_size; }
int dist_failure_agreed(void) { return g_agreed; }
size_t dist_bytes_sent(void) { return g_sent; }
FILE *dist_stderr(void) { return g_err ? g_err : stderr; }

int dist_built_with_mpi(void) {
#ifdef PPAD_MPI
    return 1;
#else
    return 0;
#endif
}

/* Ranks other than 0: stdout and stderr to /dev/null (opened for writing only;
 * never renamed over), the real stderr kept for dist_stderr. */
static void mute_others(void) {
    if (g_rank == 0) return;
    int keep = dup(2), nul = open("/dev/null", O_WRONLY);
    if (keep < 0 || nul < 0) return;
    g_err = fdopen(keep, "w");
    fflush(stdout), fflush(stderr);
    dup2(nul, 1), dup2(nul, 2);
    close(nul);
}

#ifdef PPAD_MPI
static int launched(void) {
    const char *force = getenv("PPAD_MPI_INIT");
    if (force) return strcmp(force, "0") != 0;
    return getenv("OMPI_COMM_WORLD_SIZE") || getenv("PMIX_RANK") || getenv("PMI_RANK") || getenv("PMI_SIZE");
}

static void attach(MPI_Comm comm) {
    MPI_Comm_dup(comm, &g_comm);
    /* errors come back as codes so that a failing call is reported, not fatal at once */
    MPI_Comm_set_errhandler(g_comm, MPI_ERRORS_RETURN);
    MPI_Comm_rank(g_comm, &g_rank);
    MPI_Comm_size(g_comm, &g_size);
    g_started = 1;
}
#endif

void dist_init(int *argc, char ***argv) {
#ifdef PPAD_MPI
    if (g_started || !launched()) return;
    int provided;
    if (MPI_Init_thread(argc, argv, MPI_THREAD_FUNNELED, &provided) != MPI_SUCCESS) {
        /* launched as a rank: going on alone would write every output N times over */
        fprintf(stderr, "ppad: started by an MPI launcher, but MPI_Init failed\n");
        exit(1);
    }
    g_own_init = 1;
    attach(MPI_COMM_WORLD);
    mute_others();
#else
    (void)argc, (void)argv;
    (void)mute_others;
#endif
}

void dist_finalize(void) {
#ifdef PPAD_MPI
    if (!g_started) return;
    MPI_Comm_free(&g_comm);
    g_started = 0;
    if (g_own_init) MPI_Finalize();
    g_rank = 0, g_size = 1;
#endif
}

/* the public hook (ppad.h): a library user's communicator */
int ppad_dist_use(const void *mpi_comm, ppad_err *err) {
#ifdef PPAD_MPI
    int inited = 0;
    MPI_Initialized(&inited);
    if (!inited) return ppad_fail(err, "ppad_dist_use: call MPI_Init first");
    if (g_started) dist_finalize();
    attach(mpi_comm ? *(const MPI_Comm *)mpi_comm : MPI_COMM_WORLD);
    return 0;
#else
    if (mpi_comm) return ppad_fail(err, "ppad_dist_use: this libppad was built without MPI");
    return 0;
#endif
}

int ppad_dist_ranks(void) { return g_size; }

void dist_abort(int code) {
    fflush(stdout), fflush(stderr);
    if (g_err) fflush(g_err);
#ifdef PPAD_MPI
    if (g_started) MPI_Abort(g_comm, code);
#endif
    exit(code);
}

/* A collective that cannot complete leaves the ranks out of step: end the job. */
static void fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void fatal(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    fprintf(dist_stderr(), "ppad: rank %d: ", g_rank);
    vfprintf(dist_stderr(), fmt, ap);
    fputc('\n', dist_stderr());
    va_end(ap);
    dist_abort(1);
}

static void *malloc_or_die(size_t n) {
    void *p = malloc(n);
    if (!p) fatal("out of memory (%zu bytes for an exchange between ranks)", n);
    return p;
}

#ifdef PPAD_MPI
/* Rank root's status (and message, when it failed) to every rank; a failure
 * is then agreed (dist_failure_agreed). */
static int verdict_from(int root, int rc, ppad_err *err) {
    struct { int rc; char msg[sizeof err->msg]; } v = {rc, {0}};
    if (err && rc && g_rank == root) memcpy(v.msg, err->msg, sizeof v.msg);
    if (MPI_Bcast(&v, sizeof v, MPI_BYTE, root, g_comm) != MPI_SUCCESS) dist_abort(1);
    if (g_rank == root) g_sent += sizeof v;
    if (v.rc) {
        if (err) memcpy(err->msg, v.msg, sizeof v.msg);
        g_agreed = 1;
    }
    return v.rc;
}
#endif

int dist_agree(int rc, ppad_err *err) {
    if (g_size == 1) return rc;
#ifdef PPAD_MPI
    int mine = rc ? g_rank : g_size, first = g_size;
    if (MPI_Allreduce(&mine, &first, 1, MPI_INT, MPI_MIN, g_comm) != MPI_SUCCESS) dist_abort(1);
    g_sent += sizeof(int);
    if (first == g_size) return 0;
    return verdict_from(first, rc, err); /* rc != 0 on rank first */
#else
    (void)err;
    return rc;
#endif
}

int dist_root_verdict(int rc, ppad_err *err) {
    if (g_size == 1) return rc;
#ifdef PPAD_MPI
    return verdict_from(0, rc, err);
#else
    (void)err;
    return rc;
#endif
}

int dist_bcast(void *buf, size_t bytes, int root) {
    if (g_size == 1) return 0;
#ifdef PPAD_MPI
    for (size_t off = 0; off < bytes;) { /* MPI counts are int */
        size_t n = bytes - off < (size_t)1 << 30 ? bytes - off : (size_t)1 << 30;
        if (MPI_Bcast((char *)buf + off, (int)n, MPI_BYTE, root, g_comm) != MPI_SUCCESS)
            fatal("MPI broadcast of %zu bytes failed", bytes);
        off += n;
    }
    if (g_rank == root) g_sent += bytes * (size_t)(g_size - 1);
    return 0;
#else
    (void)buf, (void)bytes, (void)root;
    return 0;
#endif
}

int dist_allgather(const void *mine, size_t bytes, void **all, size_t *counts) {
    *all = malloc_or_die(bytes ? bytes : 1);
    if (g_size == 1) {
        counts[0] = bytes;
        if (bytes) memcpy(*all, mine, bytes);
        return 0;
    }
    free(*all);
#ifdef PPAD_MPI
    long long n = (long long)bytes, *ns = malloc_or_die(sizeof(long long) * (size_t)g_size);
    int *cnt = malloc_or_die(sizeof(int) * (size_t)g_size), *disp = malloc_or_die(sizeof(int) * (size_t)g_size);
    if (MPI_Allgather(&n, 1, MPI_LONG_LONG, ns, 1, MPI_LONG_LONG, g_comm) != MPI_SUCCESS)
        fatal("MPI allgather of the sizes failed");
    long long total = 0;
    for (int r = 0; r < g_size; r++) {
        if (ns[r] > INT32_MAX || total > INT32_MAX - ns[r])
            fatal("MPI allgather: %lld bytes in one call is more than MPI's int counts hold", total + ns[r]);
        counts[r] = (size_t)ns[r];
        cnt[r] = (int)ns[r];
        disp[r] = (int)total;
        total += ns[r];
    }
    *all = malloc_or_die(total ? (size_t)total : 1);
    if (MPI_Allgatherv(mine, (int)n, MPI_BYTE, *all, cnt, disp, MPI_BYTE, g_comm) != MPI_SUCCESS)
        fatal("MPI allgather of %lld bytes failed", total);
    g_sent += (sizeof n + bytes) * (size_t)(g_size - 1);
    free(ns), free(cnt), free(disp);
    return 0;
#else
    return -1;
#endif
}
