/* cmd_random_model.c — ppad random-model: a random-initialised backbone of
 * the CheXzero architecture, for demos and tests without downloads. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"

static const char *HELP =
    "usage: ppad random-model --out W.pt [--seed S] [--vision-width N] [--vision-layers N]\n"
    "                         [--text-width N] [--text-layers N] [--embed-dim N]\n\n"
    "Writes a random-initialised CLIP ViT/32 checkpoint with CheXzero's exact key names, shapes and\n"
    "mixed fp16/fp32 layout (defaults: ViT-B/32, 151,277,313 parameters, ~337 MiB), initialised as\n"
    "OpenAI CLIP initialises a fresh model. A random backbone is NOT a diagnostic model: it exists so\n"
    "that the pipeline can be run and tested without downloading CheXzero's weights.\n"
    "Widths must be multiples of 64 (heads = width / 64).\n\n"
    "  --embed-std X   std of the visual class/positional embeddings (default: OpenAI's width^-0.5).\n"
    "                  A fresh ViT's ln_pre normalises away the brightness of each patch token when the\n"
    "                  positional embedding is tiny, so a random backbone cannot see lesions; the demo\n"
    "                  uses --embed-std 1 to give it something to learn from.\n";

int cmd_random_model(int argc, char **argv) {
    const char *out = NULL;
    long seed = 0;
    double embed_std = 0;
    clip_config c = {.image_size = 224, .patch = 32, .grid = 7, .n_patches = 49, .vision_width = 768,
                     .vision_layers = 12, .embed_dim = 512, .context = 77, .vocab = 49408, .text_width = 512,
                     .text_layers = 12};
    ppad_err err = {{0}};
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        int has = i + 1 < argc;
        if (cli_is_help(a)) { fputs(HELP, stdout); return 0; }
        else if (!strcmp(a, "--out") && has) out = argv[++i];
        CLI_INT_OPT("--seed", 0, 0x7fffffffffffffffL, seed)
        CLI_DBL_OPT("--embed-std", embed_std)
        CLI_INT_OPT("--vision-width", 64, 4096, c.vision_width)
        CLI_INT_OPT("--vision-layers", 1, 64, c.vision_layers)
        CLI_INT_OPT("--text-width", 64, 4096, c.text_width)
        CLI_INT_OPT("--text-layers", 1, 64, c.text_layers)
        CLI_INT_OPT("--embed-dim", 1, 4096, c.embed_dim)
        else return cli_usage("random-model", "unexpected argument '%s'", a);
    }
    if (!out) return cli_usage("random-model", "--out is required");
    if (c.vision_width % 64 || c.text_width % 64) return cli_usage("random-model", "widths must be multiples of 64");
    c.vision_heads = c.vision_width / 64;
    c.text_heads = c.text_width / 64;
    if (clip_random_write(out, &c, (unsigned long long)seed, embed_std, &err) != 0) return cli_error(&err);
    return 0;
}
