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
    "                 Class folders list *.png, *.jpg, *.jpeg, *.dcm, *.dicom (any\n"
    "                 case) and DICOM files without an extension, hidden files\n"
    "                 skipped, sorted by name.\n"
    "  --show K       paths shown per class (default 3)\n"
    "  --list         print every image as CSV 'split,label,path' instead of the summary\n"
    "                 (paths quoted where CSV needs it)\n"
    "  --check        also decode every image as the model loads it; every file that\n"
    "                 fails is reported (one line each), then the count, exit status 1;\n"
    "                 what each DICOM file held is printed ('dicom: PATH: modality,\n"
    "                 photometric, bits, rescale, window, transfer syntax, size') and\n"
    "                 the images per format are counted\n"
    "Images load as 8-bit gray (16-bit gray PNGs as --png16 says: sBIT, else high byte), resized\n"
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

/* Images per format, as the decoders name them (PNG, JPEG, DICOM). */
#define N_FORMATS 8
typedef struct format_count { char name[16]; long n; } format_count;

static void count_format(format_count *fc, const char *name) {
    for (int k = 0; k < N_FORMATS; k++) {
        if (!fc[k].name[0]) snprintf(fc[k].name, sizeof fc[k].name, "%s", name);
        if (!strcmp(fc[k].name, name)) {
            fc[k].n++;
            return;
        }
    }
}

/* Decodes every image as the model loads it. What each DICOM file held is
 * printed on stdout as it is read, in list order ("dicom: PATH: ..."); every
 * failure is printed (one line each, in list order) after the pass; returns
 * how many failed, or -1 (err) if the failures could not even be recorded. */
static long check_all(const dataset *d, int quiet, format_count *fc, ppad_err *err) {
    long n_train = (long)d->n_train, total = n_train + (long)d->n_test;
    bad_file *bad = NULL;
    long n_bad = 0, cap = 0, lost = 0;
    ppad_progress pg;
    progress_begin(&pg, "check", total, quiet || total < 200);
    long done = 0;
    #pragma omp parallel for schedule(dynamic, 1) ordered /* chunks of 1: in-order printing does not serialise */
    for (long i = 0; i < total; i++) {
        const dataset_item *it = i < n_train ? &d->train[i] : &d->test[i - n_train];
        gray8 g;
        image_info info;
        ppad_err e = {{0}};
        int rc = dataset_load_image_info(&g, &info, d, it->path, &e);
        if (!rc) gray8_free(&g);
        #pragma omp ordered
        if (!rc && !strcmp(info.format, "DICOM")) {
            printf("dicom: ");
            cli_csv_field(stdout, it->path);
            printf(": %s\n", info.detail);
        }
        #pragma omp critical(data_check)
        {
            if (!rc) count_format(fc, info.format);
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
    if (n_bad) qsort(bad, (size_t)n_bad, sizeof *bad, cmp_bad); /* never qsort(NULL, 0): UBSan */
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
    format_count fc[N_FORMATS] = {{{0}, 0}};
    long n_bad = check ? check_all(&d, cx.quiet, fc, &err) : 0;
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
        if (check) {
            printf("checked: %zu images decode (", d.n_train + d.n_test);
            for (int k = 0; k < N_FORMATS && fc[k].name[0]; k++) printf("%s%s %ld", k ? ", " : "", fc[k].name, fc[k].n);
            printf(")\n");
        }
        show_class("train normal", d.train, d.n_train, -1, show);
        show_class("test normal", d.test, d.n_test, 0, show);
        show_class("test abnormal", d.test, d.n_test, 1, show);
    }
    dataset_free(&d);
    fflush(stdout);
    return rc ? cli_error(&err) : 0;
}
