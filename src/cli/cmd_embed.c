/* cmd_embed.c — ppad embed: L2-normalised CLIP features of images or texts as
 * CSV, one row per input: the input, then embed_dim values. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

static const char *HELP =
    "usage: ppad embed --weights W [--vocab V] (--image FILE... | --text STRING...)\n\n"
    "Prints CSV with a header row, then one row per input: the input (file path or text), then the\n"
    "L2-normalised CLIP feature (embed_dim values, e.g. 512). Images are preprocessed as PPAD does\n"
    "(8-bit gray, Pillow bicubic resize to 224x224, CheXzero normalisation).\n\n"
    "  --weights W    CLIP checkpoint (.pt)\n"
    "  --vocab V      bpe_simple_vocab_16e6.txt.gz (default: $PPAD_VOCAB, then beside the weights);\n"
    "                 without it only the default PPAD prompt words can be tokenised\n"
    "  --image FILE.. one or more PNG/JPEG files\n"
    "  --text STR..   one or more texts\n";

int cmd_embed(int argc, char **argv) {
    const char *weights = NULL, *vocab_path = NULL;
    cli_list images = {0}, texts = {0};
    ppad_err err = {{0}};
    cli_image_args ia = {0};
    image_opts io;
    const cli_opt opts[] = {
        CLI_IMAGE_OPTS(ia),
        OPT("--weights", OPT_IN, &weights, .required = 1),
        OPT("--vocab", OPT_IN, &vocab_path),
        OPT("--image", OPT_LIST, &images),
        OPT("--text", OPT_LIST, &texts),
        OPT_END};
    const cli_verb verb = {.name = "embed", .help = HELP, .opts = opts};
    cli_ctx cx;
    int status;
    if (cli_parse(&cx, &verb, argc, argv, &status)) return status;
    if ((status = cli_image_opts(&io, &ia, &cx)) != 0) return status;
    if (images.n && texts.n) return cli_usage("embed", "give either --image or --text, not both");
    if (!images.n && !texts.n) return cli_usage("embed", "give --image FILE... or --text STRING...");
    const int mode = images.n ? 1 : 2, n = images.n ? images.n : texts.n;
    const char **inputs = images.n ? images.v : texts.v;
    ppad_model *m = NULL;
    ppad_vocab *vocab = NULL;
    float *feat = NULL;
    int rc = 1;
    if (ppad_model_load(&m, weights, &err) != 0) goto out;
    ppad_model_info in;
    ppad_model_describe(m, &in);
    feat = malloc(sizeof(float) * (size_t)n * in.embed_dim);
    if (!feat) {
        snprintf(err.msg, sizeof err.msg, "out of memory");
        goto out;
    }
    if (mode == 1) {
        if (clip_embed_images(m, feat, inputs, n, &io, &err) != 0) goto out;
    } else {
        ppad_err verr = {{0}};
        /* an explicit --vocab must exist; otherwise a missing vocabulary only
         * matters if the texts need it (the tokenizer then says so) */
        if (ppad_vocab_load(&vocab, vocab_path, weights, &verr) != 0 && vocab_path) {
            err = verr;
            goto out;
        }
        if (ppad_embed_texts(m, vocab, feat, inputs, n, &err) != 0) goto out;
    }
    printf("input");
    for (int j = 0; j < in.embed_dim; j++) printf(",f%d", j);
    putchar('\n');
    for (int i = 0; i < n; i++) {
        cli_csv_field(stdout, inputs[i]);
        for (int j = 0; j < in.embed_dim; j++) printf(",%.9g", feat[(size_t)i * in.embed_dim + j]);
        putchar('\n');
    }
    rc = 0;
out:
    if (rc) cli_error(&err);
    free(feat);
    ppad_vocab_free(vocab);
    ppad_model_free(m);
    return rc;
}
