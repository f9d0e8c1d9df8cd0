/* kernels_forward.c — forward halves of the kernel pairs in kernels.h. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "clip/gemm.h"
#include "clip/kernels.h"
#include "clip/vmath.h"

void linear_forward(float *out, const float *inp, const float *weight, const float *bias, int N, int C, int OC) {
    gemm_nt(out, inp, weight, bias, N, OC, C, 0);
}

void matmul_forward(float *out, const float *inp, const float *w, int N, int C, int OC) {
    gemm_nn(out, inp, w, N, OC, C, 0);
}

/* out (N, OC) (+)= [quickgelu](inp @ bf16(w16)^T + bias), fp32 arithmetic:
 * the fallback when oneDNN cannot run a bf16 product. */
static void linear_forward_w16_loops(float *out, const float *inp, const uint16_t *w16, const float *bias, int N,
                                     int C, int OC, int gelu, int acc) {
#pragma omp parallel for schedule(static)
    for (int n = 0; n < N; n++) {
        const float *x = inp + (size_t)n * C;
        for (int o = 0; o < OC; o++) {
            const uint16_t *w = w16 + (size_t)o * C;
            float s = 0;
#pragma omp simd reduction(+ : s)
            for (int c = 0; c < C; c++) s += x[c] * gemm_bf16_to_f32(w[c]);
            if (bias) s += bias[o];
            if (gelu) s = s / (1.0f + expf(-1.702f * s));
            out[(size_t)n * OC + o] = acc ? out[(size_t)n * OC + o] + s : s;
        }
    }
}

void linear_forward_mixed(float *out, const float *inp, const float *weight, const uint16_t *w16, const float *bias,
                          uint16_t *scratch16, int N, int C, int OC, int flags) {
    const int gelu = (flags & LINEAR_GELU) != 0, acc = (flags & LINEAR_ACC) != 0;
    if (w16 && scratch16) {
        gemm_to_bf16(scratch16, inp, (size_t)N * C);
        if (gemm_nt_bf16_ex(out, 0, scratch16, w16, bias, N, OC, C, gelu, acc) == 0) return;
    }
    if (!weight) { /* a bf16 model keeps no fp32 copy: plain loops over the bf16 matrix */
        linear_forward_w16_loops(out, inp, w16, bias, N, C, OC, gelu, acc);
        return;
    }
    if (gelu && !acc) gemm_nt_gelu(out, inp, weight, bias, N, OC, C);
    else gemm_nt(out, inp, weight, bias, N, OC, C, acc); /* GELU with ACC is not offered */
}

int mlp_residual_forward_bf16(float *x, const uint16_t *inp16, const uint16_t *fc_w16, const float *fc_b,
                              const uint16_t *proj_w16, const float *proj_b, uint16_t *h16, int N, int W) {
    if (gemm_nt_bf16_ex(h16, 1, inp16, fc_w16, fc_b, N, 4 * W, W, 1, 0) != 0) return -1;
    return gemm_nt_bf16_ex(x, 0, h16, proj_w16, proj_b, N, W, 4 * W, 0, 1);
}

void layernorm_forward(float *out, float *mean, float *rstd, const float *inp, const float *weight, const float *bias,
                       int N, int C) {
#pragma omp parallel for schedule(static)
    for (int n = 0; n < N; n++) {
        const float *restrict x = inp + (size_t)n * C;
        float *restrict y = out + (size_t)n * C;
        double s = 0;
#pragma omp simd reduction(+ : s)
        for (int i = 0; i < C; i++) s += x[i];
        const float m = (float)(s / C);
        double v = 0;
#pragma omp simd reduction(+ : v)
        for (int i = 0; i < C; i++) {
            double d = (double)x[i] - m;
            v += d * d;
        }
        const float r = (float)(1.0 / sqrt(v / C + 1e-5));
#pragma omp simd
        for (int i = 0; i < C; i++) y[i] = (x[i] - m) * r * weight[i] + bias[i];
        if (mean) mean[n] = m;
        if (rstd) rstd[n] = r;
    }
}

void quickgelu_forward(float *out, const float *inp, size_t N) {
#pragma omp parallel for schedule(static)
    for (size_t i0 = 0; i0 < N; i0 += 4096) {
        size_t n = N - i0 < 4096 ? N - i0 : 4096;
        const float *restrict x = inp + i0;
        float *restrict y = out + i0;
#pragma omp simd
        for (size_t i = 0; i < n; i++) y[i] = x[i] / (1.0f + vexpf(-1.702f * x[i]));
    }
}

/* Row-wise softmax of att (B*NH*T rows of T) in place, keys j > i masked when causal. */
static void softmax_rows(float *att, int B, int T, int NH, int causal) {
    const long rows = (long)B * NH * T;
#pragma omp parallel for schedule(static)
    for (long r = 0; r < rows; r++) {
        float *restrict a = att + (size_t)r * T;
        const int i = (int)(r % T), jmax = causal ? i + 1 : T;
        float mx = -INFINITY;
        for (int j = 0; j < jmax; j++) mx = a[j] > mx ? a[j] : mx;
        float sum = 0;
#pragma omp simd reduction(+ : sum)
        for (int j = 0; j < jmax; j++) {
            a[j] = vexpf(a[j] - mx);
            sum += a[j];
        }
        const float inv = 1.0f / sum;
#pragma omp simd
        for (int j = 0; j < jmax; j++) a[j] *= inv;
        for (int j = jmax; j < T; j++) a[j] = 0.0f;
    }
}

/* attention as two batched products over (batch, head) straight on the
 * interleaved qkv layout: S = scale * Q K^T, P = softmax(S), O = P V. */
static int attention_forward_gemm(float *out, float *att, const float *qkv, int B, int T, int C, int NH, int causal) {
    const int64_t hd = C / NH, C3 = 3 * (int64_t)C;
    const int64_t qd[4] = {B, NH, T, hd}, qs[4] = {T * C3, hd, C3, 1};   /* Q (and V, K rows) */
    const int64_t kd[4] = {B, NH, hd, T}, ks[4] = {T * C3, hd, 1, C3};   /* K^T */
    const int64_t sd[4] = {B, NH, T, T}, ss[4] = {(int64_t)NH * T * T, (int64_t)T * T, T, 1};
    const int64_t os[4] = {(int64_t)T * C, hd, C, 1};                      /* O in (B, T, C) */
    if (gemm_batched(att, sd, ss, qkv, qd, qs, qkv + C, kd, ks, 1.0f / sqrtf((float)hd), 0) != 0) return -1;
    softmax_rows(att, B, T, NH, causal);
    return gemm_batched(out, qd, os, att, sd, ss, qkv + 2 * C, qd, qs, 1.0f, 0);
}

/* One query row i of one head: probabilities a (T, zero past jmax) and output o
 * (hd). base: the sequence's qkv rows (stride C3), head columns at off. */
static void attend_one(float *restrict o, float *restrict a, const float *base, int i, int jmax, int T, size_t C3,
                       int C, size_t off, int hd, float scale) {
    const float *restrict q = base + (size_t)i * C3 + off;
    float mx = -INFINITY;
    for (int j = 0; j < jmax; j++) {
        const float *restrict k = base + (size_t)j * C3 + C + off;
        float s = 0;
#pragma omp simd reduction(+ : s)
        for (int d = 0; d < hd; d++) s += q[d] * k[d];
        a[j] = s * scale;
        mx = a[j] > mx ? a[j] : mx;
    }
    float sum = 0;
    for (int j = 0; j < jmax; j++) sum += (a[j] = vexpf(a[j] - mx));
    for (int j = 0; j < T; j++) a[j] = j < jmax ? a[j] / sum : 0.0f;
    for (int d = 0; d < hd; d++) o[d] = 0.0f;
    for (int j = 0; j < jmax; j++) {
        const float *restrict v = base + (size_t)j * C3 + 2 * C + off;
        const float pj = a[j];
#pragma omp simd
        for (int d = 0; d < hd; d++) o[d] += pj * v[d];
    }
}

void attention_forward(float *out, float *att, const float *qkv, int B, int T, int C, int NH, int causal) {
    if (attention_forward_gemm(out, att, qkv, B, T, C, NH, causal) == 0) return;
    /* fallback (no oneDNN kernel): one query at a time */
    const int hd = C / NH;
    const float scale = 1.0f / sqrtf((float)hd);
    const size_t C3 = 3 * (size_t)C;
#pragma omp parallel for collapse(2) schedule(static)
    for (int b = 0; b < B; b++)
        for (int h = 0; h < NH; h++)
            for (int i = 0; i < T; i++)
                attend_one(out + ((size_t)b * T + i) * C + h * hd, att + (((size_t)b * NH + h) * T + i) * T,
                           qkv + (size_t)b * T * C3, i, causal ? i + 1 : T, T, C3, C, (size_t)h * hd, hd, scale);
}

void attention_forward_rows(float *out, float *att, const float *qkv, const int *qrow, int B, int T, int C, int NH,
                            int causal) {
    const int hd = C / NH;
    const float scale = 1.0f / sqrtf((float)hd);
    const size_t C3 = 3 * (size_t)C;
#pragma omp parallel for collapse(2) schedule(static)
    for (int b = 0; b < B; b++)
        for (int h = 0; h < NH; h++)
            attend_one(out + (size_t)b * C + h * hd, att + ((size_t)b * NH + h) * T, qkv + (size_t)b * T * C3,
                       qrow[b], causal ? qrow[b] + 1 : T, T, C3, C, (size_t)h * hd, hd, scale);
}

void residual_forward(float *out, const float *a, const float *b, size_t N) {
#pragma omp parallel for simd schedule(static)
    for (size_t i = 0; i < N; i++) out[i] = a[i] + b[i];
}

void l2norm_forward(float *out, float *norm, const float *inp, int N, int C) {
    for (int n = 0; n < N; n++) {
        const float *x = inp + (size_t)n * C;
        double s = 0;
        for (int i = 0; i < C; i++) s += (double)x[i] * x[i];
        float nr = (float)sqrt(s);
        if (norm) norm[n] = nr;
        float inv = nr > 0 ? 1.0f / nr : 0.0f;
        for (int i = 0; i < C; i++) out[(size_t)n * C + i] = x[i] * inv;
    }
}
