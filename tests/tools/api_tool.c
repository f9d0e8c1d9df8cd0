/* api_tool.c — drives libppad through its public header only (ppad.h), so
 * that tests/parity/test_api.py can check the API against the CLI:
 *
 *   api_tool train WEIGHTS DATA INIT.pt OUT.pt SEED EPOCHS SHOTS BATCH LR [PRECISION]
 *       loads INIT, trains on DATA, saves OUT, then evaluates on DATA's test
 *       split and prints "auc=... acc=... f1=... ap=... n=..."
 *   api_tool score WEIGHTS PROMPTS IMAGE...
 *       prints "path,score,p_left,p_right,p_upper,p_lower,p_whole" rows (%.17g)
 *   api_tool errors WEIGHTS
 *       exercises the error paths; prints one "name: message" line per case
 *   api_tool init WEIGHTS SEED OUT.pt
 *       ppad_prompts_init + ppad_prompts_save (provenance recorded on save)
 *   api_tool load WEIGHTS PROMPTS [strict|quiet]
 *       ppad_prompts_load(_flags); prints "rc=R" and, if any, "msg=..."
 *   api_tool maps WEIGHTS PROMPTS relevance|gradcam IMAGE...
 *       ppad_explain_files; prints "path,position,m0,...,m48" rows (%.9g)
 *
 * Exit status 0, or 1 with the error message on stderr. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "ppad.h"

static int fail(const ppad_err *e) {
    fprintf(stderr, "api_tool: %s\n", e->msg);
    return 1;
}

static int cmd_train(char **a, int n) {
    if (n < 9) return fprintf(stderr, "api_tool train: 9 or 10 arguments\n"), 2;
    ppad_err err;
    ppad_model *m = NULL;
    ppad_prompts *p = NULL;
    ppad_dataset *d = NULL;
    int rc = 1;
    ppad_set_threads(2);
    if (ppad_model_load(&m, a[0], &err) != 0) return fail(&err);
    if (n > 9 && ppad_set_precision(m, a[9], &err) < 0) goto out;
    if (ppad_dataset_open(&d, a[1], NULL, &err) != 0) goto out;
    if (ppad_prompts_load(&p, m, a[2], &err) != 0) goto out;
    ppad_train_config c;
    ppad_train_config_default(&c);
    c.seed = strtoull(a[4], NULL, 10);
    c.epochs = atoi(a[5]), c.shots = atoi(a[6]), c.batch = atoi(a[7]);
    c.lr = atof(a[8]);
    if (ppad_train_prompts(m, p, d, &c, &err) != 0) goto out;
    if (ppad_prompts_save(p, a[3], &err) != 0) goto out;
    ppad_metrics r;
    if (ppad_evaluate(m, p, d, 0.5, NULL, &r, &err) != 0) goto out;
    printf("auc=%.17g acc=%.17g f1=%.17g ap=%.17g n=%ld n_pos=%ld\n", r.auc, r.acc, r.f1, r.ap, r.n, r.n_pos);
    rc = 0;
out:
    if (rc) fail(&err);
    ppad_prompts_free(p);
    ppad_dataset_free(d);
    ppad_model_free(m);
    return rc;
}

static int cmd_score(char **a, int n) {
    if (n < 3) return fprintf(stderr, "api_tool score: WEIGHTS PROMPTS IMAGE...\n"), 2;
    ppad_err err;
    ppad_model *m = NULL;
    ppad_prompts *p = NULL;
    const int k = n - 2;
    double *probs = malloc(sizeof(double) * 5 * (size_t)k), *fused = malloc(sizeof(double) * (size_t)k);
    int rc = 1;
    ppad_set_threads(2);
    if (!probs || !fused) goto out;
    if (ppad_model_load(&m, a[0], &err) != 0) goto fail;
    if (ppad_prompts_load(&p, m, a[1], &err) != 0) goto fail;
    if (ppad_score_files(m, p, (const char *const *)(a + 2), k, probs, fused, &err) != 0) goto fail;
    printf("path,score,p_left,p_right,p_upper,p_lower,p_whole\n");
    for (int i = 0; i < k; i++) {
        printf("%s,%.17g", a[2 + i], fused[i]);
        for (int j = 0; j < 5; j++) printf(",%.17g", probs[i * 5 + j]);
        printf("\n");
    }
    rc = 0;
    goto out;
fail:
    fail(&err);
out:
    free(probs), free(fused);
    ppad_prompts_free(p);
    ppad_model_free(m);
    return rc;
}

/* Each case must fail with a message; prints it. */
static int cmd_errors(char **a, int n) {
    if (n < 1) return 2;
    ppad_err err;
    ppad_model *m = NULL;
    ppad_prompts *p = NULL;
    ppad_dataset *d = NULL;
    int bad = 0;
#define EXPECT_FAIL(name, call)                                  \
    do {                                                         \
        err.msg[0] = 0;                                          \
        int r_ = (call);                                         \
        if (r_ >= 0) bad++, printf("%s: did not fail\n", name);  \
        else printf("%s: %s\n", name, err.msg);                  \
    } while (0)
    if (ppad_model_load(&m, a[0], &err) != 0) return fail(&err);
    EXPECT_FAIL("model", ppad_model_load(&(ppad_model *){NULL}, "/nonexistent/w.pt", &err));
    EXPECT_FAIL("prompts", ppad_prompts_load(&p, m, "/nonexistent/p.pt", &err));
    EXPECT_FAIL("dataset", ppad_dataset_open(&d, "/nonexistent/data", NULL, &err));
    EXPECT_FAIL("precision", ppad_set_precision(m, "fp8", &err));
    if (ppad_prompts_init(&p, m, 1, &err) != 0) return fail(&err);
    const char *img = "/nonexistent/x.png";
    EXPECT_FAIL("image", ppad_score_files(m, p, &img, 1, NULL, (double[1]){0}, &err));
    ppad_train_config c;
    ppad_train_config_default(&c);
    c.synthesis = "paint";
    EXPECT_FAIL("synthesis", ppad_train_prompts(m, p, NULL, &c, &err));
    /* non-finite or out-of-range settings (issue 11, item 5) */
    static const double bad_lr[] = {NAN, INFINITY, -1e-3, 0}, bad_mom[] = {NAN, 1, -0.1, INFINITY};
    for (int i = 0; i < 4; i++) {
        ppad_train_config_default(&c);
        c.lr = bad_lr[i];
        EXPECT_FAIL("lr", ppad_train_prompts(m, p, NULL, &c, &err));
        ppad_train_config_default(&c);
        c.momentum = bad_mom[i];
        EXPECT_FAIL("momentum", ppad_train_prompts(m, p, NULL, &c, &err));
    }
    static const double bad_thr[] = {NAN, -0.01, 1.5, INFINITY};
    for (int i = 0; i < 4; i++) {
        ppad_metrics mt;
        EXPECT_FAIL("threshold", ppad_evaluate(m, p, NULL, bad_thr[i], NULL, &mt, &err));
    }
#undef EXPECT_FAIL
    ppad_prompts_free(p);
    ppad_model_free(m);
    return bad ? 1 : 0;
}

static int cmd_init(char **a, int n) {
    if (n < 3) return fprintf(stderr, "api_tool init: WEIGHTS SEED OUT\n"), 2;
    ppad_err err;
    ppad_model *m = NULL;
    ppad_prompts *p = NULL;
    int rc = 1;
    if (ppad_model_load(&m, a[0], &err) == 0 && ppad_prompts_init(&p, m, strtoull(a[1], NULL, 10), &err) == 0 &&
        ppad_prompts_save(p, a[2], &err) == 0)
        rc = 0;
    if (rc) fail(&err);
    ppad_prompts_free(p);
    ppad_model_free(m);
    return rc;
}

static int cmd_load(char **a, int n) {
    if (n < 2) return fprintf(stderr, "api_tool load: WEIGHTS PROMPTS [strict|quiet]\n"), 2;
    ppad_err err;
    err.msg[0] = 0;
    ppad_model *m = NULL;
    ppad_prompts *p = NULL;
    if (ppad_model_load(&m, a[0], &err) != 0) return fail(&err);
    unsigned flags = n > 2 && a[2][0] == 's' ? PPAD_PROMPTS_STRICT : n > 2 && a[2][0] == 'q' ? PPAD_PROMPTS_QUIET : 0;
    int rc = n > 2 ? ppad_prompts_load_flags(&p, m, a[1], flags, &err) : ppad_prompts_load(&p, m, a[1], &err);
    printf("rc=%d\n", rc);
    if (rc != 0) printf("msg=%s\n", err.msg);
    printf("loaded=%d\n", p != NULL);
    ppad_prompts_free(p);
    ppad_model_free(m);
    return 0;
}

static int cmd_maps(char **a, int n) {
    if (n < 4) return fprintf(stderr, "api_tool maps: WEIGHTS PROMPTS METHOD IMAGE...\n"), 2;
    static const char *const POS[5] = {"left", "right", "upper", "lower", "whole"};
    ppad_err err;
    ppad_model *m = NULL;
    ppad_prompts *p = NULL;
    const int k = n - 3, method = a[2][0] == 'g' ? PPAD_EXPLAIN_GRADCAM : PPAD_EXPLAIN_RELEVANCE;
    float *maps = malloc(sizeof(float) * 5 * 49 * (size_t)k);
    int rc = 1;
    ppad_set_threads(2);
    if (!maps) goto out;
    if (ppad_model_load(&m, a[0], &err) != 0) goto fail;
    if (ppad_prompts_load(&p, m, a[1], &err) != 0) goto fail;
    if (ppad_explain_files(m, p, (const char *const *)(a + 3), k, method, maps, NULL, NULL, &err) != 0) goto fail;
    for (int i = 0; i < k; i++)
        for (int j = 0; j < 5; j++) {
            printf("%s,%s", a[3 + i], POS[j]);
            for (int q = 0; q < 49; q++) printf(",%.9g", maps[((size_t)i * 5 + j) * 49 + q]);
            printf("\n");
        }
    rc = 0;
    goto out;
fail:
    fail(&err);
out:
    free(maps);
    ppad_prompts_free(p);
    ppad_model_free(m);
    return rc;
}

int main(int argc, char **argv) {
    if (argc < 2) return fprintf(stderr, "usage: api_tool train|score|errors ...\n"), 2;
    char *v = argv[1];
    if (v[0] == 't') return cmd_train(argv + 2, argc - 2);
    if (v[0] == 's') return cmd_score(argv + 2, argc - 2);
    if (v[0] == 'e') return cmd_errors(argv + 2, argc - 2);
    if (v[0] == 'i') return cmd_init(argv + 2, argc - 2);
    if (v[0] == 'l') return cmd_load(argv + 2, argc - 2);
    if (v[0] == 'm') return cmd_maps(argv + 2, argc - 2);
    return 2;
}
