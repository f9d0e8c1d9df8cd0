/* args.c — small option-parsing helpers shared by every verb. */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "cli/cli.h"

/* Every message the CLI prints goes through ppad_escape_controls: a file name or
 * argument holding a newline or ESC cannot break the one line or drive the terminal. */
int cli_error(const ppad_err *err) {
    char line[2 * sizeof err->msg];
    ppad_escape_controls(line, sizeof line, err->msg[0] ? err->msg : "unknown error");
    fprintf(stderr, "ppad: %s\n", line);
    return 1;
}

int cli_errorf(const char *fmt, ...) {
    char raw[2048], line[4096];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(raw, sizeof raw, fmt, ap);
    va_end(ap);
    ppad_escape_controls(line, sizeof line, raw);
    fprintf(stderr, "ppad: %s\n", line);
    return 1;
}

int cli_usage(const char *verb, const char *fmt, ...) {
    char raw[2048], line[4096];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(raw, sizeof raw, fmt, ap);
    va_end(ap);
    ppad_escape_controls(line, sizeof line, raw);
    fprintf(stderr, "ppad %s: %s (see 'ppad %s --help')\n", verb, line, verb);
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
