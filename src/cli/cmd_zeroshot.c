/* cmd_zeroshot.c — ppad zeroshot: the CheXzero zero-shot baseline (spec
 * section 5): plain CLIP, texts "normal." / "pneumonia." ("normal" /
 * "pneumonia" on VinDr), probability = softmax(logits)[1]. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "base/progress.h"
#include "clip/kernels.h"
#include "cli/cli.h"
#include "ppad/evaluate.h"

static const char *HELP =
    "usage: ppad zeroshot --weights W --data DIR [options]\n\n"
    "The CheXzero zero-shot baseline: no prompts are learned; each test image is compared with the texts\n"
    "'normal.' and 'pneumonia.' ('normal' and 'pneumonia' for VinDr), score = softmax(logits)[1].\n"
    "Images are resized to 256x256 and then to 224x224 (bicubic, twice) on every layout, as the authors'\n"
    "zero-shot loaders do (ppad test resizes straight to 224, as PPAD's own loaders do).\n"
    "Prints the same metrics as ppad test.\n\n"
    "  --weights W        CheXzero CLIP checkpoint (.pt)\n"
    "  --data DIR         dataset folder (or CSV manifest with --layout csv)\n"
    "  --layout L         zhanglab | chexpert | vindr | csv (default: detected)\n"
    "  --texts A,B        the normal and abnormal texts (default as above)\n"
    "  --scores OUT.csv   per-image scores (path,label,score,...; p_whole = score, other p_* empty)\n"
    "  --json             metrics as JSON\n"
    "  --report DIR       also write DIR/report.html and DIR/report.json (see ppad report --help)\n"
    "  --threshold T      decision threshold (default 0.5)\n"
    "  --vocab V          CLIP vocabulary (needed for texts other than the defaults)\n"
    "  --precision P      fp32 (default) or bf16 (see ppad test --help)\n";

#define ZS_CHUNK 32

static int zeroshot_scores(const ppad_model *m, const dataset *d, const float *txt /* (2, E) */, double *scores,
                           int quiet, ppad_err *err) {
    const clip_config *c = &m->cfg;
    const int S = c->image_size, E = c->embed_dim;
    const size_t npx = (size_t)3 * S * S;
    const double scale = exp((double)m->logit_scale);
    clip_vision_acts acts;
    float *pix = ppad_aligned_alloc(sizeof(float) * npx * ZS_CHUNK, err);
    float *tok = ppad_aligned_alloc(sizeof(float) * ZS_CHUNK * (size_t)c->n_patches * c->vision_width, err);
    float *f = ppad_aligned_alloc(sizeof(float) * ZS_CHUNK * (size_t)E, err);
    int rc = -1;
    if (!pix || !tok || !f || clip_vision_acts_alloc(&acts, m, ZS_CHUNK, 0, err) != 0) {
        free(pix), free(tok), free(f);
        return -1;
    }
    ppad_progress bar;
    progress_begin(&bar, "score", (long)d->n_test, quiet);
    for (size_t i0 = 0; i0 < d->n_test; i0 += ZS_CHUNK) {
        int nb = d->n_test - i0 < ZS_CHUNK ? (int)(d->n_test - i0) : ZS_CHUNK;
        const char *paths[ZS_CHUNK];
        for (int j = 0; j < nb; j++) paths[j] = d->test[i0 + j].path;
        if (evaluate_load_chunk(pix, paths, nb, eval_load_dataset, d, S, err) != 0) goto out;
        if (clip_patch_embed(m, tok, pix, nb, err) != 0) goto out;
        clip_vision_forward(m, f, tok, nb, &acts);
        l2norm_forward(f, NULL, f, nb, E);
        for (int j = 0; j < nb; j++) {
            float d0 = 0, d1 = 0;
            for (int k = 0; k < E; k++) {
                d0 += f[(size_t)j * E + k] * txt[k];
                d1 += f[(size_t)j * E + k] * txt[E + k];
            }
            scores[i0 + j] = 1.0 / (1.0 + exp(scale * d0 - scale * d1));
        }
        progress_update(&bar, (long)(i0 + nb), NULL);
    }
    progress_end(&bar, NULL);
    rc = 0;
out:
    clip_vision_acts_free(&acts);
    free(pix), free(tok), free(f);
    return rc;
}

int cmd_zeroshot(int argc, char **argv) {
    const char *weights = NULL, *data = NULL, *layout = NULL, *scores_path = NULL, *texts = NULL, *vocab_path = NULL;
    const char *report_dir = NULL;
    double threshold = 0.5;
    int json = 0, precision = 0;
    ppad_err err = {{0}};
    cli_image_args ia = {0};
    image_opts io;
    const cli_opt opts[] = {
        CLI_IMAGE_OPTS(ia),
        OPT("--weights", OPT_IN, &weights, .required = 1),
        OPT("--data", OPT_IN, &data, .required = 1),
        OPT("--layout", OPT_STR, &layout),
        OPT("--scores", OPT_OUT, &scores_path),
        OPT("--report", OPT_OUTDIR, &report_dir),
        OPT("--texts", OPT_STR, &texts),
        OPT("--vocab", OPT_IN, &vocab_path),
        OPT("--precision", OPT_CHOICE, &precision, .choices = "fp32|bf16"),
        OPT("--json", OPT_FLAG, &json),
        OPT("--threshold", OPT_DBL, &threshold, .dmin = 0, .dmax = 1),
        OPT_END};
    const cli_verb verb = {.name = "zeroshot", .help = HELP, .opts = opts};
    cli_ctx cx;
    int status;
    char cmdline[1024];
    cli_command_line(cmdline, sizeof cmdline, argc, argv, "zeroshot");
    if (cli_parse(&cx, &verb, argc, argv, &status)) return status;
    if ((status = cli_image_opts(&io, &ia, &cx)) != 0) return status;
    cli_report rep;
    if ((status = cli_report_prepare(&rep, &cx, report_dir, &err)) != 0)
        return status == 2 ? cli_usage("zeroshot", "%s", err.msg) : cli_error(&err);
    ppad_names nm;
    names_default(&nm);
    if (texts && cli_name_list(nm.cls, PPAD_NCLS, texts, "--texts", &err) != 0) return cli_usage("zeroshot", "%s", err.msg);
    dataset d;
    if (dataset_open(&d, data, layout, &err) != 0) return cli_error(&err);
    dataset_use_zeroshot_path(&d); /* 256 then 224 on every layout, as the authors' zero-shot loaders */
    d.img = io;
    if ((status = cli_check_dataset_outputs(&cx, &d, &err)) != 0) {
        dataset_free(&d);
        return cli_usage("zeroshot", "%s", err.msg);
    }
    int rc = 1;
    ppad_model *m = NULL;
    ppad_vocab *vocab = NULL;
    float *txt = NULL;
    double *scores = NULL, *probs = NULL;
    int *labels = NULL;
    if (!texts) {
        const char *dot = d.layout == DATASET_VINDR ? "" : ".";
        snprintf(nm.cls[0], PPAD_MAXNAME, "normal%s", dot);
        snprintf(nm.cls[1], PPAD_MAXNAME, "pneumonia%s", dot);
    }
    if (d.n_test == 0) {
        ppad_fail(&err, "%s: the dataset has no test images", data);
        goto out;
    }
    if (ppad_model_load(&m, weights, &err) != 0) goto out;
    if (cli_apply_precision(m, precision, &err) != 0) goto out;
    {
        ppad_err verr;
        if (ppad_vocab_load(&vocab, vocab_path, weights, &verr) != 0 && vocab_path) { err = verr; goto out; }
    }
    const int E = m->cfg.embed_dim;
    txt = ppad_malloc(sizeof(float) * 2 * (size_t)E, &err);
    scores = ppad_malloc(sizeof(double) * d.n_test, &err);
    labels = ppad_malloc(sizeof(int) * d.n_test, &err);
    if (!txt || !scores || !labels) goto out;
    const char *tx[2] = {nm.cls[0], nm.cls[1]};
    if (ppad_embed_texts(m, vocab, txt, tx, 2, &err) != 0) goto out;
    if (zeroshot_scores(m, &d, txt, scores, cx.quiet, &err) != 0) goto out;
    for (size_t i = 0; i < d.n_test; i++) labels[i] = d.test[i].label;
    ppad_metrics met;
    if (metrics_compute(&met, labels, scores, (long)d.n_test, threshold, &err) != 0) {
        ppad_fail_prefix(&err, data);
        goto out;
    }
    if (scores_path || rep.on) { /* p_whole is the score; the other positions are not scored */
        probs = ppad_malloc(sizeof(double) * d.n_test * PPAD_NPOS, &err);
        if (!probs) goto out;
        for (size_t i = 0; i < d.n_test; i++)
            for (int k = 0; k < PPAD_NPOS; k++) probs[i * PPAD_NPOS + k] = k == PPAD_NPOS - 1 ? scores[i] : NAN;
    }
    if (scores_path && cli_write_scores(scores_path, &d, scores, probs, &err) != 0) goto out;
    if (json) metrics_print_json(stdout, &met);
    else metrics_print_text(stdout, &met);
    fflush(stdout);
    if (rep.on) {
        report_input in = {.title = "ppad zeroshot (CheXzero baseline)", .threshold = threshold};
        report_set(&in, "weights", "%s", weights);
        report_set(&in, "texts", "'%s' / '%s' (score = softmax of the two logits, abnormal class)", nm.cls[0],
                   nm.cls[1]);
        report_set(&in, "precision", "%s", precision ? "bf16" : "fp32");
        report_set(&in, "command", "%s", cmdline);
        if (cli_report_write(&rep, &in, &d, scores, probs, &err) != 0) goto out;
    }
    rc = 0;
out:
    if (rc) cli_error(&err);
    free(txt), free(scores), free(labels), free(probs);
    ppad_vocab_free(vocab);
    ppad_model_free(m);
    dataset_free(&d);
    return rc;
}
