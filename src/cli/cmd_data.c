/* cmd_data.c — "ppad data": opens a dataset and prints what it holds (layout,
 * counts per split and label, the first few paths); optionally lists every
 * image or decodes them all to find unreadable files. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "base/progress.h"
#include "cli/cli.h"
#include "data/data.h"

static const char *DATA_HELP =
    "usage: ppad data --data DIR [--layout L] [--show K] [--list] [--check]\n"
    "\n"
    "Opens a dataset and prints a summary: layout, counts per split and label,\n"
    "and the first K paths of each class.\n"
    "  --data DIR     the dataset folder, or a .csv manifest\n"
    "  --layout L     zhanglab | chexpert | vindr | csv | auto (default: auto, from\n"
    "                 what DIR holds)\n"
    "                   zhanglab: train/normal_256, test/normal_256,\n"
    "                             test/pneumonia_256 (or test/abnormal_256)\n"
    "                   chexpert: train_256_pa/normal_256, our_test_256_pa/normal_256,\n"
    "                             our_test_256_pa/abnormal_256 (or pneumonia_256)\n"
    "                   vindr:    data.json {\"train\": {\"0\": [...]}, \"test\": {\"0\": [...],\n"
    "                             \"1\": [...]}} with the images in images/ (DIR may\n"
    "                             also be the folder holding VinCXR/)\n"
    "                   csv:      a manifest with a header naming path and label\n"
    "                             (0 normal, 1 abnormal), optionally split (train or\n"
    "                             test; without it every row is a test row); relative\n"
    "                             paths start at the CSV's folder\n"
    "                 Class folders list *.png, *.jpg, *.jpeg (any case), hidden\n"
    "                 files skipped, sorted by name.\n"
    "  --show K       paths shown per class (default 3)\n"
    "  --list         print every image as CSV 'split,label,path' instead of the summary\n"
    "                 (paths quoted where CSV needs it)\n"
    "  --check        also decode every image as the model loads it; every file that\n"
    "                 fails is reported (one line each), then the count, exit status 1\n"
    "Images load as 8-bit gray (16-bit PNG samples keep their high byte), resized\n"
    "to 224x224 with Pillow's bicubic filter; VinDr images go to 256x256 first.\n";

static void show_class(const char *title, const dataset_item *items, size_t n, int label, long k) {
    long shown = 0;
    for (size_t i = 0; i < n && shown < k; i++) {
        if (label >= 0 && items[i].label != label) continue;
        printf("  %s[%ld]: %s\n", title, shown, items[i].path);
        shown++;
    }
}

typedef struct bad_file { long index; ppad_err e; } bad_file;

static int cmp_bad(const void *a, const void *b) {
    long x = ((const bad_file *)a)->index, y = ((const bad_file *)b)->index;
    return (x > y) - (x < y);
}

/* Decodes every image as the model loads it. Every failure is printed (one line
 * each, in list order) after the pass; returns how many failed, or -1 (err) if
 * the failures could not even be recorded. */
static long check_all(const dataset *d, int quiet, ppad_err *err) {
    long n_train = (long)d->n_train, total = n_train + (long)d->n_test;
    bad_file *bad = NULL;
    long n_bad = 0, cap = 0, lost = 0;
    ppad_progress pg;
    progress_begin(&pg, "check", total, quiet || total < 200);
    long done = 0;
    #pragma omp parallel for schedule(dynamic, 8)
    for (long i = 0; i < total; i++) {
        const dataset_item *it = i < n_train ? &d->train[i] : &d->test[i - n_train];
        gray8 g;
        ppad_err e = {{0}};
        int rc = dataset_load_image(&g, d, it->path, &e);
        if (!rc) gray8_free(&g);
        #pragma omp critical(data_check)
        {
            if (rc) {
                if (n_bad == cap) {
                    long nc = cap ? 2 * cap : 16;
                    bad_file *nb = realloc(bad, sizeof *bad * (size_t)nc);
                    if (nb) bad = nb, cap = nc;
                }
                if (n_bad < cap) bad[n_bad++] = (bad_file){i, e};
                else lost++;
            }
            progress_update(&pg, ++done, NULL);
        }
    }
    if (n_bad && pg.tty && !pg.quiet) fputc('\n', stderr); /* end the bar's line before the list */
    else progress_end(&pg, NULL);
    qsort(bad, (size_t)n_bad, sizeof *bad, cmp_bad);
    for (long k = 0; k < n_bad; k++) cli_error(&bad[k].e);
    free(bad);
    if (lost) return ppad_fail(err, "out of memory recording the undecodable images");
    return n_bad;
}

static void print_item(const char *split, const dataset_item *it) {
    printf("%s,%d,", split, it->label);
    cli_csv_field(stdout, it->path);
    putchar('\n');
}

int cmd_data(int argc, char **argv) {
    const char *root = NULL, *layout = NULL;
    int show = 3, list = 0, check = 0;
    ppad_err err = {{0}};
    cli_image_args ia = {0};
    image_opts io;
    const cli_opt opts[] = {
        CLI_IMAGE_OPTS(ia),
        OPT("--data", OPT_IN, &root, .required = 1),
        OPT("--layout", OPT_STR, &layout),
        OPT("--show", OPT_INT, &show, .imin = 0, .imax = 1000000),
        OPT("--list", OPT_FLAG, &list),
        OPT("--check", OPT_FLAG, &check),
        OPT_END};
    const cli_verb verb = {.name = "data", .help = DATA_HELP, .opts = opts};
    cli_ctx cx;
    int status;
    if (cli_parse(&cx, &verb, argc, argv, &status)) return status;
    if ((status = cli_image_opts(&io, &ia, &cx)) != 0) return status;
    int lay;
    if (dataset_parse_layout(layout, &lay, &err)) return cli_usage("data", "--layout: %s", err.msg);
    dataset d;
    if (dataset_open(&d, root, layout, &err)) return cli_error(&err);
    d.img = io;
    int rc = 0;
    long n_bad = check ? check_all(&d, cx.quiet, &err) : 0;
    if (n_bad < 0) {
        dataset_free(&d);
        return cli_error(&err);
    }
    if (n_bad > 0) {
        rc = 1;
        ppad_fail(&err, "%s: %ld of %zu images cannot be read (listed above)", d.root, n_bad, d.n_train + d.n_test);
    } else if (list) {
        for (size_t i = 0; i < d.n_train; i++) print_item("train", &d.train[i]);
        for (size_t i = 0; i < d.n_test; i++) print_item("test", &d.test[i]);
    } else {
        printf("layout: %s\n", dataset_layout_name(d.layout));
        printf("root: %s\n", d.root);
        if (d.base_size == DATASET_INPUT_SIZE)
            printf("loading: 8-bit gray, bicubic resize to %dx%d\n", DATASET_INPUT_SIZE, DATASET_INPUT_SIZE);
        else
            printf("loading: 8-bit gray, bicubic resize to %dx%d, then to %dx%d\n", d.base_size, d.base_size,
                   DATASET_INPUT_SIZE, DATASET_INPUT_SIZE);
        printf("train normal: %zu\n", d.n_train);
        printf("test normal: %zu\n", dataset_count_test(&d, 0));
        printf("test abnormal: %zu\n", dataset_count_test(&d, 1));
        if (d.layout == DATASET_VINDR) printf("train unlabeled (not used): %zu\n", d.n_unlabeled);
        if (check) printf("checked: %zu images decode\n", d.n_train + d.n_test);
        show_class("train normal", d.train, d.n_train, -1, show);
        show_class("test normal", d.test, d.n_test, 0, show);
        show_class("test abnormal", d.test, d.n_test, 1, show);
    }
    dataset_free(&d);
    fflush(stdout);
    return rc ? cli_error(&err) : 0;
}
