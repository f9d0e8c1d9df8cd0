/* cmd_predict.c — ppad predict: PPAD's anomaly score of each image, with the
 * five per-position probabilities and a verdict, as CSV on stdout. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "cli/cli.h"
#include "ppad/evaluate.h"

static const char *HELP =
    "usage: ppad predict --weights W --prompts P [options] IMAGE...\n\n"
    "Scores chest X-rays with trained PPAD prompts. Prints CSV with a header:\n"
    "  path,score,p_left,p_right,p_upper,p_lower,p_whole,verdict\n"
    "p_* is the anomaly probability with each position's prompts (softmax over normal/pneumonia);\n"
    "score is max(p) if max(p) > 0.8, else mean(p); verdict is 'abnormal' if score > threshold.\n"
    "A random or untrained backbone gives meaningless scores: this is a research tool, not a diagnosis.\n\n"
    "  --weights W         CheXzero CLIP checkpoint (.pt)\n"
    "  --prompts P         trained prompts (.pt from ppad train, or a released PPAD file)\n"
    "  --threshold T       decision threshold (default 0.5)\n"
    "  --no-position       ablation: whole image only, score = p_whole (other p_* are empty)\n"
    "  --no-image-prompt   ablation: never apply the image prompt\n"
    "  --classes A,B / --positions ... / --vocab V   prompt names (see ppad step --help)\n"
    "  --precision P       fp32 (default) or bf16: image tower matrix products in bfloat16 (AVX512-BF16,\n"
    "                      fp32 accumulation; falls back to fp32 on CPUs without it); ~2x faster\n"
    "  --threads N         worker threads (default: all cores)\n";

int cmd_predict(int argc, char **argv) {
    cli_session_opts so = {.image_prompt = 1};
    double threshold = 0.5;
    long threads = 0;
    int no_position = 0, n = 0;
    ppad_err err = {{0}};
    const char **paths = calloc((size_t)argc, sizeof(char *));
    if (!paths) return cli_errorf("out of memory");
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        int has = i + 1 < argc;
        if (cli_is_help(a)) { fputs(HELP, stdout); free(paths); return 0; }
        CLI_SESSION_OPTS(so)
        else if (!strcmp(a, "--prompts") && has) so.prompts = argv[++i];
        else if (!strcmp(a, "--no-position")) no_position = 1;
        else if (!strcmp(a, "--threshold") && has) {
            if (cli_double("--threshold", argv[++i], &threshold, &err)) { free(paths); return cli_error(&err); }
        } else if (!strcmp(a, "--threads") && has) {
            if (cli_int("--threads", argv[++i], 1, 1024, &threads, &err)) { free(paths); return cli_error(&err); }
        } else if (!strncmp(a, "--", 2)) {
            free(paths);
            return cli_usage("predict", "unexpected argument '%s'", a);
        } else paths[n++] = a;
    }
    if (!so.weights || !so.prompts || n == 0) {
        free(paths);
        return cli_usage("predict", "--weights, --prompts and at least one image are required");
    }
    if (no_position) so.image_prompt = 0;
    cli_set_threads(threads);
    cli_session ss;
    double *probs = NULL, *fused = NULL;
    int rc = 1;
    if (session_open(&ss, &so, &err) != 0) { free(paths); return cli_error(&err); }
    probs = ppad_malloc(sizeof(double) * (size_t)n * PPAD_NPOS, &err);
    fused = ppad_malloc(sizeof(double) * (size_t)n, &err);
    if (!probs || !fused) goto done;
    if (evaluate_paths(&ss.eng, &ss.p, paths, n, eval_load_default, NULL, no_position, probs, fused, NULL, &err) != 0)
        goto done;
    printf("path,score,p_left,p_right,p_upper,p_lower,p_whole,verdict\n");
    for (int i = 0; i < n; i++) {
        cli_csv_field(stdout, paths[i]);
        printf(",%.9g", fused[i]);
        cli_print_probs(stdout, probs + (size_t)i * PPAD_NPOS);
        printf(",%s\n", fused[i] > threshold ? "abnormal" : "normal");
    }
    rc = 0;
done:
    if (rc) cli_error(&err);
    free(probs), free(fused), free(paths);
    session_close(&ss);
    return rc;
}
