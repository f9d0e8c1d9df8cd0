/* fileio.c — checked whole-file reads and atomic writes. */
#include "base/fileio.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/error.h"

int file_read_all(unsigned char **data, size_t *size, const char *path, ppad_err *err) {
    *data = NULL;
    *size = 0;
    FILE *fp = fopen(path, "rb");
    if (!fp) return ppad_fail(err, "%s: cannot open: %s", path, strerror(errno));
    if (fseek(fp, 0, SEEK_END) != 0) { fclose(fp); return ppad_fail(err, "%s: cannot seek", path); }
    long n = ftell(fp);
    if (n < 0) { fclose(fp); return ppad_fail(err, "%s: cannot determine size", path); }
    rewind(fp);
    unsigned char *buf = ppad_malloc((size_t)n + 1, err);
    if (!buf) { fclose(fp); return ppad_fail_prefix(err, path); }
    if (n > 0 && fread(buf, 1, (size_t)n, fp) != (size_t)n) {
        free(buf);
        fclose(fp);
        return ppad_fail(err, "%s: read error", path);
    }
    fclose(fp);
    buf[n] = 0;
    *data = buf;
    *size = (size_t)n;
    return 0;
}

char *atomic_tmp_name(const char *path, ppad_err *err) {
    size_t n = strlen(path) + 32;
    char *tmp = ppad_malloc(n, err);
    if (tmp) snprintf(tmp, n, "%s.tmp.%ld", path, (long)getpid());
    return tmp;
}

int atomic_rename(const char *tmp, const char *path, ppad_err *err) {
    if (rename(tmp, path) != 0) {
        int e = errno;
        remove(tmp);
        return ppad_fail(err, "%s: cannot write: %s", path, strerror(e));
    }
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
    else remove(af->tmp_path);
    free(af->tmp_path);
    free(af->final_path);
    af->tmp_path = af->final_path = NULL;
    return rc;
}

void atomic_abort(atomic_file *af) {
    if (af->fp) fclose(af->fp);
    if (af->tmp_path) remove(af->tmp_path);
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
