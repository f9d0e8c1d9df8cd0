/* kernels_forward.c — forward halves of the kernel pairs in kernels.h. */
#include <math.h>
#include <string.h>

#include <cblas.h>

#include "clip/kernels.h"

void linear_forward(float *out, const float *inp, const float *weight, const float *bias, int N, int C, int OC) {
    float beta = 0.0f;
    if (bias) {
#pragma omp parallel for schedule(static)
        for (int n = 0; n < N; n++) memcpy(out + (size_t)n * OC, bias, sizeof(float) * (size_t)OC);
        beta = 1.0f;
    }
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, N, OC, C, 1.0f, inp, C, weight, C, beta, out, OC);
}

void matmul_forward(float *out, const float *inp, const float *w, int N, int C, int OC) {
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, N, OC, C, 1.0f, inp, C, w, OC, 0.0f, out, OC);
}

void layernorm_forward(float *out, float *mean, float *rstd, const float *inp, const float *weight, const float *bias,
                       int N, int C) {
#pragma omp parallel for schedule(static)
    for (int n = 0; n < N; n++) {
        const float *x = inp + (size_t)n * C;
        float *y = out + (size_t)n * C;
        double s = 0;
        for (int i = 0; i < C; i++) s += x[i];
        float m = (float)(s / C);
        double v = 0;
        for (int i = 0; i < C; i++) {
            double d = (double)x[i] - m;
            v += d * d;
        }
        float r = (float)(1.0 / sqrt(v / C + 1e-5));
        for (int i = 0; i < C; i++) y[i] = (x[i] - m) * r * weight[i] + bias[i];
        if (mean) mean[n] = m;
        if (rstd) rstd[n] = r;
    }
}

void quickgelu_forward(float *out, const float *inp, size_t N) {
#pragma omp parallel for schedule(static)
    for (size_t i = 0; i < N; i++) {
        float x = inp[i];
        out[i] = x / (1.0f + expf(-1.702f * x));
    }
}

void attention_forward(float *out, float *att, const float *qkv, int B, int T, int C, int NH, int causal) {
    const int hd = C / NH;
    const float scale = 1.0f / sqrtf((float)hd);
    const size_t C3 = 3 * (size_t)C;
#pragma omp parallel for collapse(2) schedule(static)
    for (int b = 0; b < B; b++) {
        for (int h = 0; h < NH; h++) {
            const float *base = qkv + (size_t)b * T * C3;
            float *A = att + ((size_t)b * NH + h) * T * T;
            for (int i = 0; i < T; i++) {
                const float *q = base + (size_t)i * C3 + h * hd;
                float *a = A + (size_t)i * T;
                int jmax = causal ? i + 1 : T;
                float mx = -INFINITY;
                for (int j = 0; j < jmax; j++) {
                    const float *k = base + (size_t)j * C3 + C + h * hd;
                    float s = 0;
                    for (int d = 0; d < hd; d++) s += q[d] * k[d];
                    s *= scale;
                    a[j] = s;
                    if (s > mx) mx = s;
                }
                float sum = 0;
                for (int j = 0; j < jmax; j++) {
                    a[j] = expf(a[j] - mx);
                    sum += a[j];
                }
                float inv = 1.0f / sum;
                for (int j = 0; j < jmax; j++) a[j] *= inv;
                for (int j = jmax; j < T; j++) a[j] = 0.0f;
                float *o = out + ((size_t)b * T + i) * C + h * hd;
                for (int d = 0; d < hd; d++) o[d] = 0.0f;
                for (int j = 0; j < jmax; j++) {
                    const float *v = base + (size_t)j * C3 + 2 * C + h * hd;
                    float p = a[j];
                    for (int d = 0; d < hd; d++) o[d] += p * v[d];
                }
            }
        }
    }
}

void residual_forward(float *out, const float *a, const float *b, size_t N) {
#pragma omp parallel for schedule(static)
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
