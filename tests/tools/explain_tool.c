/* explain_tool.c — heat maps through the internal explainer, for
 * tests/parity/test_explain.py's check that the comparison can fail:
 *
 *   explain_tool WEIGHTS PROMPTS METHOD DROP IMAGE...
 *       METHOD relevance|gradcam; DROP: a vision block relevance leaves out
 *       (-1: none). Prints "path,position,m0,...,m48" rows (%.9g).
 *   explain_tool colormap
 *       the Turbo colormap at t = i/255: 256 rows "r,g,b" (8-bit).
 *
 * Exit status 0, or 1 with the error message on stderr. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "ppad/evaluate.h"
#include "ppad/explain.h"
#include "report/report.h"

int main(int argc, char **argv) {
    if (argc == 2 && !strcmp(argv[1], "colormap")) {
        for (int i = 0; i < 256; i++) {
            uint8_t c[3];
            report_colormap_turbo(c, i / 255.0);
            printf("%d,%d,%d\n", c[0], c[1], c[2]);
        }
        return 0;
    }
    if (argc < 6) {
        fprintf(stderr, "usage: explain_tool WEIGHTS PROMPTS relevance|gradcam DROP IMAGE...\n");
        return 2;
    }
    ppad_err err = {{0}};
    ppad_model *m = NULL;
    ppad_params p = {0};
    ppad_names names;
    ppad_seqs seqs;
    ppad_engine e;
    ppad_explainer x;
    int rc = 1, method = strcmp(argv[3], "gradcam") ? EXPLAIN_RELEVANCE : EXPLAIN_GRADCAM;
    float *pixels = NULL;
    ppad_set_threads(2);
    if (ppad_model_load(&m, argv[1], &err) != 0) goto fail;
    if (params_load(&p, argv[2], &err) != 0) goto fail;
    names_default(&names);
    if (seqs_build(&seqs, &names, PPAD_NCTX, NULL, &err) != 0) goto fail;
    if (engine_init(&e, m, &seqs, 16, 1, &err) != 0) goto fail;
    if (explain_init(&x, &e, method, &err) != 0) goto fail_e;
    x.drop_block = atoi(argv[4]);
    const int S = m->cfg.image_size;
    pixels = ppad_aligned_alloc(sizeof(float) * 3 * (size_t)S * S, &err);
    if (!pixels || engine_encode_texts(&e, &p, 0, &err) != 0) goto fail_x;
    for (int i = 5; i < argc; i++) {
        explain_result r;
        if (evaluate_load_chunk(pixels, (const char *const *)argv + i, 1, eval_load_default, NULL, S, &err) != 0 ||
            explain_image(&x, &p, pixels, &r, &err) != 0)
            goto fail_x;
        for (int k = 0; k < PPAD_NPOS; k++) {
            printf("%s,%s", argv[i], regions_key(k));
            for (int q = 0; q < EXPLAIN_NP; q++) printf(",%.9g", r.maps[k][q]);
            printf("\n");
        }
    }
    rc = 0;
fail_x:
    explain_free(&x);
fail_e:
    engine_free(&e);
fail:
    if (rc) fprintf(stderr, "explain_tool: %s\n", err.msg);
    free(pixels);
    params_free(&p);
    ppad_model_free(m);
    return rc;
}
