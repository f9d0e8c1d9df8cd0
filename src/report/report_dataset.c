/* report_dataset.c — what `test/train/zeroshot --report DIR` need beyond
 * `ppad report`: the scores of a dataset's test split held in memory as a
 * ppad_scores, image loaders with the dataset's decode options, and the
 * sample of lesions drawn on its training normals. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "data/data.h"
#include "ppad/train.h"
#include "report/report.h"

int report_scores_from_dataset(ppad_scores *out, const dataset *d, const double *fused, const double *probs,
                               ppad_err *err) {
    memset(out, 0, sizeof *out);
    const long n = (long)d->n_test;
    if (n < 1) return ppad_fail(err, "%s: the dataset has no test images", d->root);
    out->labels = ppad_malloc(sizeof(int) * (size_t)n, err);
    out->scores = ppad_malloc(sizeof(double) * (size_t)n, err);
    out->paths = ppad_calloc((size_t)n, sizeof(char *), err);
    if (probs) out->probs = ppad_malloc(sizeof(double) * (size_t)n * PPAD_NPOS, err);
    if (!out->labels || !out->scores || !out->paths || (probs && !out->probs)) goto oom;
    out->n = n;
    for (long i = 0; i < n; i++) {
        out->labels[i] = d->test[i].label;
        out->scores[i] = fused[i];
        if (!(out->paths[i] = strdup(d->test[i].path))) goto oom;
    }
    if (probs) {
        memcpy(out->probs, probs, sizeof(double) * (size_t)n * PPAD_NPOS);
        for (int k = 0; k < PPAD_NPOS; k++)
            for (long i = 0; i < n && !out->has_prob[k]; i++) out->has_prob[k] = !isnan(probs[i * PPAD_NPOS + k]);
    }
    return 0;
oom:
    scores_free(out);
    return ppad_fail(err, "out of memory");
}

int report_dataset_image(void *ctx, gray8 *out, const char *path, ppad_err *err) {
    const dataset *d = ctx;
    return image_load_gray(out, path, &d->img, err);
}

static int load_base(void *ctx, gray8 *out, const char *path, ppad_err *err) {
    return dataset_load_base(out, ctx, path, err);
}

int report_dataset_lesions(report_lesion *out, int n, const dataset *d, const char *method, unsigned long long seed,
                           int no_position, ppad_err *err) {
    if (d->n_train == 0) return ppad_fail(err, "%s: no training normals to draw lesions on", d->root);
    const char **paths = ppad_malloc(sizeof(char *) * d->n_train, err);
    if (!paths) return -1;
    for (size_t i = 0; i < d->n_train; i++) paths[i] = d->train[i].path;
    int rc = report_lesions_draw(out, n, paths, (int)(d->n_train < 1000000 ? d->n_train : 1000000), load_base,
                                 (void *)d, method, seed, no_position, err);
    free(paths);
    return rc;
}

int report_add_training(report_input *in, report_train_extra *x, const ppad_train_opts *o, const dataset *d, int runs,
                        ppad_err *err) {
    const char *name = o->synthesis == TRAIN_SAS ? "SAS" : o->synthesis == TRAIN_FPI ? "FPI" : "none";
    report_set(in, "training data", "%s (%s layout, %zu training normals)", d->root, dataset_layout_name(d->layout),
               d->n_train);
    report_set(in, "schedule", "%d shots, %d epochs, batch %d, SGD lr %g (cosine, T_max %d iterations), momentum %g",
               o->shots, o->epochs, o->batch, o->lr, o->t_max > 0 ? o->t_max : o->epochs, o->momentum);
    report_set(in, "synthesis", "%s, probability %g per sample%s", name, o->p_synth,
               o->no_position ? "; --no-position (whole image only)" : "");
    if (runs > 1) report_set(in, "seed", "%llu (runs use %llu..%llu)", x->seed, x->seed, x->seed + (unsigned)runs - 1);
    else report_set(in, "seed", "%llu", x->seed);
    report_set(in, "runs", "%d", runs);
    if (runs > 1) {
        snprintf(x->source, sizeof x->source, "run %d of %d (seed %llu)", runs, runs, x->seed + (unsigned)runs - 1);
        in->source = x->source;
    }
    if (o->synthesis == TRAIN_NONE) return 0;
    if (report_dataset_lesions(x->lesions, REPORT_LESIONS, d, o->synthesis == TRAIN_FPI ? "fpi" : "sas", x->seed,
                               o->no_position, err) != 0)
        return -1;
    x->n_lesions = REPORT_LESIONS;
    snprintf(x->note, sizeof x->note,
             "Eight %s lesions drawn again through src/synth with this run's method, seed (%llu) and position rule "
             "on its training normals, at the size training synthesises on: the same distribution as the training "
             "batches, not their exact samples. Yellow: the outline.",
             name, x->seed);
    in->lesions = x->lesions;
    in->n_lesions = x->n_lesions;
    in->lesions_note = x->note;
    return 0;
}
