/* cmd_embed.c — ppad embed: L2-normalised CLIP features of images or texts as
 * CSV, one row per input: the input, then embed_dim values. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/dist.h"
#include "base/error.h"
#include "cli/cli.h"
#include "ppad/evaluate.h"

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

/* Chunks of EVAL_CHUNK inputs, chunk c on rank c % size (as predict deals
 * them); round by round, so that the first failure in input order is the one
 * reported; every rank ends with all of feat (n, E). Collective. */
static int embed_shard(ppad_model *m, const ppad_vocab *vocab, int mode, float *feat, const char **inputs, int n, int E,
                       const image_opts *io, ppad_err *err) {
    const int ranks = dist_size(), rank = dist_rank(), n_chunks = (n + EVAL_CHUNK - 1) / EVAL_CHUNK;
    size_t *counts = malloc(sizeof(size_t) * (size_t)ranks);
    if (dist_agree(counts ? 0 : ppad_fail(err, "out of memory"), err) != 0) return -1;
    int rc = 0;
    for (int c0 = 0; c0 < n_chunks && rc == 0; c0 += ranks) {
        int c = c0 + rank, i0 = c * EVAL_CHUNK, nb = n - i0 < EVAL_CHUNK ? n - i0 : EVAL_CHUNK;
        if (c < n_chunks)
            rc = mode == 1 ? clip_embed_images(m, feat + (size_t)i0 * E, inputs + i0, nb, io, err)
                           : ppad_embed_texts(m, vocab, feat + (size_t)i0 * E, inputs + i0, nb, err);
        if ((rc = dist_agree(rc, err)) != 0 || ranks == 1) continue;
        float *all;
        dist_allgather(c < n_chunks ? feat + (size_t)i0 * E : NULL, c < n_chunks ? sizeof(float) * nb * E : 0,
                       (void **)&all, counts);
        for (int r = 0, off = 0; r < ranks && c0 + r < n_chunks; r++) {
            memcpy(feat + (size_t)(c0 + r) * EVAL_CHUNK * E, all + off, counts[r]);
            off += (int)(counts[r] / sizeof(float));
        }
        free(all);
    }
    free(counts);
    return rc;
}

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
    int rc = 1, lrc = ppad_model_load(&m, weights, &err); /* under MPI every rank loads the model */
    ppad_model_info in = {0};
    if (lrc == 0) {
        ppad_model_describe(m, &in);
        feat = malloc(sizeof(float) * (size_t)n * in.embed_dim);
        if (!feat) lrc = ppad_fail(&err, "out of memory");
    }
    if (lrc == 0 && mode == 2) {
        ppad_err verr = {{0}};
        /* an explicit --vocab must exist; otherwise a missing vocabulary only
         * matters if the texts need it (the tokenizer then says so) */
        if (ppad_vocab_load(&vocab, vocab_path, weights, &verr) != 0 && vocab_path) {
            err = verr;
            lrc = -1;
        }
    }
    if (dist_agree(lrc, &err) != 0) goto out;
    if (embed_shard(m, vocab, mode, feat, inputs, n, in.embed_dim, &io, &err) != 0) goto out;
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
