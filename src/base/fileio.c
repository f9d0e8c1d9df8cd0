/* fileio.c — checked whole-file reads and atomic writes. */
#include "base/fileio.h"

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/error.h"

/* Regular files are read whole; pipes and character devices (size unknown)
 * are read in chunks; folders and other kinds of file are refused by name. */
static int check_mode(const struct stat *st, const char *path, ppad_err *err) {
    if (S_ISDIR(st->st_mode)) return ppad_fail(err, "%s: is a folder, not a file", path);
    if (S_ISREG(st->st_mode) || S_ISFIFO(st->st_mode) || S_ISCHR(st->st_mode)) return 0;
    return ppad_fail(err, "%s: not a regular file", path);
}

int file_check_input(const char *path, ppad_err *err) {
    struct stat st;
    if (stat(path, &st) != 0) return ppad_fail(err, "%s: cannot open: %s", path, strerror(errno));
    return check_mode(&st, path, err);
}

int file_fail_not_regular(const char *path, ppad_err *err) {
    if (file_check_input(path, err) == 0) return ppad_fail(err, "%s: not a regular file", path);
    return -1;
}

/* Reads fp to its end in growing chunks (a pipe: no size known in advance). */
static int read_stream(FILE *fp, unsigned char **data, size_t *size, const char *path, ppad_err *err) {
    size_t cap = 1u << 16, n = 0;
    unsigned char *buf = ppad_malloc(cap + 1, err);
    if (!buf) return ppad_fail_prefix(err, path);
    for (;;) {
        if (n == cap) {
            if (cap >= FILEIO_MAX_READ) {
                free(buf);
                return ppad_fail(err, "%s: larger than %llu MiB; refused", path,
                                 (unsigned long long)(FILEIO_MAX_READ >> 20));
            }
            unsigned char *nb = realloc(buf, cap * 2 + 1);
            if (!nb) {
                free(buf);
                return ppad_fail(err, "%s: out of memory reading it", path);
            }
            buf = nb, cap *= 2;
        }
        size_t got = fread(buf + n, 1, cap - n, fp);
        n += got;
        if (got == 0) {
            if (ferror(fp)) {
                int e = errno;
                free(buf);
                return ppad_fail(err, "%s: read error: %s", path, strerror(e));
            }
            break;
        }
    }
    buf[n] = 0;
    *data = buf;
    *size = n;
    return 0;
}

int file_read_all(unsigned char **data, size_t *size, const char *path, ppad_err *err) {
    *data = NULL;
    *size = 0;
    FILE *fp = fopen(path, "rb");
    if (!fp) return ppad_fail(err, "%s: cannot open: %s", path, strerror(errno));
    struct stat st;
    if (fstat(fileno(fp), &st) != 0) {
        int e = errno;
        fclose(fp);
        return ppad_fail(err, "%s: cannot open: %s", path, strerror(e));
    }
    if (check_mode(&st, path, err) != 0) {
        fclose(fp);
        return -1;
    }
    if (!S_ISREG(st.st_mode)) {
        int rc = read_stream(fp, data, size, path, err);
        fclose(fp);
        return rc;
    }
    if ((unsigned long long)st.st_size > FILEIO_MAX_READ) {
        fclose(fp);
        return ppad_fail(err, "%s: larger than %llu MiB; refused", path, (unsigned long long)(FILEIO_MAX_READ >> 20));
    }
    size_t n = (size_t)st.st_size;
    unsigned char *buf = ppad_malloc(n + 1, err);
    if (!buf) { fclose(fp); return ppad_fail_prefix(err, path); }
    size_t got = n ? fread(buf, 1, n, fp) : 0;
    if (got != n) {
        int e = ferror(fp) ? errno : 0;
        free(buf);
        fclose(fp);
        if (e) return ppad_fail(err, "%s: read error: %s", path, strerror(e));
        return ppad_fail(err, "%s: truncated while being read (%zu of %zu bytes)", path, got, n);
    }
    fclose(fp);
    buf[n] = 0;
    *data = buf;
    *size = n;
    return 0;
}

/* ---- live temporaries ----
 * A fixed table (no allocation, so that a signal handler can read it): a slot
 * is free (0), being filled (1) or holds a live temporary's name (2). Slots are
 * claimed with a compare-and-swap, so writers on several threads never share one. */
static struct live_tmp {
    _Atomic int state;
    char path[PATH_MAX];
} live[FILEIO_MAX_LIVE];

static void live_add(const char *path) {
    if (strlen(path) >= PATH_MAX) return; /* not tracked; rename/remove still work */
    for (int i = 0; i < FILEIO_MAX_LIVE; i++) {
        int expect = 0;
        if (atomic_compare_exchange_strong(&live[i].state, &expect, 1)) {
            strcpy(live[i].path, path);
            atomic_store(&live[i].state, 2);
            return;
        }
    }
}

static void live_remove(const char *path) {
    for (int i = 0; i < FILEIO_MAX_LIVE; i++) {
        int expect = 2;
        if (atomic_load(&live[i].state) == 2 && !strcmp(live[i].path, path) &&
            atomic_compare_exchange_strong(&live[i].state, &expect, 1)) {
            atomic_store(&live[i].state, 0);
            return;
        }
    }
}

static void on_fatal_signal(int sig) {
    int saved = errno;
    for (int i = 0; i < FILEIO_MAX_LIVE; i++)
        if (atomic_load(&live[i].state) == 2) unlink(live[i].path);
    /* die of the same signal: the default action, delivered once this returns */
    struct sigaction dfl;
    memset(&dfl, 0, sizeof dfl);
    dfl.sa_handler = SIG_DFL;
    sigemptyset(&dfl.sa_mask);
    sigaction(sig, &dfl, NULL);
    raise(sig);
    errno = saved;
}

void fileio_cleanup_on_signals(void) {
    static const int sigs[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT};
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_fatal_signal;
    sigemptyset(&sa.sa_mask);
    for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++) sigaddset(&sa.sa_mask, sigs[i]);
    for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++) {
        struct sigaction old;
        /* keep a signal ignored if the parent asked for that (nohup, background jobs) */
        if (sigaction(sigs[i], NULL, &old) == 0 && old.sa_handler == SIG_IGN) continue;
        sigaction(sigs[i], &sa, NULL);
    }
}

char *atomic_tmp_name(const char *path, ppad_err *err) {
    size_t n = strlen(path) + 32;
    char *tmp = ppad_malloc(n, err);
    if (!tmp) return NULL;
    snprintf(tmp, n, "%s.tmp.%ld", path, (long)getpid());
    live_add(tmp);
    return tmp;
}

void atomic_discard(const char *tmp) {
    remove(tmp);
    live_remove(tmp);
}

int atomic_rename(const char *tmp, const char *path, ppad_err *err) {
    if (rename(tmp, path) != 0) {
        int e = errno;
        atomic_discard(tmp);
        return ppad_fail(err, "%s: cannot write: %s", path, strerror(e));
    }
    live_remove(tmp);
    return 0;
}

int atomic_open(atomic_file *af, const char *path, ppad_err *err) {
    memset(af, 0, sizeof *af);
    af->tmp_path = atomic_tmp_name(path, err);
    af->final_path = ppad_strdup(path, err);
    if (!af->tmp_path || !af->final_path) { atomic_abort(af); return -1; }
    af->fp = fopen(af->tmp_path, "wb");
    if (!af->fp) {
        int e = errno;
        atomic_abort(af);
        return ppad_fail(err, "%s: cannot create: %s", path, strerror(e));
    }
    return 0;
}

int atomic_commit(atomic_file *af, ppad_err *err) {
    int rc = 0;
    if (fflush(af->fp) != 0 || ferror(af->fp)) rc = ppad_fail(err, "%s: write error: %s", af->final_path, strerror(errno));
    if (fclose(af->fp) != 0 && rc == 0) rc = ppad_fail(err, "%s: write error: %s", af->final_path, strerror(errno));
    af->fp = NULL;
    if (rc == 0) rc = atomic_rename(af->tmp_path, af->final_path, err);
    else atomic_discard(af->tmp_path);
    free(af->tmp_path);
    free(af->final_path);
    af->tmp_path = af->final_path = NULL;
    return rc;
}

void atomic_abort(atomic_file *af) {
    if (af->fp) fclose(af->fp);
    if (af->tmp_path) atomic_discard(af->tmp_path);
    free(af->tmp_path);
    free(af->final_path);
    memset(af, 0, sizeof *af);
}

int file_exists(const char *path) {
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

int dir_exists(const char *path) {
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}
