/* cmd_phantom.c — "ppad phantom": writes a ZhangLab-layout folder of synthetic
 * chest radiographs (normal and with pneumonia-like findings) for demos and
 * end-to-end tests. */
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "synth/synth.h"

static const char *PHANTOM_HELP =
    "usage: ppad phantom --out DIR --normal N --abnormal M [--train-normal K] [--seed S]\n"
    "                    [--size 256] [--force] [--quiet] [--threads T]\n"
    "\n"
    "Writes synthetic PA chest radiographs (8-bit gray PNG, size x size) in the\n"
    "ZhangLab layout that 'ppad data' and the other verbs read:\n"
    "  DIR/train/normal_256/normal_NNNNN.png      K normals (training set)\n"
    "  DIR/test/normal_256/normal_NNNNN.png       the other N-K normals\n"
    "  DIR/test/pneumonia_256/pneumonia_NNNNN.png M abnormals\n"
    "  DIR/manifest.csv                           path,label,split,finding of every image\n"
    "Normals show lungs with vascular markings, heart and mediastinum, trachea,\n"
    "spine, ribs, clavicles, diaphragm domes, soft tissue, with per-subject size,\n"
    "position, rotation, inspiration, heart size, exposure, blur and noise.\n"
    "Abnormals are the same kind of subject with one finding: consolidation (with\n"
    "air bronchograms), patchy foci, ground-glass haze or a pleural effusion, of\n"
    "varied size and subtlety, in either lung (not SAS's lesion model).\n"
    "  --normal N        normal images in all (default 0)\n"
    "  --abnormal M      abnormal images, all in the test set (default 0)\n"
    "  --train-normal K  how many of the N normals go to train/ (default: half, N/2\n"
    "                    rounded up); the rest go to test/\n"
    "  --seed S          tree seed (default 0); the same seed gives byte-identical\n"
    "                    files for any thread count; image i of a class depends only\n"
    "                    on (S, class, i)\n"
    "  --size P          image side in pixels, 64..2048 (default 256; the folder\n"
    "                    names keep the layout's '_256')\n"
    "  --force           write into class folders that already hold files, removing\n"
    "                    the normal_*.png / pneumonia_*.png an earlier run left there\n"
    "  --quiet           no progress bar\n"
    "  --threads T       worker threads (default: all cores)\n";

int cmd_phantom(int argc, char **argv) {
    phantom_tree_opts o = {.dir = NULL, .n_normal = 0, .n_abnormal = 0, .n_train_normal = -1, .seed = 0, .size = 256};
    long threads = 0, lv;
    ppad_err err = {{0}};
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (cli_is_help(a)) {
            fputs(PHANTOM_HELP, stdout);
            return 0;
        }
        if (!strcmp(a, "--force")) { o.force = 1; continue; }
        if (!strcmp(a, "--quiet")) { o.quiet = 1; continue; }
        static const char *const VALUED[] = {"--out", "--normal", "--abnormal", "--train-normal",
                                             "--seed", "--size", "--threads"};
        int known = 0;
        for (size_t k = 0; k < sizeof VALUED / sizeof VALUED[0]; k++) known |= !strcmp(a, VALUED[k]);
        if (!known) return cli_usage("phantom", "unknown option '%s'", a);
        if (i + 1 >= argc) return cli_usage("phantom", "%s needs a value", a);
        const char *v = argv[++i];
        if (!strcmp(a, "--out")) {
            o.dir = v;
            continue;
        }
        long lo = 0, hi = 10000000;
        if (!strcmp(a, "--seed")) hi = LONG_MAX;
        else if (!strcmp(a, "--size")) lo = PHANTOM_MIN_SIZE, hi = PHANTOM_MAX_SIZE;
        else if (!strcmp(a, "--threads")) lo = 1, hi = 1024;
        if (cli_int(a, v, lo, hi, &lv, &err)) return cli_usage("phantom", "%s", err.msg);
        if (!strcmp(a, "--normal")) o.n_normal = lv;
        else if (!strcmp(a, "--abnormal")) o.n_abnormal = lv;
        else if (!strcmp(a, "--train-normal")) o.n_train_normal = lv;
        else if (!strcmp(a, "--seed")) o.seed = (uint64_t)lv;
        else if (!strcmp(a, "--size")) o.size = (int)lv;
        else threads = lv;
    }
    if (!o.dir) return cli_usage("phantom", "--out is required");
    if (o.n_normal + o.n_abnormal == 0) return cli_usage("phantom", "nothing to write: give --normal and/or --abnormal");
    if (o.n_train_normal < 0) o.n_train_normal = (o.n_normal + 1) / 2;
    if (o.n_train_normal > o.n_normal)
        return cli_usage("phantom", "--train-normal %ld is more than --normal %ld", o.n_train_normal, o.n_normal);
    cli_set_threads(threads);
    if (phantom_write_tree(&o, &err)) return cli_error(&err);
    if (!o.quiet)
        printf("%s: %ld train normal, %ld test normal, %ld test abnormal\n", o.dir,
                o.n_train_normal, o.n_normal - o.n_train_normal, o.n_abnormal);
    return 0;
}
