/* kernels_backward.c — backward halves of the kernel pairs in kernels.h.
 * Input gradients only (the weights are frozen); every kernel ACCUMULATES
 * into its d-input (+=), the caller zeroes. */
#include <math.h>
#include <stdlib.h>
#include <stddef.h>
#include <string.h>


#include "clip/gemm.h"
#include "clip/kernels.h"
#include "clip/vmath.h"

/* Inner loops carry "omp simd": at -O2 GCC's cheap vectoriser cost model
 * skips loops of unknown trip count that need alias checks, and float
 * reductions are never reassociated without it. */
static inline float dot(const float *a, const float *b, int n) {
    float s = 0;
#pragma omp simd reduction(+ : s)
    for (int d = 0; d < n; d++) s += a[d] * b[d];
    return s;
}

void linear_backward(float *dinp, const float *dout, const float *weight, int N, int C, int OC) {
    /* dinp (N, C) += dout (N, OC) @ weight (OC, C) */
    gemm_nn(dinp, dout, weight, N, C, OC, 1);
}

void linear_backward_set(float *dinp, const float *dout, const float *weight, int N, int C, int OC) {
    gemm_nn(dinp, dout, weight, N, C, OC, 0);
}

void linear_backward_set_mixed(float *dinp, const float *dout, const float *weight, const uint16_t *w16,
                               uint16_t *scratch16, int N, int C, int OC) {
    if (w16 && scratch16) {
        gemm_to_bf16(scratch16, dout, (size_t)N * OC);
        if (gemm_nn_bf16(dinp, scratch16, w16, N, C, OC) == 0) return;
    }
    if (!weight) { /* a bf16 model keeps no fp32 copy: plain loops over the bf16 matrix */
#pragma omp parallel for schedule(static)
        for (int n = 0; n < N; n++) {
            float *d = dinp + (size_t)n * C;
            const float *g = dout + (size_t)n * OC;
            for (int c = 0; c < C; c++) d[c] = 0;
            for (int o = 0; o < OC; o++) {
                const uint16_t *w = w16 + (size_t)o * C;
                const float go = g[o];
#pragma omp simd
                for (int c = 0; c < C; c++) d[c] += go * gemm_bf16_to_f32(w[c]);
            }
        }
        return;
    }
    gemm_nn(dinp, dout, weight, N, C, OC, 0);
}

void matmul_backward(float *dinp, const float *dout, const float *w, int N, int C, int OC) {
    /* dinp (N, C) += dout (N, OC) @ w^T, w is (C, OC) */
    gemm_nt(dinp, dout, w, NULL, N, C, OC, 1);
}

/* y = xhat * w + b with xhat = (x - mean) * rstd. With g = dout * w:
 * dx = rstd * (g - mean(g) - xhat * mean(g * xhat)). */
void layernorm_backward(float *dinp, const float *dout, const float *inp, const float *weight, const float *mean,
                        const float *rstd, int N, int C) {
#pragma omp parallel for schedule(static)
    for (int n = 0; n < N; n++) {
        const float *x = inp + (size_t)n * C;
        const float *dy = dout + (size_t)n * C;
        float *dx = dinp + (size_t)n * C;
        const float m = mean[n], r = rstd[n];
        double sg = 0, sgx = 0;
#pragma omp simd reduction(+ : sg, sgx)
        for (int i = 0; i < C; i++) {
            float g = dy[i] * weight[i];
            float xh = (x[i] - m) * r;
            sg += g;
            sgx += (double)g * xh;
        }
        const float mg = (float)(sg / C), mgx = (float)(sgx / C);
#pragma omp simd
        for (int i = 0; i < C; i++) {
            float g = dy[i] * weight[i];
            float xh = (x[i] - m) * r;
            dx[i] += r * (g - mg - xh * mgx);
        }
    }
}

/* d/dx [x * s(a x)] = s + a x s (1 - s), s = sigmoid(a x), a = 1.702 */
void quickgelu_backward(float *dinp, const float *inp, const float *dout, size_t N) {
#pragma omp parallel for schedule(static)
    for (size_t i = 0; i < N; i++) {
        float x = inp[i];
        float s = 1.0f / (1.0f + vexpf(-1.702f * x));
        dinp[i] += dout[i] * (s + 1.702f * x * s * (1.0f - s));
    }
}

void quickgelu_backward_inplace(float *d, const float *inp, size_t N) {
#pragma omp parallel for simd schedule(static)
    for (size_t i = 0; i < N; i++) {
        float x = inp[i];
        float s = 1.0f / (1.0f + vexpf(-1.702f * x));
        d[i] *= s + 1.702f * x * s * (1.0f - s);
    }
}

/* Per (batch, head), with P = att (softmax probabilities), S = q k^T * scale:
 *   dP = dout v^T, dv += P^T dout, dS = P * (dP - rowsum(P * dP)),
 *   dq += scale * dS k, dk += scale * dS^T q.
 * A (b, h) pair writes only its own head's columns of dq, dk and dv, so the
 * (b, h) loop is race-free. Masked (causal) entries have P = 0 and are skipped.
 * dqkv must not overlap qkv or dout (the simd loop assumes it). */
/* Backward of one query row of one head: p (jmax) its probabilities, dy (hd)
 * the gradient of its output; base/dbase the sequence's qkv/dqkv rows (stride
 * C3), head columns at off. Accumulates dq (row i), dk and dv (rows < jmax). */
static void attend_one_backward(float *dbase, const float *base, const float *p, const float *dy, int i, int jmax,
                                size_t C3, int C, size_t off, int hd, float scale) {
    const float *q = base + (size_t)i * C3 + off;
    float *dq = dbase + (size_t)i * C3 + off;
    /* rowsum(P * dP) first, with dP_ij = dy . v_j */
    float pdp = 0;
    for (int j = 0; j < jmax; j++) pdp += p[j] * dot(dy, base + (size_t)j * C3 + 2 * C + off, hd);
    for (int j = 0; j < jmax; j++) {
        const float *k = base + (size_t)j * C3 + C + off;
        const float *v = base + (size_t)j * C3 + 2 * C + off;
        float *dk = dbase + (size_t)j * C3 + C + off;
        float *dv = dbase + (size_t)j * C3 + 2 * C + off;
        const float pj = p[j];
        const float ds = pj * (dot(dy, v, hd) - pdp) * scale;
#pragma omp simd
        for (int d = 0; d < hd; d++) {
            dv[d] += pj * dy[d];
            dq[d] += ds * k[d];
            dk[d] += ds * q[d];
        }
    }
}

/* Zeroes the masked (j > i) entries of n (T, T) matrices: a masked
 * probability is no variable, so its gradient is defined as 0. */
static void mask_upper(float *m, int n, int T) {
    for (int r = 0; r < n; r++)
        for (int i = 0; i < T; i++)
            for (int j = i + 1; j < T; j++) m[((size_t)r * T + i) * T + j] = 0;
}

/* dP for one query row of one head: datt[j] = dy . v_j for j < jmax, 0 after. */
static void probs_grad_row(float *datt, const float *base, const float *dy, int jmax, int T, size_t C3, int C,
                           size_t off, int hd) {
    for (int j = 0; j < T; j++) datt[j] = j < jmax ? dot(dy, base + (size_t)j * C3 + 2 * C + off, hd) : 0.0f;
}

/* The backward as batched products: dV += P^T dO, dP = dO V^T,
 * dS = P * (dP - rowsum(P * dP)) * scale, dQ += dS K, dK += dS^T Q. */
/* dqkv = the attention's input gradient as four batched products (dV = P^T dO,
 * dP = dO V^T, dS = softmax backward, dQ = dS K * scale, dK = dS^T Q * scale),
 * each writing its own third of every row. Returns -1 if oneDNN cannot run one
 * of them (then dqkv holds partial results and must be recomputed). */
static int attention_backward_gemm(float *dqkv, float *datt, const float *dout, const float *qkv, const float *att,
                                   int B, int T, int C, int NH, int causal) {
    const int64_t hd = C / NH, C3 = 3 * (int64_t)C;
    const float scale = 1.0f / sqrtf((float)hd);
    const int64_t xd[4] = {B, NH, T, hd}, xs[4] = {T * C3, hd, C3, 1};      /* Q, K, V and dQ, dK, dV */
    const int64_t xtd[4] = {B, NH, hd, T}, xts[4] = {T * C3, hd, 1, C3};   /* V^T */
    const int64_t os[4] = {(int64_t)T * C, hd, C, 1};                        /* dO in (B, T, C) */
    const int64_t sd[4] = {B, NH, T, T}, ss[4] = {(int64_t)NH * T * T, (int64_t)T * T, T, 1};
    const int64_t sts[4] = {(int64_t)NH * T * T, (int64_t)T * T, 1, T};     /* P^T, dS^T */
    const size_t nS = (size_t)B * NH * T * T;
    if (!dqkv) { /* only dP = dO V^T, the gradient at the probabilities */
        if (gemm_batched(datt, sd, ss, dout, xd, os, qkv + 2 * C, xtd, xts, 1.0f, 0) != 0) return -1;
        if (causal) mask_upper(datt, B * NH, T);
        return 0;
    }
    float *dS = malloc(sizeof(float) * nS);
    if (!dS) return -1;
    int rc = -1;
    if (gemm_batched(dqkv + 2 * C, xd, xs, att, sd, sts, dout, xd, os, 1.0f, 0) != 0) goto out;
    if (gemm_batched(dS, sd, ss, dout, xd, os, qkv + 2 * C, xtd, xts, 1.0f, 0) != 0) goto out;
    if (datt) {
        memcpy(datt, dS, sizeof(float) * nS);
        if (causal) mask_upper(datt, B * NH, T);
    }
    {
        const long rows = (long)B * NH * T;
#pragma omp parallel for schedule(static)
        for (long r = 0; r < rows; r++) {
            const float *restrict p = att + (size_t)r * T;
            float *restrict d = dS + (size_t)r * T;
            float pdp = 0;
#pragma omp simd reduction(+ : pdp)
            for (int j = 0; j < T; j++) pdp += p[j] * d[j];
#pragma omp simd
            for (int j = 0; j < T; j++) d[j] = p[j] * (d[j] - pdp) * scale;
        }
    }
    if (gemm_batched(dqkv, xd, xs, dS, sd, ss, qkv + C, xd, xs, 1.0f, 0) != 0) goto out;
    if (gemm_batched(dqkv + C, xd, xs, dS, sd, sts, qkv, xd, xs, 1.0f, 0) != 0) goto out;
    rc = 0;
out:
    free(dS);
    return rc;
}

/* The reference loops: dqkv += the gradient, one query row at a time. */
static void attention_backward_loops(float *dqkv, const float *dout, const float *qkv, const float *att, int B, int T,
                                     int C, int NH, int causal) {
    const int hd = C / NH;
    const float scale = 1.0f / sqrtf((float)hd);
    const size_t C3 = 3 * (size_t)C;
#pragma omp parallel for collapse(2) schedule(static)
    for (int b = 0; b < B; b++)
        for (int h = 0; h < NH; h++)
            for (int i = 0; i < T; i++)
                attend_one_backward(dqkv + (size_t)b * T * C3, qkv + (size_t)b * T * C3,
                                    att + (((size_t)b * NH + h) * T + i) * T, dout + ((size_t)b * T + i) * C + h * hd,
                                    i, causal ? i + 1 : T, C3, C, (size_t)h * hd, hd, scale);
}

void attention_backward_probs(float *dqkv, float *datt, const float *dout, const float *qkv, const float *att, int B,
                              int T, int C, int NH, int causal) {
    /* (masked probabilities are 0, so the causal case needs nothing special here) */
    if (attention_backward_gemm(dqkv, datt, dout, qkv, att, B, T, C, NH, causal) == 0) return;
    /* fallback: start again from zero (a failed product may have written part of dqkv) */
    if (dqkv) {
        memset(dqkv, 0, sizeof(float) * (size_t)B * T * 3 * C);
        attention_backward_loops(dqkv, dout, qkv, att, B, T, C, NH, causal);
    }
    if (!datt) return;
    const int hd = C / NH;
    const size_t C3 = 3 * (size_t)C;
#pragma omp parallel for collapse(2) schedule(static)
    for (int b = 0; b < B; b++)
        for (int h = 0; h < NH; h++)
            for (int i = 0; i < T; i++)
                probs_grad_row(datt + (((size_t)b * NH + h) * T + i) * T, qkv + (size_t)b * T * C3,
                               dout + ((size_t)b * T + i) * C + h * hd, causal ? i + 1 : T, T, C3, C, (size_t)h * hd,
                               hd);
}

void attention_backward_set(float *dqkv, const float *dout, const float *qkv, const float *att, int B, int T, int C,
                            int NH, int causal) {
    attention_backward_probs(dqkv, NULL, dout, qkv, att, B, T, C, NH, causal);
}

void attention_backward(float *dqkv, const float *dout, const float *qkv, const float *att, int B, int T, int C,
                        int NH, int causal) {
    const size_t n = (size_t)B * T * 3 * C;
    float *tmp = malloc(sizeof(float) * (n ? n : 1));
    if (!tmp) { /* out of memory: the loops accumulate directly */
        attention_backward_loops(dqkv, dout, qkv, att, B, T, C, NH, causal);
        return;
    }
    attention_backward_set(tmp, dout, qkv, att, B, T, C, NH, causal);
    for (size_t i = 0; i < n; i++) dqkv[i] += tmp[i];
    free(tmp);
}

/* y = x / ||x||: dx = (dy - y (y . dy)) / ||x||. A zero row (norm 0) was
 * mapped to 0 by the forward and gets no gradient. */
void l2norm_backward(float *dinp, const float *dout, const float *out, const float *norm, int N, int C) {
#pragma omp parallel for schedule(static)
    for (int n = 0; n < N; n++) {
        const float *y = out + (size_t)n * C;
        const float *dy = dout + (size_t)n * C;
        float *dx = dinp + (size_t)n * C;
        if (!(norm[n] > 0)) continue;
        const float inv = 1.0f / norm[n];
        double s = 0;
#pragma omp simd reduction(+ : s)
        for (int i = 0; i < C; i++) s += (double)y[i] * dy[i];
        const float yd = (float)s;
#pragma omp simd
        for (int i = 0; i < C; i++) dx[i] += (dy[i] - y[i] * yd) * inv;
    }
}

void attention_backward_rows(float *dqkv, const float *dout, const float *qkv, const float *att, const int *qrow, int B,
                             int T, int C, int NH, int causal) {
    attention_backward_rows_probs(dqkv, NULL, dout, qkv, att, qrow, B, T, C, NH, causal);
}

void attention_backward_rows_probs(float *dqkv, float *datt, const float *dout, const float *qkv, const float *att,
                                   const int *qrow, int B, int T, int C, int NH, int causal) {
    const int hd = C / NH;
    const float scale = 1.0f / sqrtf((float)hd);
    const size_t C3 = 3 * (size_t)C;
#pragma omp parallel for collapse(2) schedule(static)
    for (int b = 0; b < B; b++) {
        for (int h = 0; h < NH; h++) {
            const float *base = qkv + (size_t)b * T * C3;
            float *dbase = dqkv ? dqkv + (size_t)b * T * C3 : NULL;
            const int i = qrow[b];
            const float *dy = dout + (size_t)b * C + h * hd;
            if (datt) probs_grad_row(datt + ((size_t)b * NH + h) * T, base, dy, causal ? i + 1 : T, T, C3, C,
                                     (size_t)h * hd, hd);
            if (dqkv)
                attend_one_backward(dbase, base, att + ((size_t)b * NH + h) * T, dy, i, causal ? i + 1 : T, C3, C,
                                    (size_t)h * hd, hd, scale);
        }
    }
}
