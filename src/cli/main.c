/* main.c — dispatches "ppad <verb> ..." to the verb's cmd_* function. */
#include <stdio.h>
#include <string.h>

#include "base/dist.h"
#include "base/fileio.h"
#include "cli/cli.h"

typedef struct verb {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
} verb;

static const verb VERBS[] = {
    {"info", cmd_info, "print a checkpoint's inferred CLIP configuration and dtypes"},
    {"embed", cmd_embed, "L2-normalised CLIP features of images or texts, as CSV"},
    {"tokenize", cmd_tokenize, "CLIP BPE token ids of texts (77 per line)"},
    {"random-model", cmd_random_model, "write a random-initialised CheXzero-layout backbone (demos, tests)"},
    {"init-prompts", cmd_init_prompts, "write freshly initialised PPAD prompts (ctx, image prompt)"},
    {"train", cmd_train, "train PPAD's prompts on a dataset's normal images (+ synthetic lesions)"},
    {"test", cmd_test, "ACC, AUC, F1, AP of trained prompts on a dataset's test split"},
    {"zeroshot", cmd_zeroshot, "the CheXzero zero-shot baseline on a dataset's test split"},
    {"predict", cmd_predict, "score chest X-rays with trained prompts (CSV)"},
    {"explain", cmd_explain, "heat maps of where the model looks (relevance or Grad-CAM): PNGs, raw maps"},
    {"step", cmd_step, "one exact SGD step of PPAD's prompts on a given batch"},
    {"preprocess", cmd_preprocess, "decode + resize an image as the model sees it (PNG and/or raw floats)"},
    {"synth", cmd_synth, "synthesise an anomaly (SAS or FPI) in an image, or a contact sheet of examples"},
    {"phantom", cmd_phantom, "write synthetic chest X-rays (normal, pneumonia-like) as a ZhangLab tree"},
    {"data", cmd_data, "open a dataset (zhanglab, chexpert, vindr, csv) and summarise or list it"},
    {"metrics", cmd_metrics, "ACC, AUC, F1 and AP (scikit-learn definitions) of a label,score CSV"},
    {"info-image", cmd_info_image, "what was read from image files (DICOM: modality, window, transfer syntax...)"},
    {"report", cmd_report, "an HTML page (and JSON) of an evaluation: metrics with CIs, curves, gallery"},
};

static void usage(FILE *f) {
    fprintf(f, "ppad %s — position-guided prompt learning for anomaly detection in chest X-rays\n\n"
               "usage: ppad <verb> [options]   (ppad <verb> --help for each verb's options)\n\nverbs:\n",
            PPAD_VERSION);
    for (size_t i = 0; i < sizeof VERBS / sizeof VERBS[0]; i++)
        fprintf(f, "  %-14s %s\n", VERBS[i].name, VERBS[i].summary);
}

/* ---- MPI (issue 14): under mpirun/srun these verbs split their work over the
 * ranks (src/base/dist.h); every other verb runs on rank 0 alone while the
 * others wait, so that no file is written twice. ---- */
static const char *const SHARDED[] = {"test", "predict", "train", "step", "zeroshot", "explain", "embed"};

static int sharded(const char *name) {
    for (size_t i = 0; i < sizeof SHARDED / sizeof SHARDED[0]; i++)
        if (strcmp(name, SHARDED[i]) == 0) return 1;
    return 0;
}

/* A failure every rank agreed on ends every rank with the same status; one
 * only this rank knows (already printed) ends the whole job. */
static int finish(int rc) {
    if (dist_size() > 1 && rc == 1 && !dist_failure_agreed()) dist_abort(1);
    dist_finalize();
    return rc;
}

static int run_verb(const verb *v, int argc, char **argv) {
    if (dist_size() == 1 || sharded(v->name)) return finish(v->run(argc, argv));
    int rc = 0;
    if (dist_root()) {
        dist_solo(1); /* a one-process run: no collectives */
        rc = v->run(argc, argv);
        dist_solo(0);
    }
    return finish(dist_root_verdict(rc, NULL)); /* printed by rank 0 already */
}
/* ---- end MPI ---- */

int main(int argc, char **argv) {
    fileio_cleanup_on_signals(); /* Ctrl-C or a kill never leaves a half-written temporary behind */
    dist_init(&argc, &argv);
    if (argc < 2) {
        usage(stderr);
        return finish(2);
    }
    if (cli_is_help(argv[1])) {
        usage(stdout);
        return finish(0);
    }
    if (strcmp(argv[1], "--version") == 0) {
        printf("ppad %s\n", PPAD_VERSION);
        return finish(0);
    }
    for (size_t i = 0; i < sizeof VERBS / sizeof VERBS[0]; i++)
        if (strcmp(argv[1], VERBS[i].name) == 0) return run_verb(&VERBS[i], argc - 1, argv + 1);
    fprintf(stderr, "ppad: unknown verb '%s' (see 'ppad --help')\n", argv[1]);
    return finish(2);
}
