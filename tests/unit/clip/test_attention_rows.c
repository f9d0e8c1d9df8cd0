/* test_attention_rows.c — the one-query-per-sequence attention kernels (used
 * by each tower's last layer) against the full kernels, which test_kernels_grad
 * checks with finite differences: the forward rows must equal the full
 * forward's rows, and the backward of a gradient on those rows only must equal
 * the full backward of the same (zero-padded) gradient. */
#include <stdlib.h>
#include <string.h>

#include "base/rng.h"
#include "check.h"
#include "clip/kernels.h"

static void fill(float *x, size_t n, ppad_rng *r) {
    for (size_t i = 0; i < n; i++) x[i] = (float)rng_normal(r, 0, 1);
}

static void run(int B, int T, int C, int NH, int causal, const char *tag) {
    ppad_rng r;
    rng_seed(&r, 42);
    const size_t C3 = 3 * (size_t)C;
    float *qkv = malloc(sizeof(float) * B * T * C3), *out = malloc(sizeof(float) * B * T * C);
    float *att = malloc(sizeof(float) * B * NH * T * T), *out_r = malloc(sizeof(float) * B * C);
    float *att_r = malloc(sizeof(float) * B * NH * T), *dout_r = malloc(sizeof(float) * B * C);
    float *dout = calloc((size_t)B * T * C, sizeof(float)), *dq = calloc((size_t)B * T * C3, sizeof(float));
    float *dq_r = calloc((size_t)B * T * C3, sizeof(float));
    float *want = malloc(sizeof(float) * B * C), *want_att = malloc(sizeof(float) * B * NH * T);
    int *rows = malloc(sizeof(int) * B);
    fill(qkv, (size_t)B * T * C3, &r);
    fill(dout_r, (size_t)B * C, &r);
    for (int b = 0; b < B; b++) rows[b] = (int)rng_int(&r, 0, T);
    attention_forward(out, att, qkv, B, T, C, NH, causal);
    attention_forward_rows(out_r, att_r, qkv, rows, B, T, C, NH, causal);
    for (int b = 0; b < B; b++) {
        memcpy(want + (size_t)b * C, out + ((size_t)b * T + rows[b]) * C, sizeof(float) * C);
        for (int h = 0; h < NH; h++)
            memcpy(want_att + ((size_t)b * NH + h) * T, att + (((size_t)b * NH + h) * T + rows[b]) * T,
                   sizeof(float) * T);
        memcpy(dout + ((size_t)b * T + rows[b]) * C, dout_r + (size_t)b * C, sizeof(float) * C);
    }
    char name[128];
    /* both are fp32 softmax-attention; they differ in summation order only */
    snprintf(name, sizeof name, "%s: forward rows = full forward's rows (1e-5 + 1e-5 rel)", tag);
    check_close(name, out_r, want, (long)B * C, 1e-5, 1e-5);
    snprintf(name, sizeof name, "%s: saved probabilities = full rows (1e-6 + 1e-5 rel)", tag);
    check_close(name, att_r, want_att, (long)B * NH * T, 1e-6, 1e-5);
    attention_backward(dq, dout, qkv, att, B, T, C, NH, causal);
    attention_backward_rows(dq_r, dout_r, qkv, att_r, rows, B, T, C, NH, causal);
    snprintf(name, sizeof name, "%s: backward rows = full backward (1e-5 + 1e-4 rel)", tag);
    check_close(name, dq_r, dq, (long)B * T * C3, 1e-5, 1e-4);
    /* the gradient at the probabilities of the selected rows = those rows of the full one */
    float *datt = malloc(sizeof(float) * B * NH * T * T), *datt_r = malloc(sizeof(float) * B * NH * T);
    float *want_d = malloc(sizeof(float) * B * NH * T);
    attention_backward_probs(NULL, datt, dout, qkv, att, B, T, C, NH, causal);
    attention_backward_rows_probs(NULL, datt_r, dout_r, qkv, att_r, rows, B, T, C, NH, causal);
    for (int b = 0; b < B; b++)
        for (int h = 0; h < NH; h++)
            memcpy(want_d + ((size_t)b * NH + h) * T, datt + (((size_t)b * NH + h) * T + rows[b]) * T,
                   sizeof(float) * T);
    snprintf(name, sizeof name, "%s: dA rows = full dA's rows (1e-5 + 1e-4 rel)", tag);
    check_close(name, datt_r, want_d, (long)B * NH * T, 1e-5, 1e-4);
    free(datt), free(datt_r), free(want_d);
    free(qkv), free(out), free(att), free(out_r), free(att_r), free(dout_r), free(dout), free(dq), free(dq_r);
    free(want), free(want_att), free(rows);
}

int main(void) {
    run(3, 7, 16, 2, 0, "small, bidirectional");
    run(3, 7, 16, 2, 1, "small, causal");
    run(4, 50, 768, 12, 0, "image tower size");
    run(10, 23, 512, 8, 1, "text tower size, causal");
    return check_done();
}
