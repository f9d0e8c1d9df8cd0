/* evalset.c — scoring a dataset's test split with PPAD prompts, writing the
 * per-image scores CSV (atomically) and computing the metrics. Shared by
 * `ppad test` and `ppad train`'s evaluations. */
#include <math.h>
#include <stdlib.h>

#include "base/dist.h"
#include "base/error.h"
#include "base/fileio.h"
#include "cli/cli.h"
#include "ppad/evaluate.h"

int cli_write_scores(const char *path, const dataset *d, const double *fused, const double *probs, ppad_err *err) {
    atomic_file af;
    if (atomic_open(&af, path, err) != 0) return -1;
    fprintf(af.fp, "path,label,score,p_left,p_right,p_upper,p_lower,p_whole\n");
    for (size_t i = 0; i < d->n_test; i++) {
        cli_csv_field(af.fp, d->test[i].path);
        char b[32];
        fprintf(af.fp, ",%d,%s", d->test[i].label, cli_num(b, fused[i]));
        if (probs) cli_print_probs(af.fp, probs + i * PPAD_NPOS);
        else fputs(",,,,,", af.fp);
        fputc('\n', af.fp);
    }
    return atomic_commit(&af, err);
}

int cli_eval_dataset(cli_session *s, const ppad_params *p, const dataset *d, int no_position, double threshold,
                     const char *scores_path, int quiet, ppad_metrics *out, ppad_err *err) {
    return cli_eval_dataset_keep(s, p, d, no_position, threshold, scores_path, quiet, out, NULL, NULL, err);
}

int cli_eval_dataset_keep(cli_session *s, const ppad_params *p, const dataset *d, int no_position, double threshold,
                          const char *scores_path, int quiet, ppad_metrics *out, double **keep_fused,
                          double **keep_probs, ppad_err *err) {
    if (d->n_test == 0) return ppad_fail(err, "%s: the dataset has no test images", d->root);
    const int n = (int)d->n_test;
    double *probs = ppad_malloc(sizeof(double) * (size_t)n * PPAD_NPOS, err);
    double *fused = ppad_malloc(sizeof(double) * (size_t)n, err);
    int rc = dist_agree(probs && fused ? 0 : -1, err);
    if (rc == 0) {
        ppad_progress bar;
        progress_begin(&bar, "score", n, quiet);
        rc = evaluate_dataset(&s->eng, p, d, no_position, threshold, probs, fused, out, &bar, err);
        if (rc == 0) progress_end(&bar, NULL);
        /* under MPI rank 0 writes */
        if (rc == 0 && scores_path)
            rc = dist_root_verdict(dist_root() ? cli_write_scores(scores_path, d, fused, probs, err) : 0, err);
        rc = dist_agree(rc, err); /* every rank comes here (scoring is collective) */
    }
    if (rc) {
        free(probs), free(fused);
        return rc;
    }
    if (keep_fused) *keep_fused = fused, fused = NULL;
    if (keep_probs) *keep_probs = probs, probs = NULL;
    free(probs), free(fused);
    return rc;
}
