/* dataset_tool.c — test helper: opens a dataset and writes one image as the
 * model sees it (dataset_load_image: 224 x 224 8-bit gray) as raw bytes, or
 * (with "base") at the layout's base size.
 * usage: dataset_tool ROOT LAYOUT train|test INDEX OUT.raw [base] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "data/data.h"

int main(int argc, char **argv) {
    if (argc < 6) {
        fprintf(stderr, "usage: dataset_tool ROOT LAYOUT train|test INDEX OUT.raw [base]\n");
        return 2;
    }
    ppad_err err = {{0}};
    dataset d;
    if (dataset_open(&d, argv[1], argv[2], &err)) {
        fprintf(stderr, "%s\n", err.msg);
        return 1;
    }
    int train = !strcmp(argv[3], "train");
    long i = atol(argv[4]);
    size_t n = train ? d.n_train : d.n_test;
    if (i < 0 || (size_t)i >= n) {
        fprintf(stderr, "index %ld out of range (%zu)\n", i, n);
        dataset_free(&d);
        return 1;
    }
    const char *path = train ? d.train[i].path : d.test[i].path;
    gray8 g;
    int base = argc > 6 && !strcmp(argv[6], "base");
    if ((base ? dataset_load_base(&g, &d, path, &err) : dataset_load_image(&g, &d, path, &err)) != 0) {
        fprintf(stderr, "%s\n", err.msg);
        dataset_free(&d);
        return 1;
    }
    FILE *f = fopen(argv[5], "wb");
    int rc = !f || fwrite(g.px, 1, (size_t)g.w * g.h, f) != (size_t)g.w * g.h;
    if (f) fclose(f);
    printf("%d %d\n", g.w, g.h);
    gray8_free(&g);
    dataset_free(&d);
    return rc;
}
