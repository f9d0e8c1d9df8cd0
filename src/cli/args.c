/* args.c — small option-parsing helpers shared by every verb. */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "cli/cli.h"

int cli_error(const ppad_err *err) {
    fprintf(stderr, "ppad: %s\n", err->msg[0] ? err->msg : "unknown error");
    return 1;
}

int cli_errorf(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    fputs("ppad: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    return 1;
}

int cli_usage(const char *verb, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "ppad %s: ", verb);
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, " (see 'ppad %s --help')\n", verb);
    va_end(ap);
    return 2;
}

int cli_int(const char *opt, const char *s, long lo, long hi, long *out, ppad_err *err) {
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || end == s || *end) return ppad_fail(err, "%s: '%s' is not an integer", opt, s);
    if (v < lo || v > hi) return ppad_fail(err, "%s: %ld is out of range [%ld, %ld]", opt, v, lo, hi);
    *out = v;
    return 0;
}

int cli_double(const char *opt, const char *s, double *out, ppad_err *err) {
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || end == s || *end) return ppad_fail(err, "%s: '%s' is not a number", opt, s);
    *out = v;
    return 0;
}

int cli_opt(int argc, char **argv, int i, const char *name) {
    (void)argc;
    return strcmp(argv[i], name) == 0;
}

int cli_is_help(const char *a) { return strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0; }

void cli_set_threads(long n) {
    if (n > 0) ppad_set_threads(n > 1 << 20 ? 1 << 20 : (int)n);
}

void cli_csv_field(FILE *f, const char *s) {
    if (!strpbrk(s, ",\"\n\r")) {
        fputs(s, f);
        return;
    }
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"') fputc('"', f);
        fputc(*s, f);
    }
    fputc('"', f);
}

void cli_print_probs(FILE *f, const double *probs) {
    for (int k = 0; k < PPAD_NPOS; k++) {
        if (isnan(probs[k])) fputc(',', f);
        else fprintf(f, ",%.17g", probs[k]);
    }
}
