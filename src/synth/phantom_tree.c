/* phantom_tree.c — writes a ZhangLab-layout folder of phantoms (see synth.h),
 * images in parallel; each image depends only on its own seed, so the output
 * is the same for any number of threads. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "base/error.h"
#include "base/fileio.h"
#include "base/progress.h"
#include "synth/synth.h"

static const char *SUBDIRS[3] = {"train/normal_256", "test/normal_256", "test/pneumonia_256"};

static int make_dir(const char *path, ppad_err *err) {
    if (mkdir(path, 0777) == 0 || (errno == EEXIST && dir_exists(path))) return 0;
    if (errno == EEXIST) return ppad_fail(err, "%s: exists and is not a folder", path);
    return ppad_fail(err, "%s: cannot create folder: %s", path, strerror(errno));
}

static char *join(const char *a, const char *b, ppad_err *err) {
    size_t n = strlen(a) + strlen(b) + 2;
    char *s = ppad_malloc(n, err);
    if (s) snprintf(s, n, "%s/%s", a, b);
    return s;
}

static int is_phantom_name(const char *name) {
    size_t n = strlen(name);
    int png = n > 4 && strcmp(name + n - 4, ".png") == 0;
    return png && (strncmp(name, "normal_", 7) == 0 || strncmp(name, "pneumonia_", 10) == 0);
}

/* Refuses a class folder that already holds visible files, or (force) removes
 * the phantoms an earlier run left there. */
static int prepare_dir(const char *path, int force, ppad_err *err) {
    DIR *d = opendir(path);
    if (!d) return ppad_fail(err, "%s: cannot open folder: %s", path, strerror(errno));
    struct dirent *e;
    int rc = 0;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.') continue;
        if (!force) {
            rc = ppad_fail(err, "%s: folder already holds files (use --force to replace an earlier phantom tree)", path);
            break;
        }
        if (!is_phantom_name(e->d_name)) continue;
        char *f = join(path, e->d_name, err);
        if (!f) { rc = -1; break; }
        if (remove(f) != 0) rc = ppad_fail(err, "%s: cannot remove: %s", f, strerror(errno));
        free(f);
        if (rc) break;
    }
    closedir(d);
    return rc;
}

static void image_name(char *buf, size_t n, const phantom_tree_opts *o, long j) {
    if (j < o->n_train_normal) snprintf(buf, n, "%s/normal_%05ld.png", SUBDIRS[0], j);
    else if (j < o->n_normal) snprintf(buf, n, "%s/normal_%05ld.png", SUBDIRS[1], j);
    else snprintf(buf, n, "%s/pneumonia_%05ld.png", SUBDIRS[2], j - o->n_normal);
}

static int write_manifest(const phantom_tree_opts *o, const int *kinds, ppad_err *err) {
    char *path = join(o->dir, "manifest.csv", err);
    if (!path) return -1;
    atomic_file af;
    if (atomic_open(&af, path, err)) { free(path); return -1; }
    fprintf(af.fp, "path,label,split,finding\n");
    long total = o->n_normal + o->n_abnormal;
    for (long j = 0; j < total; j++) {
        char name[96];
        image_name(name, sizeof name, o, j);
        fprintf(af.fp, "%s,%d,%s,%s\n", name, j >= o->n_normal, j < o->n_train_normal ? "train" : "test",
                phantom_kind_name(kinds[j]));
    }
    int rc = atomic_commit(&af, err);
    free(path);
    return rc;
}

int phantom_write_tree(const phantom_tree_opts *o, ppad_err *err) {
    if (o->n_normal < 0 || o->n_abnormal < 0 || o->n_train_normal < 0 || o->n_train_normal > o->n_normal)
        return ppad_fail(err, "phantom: invalid counts (normal %ld, abnormal %ld, train normal %ld)", o->n_normal,
                         o->n_abnormal, o->n_train_normal);
    if (o->size < PHANTOM_MIN_SIZE || o->size > PHANTOM_MAX_SIZE)
        return ppad_fail(err, "phantom: size %d is out of range [%d, %d]", o->size, PHANTOM_MIN_SIZE, PHANTOM_MAX_SIZE);
    /* folders */
    const char *mid[2] = {"train", "test"};
    if (make_dir(o->dir, err)) return -1;
    for (int i = 0; i < 2; i++) {
        char *p = join(o->dir, mid[i], err);
        int rc = p ? make_dir(p, err) : -1;
        free(p);
        if (rc) return -1;
    }
    for (int i = 0; i < 3; i++) {
        char *p = join(o->dir, SUBDIRS[i], err);
        int rc = p ? make_dir(p, err) : -1;
        if (rc == 0) rc = prepare_dir(p, o->force, err);
        free(p);
        if (rc) return -1;
    }
    long total = o->n_normal + o->n_abnormal;
    int *kinds = ppad_calloc(total > 0 ? (size_t)total : 1, sizeof *kinds, err);
    if (!kinds) return -1;
    ppad_progress pg;
    progress_begin(&pg, "phantom", total, o->quiet || total < 200);
    long done = 0;
    int failed = 0;
    ppad_err first = {{0}};
    #pragma omp parallel for schedule(dynamic, 4)
    for (long j = 0; j < total; j++) {
        int stop;
        #pragma omp atomic read
        stop = failed;
        if (stop) continue;
        ppad_err e = {{0}};
        int ab = j >= o->n_normal;
        long idx = ab ? j - o->n_normal : j;
        gray8 g = {0, 0, NULL};
        char name[96];
        image_name(name, sizeof name, o, j);
        char *path = join(o->dir, name, &e);
        int rc = path ? 0 : -1;
        if (rc == 0) rc = phantom_render(&g, o->size, phantom_image_seed(o->seed, ab, idx),
                                          ab && o->conspicuous ? PHANTOM_FINDING_CONSPICUOUS : ab, &kinds[j], &e);
        if (rc == 0) rc = image_write_png(path, &g, &e);
        gray8_free(&g);
        free(path);
        #pragma omp critical(phantom_tree)
        {
            if (rc && !failed) {
                first = e;
                #pragma omp atomic write
                failed = 1;
            }
            progress_update(&pg, ++done, NULL);
        }
    }
    int rc = 0;
    if (failed) {
        if (pg.tty && !pg.quiet) fputc('\n', stderr); /* end the bar's line before the error */
        if (err) *err = first;
        rc = -1;
    } else {
        progress_end(&pg, NULL);
        rc = write_manifest(o, kinds, err);
    }
    free(kinds);
    return rc;
}
