/* mpi_api_tool.c — a library user's own MPI program (issue 14): MPI_Init,
 * then ppad_dist_use(&comm), then the public API as tests/tools/api_tool.c
 * uses it; rank 0 alone saves and prints. tests/cli/test_mpi.sh runs it under
 * mpirun and compares with api_tool in one process.
 *
 *   mpi_api_tool train WEIGHTS DATA INIT.pt OUT.pt SEED EPOCHS SHOTS BATCH LR
 *   mpi_api_tool score WEIGHTS PROMPTS IMAGE...
 *
 * Built without MPI it says so and exits 3. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ppad.h"
#ifdef PPAD_MPI
#include <mpi.h>

static int fail(const ppad_err *e) {
    fprintf(stderr, "mpi_api_tool: %s\n", e->msg);
    return 1;
}

static int run(char **a, int n, int rank) {
    ppad_err err;
    ppad_model *m = NULL;
    ppad_prompts *p = NULL;
    ppad_dataset *d = NULL;
    double *probs = NULL, *fused = NULL;
    int rc = 1;
    ppad_set_threads(2);
    if (ppad_model_load(&m, a[1], &err) != 0) return fail(&err);
    if (strcmp(a[0], "train") == 0 && n >= 10) {
        if (ppad_dataset_open(&d, a[2], NULL, &err) != 0) goto out;
        if (ppad_prompts_load(&p, m, a[3], &err) != 0) goto out;
        ppad_train_config c;
        ppad_train_config_default(&c);
        c.seed = strtoull(a[5], NULL, 10);
        c.epochs = atoi(a[6]), c.shots = atoi(a[7]), c.batch = atoi(a[8]);
        c.lr = atof(a[9]);
        if (ppad_train_prompts(m, p, d, &c, &err) != 0) goto out; /* collective */
        if (rank == 0 && ppad_prompts_save(p, a[4], &err) != 0) goto out;
        ppad_metrics r;
        if (ppad_evaluate(m, p, d, 0.5, NULL, &r, &err) != 0) goto out; /* collective */
        if (rank == 0)
            printf("auc=%.17g acc=%.17g f1=%.17g ap=%.17g n=%ld n_pos=%ld\n", r.auc, r.acc, r.f1, r.ap, r.n, r.n_pos);
    } else if (strcmp(a[0], "score") == 0 && n >= 4) {
        const int k = n - 3;
        probs = malloc(sizeof(double) * 5 * (size_t)k), fused = malloc(sizeof(double) * (size_t)k);
        if (!probs || !fused) goto out;
        if (ppad_prompts_load(&p, m, a[2], &err) != 0) goto out;
        if (ppad_score_files(m, p, (const char *const *)(a + 3), k, probs, fused, &err) != 0) goto out;
        if (rank == 0) {
            printf("path,score,p_left,p_right,p_upper,p_lower,p_whole\n");
            for (int i = 0; i < k; i++) {
                printf("%s,%.17g", a[3 + i], fused[i]);
                for (int j = 0; j < 5; j++) printf(",%.17g", probs[i * 5 + j]);
                printf("\n");
            }
        }
    } else {
        fprintf(stderr, "mpi_api_tool: train WEIGHTS DATA INIT OUT SEED EPOCHS SHOTS BATCH LR | score WEIGHTS P IMAGE...\n");
        rc = 2;
        goto done;
    }
    rc = 0;
out:
    if (rc) fail(&err);
done:
    free(probs), free(fused);
    ppad_prompts_free(p);
    ppad_dataset_free(d);
    ppad_model_free(m);
    return rc;
}

int main(int argc, char **argv) {
    MPI_Init(&argc, &argv);
    int rank;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm comm = MPI_COMM_WORLD;
    ppad_err err;
    int rc = ppad_dist_use(&comm, &err) != 0 ? fail(&err) : 0;
    if (rc == 0 && rank == 0) fprintf(stderr, "ranks=%d\n", ppad_dist_ranks());
    if (rc == 0) rc = run(argv + 1, argc - 1, rank);
    MPI_Finalize();
    return rc;
}
#else
int main(void) {
    fprintf(stderr, "mpi_api_tool: libppad was built without MPI\n");
    return 3;
}
#endif
