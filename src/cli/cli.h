/* cli.h — the ppad command-line tool: one file per verb (cmd_<verb>.c), shared
 * option helpers in args.c. Each verb returns the process exit status. */
#ifndef PPAD_CLI_H
#define PPAD_CLI_H

#include <stdio.h>

#include "ppad.h"
#include "base/progress.h"
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
int cmd_info_image(int argc, char **argv); /* DICOM (issue 13) */
int cmd_explain(int argc, char **argv);

/* Prints "ppad: <msg>" as one line on stderr and returns 1. */
int cli_error(const ppad_err *err);
/* Same, from a format. Returns 1 (or 2 for usage errors via cli_usage). */
int cli_errorf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Usage error: "ppad <verb>: <msg> (see 'ppad <verb> --help')", returns 2. */
int cli_usage(const char *verb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* ---- the option parser (opts.c) ----
 * Each verb describes its options in a table; cli_parse reads argv against it.
 * Every verb also takes the common options --threads N, --quiet, --help/-h and
 * "--" (what follows are arguments). Usage errors print one line
 *   ppad <verb>: <problem> (see 'ppad <verb> --help')
 * and give exit status 2: an unknown option, a missing or malformed value, a
 * value out of range, an option given twice, a missing required option, an
 * output that names an input. Before any work, every output location is
 * checked: its folder exists and is writable, it is not a folder (or, for a
 * folder output, it is one or can be made), it names no input of the command
 * (same file, links resolved) and no other output. */
typedef enum cli_kind {
    OPT_FLAG,   /* int *: set to 1 */
    OPT_STR,    /* const char **: a value */
    OPT_IN,     /* const char **: an input file or folder (outputs may not name it) */
    OPT_OUT,    /* const char **: an output file */
    OPT_OUTDIR, /* const char **: an output folder (made if missing, its parent must exist) */
    OPT_INT,    /* int *: integer in [imin, imax] */
    OPT_LONG,   /* long long *: integer in [imin, imax] */
    OPT_DBL,    /* double *: finite number in [dmin, dmax] (ends excluded with .open) */
    OPT_CHOICE, /* int *: index of the value in choices, "a|b|c" */
    OPT_LIST,   /* cli_list *: the values up to the next option (--image A B C);
                 * a verb with a list option takes no positional arguments */
} cli_kind;
enum { OPEN_LO = 1, OPEN_HI = 2 };
#define CLI_MAX_OPTS 64

typedef struct cli_list { const char **v; int n; } cli_list;

typedef struct cli_opt {
    const char *name; /* "--out" */
    cli_kind kind;
    void *dst;
    long long imin, imax; /* OPT_INT, OPT_LONG */
    double dmin, dmax;    /* OPT_DBL */
    int open;             /* OPT_DBL: OPEN_LO and/or OPEN_HI */
    const char *choices;  /* OPT_CHOICE */
    int required;
    int *given;           /* optional: set to 1 when the option appears */
} cli_opt;

/* Table entries: OPT("--out", OPT_OUT, &out, .required = 1), ..., OPT_END. */
#define OPT(name_, kind_, dst_, ...) {.name = (name_), .kind = (kind_), .dst = (dst_), __VA_ARGS__}
#define OPT_END {.name = NULL}

typedef struct cli_verb {
    const char *name; /* "train" */
    const char *help; /* printed by --help, followed by the common options */
    const cli_opt *opts; /* ends with an entry whose name is NULL */
    cli_list *args;      /* receives the positional arguments; NULL: none accepted */
    const char *args_name; /* "IMAGE": for messages */
    int args_min;
    int args_are_inputs; /* the arguments are input files: outputs may not name them */
} cli_verb;

typedef struct cli_ctx {
    const cli_verb *verb;
    int threads; /* --threads (0: all cores; already applied by cli_parse) */
    int quiet;   /* --quiet */
} cli_ctx;

/* Parses argv (argv[0] is the verb) and checks the output locations. Returns 0
 * to go on, or 1 when the verb must return *status now (0 after --help, 2
 * after a usage error, 1 when an output location cannot be written). The
 * positional arguments are compacted to the front of argv. */
int cli_parse(cli_ctx *c, const cli_verb *verb, int argc, char **argv, int *status);
/* The output checks cli_parse runs (also for outputs a verb derives itself,
 * such as train's OUT-runK.pt): 0 ok, 2 if path names an input (a usage
 * error), 1 if it cannot be written there; message in err. */
int cli_check_outputs(const cli_ctx *c, ppad_err *err);
int cli_check_output(const cli_ctx *c, const char *opt, const char *path, int folder, ppad_err *err);
/* Where path could be written: its folder exists and is writable; path is not
 * a folder or other non-regular file (folder != 0: it is a writable folder, or
 * can be made). 0 or -1. */
int cli_output_location(const char *path, int folder, ppad_err *err);
/* After a dataset is opened: 2 (message in err) if an existing output file is
 * one of its images, else 0. */
int cli_check_dataset_outputs(const cli_ctx *c, const dataset *d, ppad_err *err);
/* 1 if a and b name one file (same inode, links resolved; or, for files not
 * yet made, the same canonical path). */
int cli_same_file(const char *a, const char *b);
/* Applies --threads to OpenMP and OpenBLAS (n <= 0: leave the default). */
void cli_set_threads(long n);
int cli_is_help(const char *a);

/* ---- the images a scoring verb works on (inputs.c) ----
 * Arguments that are files stay themselves, folders stand for their images (as
 * the dataset layouts list them); list (may be NULL) is a file with one path
 * per line ('#' comments and blank lines skipped, relative paths starting at
 * the list's folder), or "-" for standard input. Fails if nothing is listed. */
typedef struct cli_inputs { char **paths; size_t n, cap; } cli_inputs;
int  cli_inputs_gather(cli_inputs *in, const cli_list *args, const char *list, ppad_err *err);
void cli_inputs_free(cli_inputs *in);

/* The options every PPAD verb shares: --weights, --vocab, --precision, --classes,
 * --positions, --no-image-prompt, --strict (prompts made on another backbone are
 * refused instead of warned about). */
#define CLI_SESSION_OPTS(so)                                                                  \
    OPT("--weights", OPT_IN, &(so).weights, .required = 1), OPT("--vocab", OPT_IN, &(so).vocab),   \
    OPT("--precision", OPT_CHOICE, &(so).precision, .choices = "fp32|bf16"),                      \
    OPT("--classes", OPT_STR, &(so).classes), OPT("--positions", OPT_STR, &(so).positions),         \
    OPT("--no-image-prompt", OPT_FLAG, &(so).no_image_prompt),                                    \
    OPT("--strict", OPT_FLAG, &(so).strict)

/* How images become 8-bit gray, for every verb that reads images (image_args.c):
 * --png16 MODE (16-bit PNG mapping), --dicom-voi auto|none (apply the file's
 * VOI LUT / window, or ignore it), --dicom-window K (the K-th window, from 1).
 * cli_parse prints CLI_IMAGE_HELP after the verb's help when its table has them. */
typedef struct cli_image_args {
    const char *png16; /* NULL: the default mapping */
    int dicom_voi;     /* 0 auto, 1 none */
    int dicom_window;  /* 0: not given; else 1-based */
} cli_image_args;
#define CLI_IMAGE_OPTS(ia)                                                                    \
    OPT("--png16", OPT_STR, &(ia).png16),                                                       \
    OPT("--dicom-voi", OPT_CHOICE, &(ia).dicom_voi, .choices = "auto|none"),                    \
    OPT("--dicom-window", OPT_INT, &(ia).dicom_window, .imin = 1, .imax = 65535)
extern const char *const CLI_IMAGE_HELP;
/* Fills *out from the parsed options (warnings go to stderr unless --quiet).
 * Returns 0, or 2 after printing a usage error. */
int cli_image_opts(image_opts *out, const cli_image_args *a, const cli_ctx *cx);

/* --classes "normal,pneumonia" and --positions "left lung,right lung,upper lung,lower lung,"
 * (either may be NULL: defaults). */
int cli_names(ppad_names *names, const char *classes, const char *positions, ppad_err *err);
/* Splits the comma list of option opt into exactly n names (messages name opt). */
int cli_name_list(char out[][PPAD_MAXNAME], int n, const char *list, const char *opt, ppad_err *err);

/* Model + vocabulary + prompts + engine, as every PPAD verb needs them. */
typedef struct cli_session_opts {
    const char *weights, *prompts; /* prompts NULL: fresh initialisation from seed */
    const char *vocab, *classes, *positions;
    unsigned long long seed;
    int micro;           /* image micro-batch (0: default 16) */
    int no_image_prompt; /* 1: ablation without the image prompt */
    int precision;       /* 0 fp32, 1 bf16: reduced-precision image-tower products */
    int strict;          /* 1: refuse prompts whose provenance names another backbone */
} cli_session_opts;
/* Prompts from path meeting model m: a warning line on stderr when their
 * provenance names another backbone, or (strict) an error. 0 or -1. */
int cli_check_backbone(const ppad_params *p, const ppad_model *m, const char *path, int strict, ppad_err *err);
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
/* The one number format of every CSV ppad writes: the shortest decimal that
 * reads back as exactly v (as Python's repr); buf holds at least 32 bytes. */
const char *cli_num(char *buf, double v);
/* ",p0,p1,p2,p3,p4" in that format; positions not scored (NaN) give empty fields. */
void cli_print_probs(FILE *f, const double *probs);
/* Applies --precision (0 fp32, 1 bf16) to a loaded model; notes a CPU without bf16. */
int cli_apply_precision(ppad_model *m, int precision, ppad_err *err);
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
/* --report DIR (an OPT_OUTDIR option, so cli_parse checked DIR): makes DIR
 * if missing and checks DIR/report.html and DIR/report.json like the verb's
 * other outputs. dir NULL: off. Returns 0, or the verb's exit status with the
 * message in err: 2 when a report file would overwrite an input, else 1. */
int  cli_report_prepare(cli_report *r, const cli_ctx *cx, const char *dir, ppad_err *err);
/* The report of d's scored test split (fused (n_test), probs (n_test, 5) or
 * NULL); in holds the verb's settings (and runs, logs, lesions). Heat maps:
 * in->visuals (a report_visual_fn, report/report.h) is the hook — a function
 * given the gallery's image paths that returns each one's overlay and panel
 * PNG (empty when there is none), e.g. explaining them with the verb's loaded
 * model and prompts; NULL: the gallery shows images and probabilities.
 * Under MPI only rank 0 writes (elsewhere: returns 0 at once). */
int  cli_report_write(const cli_report *r, report_input *in, const dataset *d, const double *fused,
                      const double *probs, ppad_err *err);
/* "ppad VERB ARGS..." (shell-quoted where needed) into buf, for a report's
 * "command" setting; call it before cli_parse, which reorders argv. */
void cli_command_line(char *buf, size_t size, int argc, char **argv, const char *verb);

/* ---- MPI (issue 14; dist_cli.c) ---- */
/* Collective: cli_inputs_gather on rank 0 (standard input reaches only rank
 * 0), the list then copied to every rank. */
int cli_inputs_gather_shared(cli_inputs *in, const cli_list *args, const char *list, ppad_err *err);
/* Collective: v (n, per) of which rank r filled the chunks c (of chunk rows)
 * with c % size == r; afterwards every rank holds all of v. */
int cli_share_chunks(double *v, size_t n, int chunk, size_t per, ppad_err *err);
/* ---- end MPI ---- */

/* ---- heat maps: explain, predict --heatmaps, the report gallery (heatmaps_cli.c) ---- */
/* An image at its original size (orig) and as the model's input pixels (3, S, S). */
int  cli_explain_load(gray8 *orig, float *pixels, const char *path, const image_opts *opts, int S, ppad_err *err);
/* Fails (naming path) when the score or a map is not a finite number. */
int  cli_explain_check(const char *path, const explain_result *r, ppad_err *err);
/* The --raw rows of one image: path,position,method,m0,...,m48. */
void cli_explain_raw_rows(FILE *f, const char *path, const explain_result *r, int method);
/* The --out / --heatmaps folder: DIR/NAME_overlay.png, DIR/NAME_panel.png per
 * image (NAME from the image's file name, made unique) and DIR/index.csv
 * (path,overlay,panel,score,verdict,p_left,...,p_whole,method), written last. */
typedef struct cli_heatmaps {
    int on, made_dir;
    const char *dir;
    int method;
    double threshold;
    size_t n;
    char **stem;      /* (n) file name stems */
    char **written;   /* files written so far (removed by cli_heatmaps_discard) */
    size_t n_written;
    char *index;      /* the index rows so far */
    size_t index_len, index_cap;
} cli_heatmaps;
/* dir NULL: off. Checks every file it will write (cli_check_output); returns
 * 0, or the verb's exit status (2: an output names an input, 1) with err. */
int  cli_heatmaps_prepare(cli_heatmaps *h, const cli_ctx *cx, const char *dir, const cli_inputs *in, int method,
                          double threshold, ppad_err *err);
/* Draws and writes input i's pictures; its index row gets probs/fused. */
int  cli_heatmaps_add(cli_heatmaps *h, size_t i, const char *path, const gray8 *orig, const explain_result *r,
                      const double *probs, double fused, ppad_err *err);
/* The same with the pictures already drawn (report_explain_draw; MPI: on another rank). */
int  cli_heatmaps_put(cli_heatmaps *h, size_t i, const char *path, const report_visual *v, const double *probs,
                      double fused, ppad_err *err);
int  cli_heatmaps_finish(cli_heatmaps *h, ppad_err *err); /* writes DIR/index.csv */
/* ppad explain's images over the MPI ranks (explain_shard.c): chunks of
 * EVAL_CHUNK dealt as predict deals them; each rank loads, explains and (draw)
 * draws its own; rank 0 alone gets row(i, r, pictures or NULL) for every image
 * explained, in input order. Without skip_bad the first image that fails ends
 * the run with its error; with it, it is reported (cli_error, or bad(i, why)
 * on rank 0) and counted in *n_bad. Collective. */
typedef struct cli_explain_job {
    ppad_explainer *x;
    const ppad_params *p;
    const cli_inputs *in;
    const image_opts *io;
    float *pixels; /* (3, S, S) */
    int S, draw, method, skip_bad;
    size_t chunk; /* images a chunk under MPI: 1 .. EVAL_CHUNK (0: EVAL_CHUNK) */
    double threshold;
    /* NULL, or the scores the pictures and rows show instead of the explanation's own
     * (predict --heatmaps: the scoring's): probs (n, PPAD_NPOS), fused (n) */
    const double *probs, *fused;
    /* NULL: cli_explain_load with io; else how to read path: orig at its size, pixels for the model */
    int (*load)(void *ctx, gray8 *orig, float *pixels, const char *path, ppad_err *err);
    void *load_ctx;
    int (*row)(void *ctx, size_t i, const explain_result *r, const report_visual *v, ppad_err *err);
    void (*bad)(void *ctx, size_t i, const ppad_err *why); /* NULL: cli_error */
    void *row_ctx;
} cli_explain_job;
int  cli_explain_shard(const cli_explain_job *j, long *n_bad, ppad_progress *bar, ppad_err *err);
void cli_heatmaps_discard(cli_heatmaps *h);               /* removes the pictures written (a failed run) */
void cli_heatmaps_free(cli_heatmaps *h);
/* report_visual_fn for test/train --report: explains the gallery's images of
 * d with the session's model and prompts p; or, after cli_visuals_prepare,
 * hands over the pictures made there. */
typedef struct cli_visuals {
    cli_session *s;
    const ppad_params *p;
    const dataset *d;
    int method;
    double threshold;
    int prepared, n;     /* set by cli_visuals_prepare */
    char **paths;        /* (n) the gallery's images */
    report_visual *vis;  /* (n) rank 0: their pictures */
} cli_visuals;
int  cli_report_visuals(void *ctx, report_visual *out, const char *const *paths, int n, ppad_err *err);
/* Collective: the heat maps of the gallery that report_write will show for
 * d's test split scored fused/probs (gallery size and threshold from in),
 * explained and drawn over the ranks (cli_explain_shard); rank 0 keeps them. */
int  cli_visuals_prepare(cli_visuals *c, const report_input *in, const double *fused, const double *probs,
                         ppad_err *err);
void cli_visuals_free(cli_visuals *c);
/* ---- end heat maps ---- */

/* The scores CSV (probs may be NULL: empty p_* fields). */
int cli_write_scores(const char *path, const dataset *d, const double *fused, const double *probs, ppad_err *err);

#endif
