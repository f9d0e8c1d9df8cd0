/* error.c — error messages and checked allocation. */
#include "base/error.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int ppad_fail(ppad_err *err, const char *fmt, ...) {
    if (err) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err->msg, sizeof err->msg, fmt, ap);
        va_end(ap);
    }
    return -1;
}

int ppad_fail_prefix(ppad_err *err, const char *prefix) {
    if (err) {
        char tmp[sizeof err->msg];
        size_t np = strlen(prefix), nm = strlen(err->msg);
        if (np > sizeof tmp - 3) np = sizeof tmp - 3;
        if (nm > sizeof tmp - 3 - np) nm = sizeof tmp - 3 - np;
        memcpy(tmp, prefix, np);
        memcpy(tmp + np, ": ", 2);
        memcpy(tmp + np + 2, err->msg, nm);
        tmp[np + 2 + nm] = 0;
        memcpy(err->msg, tmp, sizeof tmp);
    }
    return -1;
}

void *ppad_malloc(size_t n, ppad_err *err) {
    void *p = malloc(n ? n : 1);
    if (!p) ppad_fail(err, "out of memory allocating %zu bytes", n);
    return p;
}

void *ppad_calloc(size_t count, size_t size, ppad_err *err) {
    void *p = calloc(count ? count : 1, size ? size : 1);
    if (!p) ppad_fail(err, "out of memory allocating %zu x %zu bytes", count, size);
    return p;
}

void *ppad_aligned_alloc(size_t n, ppad_err *err) {
    void *p = NULL;
    size_t rounded = (n + 63) & ~(size_t)63;
    if (posix_memalign(&p, 64, rounded ? rounded : 64) != 0) {
        ppad_fail(err, "out of memory allocating %zu bytes", n);
        return NULL;
    }
    return p;
}

char *ppad_strdup(const char *s, ppad_err *err) {
    size_t n = strlen(s) + 1;
    char *p = ppad_malloc(n, err);
    if (p) memcpy(p, s, n);
    return p;
}
