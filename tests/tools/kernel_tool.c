/* kernel_tool.c — runs one kernel pair of src/clip/kernels.h on raw float32
 * files, for tests/parity/test_kernels_torch.py.
 *
 *   kernel_tool linear    DIR N C OC        inp weight bias dout -> out dinp
 *   kernel_tool matmul    DIR N C OC        inp w dout           -> out dinp
 *   kernel_tool layernorm DIR N C           inp weight bias dout -> out mean rstd dinp
 *   kernel_tool quickgelu DIR N             inp dout             -> out dinp
 *   kernel_tool attention DIR B T C NH CAUSAL  qkv dout          -> out att dqkv
 *   kernel_tool l2norm    DIR N C           inp dout             -> out norm dinp
 *
 * Each name stands for DIR/<name>.bin (little-endian float32, row-major, the
 * shapes of kernels.h). Gradients are the backward kernel's += into zeros.
 * On error prints one line to stderr and exits 1. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "base/fileio.h"
#include "clip/kernels.h"

#define MAX_BUFS 12

typedef struct {
    const char *dir;
    float *bufs[MAX_BUFS];
    int nbufs;
    ppad_err err;
} tool;

static void path_of(char *path, size_t cap, const tool *t, const char *name) {
    snprintf(path, cap, "%s/%s.bin", t->dir, name);
}

static float *keep(tool *t, float *p) {
    if (p) t->bufs[t->nbufs++] = p;
    return p;
}

/* After a failure, later loads/allocations do nothing, so the first error is reported. */
static float *zeros(tool *t, size_t n) {
    if (t->err.msg[0]) return NULL;
    return keep(t, ppad_calloc(n ? n : 1, sizeof(float), &t->err));
}

static float *load(tool *t, const char *name, size_t n) {
    if (t->err.msg[0]) return NULL;
    char path[4096];
    path_of(path, sizeof path, t, name);
    unsigned char *data;
    size_t size;
    if (file_read_all(&data, &size, path, &t->err) != 0) return NULL;
    if (size != n * sizeof(float)) {
        ppad_fail(&t->err, "%s: has %zu bytes, expected %zu (%zu float32)", path, size, n * sizeof(float), n);
        free(data);
        return NULL;
    }
    float *f = zeros(t, n);
    if (f) memcpy(f, data, size);
    free(data);
    return f;
}

static int save(tool *t, const char *name, const float *x, size_t n) {
    char path[4096];
    path_of(path, sizeof path, t, name);
    atomic_file af;
    if (atomic_open(&af, path, &t->err) != 0) return -1;
    if (fwrite(x, sizeof(float), n, af.fp) != n) {
        atomic_abort(&af);
        return ppad_fail(&t->err, "%s: write error", path);
    }
    return atomic_commit(&af, &t->err);
}

static int dim(tool *t, const char *s, int *v) {
    char *end;
    long x = strtol(s, &end, 10);
    if (*s == 0 || *end != 0 || x < 0 || x > 1 << 24) return ppad_fail(&t->err, "bad size '%s'", s);
    *v = (int)x;
    return 0;
}

static int run(tool *t, const char *kernel, int argc, char **argv) {
    int d[5] = {0};
    int want = !strcmp(kernel, "linear") || !strcmp(kernel, "matmul") ? 3
               : !strcmp(kernel, "layernorm") || !strcmp(kernel, "l2norm") ? 2
               : !strcmp(kernel, "quickgelu")                               ? 1
               : !strcmp(kernel, "attention")                               ? 5
                                                                            : -1;
    if (want < 0) return ppad_fail(&t->err, "unknown kernel '%s'", kernel);
    if (argc != want) return ppad_fail(&t->err, "%s: expected %d sizes, got %d", kernel, want, argc);
    for (int i = 0; i < want; i++)
        if (dim(t, argv[i], &d[i]) != 0) return -1;

    if (!strcmp(kernel, "linear") || !strcmp(kernel, "matmul")) {
        int N = d[0], C = d[1], OC = d[2];
        int lin = !strcmp(kernel, "linear");
        float *inp = load(t, "inp", (size_t)N * C);
        float *w = load(t, lin ? "weight" : "w", (size_t)OC * C);
        float *bias = lin ? load(t, "bias", (size_t)OC) : NULL;
        float *dout = load(t, "dout", (size_t)N * OC);
        float *out = zeros(t, (size_t)N * OC), *dinp = zeros(t, (size_t)N * C);
        if (!inp || !w || (lin && !bias) || !dout || !out || !dinp) return -1;
        if (lin) {
            linear_forward(out, inp, w, bias, N, C, OC);
            linear_backward(dinp, dout, w, N, C, OC);
        } else {
            matmul_forward(out, inp, w, N, C, OC);
            matmul_backward(dinp, dout, w, N, C, OC);
        }
        return save(t, "out", out, (size_t)N * OC) || save(t, "dinp", dinp, (size_t)N * C) ? -1 : 0;
    }
    if (!strcmp(kernel, "layernorm")) {
        int N = d[0], C = d[1];
        size_t n = (size_t)N * C;
        float *inp = load(t, "inp", n), *w = load(t, "weight", (size_t)C), *b = load(t, "bias", (size_t)C);
        float *dout = load(t, "dout", n);
        float *out = zeros(t, n), *mean = zeros(t, (size_t)N), *rstd = zeros(t, (size_t)N), *dinp = zeros(t, n);
        if (!inp || !w || !b || !dout || !out || !mean || !rstd || !dinp) return -1;
        layernorm_forward(out, mean, rstd, inp, w, b, N, C);
        layernorm_backward(dinp, dout, inp, w, mean, rstd, N, C);
        return save(t, "out", out, n) || save(t, "mean", mean, (size_t)N) || save(t, "rstd", rstd, (size_t)N) ||
                       save(t, "dinp", dinp, n)
                   ? -1
                   : 0;
    }
    if (!strcmp(kernel, "quickgelu")) {
        size_t n = (size_t)d[0];
        float *inp = load(t, "inp", n), *dout = load(t, "dout", n), *out = zeros(t, n), *dinp = zeros(t, n);
        if (!inp || !dout || !out || !dinp) return -1;
        quickgelu_forward(out, inp, n);
        quickgelu_backward(dinp, inp, dout, n);
        return save(t, "out", out, n) || save(t, "dinp", dinp, n) ? -1 : 0;
    }
    if (!strcmp(kernel, "attention")) {
        int B = d[0], T = d[1], C = d[2], NH = d[3], causal = d[4] != 0;
        if (NH == 0 || C % NH != 0) return ppad_fail(&t->err, "attention: C=%d is not a multiple of NH=%d", C, NH);
        size_t nq = (size_t)B * T * 3 * C, no = (size_t)B * T * C, na = (size_t)B * NH * T * T;
        float *qkv = load(t, "qkv", nq), *dout = load(t, "dout", no);
        float *out = zeros(t, no), *att = zeros(t, na), *dqkv = zeros(t, nq);
        if (!qkv || !dout || !out || !att || !dqkv) return -1;
        attention_forward(out, att, qkv, B, T, C, NH, causal);
        attention_backward(dqkv, dout, qkv, att, B, T, C, NH, causal);
        return save(t, "out", out, no) || save(t, "att", att, na) || save(t, "dqkv", dqkv, nq) ? -1 : 0;
    }
    /* l2norm */
    int N = d[0], C = d[1];
    size_t n = (size_t)N * C;
    float *inp = load(t, "inp", n), *dout = load(t, "dout", n);
    float *out = zeros(t, n), *norm = zeros(t, (size_t)N), *dinp = zeros(t, n);
    if (!inp || !dout || !out || !norm || !dinp) return -1;
    l2norm_forward(out, norm, inp, N, C);
    l2norm_backward(dinp, dout, out, norm, N, C);
    return save(t, "out", out, n) || save(t, "norm", norm, (size_t)N) || save(t, "dinp", dinp, n) ? -1 : 0;
}

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: kernel_tool linear|matmul|layernorm|quickgelu|attention|l2norm DIR SIZES...\n");
        return 1;
    }
    tool t = {.dir = argv[2]};
    t.err.msg[0] = 0;
    int rc = run(&t, argv[1], argc - 3, argv + 3);
    if (rc != 0) fprintf(stderr, "kernel_tool: %s\n", t.err.msg);
    for (int i = 0; i < t.nbufs; i++) free(t.bufs[i]);
    return rc ? 1 : 0;
}
