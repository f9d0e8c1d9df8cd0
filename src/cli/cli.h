/* cli.h — the ppad command-line tool: one file per verb (cmd_<verb>.c), shared
 * option helpers in args.c. Each verb returns the process exit status. */
#ifndef PPAD_CLI_H
#define PPAD_CLI_H

#include "ppad.h"
#include "ppad/prompts.h"

/* verbs */
int cmd_info(int argc, char **argv);
int cmd_embed(int argc, char **argv);
int cmd_tokenize(int argc, char **argv);
int cmd_step(int argc, char **argv);
int cmd_init_prompts(int argc, char **argv);
int cmd_preprocess(int argc, char **argv);
int cmd_synth(int argc, char **argv);

/* Prints "ppad: <msg>" as one line on stderr and returns 1. */
int cli_error(const ppad_err *err);
/* Same, from a format. Returns 1 (or 2 for usage errors via cli_usage). */
int cli_errorf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Usage error: "ppad <verb>: <msg> (see 'ppad <verb> --help')", returns 2. */
int cli_usage(const char *verb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Option parsing helpers: return 0 ok, -1 on a malformed value (message in err). */
int cli_int(const char *opt, const char *s, long lo, long hi, long *out, ppad_err *err);
int cli_double(const char *opt, const char *s, double *out, ppad_err *err);
/* True if argv[i] is "--name"; also requires a following value when need_value
 * (prints a usage error into err and returns -1 if missing). */
int cli_opt(int argc, char **argv, int i, const char *name);
/* Threads: --threads N (default: all cores); applies it to OpenMP and OpenBLAS. */
void cli_set_threads(long n);
int cli_is_help(const char *a);
/* --classes "normal,pneumonia" and --positions "left lung,right lung,upper lung,lower lung,"
 * (either may be NULL: defaults). */
int cli_names(ppad_names *names, const char *classes, const char *positions, ppad_err *err);

#endif
