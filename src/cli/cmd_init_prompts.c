/* cmd_init_prompts.c — ppad init-prompts: a fresh prompt file, initialised as
 * the spec says (ctx ~ N(0, 0.02^2), mask_embedding ~ N(0, 0.02^2) * 10). */
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "base/error.h"
#include "formats/torch_pt.h"
#include "cli/cli.h"

static const char *HELP =
    "usage: ppad init-prompts --seed S --out P.pt [--weights W]\n\n"
    "Writes freshly initialised PPAD prompts: ctx (16 x text width) ~ N(0, 0.02^2) and\n"
    "mask_embedding (1 x 49 x vision width) ~ N(0, 0.02^2) x 10, in the released PPAD layout (fp32).\n"
    "Widths come from --weights if given (only the file's header is read), else ViT-B/32's 512 / 768.\n";

/* Reads the widths from a checkpoint's tensor shapes without loading any data. */
static int widths_from(const char *path, int *wt, int *wv, int *np, uint64_t *fp, ppad_err *err) {
    pt_file *f;
    if (pt_open(&f, path, err) != 0) return -1;
    int rc = 0;
    const pt_tensor *lnf = NULL, *conv = NULL, *pos = NULL;
    for (int i = 0; i < pt_count(f) && rc == 0; i++) {
        const pt_tensor *t = pt_get(f, i);
        size_t n = strlen(t->name);
#define ENDS(s) (n >= strlen(s) && strcmp(t->name + n - strlen(s), s) == 0)
        if (ENDS("visual.conv1.weight")) conv = t;
        else if (ENDS("visual.positional_embedding")) pos = t;
        else if (ENDS("ln_final.weight")) lnf = t;
#undef ENDS
    }
    if (!lnf || !conv || !pos || conv->ndim != 4 || pos->ndim != 2 || lnf->ndim != 1)
        rc = ppad_fail(err, "%s: not a CLIP ViT checkpoint (ln_final.weight / visual.conv1.weight / "
                            "visual.positional_embedding missing or malformed)", path);
    else {
        *wt = (int)lnf->shape[0];
        *wv = (int)conv->shape[0];
        *np = (int)pos->shape[0] - 1;
        *fp = pt_fingerprint(f);
    }
    pt_close(f);
    return rc;
}

int cmd_init_prompts(int argc, char **argv) {
    const char *out = NULL, *weights = NULL;
    long long seed = 0;
    ppad_err err = {{0}};
    const cli_opt opts[] = {
        OPT("--seed", OPT_LONG, &seed, .imin = 0, .imax = LLONG_MAX, .required = 1),
        OPT("--out", OPT_OUT, &out, .required = 1),
        OPT("--weights", OPT_IN, &weights),
        OPT_END};
    const cli_verb verb = {.name = "init-prompts", .help = HELP, .opts = opts};
    cli_ctx cx;
    int status;
    if (cli_parse(&cx, &verb, argc, argv, &status)) return status;
    int wt = 512, wv = 768, np = 49;
    uint64_t fp = 0;
    if (weights && widths_from(weights, &wt, &wv, &np, &fp, &err) != 0) return cli_error(&err);
    ppad_params p;
    if (params_alloc(&p, PPAD_NCTX, wt, np, wv, &err) != 0) return cli_error(&err);
    params_init_random(&p, (uint64_t)seed);
    if (weights) prov_set(&p.prov, weights, fp, "init", NULL, (unsigned long long)seed); /* as ppad_prompts_init */
    int rc = params_save(&p, out, &err);
    params_free(&p);
    return rc ? cli_error(&err) : 0;
}
