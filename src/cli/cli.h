/* cli.h — the ppad command-line tool: one file per verb (cmd_<verb>.c), shared
 * option helpers in args.c. Each verb returns the process exit status. */
#ifndef PPAD_CLI_H
#define PPAD_CLI_H

#include <stdio.h>

#include "ppad.h"
#include "clip/model.h"
#include "data/data.h"
#include "ppad/engine.h"
#include "ppad/metrics.h"
#include "ppad/prompts.h"
#include "report/report.h"

/* verbs */
int cmd_info(int argc, char **argv);
int cmd_embed(int argc, char **argv);
int cmd_tokenize(int argc, char **argv);
int cmd_step(int argc, char **argv);
int cmd_init_prompts(int argc, char **argv);
int cmd_predict(int argc, char **argv);
int cmd_test(int argc, char **argv);
int cmd_zeroshot(int argc, char **argv);
int cmd_train(int argc, char **argv);
int cmd_random_model(int argc, char **argv);
int cmd_preprocess(int argc, char **argv);
int cmd_synth(int argc, char **argv);
int cmd_phantom(int argc, char **argv);
int cmd_data(int argc, char **argv);
int cmd_metrics(int argc, char **argv);
int cmd_report(int argc, char **argv);

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

/* Option-loop helpers, for a chain of `if (...) ... else if` over argv with the
 * variables a (argv[i]), argv, i, has (i + 1 < argc) and err in scope: parse
 * "--name VALUE" into dst (a long/int or a double), or return the verb's error. */
#define CLI_INT_OPT(name, lo, hi, dst)                                                   \
    else if (!strcmp(a, name) && has) {                                                  \
        long v_;                                                                         \
        if (cli_int(name, argv[++i], lo, hi, &v_, &err)) return cli_error(&err);         \
        dst = v_;                                                                        \
    }
#define CLI_DBL_OPT(name, dst) \
    else if (!strcmp(a, name) && has) { if (cli_double(name, argv[++i], &dst, &err)) return cli_error(&err); }
/* --classes "normal,pneumonia" and --positions "left lung,right lung,upper lung,lower lung,"
 * (either may be NULL: defaults). */
int cli_names(ppad_names *names, const char *classes, const char *positions, ppad_err *err);

/* Model + vocabulary + prompts + engine, as every PPAD verb needs them. */
typedef struct cli_session_opts {
    const char *weights, *prompts; /* prompts NULL: fresh initialisation from seed */
    const char *vocab, *classes, *positions;
    unsigned long long seed;
    int micro;        /* image micro-batch (0: default 16) */
    int image_prompt; /* 0: ablation without the image prompt */
    const char *precision; /* NULL/"fp32", or "bf16": reduced-precision image-tower products */
} cli_session_opts;

/* The options every PPAD verb shares, into so: --weights, --vocab, --precision,
 * --classes, --positions (each with a value) and --no-image-prompt. Returns 1
 * if argv[*i] was one of them (advancing *i past its value), else 0. */
int cli_session_opt(cli_session_opts *so, char **argv, int *i, int has);
#define CLI_SESSION_OPTS(so) else if (cli_session_opt(&(so), argv, &i, has)) {}
typedef struct cli_session {
    ppad_model *m;
    ppad_vocab *vocab;
    ppad_params p;
    ppad_names names;
    ppad_seqs seqs;
    ppad_engine eng;
} cli_session;
/* Writes s as a CSV field (quoted when it holds a comma, quote or newline). */
void cli_csv_field(FILE *f, const char *s);
/* ",p0,p1,p2,p3,p4" with full precision; positions not scored (NaN) give empty fields. */
void cli_print_probs(FILE *f, const double *probs);
/* Applies --precision to a loaded model ("fp32" or "bf16"; NULL = fp32). */
int cli_apply_precision(ppad_model *m, const char *precision, ppad_err *err);
int  session_open(cli_session *s, const cli_session_opts *o, ppad_err *err);
void session_close(cli_session *s);

/* Scores d's test split with prompts p: metrics in out; scores_path (may be NULL)
 * receives path,label,score,p_left,p_right,p_upper,p_lower,p_whole. */
int cli_eval_dataset(cli_session *s, const ppad_params *p, const dataset *d, int no_position, double threshold,
                     const char *scores_path, int quiet, ppad_metrics *out, ppad_err *err);
/* The same, keeping the fused scores (n_test) and probabilities (n_test, 5)
 * in *fused and *probs (malloc'd; the caller frees them). */
int cli_eval_dataset_keep(cli_session *s, const ppad_params *p, const dataset *d, int no_position, double threshold,
                          const char *scores_path, int quiet, ppad_metrics *out, double **fused, double **probs,
                          ppad_err *err);
/* --report DIR of test, train and zeroshot (report_cli.c). */
typedef struct cli_report {
    int on;                       /* --report was given */
    char html[4096], json[4096];  /* DIR/report.html, DIR/report.json */
} cli_report;
/* dir NULL: off. Otherwise creates/checks DIR and checks both outputs against
 * the inputs, before any work. */
int  cli_report_prepare(cli_report *r, const char *dir, const char *const *inputs, int n, ppad_err *err);
/* The report of d's scored test split (fused (n_test), probs (n_test, 5) or
 * NULL); in holds the verb's settings (and runs, logs, lesions). */
int  cli_report_write(const cli_report *r, report_input *in, const dataset *d, const double *fused,
                      const double *probs, ppad_err *err);
/* Records "ppad VERB ARGS..." as the report's "command" setting. */
void cli_report_command(report_input *in, int argc, char **argv, const char *verb);

/* The scores CSV (probs may be NULL: empty p_* fields). */
int cli_write_scores(const char *path, const dataset *d, const double *fused, const double *probs, ppad_err *err);

#endif
