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
    "                    [--size 256] [--conspicuous] [--force]\n"
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
    "  --conspicuous     every finding a florid lobar consolidation of the largest\n"
    "                    size in one lung (the same subjects); what make demo uses,\n"
    "                    so that its hand-built backbone has something to see\n"
    "  --force           write into class folders that already hold files, removing\n"
    "                    the normal_*.png / pneumonia_*.png an earlier run left there\n";

int cmd_phantom(int argc, char **argv) {
    phantom_tree_opts o = {.dir = NULL, .n_normal = 0, .n_abnormal = 0, .n_train_normal = -1, .seed = 0, .size = 256};
    long long n_normal = 0, n_abnormal = 0, n_train = -1, seed = 0;
    const cli_opt opts[] = {
        OPT("--out", OPT_OUTDIR, &o.dir, .required = 1),
        OPT("--normal", OPT_LONG, &n_normal, .imin = 0, .imax = 10000000),
        OPT("--abnormal", OPT_LONG, &n_abnormal, .imin = 0, .imax = 10000000),
        OPT("--train-normal", OPT_LONG, &n_train, .imin = 0, .imax = 10000000),
        OPT("--seed", OPT_LONG, &seed, .imin = 0, .imax = LLONG_MAX),
        OPT("--size", OPT_INT, &o.size, .imin = PHANTOM_MIN_SIZE, .imax = PHANTOM_MAX_SIZE),
        OPT("--force", OPT_FLAG, &o.force),
        OPT("--conspicuous", OPT_FLAG, &o.conspicuous),
        OPT_END};
    const cli_verb verb = {.name = "phantom", .help = PHANTOM_HELP, .opts = opts};
    cli_ctx cx;
    int status;
    ppad_err err = {{0}};
    if (cli_parse(&cx, &verb, argc, argv, &status)) return status;
    o.quiet = cx.quiet;
    o.n_normal = (long)n_normal, o.n_abnormal = (long)n_abnormal, o.n_train_normal = (long)n_train;
    o.seed = (uint64_t)seed;
    if (o.n_normal + o.n_abnormal == 0) return cli_usage("phantom", "nothing to write: give --normal and/or --abnormal");
    if (o.n_train_normal < 0) o.n_train_normal = (o.n_normal + 1) / 2;
    if (o.n_train_normal > o.n_normal)
        return cli_usage("phantom", "--train-normal %ld is more than --normal %ld", o.n_train_normal, o.n_normal);
    if (phantom_write_tree(&o, &err)) return cli_error(&err);
    if (!o.quiet)
        printf("%s: %ld train normal, %ld test normal, %ld test abnormal\n", o.dir,
                o.n_train_normal, o.n_normal - o.n_train_normal, o.n_abnormal);
    return 0;
}
