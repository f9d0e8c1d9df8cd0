/* cmd_info.c — ppad info --weights W: the inferred configuration, parameter
 * count and dtype summary of a CLIP checkpoint. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"

static const char *HELP =
    "usage: ppad info --weights W | --prompts P [--weights W] [--strict] | FILE\n\n"
    "Loads a CLIP ViT checkpoint (e.g. CheXzero's best_64_0.0001_original_35000_0.864.pt) and prints the\n"
    "configuration inferred from its tensor shapes, the parameter count, the storage dtypes and its\n"
    "fingerprint; or describes a prompt file: its shapes and the provenance ppad records in the files it\n"
    "writes (ppad version, origin, backbone and its fingerprint, training configuration, seed).\n\n"
    "  --weights W   the checkpoint (.pt, torch.save zip format)\n"
    "  --prompts P   a prompt file; with --weights also checked against that backbone\n"
    "  --strict      with both: a backbone other than the prompts' provenance names is an error\n"
    "  FILE          either kind, recognised by its tensors\n";

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

/* 1 if path holds PPAD prompts (rather than a backbone), 0 if not, -1 on error. */
static int is_prompt_file(const char *path, ppad_err *err) {
    pt_file *f;
    if (pt_open(&f, path, err) != 0) return -1;
    int r = pt_find(f, "prompt_learner_ctx.ctx") != NULL;
    pt_close(f);
    return r;
}

static int info_prompts(const char *path, const char *weights, int strict) {
    ppad_err err = {{0}};
    ppad_params p;
    if (params_load(&p, path, &err) != 0) return cli_error(&err);
    printf("file:          %s\n", path);
    printf("prompts:       text context %d x %d, image prompt %d x %d\n", p.n_ctx, p.text_width, p.n_patches,
           p.vision_width);
    const ppad_provenance *v = &p.prov;
    if (!v->fingerprint[0] && !v->version[0]) {
        printf("provenance:    none (a released PPAD file, or one not written by ppad)\n");
    } else {
        printf("provenance:    written by ppad %s (%s)\n", v->version[0] ? v->version : "?", v->origin[0] ? v->origin : "?");
        printf("backbone:      %s\n", v->backbone[0] ? v->backbone : "?");
        printf("fingerprint:   %s\n", v->fingerprint[0] ? v->fingerprint : "?");
        if (v->config[0]) printf("training:      %s\n", v->config);
        if (v->seed[0]) printf("seed:          %s\n", v->seed);
    }
    int rc = 0;
    if (weights) {
        ppad_model *m;
        if (ppad_model_load(&m, weights, &err) != 0) {
            params_free(&p);
            return cli_error(&err);
        }
        ppad_err why;
        if (params_check_model(&p, m, path, &err) != 0 || cli_check_backbone(&p, m, path, strict, &err) != 0)
            rc = cli_error(&err);
        else if (!v->fingerprint[0])
            printf("backbone check: sizes fit %s (no provenance to compare)\n", weights);
        else if (prov_check_backbone(v, m, path, &why))
            printf("backbone check: DIFFERS from %s\n", weights);
        else
            printf("backbone check: matches %s\n", weights);
        ppad_model_free(m);
    }
    params_free(&p);
    return rc;
}

int cmd_info(int argc, char **argv) {
    const char *weights = NULL, *prompts = NULL;
    int strict = 0;
    cli_list args = {0};
    const cli_opt opts[] = {OPT("--weights", OPT_IN, &weights), OPT("--prompts", OPT_IN, &prompts),
                            OPT("--strict", OPT_FLAG, &strict), OPT_END};
    const cli_verb verb = {.name = "info", .help = HELP, .opts = opts, .args = &args, .args_name = "FILE",
                           .args_are_inputs = 1};
    cli_ctx cx;
    int status;
    if (cli_parse(&cx, &verb, argc, argv, &status)) return status;
    ppad_err err = {{0}};
    if (args.n > 1 || (args.n == 1 && (weights || prompts)))
        return cli_usage("info", "give one FILE, or --weights W and/or --prompts P");
    if (args.n == 1) {
        int r = is_prompt_file(args.v[0], &err);
        if (r < 0) return cli_error(&err);
        if (r) prompts = args.v[0];
        else weights = args.v[0];
    }
    if (!weights && !prompts) return cli_usage("info", "give --weights W, --prompts P or a FILE");
    if (strict && !(weights && prompts)) return cli_usage("info", "--strict needs both --prompts and --weights");
    if (prompts) return info_prompts(prompts, weights, strict);
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
    printf("fingerprint:   fnv1a64:%016llx (what prompt files record as their backbone)\n", in.fingerprint);
    printf("load time:     %.3f s\n", in.load_seconds);
    ppad_model_free(m);
    return 0;
}
