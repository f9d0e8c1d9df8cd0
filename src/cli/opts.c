/* opts.c — the one option parser every verb uses: a table of options per verb
 * (cli.h), the common options (--threads, --quiet, --help, --), one wording
 * for every usage error (exit status 2), and the check of every output
 * location against the inputs before any work starts. */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/error.h"
#include "base/dist.h"
#include "cli/cli.h"

static const char *COMMON_HELP =
    "\ncommon options:\n"
    "  --threads N   worker threads (default: all cores)\n"
    "  --quiet       no progress output on stderr\n"
    "  --help, -h    this text\n"
    "  --            end of options: what follows are arguments, even if it starts with '-'\n";

/* "--x VALUE" looks like a missing value when VALUE is itself an option. */
static int looks_like_option(const char *s) { return s[0] == '-' && s[1] == '-' && s[2]; }

static int parse_ll(const char *s, long long *out) {
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno || end == s || *end) return -1;
    *out = v;
    return 0;
}

/* "[lo, hi]" with open ends as "(" / ")"; an infinite end as "inf". */
static void range_text(char *buf, size_t n, const cli_opt *o) {
    char lo[32], hi[32];
    if (isinf(o->dmin)) snprintf(lo, sizeof lo, "-inf");
    else snprintf(lo, sizeof lo, "%g", o->dmin);
    if (isinf(o->dmax)) snprintf(hi, sizeof hi, "inf");
    else snprintf(hi, sizeof hi, "%g", o->dmax);
    snprintf(buf, n, "%c%s, %s%c", o->open & OPEN_LO ? '(' : '[', lo, hi, o->open & OPEN_HI ? ')' : ']');
}

/* Stores value v of option o; returns 0, or 2 after printing the usage error. */
static int store(const cli_verb *verb, const cli_opt *o, const char *v) {
    switch (o->kind) {
    case OPT_STR:
    case OPT_IN:
    case OPT_OUT:
    case OPT_OUTDIR:
        if (!*v) return cli_usage(verb->name, "%s: the value is empty", o->name);
        *(const char **)o->dst = v;
        return 0;
    case OPT_INT:
    case OPT_LONG: {
        long long x;
        if (parse_ll(v, &x)) return cli_usage(verb->name, "%s: '%s' is not an integer", o->name, v);
        if (x < o->imin || x > o->imax)
            return cli_usage(verb->name, "%s: %s is out of range [%lld, %lld]", o->name, v, o->imin, o->imax);
        if (o->kind == OPT_INT) *(int *)o->dst = (int)x;
        else *(long long *)o->dst = x;
        return 0;
    }
    case OPT_DBL: {
        char *end;
        errno = 0;
        double x = strtod(v, &end);
        if (end == v || *end || (errno && !isfinite(x)) || !isfinite(x))
            return cli_usage(verb->name, "%s: '%s' is not a finite number", o->name, v);
        int lo_ok = o->open & OPEN_LO ? x > o->dmin : x >= o->dmin;
        int hi_ok = o->open & OPEN_HI ? x < o->dmax : x <= o->dmax;
        if (!lo_ok || !hi_ok) {
            char r[80];
            range_text(r, sizeof r, o);
            return cli_usage(verb->name, "%s: %s is out of range %s", o->name, v, r);
        }
        *(double *)o->dst = x;
        return 0;
    }
    case OPT_CHOICE: {
        const char *c = o->choices;
        size_t len = strlen(v);
        for (int k = 0; *c; k++) {
            const char *bar = strchr(c, '|');
            size_t n = bar ? (size_t)(bar - c) : strlen(c);
            if (n == len && !strncmp(c, v, n)) {
                *(int *)o->dst = k;
                return 0;
            }
            c += n + (bar != NULL);
        }
        char list[256];
        snprintf(list, sizeof list, "%s", o->choices);
        for (char *p = list; *p; p++)
            if (*p == '|') *p = '/';
        return cli_usage(verb->name, "%s: '%s' is not one of %s", o->name, v, list);
    }
    default:
        return cli_usage(verb->name, "%s: internal error (option kind)", o->name);
    }
}

int cli_parse(cli_ctx *c, const cli_verb *verb, int argc, char **argv, int *status) {
    memset(c, 0, sizeof *c);
    c->verb = verb;
    int n_opts = 0;
    while (verb->opts && verb->opts[n_opts].name) n_opts++;
    if (n_opts > CLI_MAX_OPTS) {
        *status = cli_usage(verb->name, "internal error: too many options");
        return 1;
    }
    int seen[CLI_MAX_OPTS] = {0};
    int n_args = 0, opts_done = 0, threads_seen = 0, quiet_seen = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        int is_opt = !opts_done && a[0] == '-' && a[1];
        if (!is_opt) {
            if (!verb->args) {
                *status = cli_usage(verb->name, "unexpected argument '%s'", a);
                return 1;
            }
            argv[n_args++] = argv[i]; /* compacted in place: argv[0..n_args) are the arguments */
            continue;
        }
        if (!strcmp(a, "--")) { opts_done = 1; continue; }
        if (cli_is_help(a)) {
            fputs(verb->help, stdout);
            for (const cli_opt *o = verb->opts; o && o->name; o++)
                if (!strcmp(o->name, "--png16")) fputs(CLI_IMAGE_HELP, stdout);
            fputs(COMMON_HELP, stdout);
            *status = 0;
            return 1;
        }
        if (!strcmp(a, "--quiet")) {
            if (quiet_seen++) { *status = cli_usage(verb->name, "option --quiet given twice"); return 1; }
            c->quiet = 1;
            continue;
        }
        if (!strcmp(a, "--threads")) {
            if (threads_seen++) { *status = cli_usage(verb->name, "option --threads given twice"); return 1; }
            if (i + 1 >= argc || looks_like_option(argv[i + 1])) {
                *status = cli_usage(verb->name, "option --threads needs a value");
                return 1;
            }
            static const cli_opt threads_opt = OPT("--threads", OPT_INT, NULL, .imin = 1, .imax = 1024);
            cli_opt o = threads_opt;
            o.dst = &c->threads;
            if ((*status = store(verb, &o, argv[++i])) != 0) return 1;
            continue;
        }
        int k = 0;
        while (k < n_opts && strcmp(verb->opts[k].name, a)) k++;
        if (k == n_opts) {
            *status = cli_usage(verb->name, "unknown option '%s'", a);
            return 1;
        }
        const cli_opt *o = &verb->opts[k];
        if (seen[k]++) {
            *status = cli_usage(verb->name, "option %s given twice", a);
            return 1;
        }
        if (o->given) *o->given = 1;
        if (o->kind == OPT_FLAG) {
            *(int *)o->dst = 1;
        } else if (o->kind == OPT_LIST) {
            cli_list *l = o->dst;
            l->v = (const char **)&argv[i + 1];
            l->n = 0;
            while (i + 1 < argc && !looks_like_option(argv[i + 1]) && strcmp(argv[i + 1], "--")) i++, l->n++;
            if (l->n == 0) {
                *status = cli_usage(verb->name, "option %s needs at least one value", a);
                return 1;
            }
        } else {
            if (i + 1 >= argc || looks_like_option(argv[i + 1])) {
                *status = cli_usage(verb->name, "option %s needs a value", a);
                return 1;
            }
            if ((*status = store(verb, o, argv[++i])) != 0) return 1;
        }
    }
    for (int k = 0; k < n_opts; k++)
        if (verb->opts[k].required && !seen[k]) {
            *status = cli_usage(verb->name, "%s is required", verb->opts[k].name);
            return 1;
        }
    if (verb->args) {
        verb->args->v = (const char **)argv;
        verb->args->n = n_args;
        if (n_args < verb->args_min) {
            *status = cli_usage(verb->name, "give at least %d %s", verb->args_min, verb->args_name);
            return 1;
        }
    }
    /* every output location, before any work */
    ppad_err err = {{0}};
    /* under MPI rank 0 checks (only it writes) and every rank gets its verdict */
    int rc = dist_root_verdict(dist_root() ? cli_check_outputs(c, &err) : 0, &err);
    if (rc) {
        *status = rc == 2 ? cli_usage(verb->name, "%s", err.msg) : cli_error(&err);
        return 1;
    }
    cli_set_threads(c->threads);
    *status = 0;
    return 0;
}

/* ---- output locations ---- */

static int is_output(const cli_opt *o) { return o->kind == OPT_OUT || o->kind == OPT_OUTDIR; }

/* The folder part of path ("." if none), into buf. */
static void dir_of(char *buf, size_t n, const char *path) {
    const char *slash = strrchr(path, '/');
    if (!slash) snprintf(buf, n, ".");
    else if (slash == path) snprintf(buf, n, "/");
    else snprintf(buf, n, "%.*s", (int)(slash - path), path);
}

/* A canonical name for a path that may not exist yet: realpath of its folder +
 * its last component. Returns 0, or -1 if the folder does not resolve. */
static int canonical(char *buf, size_t n, const char *path) {
    char dir[PATH_MAX], real[PATH_MAX];
    dir_of(dir, sizeof dir, path);
    if (!realpath(dir, real)) return -1;
    const char *slash = strrchr(path, '/');
    const char *base = slash ? slash + 1 : path;
    snprintf(buf, n, "%s/%s", strcmp(real, "/") ? real : "", base);
    return 0;
}

int cli_same_file(const char *a, const char *b) {
    struct stat sa, sb;
    if (stat(a, &sa) == 0 && stat(b, &sb) == 0) return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
    char ca[PATH_MAX + 256], cb[PATH_MAX + 256];
    if (canonical(ca, sizeof ca, a) || canonical(cb, sizeof cb, b)) return strcmp(a, b) == 0;
    return strcmp(ca, cb) == 0;
}

int cli_output_location(const char *path, int folder, ppad_err *err) {
    struct stat st;
    if (stat(path, &st) == 0) {
        if (folder) {
            if (!S_ISDIR(st.st_mode)) return ppad_fail(err, "%s: exists and is not a folder", path);
            if (access(path, W_OK | X_OK) != 0) return ppad_fail(err, "%s: the folder is not writable", path);
            return 0;
        }
        if (S_ISDIR(st.st_mode)) return ppad_fail(err, "%s: is a folder; give a file name", path);
        if (!S_ISREG(st.st_mode))
            return ppad_fail(err, "%s: exists and is not a regular file (outputs are written to a new file, then "
                                  "renamed)", path);
    } else if (errno != ENOENT) {
        return ppad_fail(err, "%s: %s", path, strerror(errno));
    }
    char dir[PATH_MAX];
    dir_of(dir, sizeof dir, path);
    if (stat(dir, &st) != 0) {
        if (folder && errno == ENOENT) { /* made on demand: its parent must exist */
            char parent[PATH_MAX];
            dir_of(parent, sizeof parent, dir);
            if (stat(parent, &st) == 0 && S_ISDIR(st.st_mode) && access(parent, W_OK | X_OK) == 0) return 0;
        }
        return ppad_fail(err, "%s: the folder %s does not exist", path, dir);
    }
    if (!S_ISDIR(st.st_mode)) return ppad_fail(err, "%s: %s is not a folder", path, dir);
    if (access(dir, W_OK | X_OK) != 0) return ppad_fail(err, "%s: cannot write in the folder %s", path, dir);
    return 0;
}

int cli_check_output(const cli_ctx *c, const char *opt, const char *path, int folder, ppad_err *err) {
    const cli_verb *v = c->verb;
    struct stat st;
    if (stat(path, &st) == 0) { /* only an existing output can be an input */
        for (const cli_opt *o = v->opts; o && o->name; o++) {
            const char *in = o->kind == OPT_IN ? *(const char **)o->dst : NULL;
            if (in && cli_same_file(path, in)) {
                ppad_fail(err, "%s %s names the same file as %s; refusing to overwrite an input", opt, path, o->name);
                return 2;
            }
        }
        if (v->args && v->args_are_inputs)
            for (int i = 0; i < v->args->n; i++)
                if (cli_same_file(path, v->args->v[i])) {
                    ppad_fail(err, "%s %s is also an input %s; refusing to overwrite an input", opt, path,
                              v->args_name);
                    return 2;
                }
    }
    return cli_output_location(path, folder, err) ? 1 : 0;
}

int cli_check_outputs(const cli_ctx *c, ppad_err *err) {
    const cli_verb *v = c->verb;
    for (const cli_opt *o = v->opts; o && o->name; o++) {
        const char *path = is_output(o) ? *(const char **)o->dst : NULL;
        if (!path) continue;
        for (const cli_opt *p = v->opts; p != o; p++) { /* two outputs, one file */
            const char *other = is_output(p) ? *(const char **)p->dst : NULL;
            if (other && cli_same_file(path, other)) {
                ppad_fail(err, "%s and %s name the same file %s", p->name, o->name, path);
                return 2;
            }
        }
        int rc = cli_check_output(c, o->name, path, o->kind == OPT_OUTDIR, err);
        if (rc) return rc;
    }
    return 0;
}

int cli_check_dataset_outputs(const cli_ctx *c, const dataset *d, ppad_err *err) {
    const cli_verb *v = c->verb;
    for (const cli_opt *o = v->opts; o && o->name; o++) {
        const char *path = o->kind == OPT_OUT ? *(const char **)o->dst : NULL;
        struct stat so, si;
        if (!path || stat(path, &so) != 0) continue; /* a new file cannot be one of the images */
        for (int split = 0; split < 2; split++) {
            const dataset_item *items = split ? d->test : d->train;
            size_t n = split ? d->n_test : d->n_train;
            for (size_t i = 0; i < n; i++)
                if (stat(items[i].path, &si) == 0 && si.st_dev == so.st_dev && si.st_ino == so.st_ino) {
                    ppad_fail(err, "%s %s is an image of the dataset %s; refusing to overwrite an input", o->name,
                              path, d->root);
                    return 2;
                }
        }
    }
    return 0;
}
