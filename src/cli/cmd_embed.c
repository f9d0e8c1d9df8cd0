/* cmd_embed.c — ppad embed: L2-normalised CLIP features of images or texts as
 * CSV, one row per input: the input, then embed_dim values. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

static const char *HELP =
    "usage: ppad embed --weights W [--vocab V] [--threads N] (--image FILE... | --text STRING...)\n\n"
    "Prints CSV with a header row, then one row per input: the input (file path or text), then the\n"
    "L2-normalised CLIP feature (embed_dim values, e.g. 512). Images are preprocessed as PPAD does\n"
    "(8-bit gray, Pillow bicubic resize to 224x224, CheXzero normalisation).\n\n"
    "  --weights W    CLIP checkpoint (.pt)\n"
    "  --vocab V      bpe_simple_vocab_16e6.txt.gz (default: $PPAD_VOCAB, then beside the weights);\n"
    "                 without it only the default PPAD prompt words can be tokenised\n"
    "  --threads N    worker threads (default: all cores)\n"
    "  --image FILE.. one or more PNG/JPEG files\n"
    "  --text STR..   one or more texts\n";

int cmd_embed(int argc, char **argv) {
    const char *weights = NULL, *vocab_path = NULL;
    long threads = 0;
    int mode = 0; /* 1 image, 2 text */
    const char **inputs = calloc((size_t)argc, sizeof(char *));
    int n = 0;
    ppad_err err = {{0}};
    if (!inputs) return cli_errorf("out of memory");
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (cli_is_help(a)) {
            fputs(HELP, stdout);
            free(inputs);
            return 0;
        } else if (strcmp(a, "--weights") == 0 && i + 1 < argc) {
            weights = argv[++i];
        } else if (strcmp(a, "--vocab") == 0 && i + 1 < argc) {
            vocab_path = argv[++i];
        } else if (strcmp(a, "--threads") == 0 && i + 1 < argc) {
            if (cli_int("--threads", argv[++i], 1, 1024, &threads, &err) != 0) {
                free(inputs);
                return cli_error(&err);
            }
        } else if (strcmp(a, "--image") == 0 || strcmp(a, "--text") == 0) {
            int m = a[2] == 'i' ? 1 : 2;
            if (mode && mode != m) {
                free(inputs);
                return cli_usage("embed", "give either --image or --text, not both");
            }
            mode = m;
            while (i + 1 < argc && strncmp(argv[i + 1], "--", 2) != 0) inputs[n++] = argv[++i];
        } else {
            free(inputs);
            return cli_usage("embed", "unexpected argument '%s'", a);
        }
    }
    if (!weights || !mode || n == 0) {
        free(inputs);
        return cli_usage("embed", "--weights and at least one --image or --text input are required");
    }
    cli_set_threads(threads);
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
        if (ppad_embed_images(m, feat, inputs, n, &err) != 0) goto out;
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
    free(inputs);
    ppad_vocab_free(vocab);
    ppad_model_free(m);
    return rc;
}
