/* error.h — one error style for all of ppad.
 *
 * Every fallible function returns int: 0 on success, -1 on failure, and on
 * failure fills a caller-owned ppad_err with one human-readable line that names
 * the file (or input) and the problem, e.g.
 *     "model.pt: tensor 'visual.proj' has shape (768, 256), expected (768, 512)"
 * The CLI prints that line prefixed with "ppad: " and exits non-zero.
 * Nothing in the library calls abort() or exit() on bad input. */
#ifndef PPAD_BASE_ERROR_H
#define PPAD_BASE_ERROR_H

#include <stddef.h>
#include "ppad.h" /* ppad_err */

/* Copies src to dst (capacity cap >= 1, always NUL-terminated) with every byte
 * that could break a one-line message or drive a terminal written as an escape:
 * \n \r \t, other C0 controls, DEL and stray bytes as \xHH, and the C1 controls
 * (U+0080-U+009F, in UTF-8 or as raw bytes) as \xHH per byte. Valid UTF-8 above
 * U+009F is kept. An escape is never cut in half by the capacity. Returns the
 * length written. Used on every error message (ppad_fail, ppad_fail_prefix) and
 * by the CLI on what it prints, so a file name holding a newline or ESC stays
 * inside its one line. */
size_t ppad_escape_controls(char *dst, size_t cap, const char *src);

/* Sets err->msg from the format (if err is non-NULL), control bytes escaped
 * (ppad_escape_controls), and returns -1. */
int ppad_fail(ppad_err *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Prepends "prefix: " to an existing message (used to add a file name), control
 * bytes of the prefix escaped. Returns -1. */
int ppad_fail_prefix(ppad_err *err, const char *prefix);

/* Allocation wrappers that report failure through err (never abort). */
void *ppad_malloc(size_t n, ppad_err *err);
void *ppad_calloc(size_t count, size_t size, ppad_err *err);
/* 64-byte aligned allocation, freed with free(). */
void *ppad_aligned_alloc(size_t n, ppad_err *err);
char *ppad_strdup(const char *s, ppad_err *err);

#endif
