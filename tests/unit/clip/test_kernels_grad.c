/* test_kernels_grad.c — the transformer kernels of src/clip/kernels.h:
 *  1. forward kernels against naive double-precision references;
 *  2. every backward kernel against central finite differences of a
 *     double-precision reference forward (as ggml's test-backend-ops "grad"
 *     mode), with loss L = sum(out * R) for a random projection R, so that
 *     dL/dout = R is what the backward kernel receives;
 *  3. that backward kernels ACCUMULATE (+=) into their d-input.
 * FD step h = 1e-5 in double: truncation ~h^2 and rounding ~1e-16/h keep the
 * FD noise near 1e-10, so the tolerances below measure the float kernels. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/rng.h"
#include "check.h"
#include "clip/kernels.h"

#define FD_STEP 1e-5

/* ---------------------------------------------------------------- helpers */

static float *fbuf(size_t n) {
    float *p = calloc(n ? n : 1, sizeof(float));
    if (!p) {
        fprintf(stderr, "test_kernels_grad: out of memory\n");
        exit(2);
    }
    return p;
}

static double *dbuf(size_t n) {
    double *p = calloc(n ? n : 1, sizeof(double));
    if (!p) {
        fprintf(stderr, "test_kernels_grad: out of memory\n");
        exit(2);
    }
    return p;
}

static void fill(float *x, size_t n, ppad_rng *r, double mean, double sd) {
    for (size_t i = 0; i < n; i++) x[i] = (float)rng_normal(r, mean, sd);
}

static void to_double(double *d, const float *f, size_t n) {
    for (size_t i = 0; i < n; i++) d[i] = f[i];
}

static void to_float(float *f, const double *d, size_t n) {
    for (size_t i = 0; i < n; i++) f[i] = (float)d[i];
}

/* check_close against a double reference, also printing the max errors seen
 * (as "#" comment lines that tests/run.sh ignores). */
static int close_d(const char *name, const float *got, const double *ref, size_t n, double atol, double rtol) {
    float *rf = fbuf(n);
    to_float(rf, ref, n);
    double max_abs = 0, max_rel = 0;
    for (size_t i = 0; i < n; i++) {
        double d = fabs((double)got[i] - ref[i]);
        if (d > max_abs) max_abs = d;
        if (fabs(ref[i]) > 1e-3 && d / fabs(ref[i]) > max_rel) max_rel = d / fabs(ref[i]);
    }
    printf("# %s: max abs err %.3g, max rel err %.3g (|ref|>1e-3)\n", name, max_abs, max_rel);
    int ok = check_close(name, got, rf, (long)n, atol, rtol);
    free(rf);
    return ok;
}

/* A differentiable scalar function of x: the double reference forward
 * followed by sum(out * R). */
typedef double (*loss_fn)(const double *x, const void *ctx);

/* Central differences of loss at x (x is perturbed and restored). */
static void fd_grad(double *g, double *x, size_t n, loss_fn loss, const void *ctx) {
    for (size_t i = 0; i < n; i++) {
        double x0 = x[i];
        x[i] = x0 + FD_STEP;
        double lp = loss(x, ctx);
        x[i] = x0 - FD_STEP;
        double lm = loss(x, ctx);
        x[i] = x0;
        g[i] = (lp - lm) / (2 * FD_STEP);
    }
}

static double proj(const double *out, const float *R, size_t n) {
    double s = 0;
    for (size_t i = 0; i < n; i++) s += out[i] * R[i];
    return s;
}

/* Accumulation: with dinp prefilled with P, two backward calls must give
 * P + 2 g where g is the single-call gradient (into zeros).
 * Tolerance: float rounding of two additions, atol 1e-6 + rtol 1e-6. */
static void check_accumulates(const char *name, const float *g, const float *P, const float *twice, size_t n) {
    float *want = fbuf(n);
    for (size_t i = 0; i < n; i++) want[i] = P[i] + 2.0f * g[i];
    check_close(name, twice, want, (long)n, 1e-6, 1e-6);
    free(want);
}

/* ------------------------------------------------- double reference forwards */

static void ref_linear(double *out, const double *x, const float *w, const float *b, int N, int C, int OC) {
    for (int n = 0; n < N; n++)
        for (int o = 0; o < OC; o++) {
            double s = b ? b[o] : 0.0;
            for (int c = 0; c < C; c++) s += x[(size_t)n * C + c] * (double)w[(size_t)o * C + c];
            out[(size_t)n * OC + o] = s;
        }
}

static void ref_matmul(double *out, const double *x, const float *w, int N, int C, int OC) {
    for (int n = 0; n < N; n++)
        for (int o = 0; o < OC; o++) {
            double s = 0;
            for (int c = 0; c < C; c++) s += x[(size_t)n * C + c] * (double)w[(size_t)c * OC + o];
            out[(size_t)n * OC + o] = s;
        }
}

static void ref_layernorm(double *out, double *mean, double *rstd, const double *x, const float *w, const float *b,
                          int N, int C) {
    for (int n = 0; n < N; n++) {
        const double *xr = x + (size_t)n * C;
        double m = 0, v = 0;
        for (int i = 0; i < C; i++) m += xr[i];
        m /= C;
        for (int i = 0; i < C; i++) v += (xr[i] - m) * (xr[i] - m);
        v /= C;
        double r = 1.0 / sqrt(v + 1e-5);
        for (int i = 0; i < C; i++) out[(size_t)n * C + i] = (xr[i] - m) * r * w[i] + b[i];
        if (mean) mean[n] = m;
        if (rstd) rstd[n] = r;
    }
}

static void ref_quickgelu(double *out, const double *x, size_t n) {
    for (size_t i = 0; i < n; i++) out[i] = x[i] / (1.0 + exp(-1.702 * x[i]));
}

static void ref_attention(double *out, double *att, const double *qkv, int B, int T, int C, int NH, int causal) {
    const int hd = C / NH;
    const double scale = 1.0 / sqrt((double)hd);
    const size_t C3 = 3 * (size_t)C;
    double *s = dbuf((size_t)T);
    for (int b = 0; b < B; b++)
        for (int h = 0; h < NH; h++)
            for (int i = 0; i < T; i++) {
                const double *q = qkv + ((size_t)b * T + i) * C3 + (size_t)h * hd;
                double mx = -INFINITY;
                for (int j = 0; j < T; j++) {
                    if (causal && j > i) continue;
                    const double *k = qkv + ((size_t)b * T + j) * C3 + C + (size_t)h * hd;
                    double d = 0;
                    for (int e = 0; e < hd; e++) d += q[e] * k[e];
                    s[j] = d * scale;
                    if (s[j] > mx) mx = s[j];
                }
                double sum = 0;
                for (int j = 0; j < T; j++) {
                    s[j] = (causal && j > i) ? 0.0 : exp(s[j] - mx);
                    sum += s[j];
                }
                for (int j = 0; j < T; j++) s[j] /= sum;
                if (att)
                    for (int j = 0; j < T; j++) att[(((size_t)b * NH + h) * T + i) * T + j] = s[j];
                double *o = out + ((size_t)b * T + i) * C + (size_t)h * hd;
                for (int e = 0; e < hd; e++) {
                    double acc = 0;
                    for (int j = 0; j < T; j++) acc += s[j] * qkv[((size_t)b * T + j) * C3 + 2 * C + (size_t)h * hd + e];
                    o[e] = acc;
                }
            }
    free(s);
}

static void ref_l2norm(double *out, double *norm, const double *x, int N, int C) {
    for (int n = 0; n < N; n++) {
        double s = 0;
        for (int i = 0; i < C; i++) s += x[(size_t)n * C + i] * x[(size_t)n * C + i];
        double nr = sqrt(s);
        if (norm) norm[n] = nr;
        for (int i = 0; i < C; i++) out[(size_t)n * C + i] = nr > 0 ? x[(size_t)n * C + i] / nr : 0.0;
    }
}

/* ------------------------------------------------------------ loss contexts */

typedef struct {
    const float *w, *b, *R;
    int N, C, OC, NH, causal, B, T;
} kctx;

static double loss_linear(const double *x, const void *vc) {
    const kctx *k = vc;
    double *out = dbuf((size_t)k->N * k->OC);
    ref_linear(out, x, k->w, k->b, k->N, k->C, k->OC);
    double L = proj(out, k->R, (size_t)k->N * k->OC);
    free(out);
    return L;
}

static double loss_matmul(const double *x, const void *vc) {
    const kctx *k = vc;
    double *out = dbuf((size_t)k->N * k->OC);
    ref_matmul(out, x, k->w, k->N, k->C, k->OC);
    double L = proj(out, k->R, (size_t)k->N * k->OC);
    free(out);
    return L;
}

static double loss_layernorm(const double *x, const void *vc) {
    const kctx *k = vc;
    double *out = dbuf((size_t)k->N * k->C);
    ref_layernorm(out, NULL, NULL, x, k->w, k->b, k->N, k->C);
    double L = proj(out, k->R, (size_t)k->N * k->C);
    free(out);
    return L;
}

static double loss_quickgelu(const double *x, const void *vc) {
    const kctx *k = vc;
    double *out = dbuf((size_t)k->N);
    ref_quickgelu(out, x, (size_t)k->N);
    double L = proj(out, k->R, (size_t)k->N);
    free(out);
    return L;
}

static double loss_attention(const double *x, const void *vc) {
    const kctx *k = vc;
    double *out = dbuf((size_t)k->B * k->T * k->C);
    ref_attention(out, NULL, x, k->B, k->T, k->C, k->NH, k->causal);
    double L = proj(out, k->R, (size_t)k->B * k->T * k->C);
    free(out);
    return L;
}

/* The attention output as a function of its probabilities (held as free
 * variables, x = att (B, NH, T, T)): out = att v with v from the fixed qkv
 * (kctx.w), masked entries skipped; L = sum(out * R). */
static double loss_attention_probs(const double *x, const void *vc) {
    const kctx *k = vc;
    const int hd = k->C / k->NH;
    const size_t C3 = 3 * (size_t)k->C;
    double L = 0;
    for (int b = 0; b < k->B; b++)
        for (int h = 0; h < k->NH; h++)
            for (int i = 0; i < k->T; i++)
                for (int j = 0; j < (k->causal ? i + 1 : k->T); j++) {
                    double a = x[(((size_t)b * k->NH + h) * k->T + i) * k->T + j];
                    const float *v = k->w + ((size_t)b * k->T + j) * C3 + 2 * k->C + h * hd;
                    const float *r = k->R + ((size_t)b * k->T + i) * k->C + h * hd;
                    for (int d = 0; d < hd; d++) L += a * v[d] * r[d];
                }
    return L;
}

static double loss_l2norm(const double *x, const void *vc) {
    const kctx *k = vc;
    double *out = dbuf((size_t)k->N * k->C);
    ref_l2norm(out, NULL, x, k->N, k->C);
    double L = proj(out, k->R, (size_t)k->N * k->C);
    free(out);
    return L;
}

/* -------------------------------------------------------------------- tests */

static void test_linear(ppad_rng *r, int N, int C, int OC, int with_bias, int do_grad) {
    char name[128];
    size_t ni = (size_t)N * C, no = (size_t)N * OC;
    float *x = fbuf(ni), *w = fbuf((size_t)OC * C), *b = fbuf((size_t)OC), *R = fbuf(no), *out = fbuf(no);
    float *g = fbuf(ni), *P = fbuf(ni), *g2 = fbuf(ni);
    double *xd = dbuf(ni), *od = dbuf(no), *gd = dbuf(ni);
    fill(x, ni, r, 0, 1);
    fill(w, (size_t)OC * C, r, 0, 0.5);
    fill(b, (size_t)OC, r, 0, 1);
    fill(R, no, r, 0, 1);
    fill(P, ni, r, 0, 1);
    const float *bias = with_bias ? b : NULL;

    /* forward: float GEMM vs double; atol 1e-5 + rtol 1e-5 (sums of <=768 O(1) terms) */
    memset(out, 0x7f, no * sizeof(float)); /* garbage: the forward must overwrite */
    linear_forward(out, x, w, bias, N, C, OC);
    to_double(xd, x, ni);
    ref_linear(od, xd, w, bias, N, C, OC);
    snprintf(name, sizeof name, "linear_forward N=%d C=%d OC=%d bias=%d", N, C, OC, with_bias);
    close_d(name, out, od, no, 1e-5, 1e-5);
    if (!do_grad) goto done;

    /* backward vs FD; atol 1e-5 + rtol 1e-4 */
    linear_backward(g, R, w, N, C, OC);
    kctx k = {.w = w, .b = bias, .R = R, .N = N, .C = C, .OC = OC};
    fd_grad(gd, xd, ni, loss_linear, &k);
    snprintf(name, sizeof name, "linear_backward vs FD N=%d C=%d OC=%d", N, C, OC);
    close_d(name, g, gd, ni, 1e-5, 1e-4);

    memcpy(g2, P, ni * sizeof(float));
    linear_backward(g2, R, w, N, C, OC);
    linear_backward(g2, R, w, N, C, OC);
    snprintf(name, sizeof name, "linear_backward accumulates N=%d C=%d OC=%d", N, C, OC);
    check_accumulates(name, g, P, g2, ni);
done:
    free(x), free(w), free(b), free(R), free(out), free(g), free(P), free(g2), free(xd), free(od), free(gd);
}

static void test_matmul(ppad_rng *r, int N, int C, int OC) {
    char name[128];
    size_t ni = (size_t)N * C, no = (size_t)N * OC;
    float *x = fbuf(ni), *w = fbuf((size_t)C * OC), *R = fbuf(no), *out = fbuf(no);
    float *g = fbuf(ni), *P = fbuf(ni), *g2 = fbuf(ni);
    double *xd = dbuf(ni), *od = dbuf(no), *gd = dbuf(ni);
    fill(x, ni, r, 0, 1);
    fill(w, (size_t)C * OC, r, 0, 0.5);
    fill(R, no, r, 0, 1);
    fill(P, ni, r, 0, 1);

    /* forward: atol 1e-5 + rtol 1e-5 */
    matmul_forward(out, x, w, N, C, OC);
    to_double(xd, x, ni);
    ref_matmul(od, xd, w, N, C, OC);
    snprintf(name, sizeof name, "matmul_forward N=%d C=%d OC=%d", N, C, OC);
    close_d(name, out, od, no, 1e-5, 1e-5);

    /* backward vs FD: atol 1e-5 + rtol 1e-4 */
    matmul_backward(g, R, w, N, C, OC);
    kctx k = {.w = w, .R = R, .N = N, .C = C, .OC = OC};
    fd_grad(gd, xd, ni, loss_matmul, &k);
    snprintf(name, sizeof name, "matmul_backward vs FD N=%d C=%d OC=%d", N, C, OC);
    close_d(name, g, gd, ni, 1e-5, 1e-4);

    memcpy(g2, P, ni * sizeof(float));
    matmul_backward(g2, R, w, N, C, OC);
    matmul_backward(g2, R, w, N, C, OC);
    snprintf(name, sizeof name, "matmul_backward accumulates N=%d C=%d OC=%d", N, C, OC);
    check_accumulates(name, g, P, g2, ni);
    free(x), free(w), free(R), free(out), free(g), free(P), free(g2), free(xd), free(od), free(gd);
}

static void test_layernorm(ppad_rng *r, int N, int C) {
    char name[128];
    size_t n = (size_t)N * C;
    float *x = fbuf(n), *w = fbuf((size_t)C), *b = fbuf((size_t)C), *R = fbuf(n), *out = fbuf(n);
    float *mean = fbuf((size_t)N), *rstd = fbuf((size_t)N), *g = fbuf(n), *P = fbuf(n), *g2 = fbuf(n);
    double *xd = dbuf(n), *od = dbuf(n), *gd = dbuf(n), *md = dbuf((size_t)N), *rd = dbuf((size_t)N);
    fill(x, n, r, 3.0, 2.0); /* off-centre rows: the mean subtraction matters */
    fill(w, (size_t)C, r, 1.0, 0.3);
    fill(b, (size_t)C, r, 0, 0.3);
    fill(R, n, r, 0, 1);
    fill(P, n, r, 0, 1);

    /* forward: atol 1e-5 + rtol 1e-5; mean atol 1e-6 + rtol 1e-6; rstd rtol 1e-6 */
    layernorm_forward(out, mean, rstd, x, w, b, N, C);
    to_double(xd, x, n);
    ref_layernorm(od, md, rd, xd, w, b, N, C);
    snprintf(name, sizeof name, "layernorm_forward N=%d C=%d", N, C);
    close_d(name, out, od, n, 1e-5, 1e-5);
    snprintf(name, sizeof name, "layernorm_forward mean N=%d C=%d", N, C);
    close_d(name, mean, md, (size_t)N, 1e-6, 1e-6);
    snprintf(name, sizeof name, "layernorm_forward rstd N=%d C=%d", N, C);
    close_d(name, rstd, rd, (size_t)N, 0, 1e-6);

    /* backward vs FD: atol 1e-5 + rtol 1e-4 */
    layernorm_backward(g, R, x, w, mean, rstd, N, C);
    kctx k = {.w = w, .b = b, .R = R, .N = N, .C = C};
    fd_grad(gd, xd, n, loss_layernorm, &k);
    snprintf(name, sizeof name, "layernorm_backward vs FD N=%d C=%d", N, C);
    close_d(name, g, gd, n, 1e-5, 1e-4);

    memcpy(g2, P, n * sizeof(float));
    layernorm_backward(g2, R, x, w, mean, rstd, N, C);
    layernorm_backward(g2, R, x, w, mean, rstd, N, C);
    snprintf(name, sizeof name, "layernorm_backward accumulates N=%d C=%d", N, C);
    check_accumulates(name, g, P, g2, n);
    free(x), free(w), free(b), free(R), free(out), free(mean), free(rstd), free(g), free(P), free(g2);
    free(xd), free(od), free(gd), free(md), free(rd);
}

static void test_quickgelu(ppad_rng *r, int N) {
    char name[128];
    size_t n = (size_t)N;
    float *x = fbuf(n), *R = fbuf(n), *out = fbuf(n), *g = fbuf(n), *P = fbuf(n), *g2 = fbuf(n);
    double *xd = dbuf(n), *od = dbuf(n), *gd = dbuf(n);
    fill(x, n, r, 0, 3.0); /* spans the saturated tails and the bend */
    x[0] = 0.0f;
    x[1] = -12.0f;
    x[2] = 12.0f;
    fill(R, n, r, 0, 1);
    fill(P, n, r, 0, 1);

    /* forward: atol 1e-6 + rtol 1e-6 */
    quickgelu_forward(out, x, n);
    to_double(xd, x, n);
    ref_quickgelu(od, xd, n);
    snprintf(name, sizeof name, "quickgelu_forward N=%d", N);
    close_d(name, out, od, n, 1e-6, 1e-6);

    /* backward vs FD: atol 1e-6 + rtol 1e-5 */
    quickgelu_backward(g, x, R, n);
    kctx k = {.R = R, .N = N};
    fd_grad(gd, xd, n, loss_quickgelu, &k);
    snprintf(name, sizeof name, "quickgelu_backward vs FD N=%d", N);
    close_d(name, g, gd, n, 1e-6, 1e-5);

    memcpy(g2, P, n * sizeof(float));
    quickgelu_backward(g2, x, R, n);
    quickgelu_backward(g2, x, R, n);
    snprintf(name, sizeof name, "quickgelu_backward accumulates N=%d", N);
    check_accumulates(name, g, P, g2, n);
    free(x), free(R), free(out), free(g), free(P), free(g2), free(xd), free(od), free(gd);
}

static void test_attention(ppad_rng *r, int B, int T, int C, int NH, int causal, int do_grad) {
    char name[160];
    size_t nq = (size_t)B * T * 3 * C, no = (size_t)B * T * C, na = (size_t)B * NH * T * T;
    float *qkv = fbuf(nq), *R = fbuf(no), *out = fbuf(no), *att = fbuf(na);
    float *g = fbuf(nq), *P = fbuf(nq), *g2 = fbuf(nq);
    double *xd = dbuf(nq), *od = dbuf(no), *ad = dbuf(na), *gd = dbuf(nq);
    fill(qkv, nq, r, 0, 1);
    fill(R, no, r, 0, 1);
    fill(P, nq, r, 0, 1);

    /* forward: out atol 1e-5 + rtol 1e-5; probabilities atol 1e-6 + rtol 1e-5 */
    memset(att, 0x7f, na * sizeof(float)); /* garbage: masked entries must be written as 0 */
    attention_forward(out, att, qkv, B, T, C, NH, causal);
    to_double(xd, qkv, nq);
    ref_attention(od, ad, xd, B, T, C, NH, causal);
    snprintf(name, sizeof name, "attention_forward B=%d T=%d C=%d NH=%d causal=%d", B, T, C, NH, causal);
    close_d(name, out, od, no, 1e-5, 1e-5);
    snprintf(name, sizeof name, "attention_forward probabilities B=%d T=%d C=%d NH=%d causal=%d", B, T, C, NH, causal);
    close_d(name, att, ad, na, 1e-6, 1e-5);

    if (do_grad) {
        /* backward vs FD: atol 1e-5 + rtol 1e-4 */
        attention_backward(g, R, qkv, att, B, T, C, NH, causal);
        kctx k = {.R = R, .B = B, .T = T, .C = C, .NH = NH, .causal = causal};
        fd_grad(gd, xd, nq, loss_attention, &k);
        snprintf(name, sizeof name, "attention_backward vs FD B=%d T=%d C=%d NH=%d causal=%d", B, T, C, NH, causal);
        close_d(name, g, gd, nq, 1e-5, 1e-4);

        memcpy(g2, P, nq * sizeof(float));
        attention_backward(g2, R, qkv, att, B, T, C, NH, causal);
        attention_backward(g2, R, qkv, att, B, T, C, NH, causal);
        snprintf(name, sizeof name, "attention_backward accumulates B=%d T=%d C=%d NH=%d causal=%d", B, T, C, NH,
                 causal);
        check_accumulates(name, g, P, g2, nq);

        /* the gradient at the probabilities (heat maps): vs FD of out(att) = att v,
         * atol 1e-5 + rtol 1e-4; masked entries exactly 0 */
        float *datt = fbuf(na), *datt2 = fbuf(na), *g3 = fbuf(nq);
        double *pd = dbuf(na), *gpd = dbuf(na);
        attention_backward_probs(g3, datt, R, qkv, att, B, T, C, NH, causal);
        to_double(pd, att, na);
        kctx kp = {.w = qkv, .R = R, .B = B, .T = T, .C = C, .NH = NH, .causal = causal};
        fd_grad(gpd, pd, na, loss_attention_probs, &kp);
        snprintf(name, sizeof name, "attention_backward_probs dA vs FD B=%d T=%d C=%d NH=%d causal=%d", B, T, C, NH,
                 causal);
        close_d(name, datt, gpd, na, 1e-5, 1e-4);
        memset(g2, 0, nq * sizeof(float));
        attention_backward(g2, R, qkv, att, B, T, C, NH, causal);
        snprintf(name, sizeof name, "attention_backward_probs dqkv = attention_backward B=%d T=%d C=%d NH=%d causal=%d",
                 B, T, C, NH, causal);
        check_close(name, g3, g2, (long)nq, 0, 0); /* the same products: exact */
        attention_backward_probs(NULL, datt2, R, qkv, att, B, T, C, NH, causal);
        snprintf(name, sizeof name, "attention_backward_probs dA only (dqkv NULL) B=%d T=%d C=%d NH=%d causal=%d", B, T,
                 C, NH, causal);
        check_close(name, datt2, datt, (long)na, 0, 0);
        free(datt), free(datt2), free(g3), free(pd), free(gpd);
    }
    free(qkv), free(R), free(out), free(att), free(g), free(P), free(g2), free(xd), free(od), free(ad), free(gd);
}

static void test_l2norm(ppad_rng *r, int N, int C) {
    char name[128];
    size_t n = (size_t)N * C;
    float *x = fbuf(n), *R = fbuf(n), *out = fbuf(n), *norm = fbuf((size_t)N), *g = fbuf(n), *P = fbuf(n),
          *g2 = fbuf(n);
    double *xd = dbuf(n), *od = dbuf(n), *nd = dbuf((size_t)N), *gd = dbuf(n);
    fill(x, n, r, 0, 2.0);
    fill(R, n, r, 0, 1);
    fill(P, n, r, 0, 1);

    /* forward: out atol 1e-6 + rtol 1e-6; norm rtol 1e-6 */
    l2norm_forward(out, norm, x, N, C);
    to_double(xd, x, n);
    ref_l2norm(od, nd, xd, N, C);
    snprintf(name, sizeof name, "l2norm_forward N=%d C=%d", N, C);
    close_d(name, out, od, n, 1e-6, 1e-6);
    snprintf(name, sizeof name, "l2norm_forward norm N=%d C=%d", N, C);
    close_d(name, norm, nd, (size_t)N, 0, 1e-6);

    /* backward vs FD: atol 1e-6 + rtol 1e-4 */
    l2norm_backward(g, R, out, norm, N, C);
    kctx k = {.R = R, .N = N, .C = C};
    fd_grad(gd, xd, n, loss_l2norm, &k);
    snprintf(name, sizeof name, "l2norm_backward vs FD N=%d C=%d", N, C);
    close_d(name, g, gd, n, 1e-6, 1e-4);

    memcpy(g2, P, n * sizeof(float));
    l2norm_backward(g2, R, out, norm, N, C);
    l2norm_backward(g2, R, out, norm, N, C);
    snprintf(name, sizeof name, "l2norm_backward accumulates N=%d C=%d", N, C);
    check_accumulates(name, g, P, g2, n);

    /* a zero row: forward gives zeros, backward adds nothing (and no NaN) */
    memset(x, 0, (size_t)C * sizeof(float));
    l2norm_forward(out, norm, x, N, C);
    memcpy(g2, P, n * sizeof(float));
    l2norm_backward(g2, R, out, norm, N, C);
    int ok = norm[0] == 0.0f;
    for (int i = 0; i < C; i++) ok = ok && out[i] == 0.0f && g2[i] == P[i];
    CHECK(ok, "l2norm zero row: zero output, no gradient");
    free(x), free(R), free(out), free(norm), free(g), free(P), free(g2), free(xd), free(od), free(nd), free(gd);
}

static void test_residual(ppad_rng *r, size_t n) {
    float *a = fbuf(n), *b = fbuf(n), *out = fbuf(n), *want = fbuf(n);
    fill(a, n, r, 0, 1);
    fill(b, n, r, 0, 1);
    for (size_t i = 0; i < n; i++) want[i] = a[i] + b[i];
    residual_forward(out, a, b, n);
    check_close("residual_forward", out, want, (long)n, 0, 0); /* exact */
    residual_forward(a, a, b, n);
    check_close("residual_forward in place (out aliases a)", a, want, (long)n, 0, 0); /* exact */
    free(a), free(b), free(out), free(want);
}

int main(void) {
    ppad_rng r;
    rng_seed(&r, 20240531);

    /* small odd sizes: forward + FD gradient + accumulation */
    test_linear(&r, 5, 12, 7, 1, 1);
    test_linear(&r, 5, 12, 7, 0, 1);
    test_matmul(&r, 5, 12, 7);
    test_layernorm(&r, 5, 12);
    test_quickgelu(&r, 37);
    test_attention(&r, 2, 5, 8, 2, 0, 1);  /* hd = 4 */
    test_attention(&r, 2, 5, 8, 2, 1, 1);
    test_attention(&r, 1, 7, 24, 2, 0, 1); /* hd = 12: vector blocks + tail */
    test_attention(&r, 1, 7, 24, 2, 1, 1);
    test_l2norm(&r, 5, 12);
    test_residual(&r, 101);

    /* realistic sizes, forward only (the gradients' realistic-size check is
     * tests/parity/test_kernels_torch.py) */
    test_linear(&r, 9, 768, 96, 1, 0);
    test_layernorm(&r, 3, 768);
    test_attention(&r, 1, 50, 768, 12, 0, 0);
    test_attention(&r, 1, 77, 512, 8, 1, 0);
    return check_done();
}
