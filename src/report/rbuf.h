/* rbuf.h — a growable text buffer for writing pages: formatted appends,
 * XML/HTML escaping and base64. Out of memory is sticky: the first failed
 * append sets oom and later appends do nothing, so a writer checks once at
 * the end (rbuf_check). */
#ifndef PPAD_REPORT_RBUF_H
#define PPAD_REPORT_RBUF_H

#include <stddef.h>

#include "ppad.h"

typedef struct rbuf {
    char *s; /* NUL-terminated while not oom */
    size_t n, cap;
    int oom;
} rbuf;

void rbuf_free(rbuf *b);
void rbuf_put(rbuf *b, const char *s);
void rbuf_putn(rbuf *b, const char *s, size_t n);
void rbuf_printf(rbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* s with & < > " ' escaped (text and attribute values of HTML and SVG). */
void rbuf_esc(rbuf *b, const char *s);
/* The base64 encoding (RFC 4648, with padding) of n bytes. */
void rbuf_base64(rbuf *b, const unsigned char *data, size_t n);
/* 0, or -1 with "out of memory" in err. */
int rbuf_check(const rbuf *b, ppad_err *err);

#endif
