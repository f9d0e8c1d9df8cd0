/* pt_dump — test helper for the PyTorch checkpoint reader and writer.
 *
 *   pt_dump FILE                 one line per tensor: "name dtype [d0,d1,...]"
 *   pt_dump FILE --raw DIR [NAME...]
 *                                also writes each tensor (or only those named) as fp32
 *                                little-endian DIR/<name>.bin (integers converted via int64)
 *   pt_dump FILE --read-all      opens FILE and reads every tensor into one fresh fp32 block,
 *                                printing the time taken (open and CRC checks included), then
 *                                the time of a second open + read into the same block (whose
 *                                pages are then already mapped), and how many storages were
 *                                read in place from the mapped file
 *   pt_dump --write OUT.pt       writes a fixed nested dict of known tensors (see below)
 *   pt_dump --write-dup OUT.pt   asks the writer for a duplicate key (must fail, leave nothing)
 *
 * Written tensors (value j of tensor i: ((j % 17) - 8) * 0.125 + i):
 *   0 scale                                 shape ()
 *   1 prompt_learner_ctx.ctx                shape (16, 8)
 *   2 image_mask_learner.mask_embedding     shape (1, 4, 6)
 *   3 bias                                  shape (5,)
 *   4 prompt_learner_ctx.empty              shape (0, 3)
 *   5 prompt_learner_ctx.deep               shape (2, 1, 3, 2, 2)
 * On any error: one line "ppad: <msg>" on stderr, exit status 1. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/error.h"
#include "base/fileio.h"
#include "formats/torch_pt.h"

static int die(const ppad_err *e) {
    fprintf(stderr, "ppad: %s\n", e->msg);
    return 1;
}

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* Reads any tensor as fp32 (integers via int64). */
static int read_any(pt_file *f, const pt_tensor *t, float *dst, ppad_err *err) {
    if (t->dtype == PT_F32 || t->dtype == PT_F16 || t->dtype == PT_BF16 || t->dtype == PT_F64)
        return pt_read_f32(f, t, dst, err);
    int64_t *tmp = ppad_malloc((size_t)(t->numel ? t->numel : 1) * sizeof *tmp, err);
    if (!tmp) return -1;
    int rc = pt_read_i64(f, t, tmp, err);
    for (int64_t i = 0; rc == 0 && i < t->numel; i++) dst[i] = (float)tmp[i];
    free(tmp);
    return rc;
}

static int write_raw(pt_file *f, const pt_tensor *t, const char *dir, ppad_err *err) {
    if (strchr(t->name, '/') || t->name[0] == '.' || !t->name[0])
        return ppad_fail(err, "%s: tensor name '%s' is not usable as a file name", pt_path(f), t->name);
    float *buf = ppad_malloc((size_t)(t->numel ? t->numel : 1) * sizeof *buf, err);
    if (!buf) return -1;
    int rc = read_any(f, t, buf, err);
    if (rc == 0) {
        size_t n = strlen(dir) + strlen(t->name) + 8;
        char *p = ppad_malloc(n, err);
        atomic_file af;
        rc = -1;
        if (p) {
            snprintf(p, n, "%s/%s.bin", dir, t->name);
            if (atomic_open(&af, p, err) == 0) {
                if (t->numel == 0 || fwrite(buf, sizeof *buf, (size_t)t->numel, af.fp) == (size_t)t->numel)
                    rc = atomic_commit(&af, err);
                else {
                    atomic_abort(&af);
                    rc = ppad_fail(err, "%s: write error", p);
                }
            }
        }
        free(p);
    }
    free(buf);
    return rc;
}

/* Lists the tensors (only those named, if names is non-empty) and writes them to dir. */
static int list(const char *path, const char *dir, char **names, int nnames) {
    ppad_err err = {{0}};
    pt_file *f;
    if (pt_open(&f, path, &err) != 0) return die(&err);
    for (int k = 0; k < nnames; k++)
        if (!pt_find(f, names[k])) {
            ppad_fail(&err, "%s: no tensor '%s'", path, names[k]);
            pt_close(f);
            return die(&err);
        }
    for (int i = 0; i < (nnames ? nnames : pt_count(f)) && !err.msg[0]; i++) {
        const pt_tensor *t = nnames ? pt_find(f, names[i]) : pt_get(f, i);
        printf("%s %s [", t->name, pt_dtype_name(t->dtype));
        for (int d = 0; d < t->ndim; d++) printf("%s%lld", d ? "," : "", (long long)t->shape[d]);
        printf("]\n");
        if (dir) write_raw(f, t, dir, &err);
    }
    pt_close(f);
    return err.msg[0] ? die(&err) : 0;
}

/* Opens path and reads every tensor into consecutive floats of block (NULL:
 * allocate it). Returns seconds taken, or -1. */
static double read_all_once(const char *path, float **block, long long *total, int *count, int *mapped,
                            int *nstorages, ppad_err *err) {
    double t0 = now();
    pt_file *f;
    if (pt_open(&f, path, err) != 0) return -1;
    *total = 0;
    *count = pt_count(f);
    *mapped = pt_storages_mapped(f, nstorages);
    for (int i = 0; i < pt_count(f); i++) *total += pt_get(f, i)->numel;
    if (!*block && !(*block = ppad_aligned_alloc((size_t)(*total ? *total : 1) * sizeof(float), err))) {
        pt_close(f);
        return -1;
    }
    float *cursor = *block;
    int rc = 0;
    for (int i = 0; i < pt_count(f) && rc == 0; i++) {
        rc = read_any(f, pt_get(f, i), cursor, err);
        cursor += pt_get(f, i)->numel;
    }
    pt_close(f);
    return rc == 0 ? now() - t0 : -1;
}

static int read_all(const char *path) {
    ppad_err err = {{0}};
    float *block = NULL;
    long long total;
    int count, mapped, nstorages;
    double first = read_all_once(path, &block, &total, &count, &mapped, &nstorages, &err);
    double again = first < 0 ? -1 : read_all_once(path, &block, &total, &count, &mapped, &nstorages, &err);
    free(block);
    if (again < 0) return die(&err);
    printf("read %d tensors (%lld elements) in %.3f s (open, CRC checks, conversion into a fresh block); "
           "again into the same block: %.3f s; %d of %d storages read in place\n", count, total, first, again, mapped,
           nstorages);
    return 0;
}

static int write_test(const char *out, int dup) {
    static const struct { const char *dict, *key; int ndim; int64_t shape[5]; } spec[] = {
        {NULL, "scale", 0, {0}},
        {"prompt_learner_ctx", "ctx", 2, {16, 8}},
        {"image_mask_learner", "mask_embedding", 3, {1, 4, 6}},
        {NULL, "bias", 1, {5}},
        {"prompt_learner_ctx", "empty", 2, {0, 3}},
        {"prompt_learner_ctx", "deep", 5, {2, 1, 3, 2, 2}},
    };
    enum { N = sizeof spec / sizeof spec[0] };
    pt_out_tensor ts[N];
    float *data[N];
    memset(ts, 0, sizeof ts);
    for (int i = 0; i < N; i++) {
        int64_t n = 1;
        for (int d = 0; d < spec[i].ndim; d++) n *= spec[i].shape[d];
        data[i] = malloc((size_t)(n ? n : 1) * sizeof(float));
        if (!data[i]) return 1;
        for (int64_t j = 0; j < n; j++) data[i][j] = (float)((j % 17) - 8) * 0.125f + (float)i;
        ts[i].dict = spec[i].dict;
        ts[i].key = spec[i].key;
        ts[i].ndim = spec[i].ndim;
        ts[i].data = data[i];
        memcpy(ts[i].shape, spec[i].shape, sizeof spec[i].shape);
    }
    if (dup) ts[4].key = "ctx";
    ppad_err err = {{0}};
    int rc = pt_write_f32(out, ts, N, &err);
    for (int i = 0; i < N; i++) free(data[i]);
    return rc ? die(&err) : 0;
}

int main(int argc, char **argv) {
    if (argc == 3 && strcmp(argv[1], "--write") == 0) return write_test(argv[2], 0);
    if (argc == 3 && strcmp(argv[1], "--write-dup") == 0) return write_test(argv[2], 1);
    if (argc == 2) return list(argv[1], NULL, NULL, 0);
    if (argc == 3 && strcmp(argv[2], "--read-all") == 0) return read_all(argv[1]);
    if (argc >= 4 && strcmp(argv[2], "--raw") == 0) return list(argv[1], argv[3], argv + 4, argc - 4);
    fprintf(stderr, "ppad: usage: pt_dump FILE [--raw DIR [NAME...] | --read-all] | pt_dump --write[-dup] OUT.pt\n");
    return 1;
}
