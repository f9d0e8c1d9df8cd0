/* cmd_random_model.c — ppad random-model: a random-initialised backbone of
 * the CheXzero architecture, for demos and tests without downloads. */
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"

static const char *HELP =
    "usage: ppad random-model --out W.pt [--seed S] [--vision-width N] [--vision-layers N]\n"
    "                         [--text-width N] [--text-layers N] [--embed-dim N]\n"
    "                         [--embed-std X] [--residual-gain G] [--patch-cell C] | [--demo]\n\n"
    "Writes a random-initialised CLIP ViT/32 checkpoint with CheXzero's exact key names, shapes and\n"
    "mixed fp16/fp32 layout (defaults: ViT-B/32, 151,277,313 parameters, ~337 MiB), initialised as\n"
    "OpenAI CLIP initialises a fresh model. A random backbone is NOT a diagnostic model: it exists so\n"
    "that the pipeline can be run and tested without downloading CheXzero's weights.\n"
    "Widths must be multiples of 64 (heads = width / 64).\n\n"
    "  --embed-std X   std of the visual class/positional embeddings (default: OpenAI's width^-0.5).\n"
    "                  A fresh ViT's ln_pre normalises away the brightness of each patch token when the\n"
    "                  positional embedding is tiny, so a random backbone cannot see lesions; the demo\n"
    "                  uses --embed-std 1 to give it something to learn from.\n"
    "  --residual-gain G  multiply the image tower's residual branch weights (attn.out_proj, mlp.c_proj)\n"
    "                  by G (default 1). With OpenAI's init the class token's stream is its constant\n"
    "                  start plus small updates, so every image gets nearly the same feature (cosine\n"
    "                  ~0.997); the demo uses --residual-gain 16 (cosine ~0.95) so that features depend on\n"
    "                  the image. Not CheXzero: random weights, no chest X-ray knowledge.\n"
    "  --patch-cell C  make every conv1 filter constant on C x C pixel cells (C divides the patch;\n"
    "                  default 1: OpenAI's per-pixel draws; each cell keeps the draw at its top-left\n"
    "                  pixel), so a patch token is a random mix of the patch's (32/C)^2 cell means\n"
    "                  instead of its pixels: a low-pass patch embedding. An experiment for demo\n"
    "                  backbones; make demo does not use it.\n"
    "  --demo          the demo backbone (make demo): the image tower set by hand instead of learned, a\n"
    "                  bilateral-asymmetry detector — its feature is |h_left - h_right|, h a soft histogram\n"
    "                  (12 brightness bins) of the 8 x 8-pixel cell means of the left three and the right\n"
    "                  three patch columns, so a one-sided opacity turns it while size and exposure move\n"
    "                  both sides alike (the recipe: src/clip/model_demo.c); the text tower random as\n"
    "                  above with its attention logits and residual branches x4, so that PPAD's shared\n"
    "                  context can steer the two classes apart in a short run. It knows nothing of chest\n"
    "                  X-rays. Not with the three options above.\n";

int cmd_random_model(int argc, char **argv) {
    const char *out = NULL;
    long long seed = 0;
    clip_random_opts ro = {0};
    clip_config c = {.image_size = 224, .patch = 32, .grid = 7, .n_patches = 49, .vision_width = 768,
                     .vision_layers = 12, .embed_dim = 512, .context = 77, .vocab = 49408, .text_width = 512,
                     .text_layers = 12};
    ppad_err err = {{0}};
    const cli_opt opts[] = {
        OPT("--out", OPT_OUT, &out, .required = 1),
        OPT("--seed", OPT_LONG, &seed, .imin = 0, .imax = LLONG_MAX),
        OPT("--embed-std", OPT_DBL, &ro.embed_std, .dmin = 0, .dmax = 1e3),
        OPT("--residual-gain", OPT_DBL, &ro.residual_gain, .dmin = 0, .dmax = 1e3, .open = OPEN_LO),
        OPT("--patch-cell", OPT_INT, &ro.patch_cell, .imin = 1, .imax = 4096),
        OPT("--demo", OPT_FLAG, &ro.demo),
        OPT("--vision-width", OPT_INT, &c.vision_width, .imin = 64, .imax = 4096),
        OPT("--vision-layers", OPT_INT, &c.vision_layers, .imin = 1, .imax = 64),
        OPT("--text-width", OPT_INT, &c.text_width, .imin = 64, .imax = 4096),
        OPT("--text-layers", OPT_INT, &c.text_layers, .imin = 1, .imax = 64),
        OPT("--embed-dim", OPT_INT, &c.embed_dim, .imin = 1, .imax = 4096),
        OPT_END};
    const cli_verb verb = {.name = "random-model", .help = HELP, .opts = opts};
    cli_ctx cx;
    int status;
    if (cli_parse(&cx, &verb, argc, argv, &status)) return status;
    if (c.vision_width % 64 || c.text_width % 64) return cli_usage("random-model", "widths must be multiples of 64");
    c.vision_heads = c.vision_width / 64;
    c.text_heads = c.text_width / 64;
    if (clip_random_check(&c, &ro, &err)) return cli_usage("random-model", "%s", err.msg);
    if (clip_random_write(out, &c, (unsigned long long)seed, &ro, &err) != 0) return cli_error(&err);
    return 0;
}
