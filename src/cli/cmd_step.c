/* cmd_step.c — ppad step: exactly one SGD step (or --steps K on the same
 * batch) of PPAD's prompts on the samples of a manifest, no synthesis. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "clip/model.h"
#include "image/image.h"
#include "ppad/engine.h"
#include "ppad/manifest.h"
#include "cli/cli.h"

static const char *HELP =
    "usage: ppad step --weights W --prompts P --batch MANIFEST.csv --out P2.pt [options]\n\n"
    "Performs exactly one SGD step of PPAD's learnable prompts on exactly the given samples and prints\n"
    "loss=<value> (the loss before the step). The manifest is a CSV with header path,label,position\n"
    "(label 0 normal / 1 abnormal; position left, right, upper, lower or whole); images are used as they\n"
    "are (no synthesis), preprocessed as PPAD does. A debugging aid and the verifiable core of training.\n\n"
    "  --weights W        CLIP checkpoint (.pt)\n"
    "  --prompts P        prompt file (.pt; released PPAD files or ppad's own)\n"
    "  --strict           refuse prompts whose provenance names another backbone (default: a warning)\n"
    "  --batch CSV        the samples\n"
    "  --out P2.pt        where to write the updated prompts (fp32, atomically)\n"
    "  --lr X             learning rate (default 0.001)\n"
    "  --momentum X       SGD momentum (default 0.9)\n"
    "  --steps K          repeat K steps on the same batch with momentum and the cosine schedule (default 1);\n"
    "                     prints one loss= line per step\n"
    "  --t-max T          cosine schedule length in steps (default 100)\n"
    "  --micro-batch M    images per image-tower pass (default 16; the result does not depend on it)\n"
    "  --no-image-prompt  ablation: never apply the image prompt\n"
    "  --precision P      fp32 (default) or bf16 image-tower products (see ppad train --help)\n"
    "  --grad-out G.pt    also write the first step's gradients (same layout as a prompt file)\n"
    "  --classes A,B      class names (default normal,pneumonia)\n"
    "  --positions ...    five position names (default 'left lung,right lung,upper lung,lower lung,')\n"
    "  --vocab V          CLIP vocabulary, needed for non-default names\n";

int cmd_step(int argc, char **argv) {
    const char *batch = NULL, *out = NULL, *grad_out = NULL;
    cli_session_opts so = {0};
    double lr = 1e-3, momentum = 0.9;
    int steps = 1, t_max = 100, micro = 16;
    ppad_err err = {{0}};
    cli_image_args ia = {0};
    image_opts io;
    const cli_opt opts[] = {
        CLI_IMAGE_OPTS(ia),
        CLI_SESSION_OPTS(so),
        OPT("--prompts", OPT_IN, &so.prompts, .required = 1),
        OPT("--batch", OPT_IN, &batch, .required = 1),
        OPT("--out", OPT_OUT, &out, .required = 1),
        OPT("--grad-out", OPT_OUT, &grad_out),
        OPT("--lr", OPT_DBL, &lr, .dmin = 0, .dmax = INFINITY),
        OPT("--momentum", OPT_DBL, &momentum, .dmin = 0, .dmax = 1, .open = OPEN_HI),
        OPT("--steps", OPT_INT, &steps, .imin = 1, .imax = 1000000),
        OPT("--t-max", OPT_INT, &t_max, .imin = 1, .imax = 100000000),
        OPT("--micro-batch", OPT_INT, &micro, .imin = 1, .imax = 4096),
        OPT_END};
    const cli_verb verb = {.name = "step", .help = HELP, .opts = opts};
    cli_ctx cx;
    int status;
    if (cli_parse(&cx, &verb, argc, argv, &status)) return status;
    if ((status = cli_image_opts(&io, &ia, &cx)) != 0) return status;

    int rc = 1;
    cli_session ss = {0};
    ppad_manifest man = {0};
    float *pixels = NULL;
    if (manifest_load(&man, batch, &err) != 0) goto done;
    so.micro = micro;
    if (session_open(&ss, &so, &err) != 0) goto done;
    const clip_model *m = ss.m;
    ppad_params *pp = &ss.p;
    const int S = m->cfg.image_size;
    const size_t npx = (size_t)3 * S * S;
    pixels = ppad_aligned_alloc(sizeof(float) * npx * (size_t)man.n, &err);
    if (!pixels) goto done;
    for (int i = 0; i < man.n; i++) {
        gray8 g;
        if (image_load_resized(&g, man.paths[i], S, &io, &err) != 0) goto done;
        image_normalize(pixels + (size_t)i * npx, &g);
        gray8_free(&g);
    }
    prov_set(&pp->prov, m->path, m->fingerprint, "step", NULL, 0);
    double cur_lr = lr;
    for (long t = 0; t < steps; t++) {
        double loss;
        cur_lr = cosine_lr_next(cur_lr, lr, (int)t, (int)t_max);
        if (engine_loss_grad(&ss.eng, pp, pixels, man.positions, man.labels, man.n, &loss, NULL, &err) != 0) goto done;
        if (t == 0 && grad_out) {
            ppad_params g = *pp;
            g.ctx = pp->d_ctx;
            g.mask_emb = pp->d_mask_emb;
            if (params_save(&g, grad_out, &err) != 0) goto done;
        }
        params_sgd_step(pp, cur_lr, momentum);
        printf("loss=%.9g\n", loss);
        fflush(stdout);
    }
    if (params_save(pp, out, &err) != 0) goto done;
    rc = 0;
done:
    if (rc) cli_error(&err);
    free(pixels);
    manifest_free(&man);
    session_close(&ss);
    return rc;
}
