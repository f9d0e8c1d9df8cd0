/* cmd_data.c — "ppad data": opens a dataset and prints what it holds (layout,
 * counts per split and label, the first few paths); optionally lists every
 * image or decodes them all to find unreadable files. */
#include <stdio.h>
#include <string.h>

#include "base/error.h"
#include "base/progress.h"
#include "cli/cli.h"
#include "data/data.h"

static const char *DATA_HELP =
    "usage: ppad data --data DIR [--layout L] [--show K] [--list] [--check] [--threads T] [--quiet]\n"
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
    "  --list         print every image as 'split,label,path' instead of the summary\n"
    "  --check        also decode every image as the model loads it (fails on the\n"
    "                 first undecodable or truncated file, naming it)\n"
    "  --threads T    worker threads for --check (default: all cores)\n"
    "  --quiet        no progress bar\n"
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

/* Decodes every image; reports the first failure in list order. */
static int check_all(const dataset *d, int quiet, ppad_err *err) {
    long n_train = (long)d->n_train, total = n_train + (long)d->n_test;
    long bad = -1;
    ppad_err first = {{0}};
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
            if (rc && (bad < 0 || i < bad)) {
                bad = i;
                first = e;
            }
            progress_update(&pg, ++done, NULL);
        }
    }
    if (bad >= 0) {
        if (pg.tty && !pg.quiet) fputc('\n', stderr); /* end the bar's line before the error */
        *err = first;
        return -1;
    }
    progress_end(&pg, NULL);
    return 0;
}

int cmd_data(int argc, char **argv) {
    const char *root = NULL, *layout = NULL;
    long show = 3, threads = 0;
    int list = 0, check = 0, quiet = 0;
    ppad_err err = {{0}};
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (cli_is_help(a)) {
            fputs(DATA_HELP, stdout);
            return 0;
        }
        if (!strcmp(a, "--list")) { list = 1; continue; }
        if (!strcmp(a, "--check")) { check = 1; continue; }
        if (!strcmp(a, "--quiet")) { quiet = 1; continue; }
        if (strcmp(a, "--data") && strcmp(a, "--layout") && strcmp(a, "--show") && strcmp(a, "--threads"))
            return cli_usage("data", "unknown option '%s'", a);
        if (i + 1 >= argc) return cli_usage("data", "%s needs a value", a);
        const char *v = argv[++i];
        if (!strcmp(a, "--data")) root = v;
        else if (!strcmp(a, "--layout")) layout = v;
        else if (!strcmp(a, "--show")) {
            if (cli_int(a, v, 0, 1000000, &show, &err)) return cli_usage("data", "%s", err.msg);
        } else if (cli_int(a, v, 1, 1024, &threads, &err)) {
            return cli_usage("data", "%s", err.msg);
        }
    }
    if (!root) return cli_usage("data", "--data is required");
    int lay;
    if (dataset_parse_layout(layout, &lay, &err)) return cli_usage("data", "--layout: %s", err.msg);
    cli_set_threads(threads);
    dataset d;
    if (dataset_open(&d, root, layout, &err)) return cli_error(&err);
    int rc = 0;
    if (check && check_all(&d, quiet, &err)) rc = 1;
    if (rc == 0 && list) {
        for (size_t i = 0; i < d.n_train; i++) printf("train,%d,%s\n", d.train[i].label, d.train[i].path);
        for (size_t i = 0; i < d.n_test; i++) printf("test,%d,%s\n", d.test[i].label, d.test[i].path);
    } else if (rc == 0) {
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
