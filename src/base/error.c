/* error.c — error messages and checked allocation. */
#include "base/error.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Length of the valid UTF-8 sequence at s (2..4) with its code point in *cp, or 0. */
static int utf8_seq(const unsigned char *s, unsigned *cp) {
    int n = s[0] >= 0xf0 && s[0] <= 0xf4 ? 4 : s[0] >= 0xe0 ? 3 : s[0] >= 0xc2 && s[0] <= 0xdf ? 2 : 0;
    if (n == 0 || s[0] > 0xf4) return 0;
    unsigned c = s[0] & (0x7fu >> n);
    for (int i = 1; i < n; i++) {
        if ((s[i] & 0xc0) != 0x80) return 0; /* also stops at the NUL */
        c = c << 6 | (s[i] & 0x3fu);
    }
    static const unsigned min[5] = {0, 0, 0x80, 0x800, 0x10000};
    if (c < min[n] || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff)) return 0;
    *cp = c;
    return n;
}

size_t ppad_escape_controls(char *dst, size_t cap, const char *src) {
    static const char hex[] = "0123456789abcdef";
    const unsigned char *s = (const unsigned char *)src;
    size_t o = 0;
    while (*s) {
        char esc[16];
        size_t n = 0, take = 1;
        unsigned cp = 0;
        int u = *s >= 0x80 ? utf8_seq(s, &cp) : 0;
        if (*s == '\n' || *s == '\r' || *s == '\t') {
            esc[n++] = '\\';
            esc[n++] = *s == '\n' ? 'n' : *s == '\r' ? 'r' : 't';
        } else if (*s < 0x20 || *s == 0x7f || (*s >= 0x80 && (u == 0 || cp < 0xa0))) {
            take = u ? (size_t)u : 1; /* a C1 control: every byte of it */
            for (size_t i = 0; i < take; i++) {
                esc[n++] = '\\', esc[n++] = 'x';
                esc[n++] = hex[s[i] >> 4], esc[n++] = hex[s[i] & 15];
            }
        } else {
            take = u ? (size_t)u : 1;
            memcpy(esc, s, take);
            n = take;
        }
        if (o + n + 1 > cap) break; /* never half an escape or half a character */
        memcpy(dst + o, esc, n);
        o += n;
        s += take;
    }
    if (cap) dst[o] = 0;
    return o;
}

int ppad_fail(ppad_err *err, const char *fmt, ...) {
    if (err) {
        char raw[sizeof err->msg];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(raw, sizeof raw, fmt, ap);
        va_end(ap);
        ppad_escape_controls(err->msg, sizeof err->msg, raw);
    }
    return -1;
}

int ppad_fail_prefix(ppad_err *err, const char *prefix) {
    if (err) {
        char tmp[sizeof err->msg];
        size_t np = ppad_escape_controls(tmp, sizeof tmp - 2, prefix), nm = strlen(err->msg);
        if (nm > sizeof tmp - 3 - np) nm = sizeof tmp - 3 - np;
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
