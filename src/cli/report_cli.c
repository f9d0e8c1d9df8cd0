/* report_cli.c — the --report DIR option of test, train and zeroshot, and
 * the command line a report records. The page itself is src/report's. */
#include <stdio.h>
#include <string.h>

#include "base/dist.h"
#include "base/error.h"
#include "cli/cli.h"

void cli_command_line(char *buf, size_t size, int argc, char **argv, const char *verb) {
    size_t n = (size_t)snprintf(buf, size, "ppad %s", verb);
    for (int i = 1; i < argc && n < size; i++) {
        const char *a = argv[i];
        int quote = !*a || strpbrk(a, " \t\"'\\$`;&|<>()*?[]#~") != NULL;
        n += (size_t)snprintf(buf + n, size - n, quote ? " '%s'" : " %s", a);
    }
}

int cli_report_prepare(cli_report *r, const cli_ctx *cx, const char *dir, ppad_err *err) {
    memset(r, 0, sizeof *r);
    if (!dir) return 0;
    int rc = 0;
    if (dist_root()) { /* under MPI only rank 0 makes DIR and writes the report */
        rc = report_dir_paths(r->html, r->json, sizeof r->html, dir, err) != 0;
        if (!rc) rc = cli_check_output(cx, "--report", r->html, 0, err);
        if (!rc) rc = cli_check_output(cx, "--report", r->json, 0, err);
    }
    rc = dist_root_verdict(rc, err);
    r->on = rc == 0;
    return rc;
}

static int report_write_here(const cli_report *r, report_input *in, const dataset *d, const double *fused,
                             const double *probs, ppad_err *err);

int cli_report_write(const cli_report *r, report_input *in, const dataset *d, const double *fused, const double *probs,
                     ppad_err *err) {
    if (!dist_root()) return 0; /* under MPI rank 0 writes it (the caller shares the verdict) */
    return report_write_here(r, in, d, fused, probs, err);
}

static int report_write_here(const cli_report *r, report_input *in, const dataset *d, const double *fused,
                             const double *probs, ppad_err *err) {
    ppad_scores sc;
    if (report_scores_from_dataset(&sc, d, fused, probs, err) != 0) return -1;
    char source[4200];
    snprintf(source, sizeof source, "test split of %s", d->root);
    if (!in->source) in->source = source;
    in->scores = &sc;
    in->images = 1;
    in->load_image = report_dataset_image;
    in->load_ctx = (void *)d;
    report_set(in, "data", "%s (%s layout, %zu test images)", d->root, dataset_layout_name(d->layout), d->n_test);
    int rc = report_write(in, r->html, r->json, err);
    in->scores = NULL;
    if (in->source == source) in->source = NULL;
    scores_free(&sc);
    if (rc == 0) fprintf(stderr, "report written to %s\n", r->html);
    return rc;
}
