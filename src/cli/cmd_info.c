/* cmd_info.c — ppad info --weights W: the inferred configuration, parameter
 * count and dtype summary of a CLIP checkpoint. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"

static const char *HELP =
    "usage: ppad info --weights W\n\n"
    "Loads a CLIP ViT checkpoint (e.g. CheXzero's best_64_0.0001_original_35000_0.864.pt) and prints the\n"
    "configuration inferred from its tensor shapes, the parameter count and the storage dtypes.\n\n"
    "  --weights W   the checkpoint (.pt, torch.save zip format)\n";

static void commas(char *buf, size_t n, long long v) {
    char tmp[32];
    snprintf(tmp, sizeof tmp, "%lld", v);
    size_t len = strlen(tmp), o = 0;
    for (size_t i = 0; i < len && o + 2 < n; i++) {
        buf[o++] = tmp[i];
        if ((len - i - 1) % 3 == 0 && i + 1 < len) buf[o++] = ',';
    }
    buf[o] = 0;
}

int cmd_info(int argc, char **argv) {
    const char *weights = NULL;
    const cli_opt opts[] = {OPT("--weights", OPT_IN, &weights, .required = 1), OPT_END};
    const cli_verb verb = {.name = "info", .help = HELP, .opts = opts};
    cli_ctx cx;
    int status;
    if (cli_parse(&cx, &verb, argc, argv, &status)) return status;
    ppad_err err = {{0}};
    ppad_model *m;
    if (ppad_model_load(&m, weights, &err) != 0) return cli_error(&err);
    ppad_model_info in;
    ppad_model_describe(m, &in);
    char np[32], a[32], b[32], c[32], d[32];
    commas(np, sizeof np, in.n_params);
    commas(a, sizeof a, in.params_f32);
    commas(b, sizeof b, in.params_f16);
    commas(c, sizeof c, in.params_bf16);
    commas(d, sizeof d, in.params_other);
    printf("file:          %s\n", weights);
    printf("architecture:  %s\n", in.arch);
    printf("image tower:   %dx%d input, patch %d, grid %dx%d (%d tokens + class), width %d, %d layers, %d heads\n",
           in.image_size, in.image_size, in.patch, in.grid, in.grid, in.grid * in.grid, in.vision_width,
           in.vision_layers, in.vision_heads);
    printf("text tower:    context %d, vocab %d, width %d, %d layers, %d heads\n", in.context, in.vocab,
           in.text_width, in.text_layers, in.text_heads);
    printf("embed dim:     %d\n", in.embed_dim);
    printf("logit scale:   exp(%.6g) = %.6g\n", in.logit_scale, exp(in.logit_scale));
    printf("parameters:    %s (computed in fp32)\n", np);
    printf("tensors:       %d in the file\n", in.n_tensors);
    printf("dtypes:        float32 %ld tensors / %s values; float16 %ld / %s; bfloat16 %ld / %s; other %ld / %s\n",
           in.n_f32, a, in.n_f16, b, in.n_bf16, c, in.n_other, d);
    printf("in memory:     %.1f MB of fp32 weights; %.1f MB (token embedding) read in place from the file\n",
           4e-6 * (double)(in.n_params - in.params_in_place), 4e-6 * (double)in.params_in_place);
    printf("load time:     %.3f s\n", in.load_seconds);
    ppad_model_free(m);
    return 0;
}
