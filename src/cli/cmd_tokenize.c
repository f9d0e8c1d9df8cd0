/* cmd_tokenize.c — ppad tokenize: CLIP BPE token ids of texts, one line each. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "cli/cli.h"
#include "tokenizer/bpe.h"

static const char *HELP =
    "usage: ppad tokenize [--vocab V] [--trim] [--] TEXT...\n\n"
    "Prints one line per TEXT: its 77 CLIP token ids (start, BPE tokens, end, zero padding),\n"
    "comma-separated, exactly as CLIP's tokenize() computes them (without ftfy).\n\n"
    "  --vocab V   bpe_simple_vocab_16e6.txt.gz (default: $PPAD_VOCAB); without either only the\n"
    "              words of the default PPAD prompts are known (normal, pneumonia, '.', x, left,\n"
    "              right, upper, lower, lung)\n"
    "  --trim      print the ids only up to and including the end token\n"
    "(Texts that start with '-' go after '--'.)\n";

int cmd_tokenize(int argc, char **argv) {
    const char *vocab_path = NULL;
    int trim = 0;
    cli_list texts_ = {0};
    const cli_opt opts[] = {OPT("--vocab", OPT_IN, &vocab_path), OPT("--trim", OPT_FLAG, &trim), OPT_END};
    const cli_verb verb = {.name = "tokenize", .help = HELP, .opts = opts, .args = &texts_, .args_name = "TEXT", .args_min = 1};
    cli_ctx cx;
    int status;
    if (cli_parse(&cx, &verb, argc, argv, &status)) return status;
    const char **texts = texts_.v;
    const int n = texts_.n;
    ppad_err err = {{0}};
    bpe *b = NULL;
    int32_t *ids = NULL;
    int rc = 1;
    const char *env = getenv("PPAD_VOCAB");
    if (vocab_path || (env && *env)) { /* else: built-in words only */
        char path[4096];
        if (bpe_find(path, sizeof path, vocab_path, NULL, &err) != 0 || bpe_load(&b, path, &err) != 0) goto out;
    }
    /* tokenise everything first so that an error leaves stdout empty */
    ids = ppad_malloc(sizeof(int32_t) * BPE_CONTEXT * (size_t)n, &err);
    if (!ids) goto out;
    for (int t = 0; t < n; t++)
        if (bpe_tokenize(b, texts[t], ids + (size_t)t * BPE_CONTEXT, &err) != 0) goto out;
    for (int t = 0; t < n; t++) {
        const int32_t *row = ids + (size_t)t * BPE_CONTEXT;
        int len = BPE_CONTEXT;
        if (trim)
            for (len = 1; len < BPE_CONTEXT && row[len - 1] != BPE_EOT; len++) {
            }
        for (int k = 0; k < len; k++) printf(k ? ",%d" : "%d", (int)row[k]);
        putchar('\n');
    }
    rc = fflush(stdout) == 0 ? 0 : 1;
out:
    if (rc && err.msg[0]) cli_error(&err);
    free(ids);
    bpe_free(b);
    return rc;
}
