/* args.c — small option-parsing helpers shared by every verb. */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/dist.h"
#include "base/error.h"
#include "cli/cli.h"

/* Under MPI, a failure every rank agreed on is printed by rank 0 alone; one
 * only this rank knows is printed here (and main then ends the job). */
int cli_error(const ppad_err *err) {
    if (!dist_root() && dist_failure_agreed()) return 1;
    fprintf(dist_root() ? stderr : dist_stderr(), "ppad: %s\n", err->msg[0] ? err->msg : "unknown error");
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

const char *cli_num(char *buf, double v) {
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(buf, 32, "%.*g", prec, v);
        if (strtod(buf, NULL) == v) break;
    }
    return buf;
}

void cli_print_probs(FILE *f, const double *probs) {
    char b[32];
    for (int k = 0; k < PPAD_NPOS; k++) {
        if (isnan(probs[k])) fputc(',', f);
        else fprintf(f, ",%s", cli_num(b, probs[k]));
    }
}
