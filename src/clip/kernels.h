/* kernels.h — the transformer's compute kernels, in forward/backward pairs.
 *
 * Conventions (after llm.c): outputs first, then saved activations, then
 * inputs, then weights, then sizes. Every buffer has its shape in a comment.
 * Row-major throughout; N = number of token rows (batch × tokens).
 * Backward kernels ACCUMULATE into their d-inputs (+=); the caller zeroes.
 * Weights are frozen in ppad: backward kernels compute gradients with respect
 * to their inputs only — no weight gradients exist anywhere.
 * OpenMP parallelises outer loops; GEMMs go through cblas_sgemm. */
#ifndef PPAD_CLIP_KERNELS_H
#define PPAD_CLIP_KERNELS_H

#include <stddef.h>
#include <stdint.h>

/* ---- linear: out = inp @ weight^T + bias ---- */
void linear_forward(float *out,          /* (N, OC) */
                    const float *inp,    /* (N, C) */
                    const float *weight, /* (OC, C) */
                    const float *bias,   /* (OC) or NULL */
                    int N, int C, int OC);
void linear_backward(float *dinp,         /* (N, C)  += dout @ weight */
                     const float *dout,   /* (N, OC) */
                     const float *weight, /* (OC, C) */
                     int N, int C, int OC);

/* Variant with options: with w16 (a bf16 copy of weight) the input is rounded
 * to bf16 into scratch16 (N*C) and multiplied in bf16 with fp32 accumulation
 * (falls back to fp32 if the CPU cannot). flags: LINEAR_GELU fuses QuickGELU
 * (out = quickgelu(inp @ weight^T + bias)); LINEAR_ACC adds the result to out
 * (out += inp @ weight^T + bias: a residual connection without its own pass). */
enum { LINEAR_GELU = 1, LINEAR_ACC = 2 };
void linear_forward_mixed(float *out, const float *inp, const float *weight, const uint16_t *w16, const float *bias,
                          uint16_t *scratch16, int N, int C, int OC, int flags);

/* Inference MLP branch added to the residual stream, all in bf16 products:
 * x (N, W) += c_proj(quickgelu(c_fc(inp16))). inp16 (N, W) is the bf16
 * LayerNorm output; the hidden layer h16 (N, 4W) is written by c_fc directly
 * in bf16, so it is never stored in fp32 nor converted. Returns 0, or -1 if
 * oneDNN cannot run it (then x is untouched). */
int mlp_residual_forward_bf16(float *x, const uint16_t *inp16, const uint16_t *fc_w16, const float *fc_b,
                              const uint16_t *proj_w16, const float *proj_b, uint16_t *h16, int N, int W);

/* Overwriting variant for a freshly used buffer: dinp (N, C) = dout @ weight
 * (saves zeroing it first and reading it back). */
void linear_backward_set(float *dinp, const float *dout, const float *weight, int N, int C, int OC);
/* Reduced-precision variant: with w16 (a bf16 copy of weight) dout is rounded
 * to bf16 into scratch16 (N*OC) and multiplied in bf16 with fp32 accumulation;
 * without w16 (or if oneDNN cannot run it) the fp32 linear_backward_set. */
void linear_backward_set_mixed(float *dinp, const float *dout, const float *weight, const uint16_t *w16,
                               uint16_t *scratch16, int N, int C, int OC);

/* ---- matmul with a (C, OC) matrix (CLIP's visual.proj / text_projection): out = inp @ w ---- */
void matmul_forward(float *out,       /* (N, OC) */
                    const float *inp, /* (N, C) */
                    const float *w,   /* (C, OC) */
                    int N, int C, int OC);
void matmul_backward(float *dinp,       /* (N, C) += dout @ w^T */
                     const float *dout, /* (N, OC) */
                     const float *w,    /* (C, OC) */
                     int N, int C, int OC);

/* ---- LayerNorm over the last dim, eps = 1e-5 ---- */
void layernorm_forward(float *out,          /* (N, C) */
                       float *mean,         /* (N) saved, may be NULL */
                       float *rstd,         /* (N) saved, may be NULL */
                       const float *inp,    /* (N, C) */
                       const float *weight, /* (C) */
                       const float *bias,   /* (C) */
                       int N, int C);
void layernorm_backward(float *dinp,         /* (N, C) += */
                        const float *dout,   /* (N, C) */
                        const float *inp,    /* (N, C) */
                        const float *weight, /* (C) */
                        const float *mean,   /* (N) */
                        const float *rstd,   /* (N) */
                        int N, int C);

/* ---- QuickGELU: out = x * sigmoid(1.702 x) ---- */
void quickgelu_forward(float *out, const float *inp, /* (N) each */ size_t N);
void quickgelu_backward(float *dinp,       /* (N) += */
                        const float *inp,  /* (N) pre-activation */
                        const float *dout, /* (N) */
                        size_t N);

/* In-place variant: d (N) holds d out on entry and d inp on return. */
void quickgelu_backward_inplace(float *d, const float *inp, size_t N);

/* ---- multi-head self-attention core (no projections) ----
 * qkv rows are [q (C) | k (C) | v (C)], head h uses columns h*hd .. h*hd+hd-1 of
 * each, hd = C / NH. att = softmax(q k^T / sqrt(hd) + mask), out = att v.
 * causal: query i attends to keys j <= i only. */
void attention_forward(float *out,       /* (B, T, C) */
                       float *att,       /* (B, NH, T, T) saved probabilities */
                       const float *qkv, /* (B, T, 3C) */
                       int B, int T, int C, int NH, int causal);
void attention_backward(float *dqkv,       /* (B, T, 3C) += */
                        const float *dout, /* (B, T, C) */
                        const float *qkv,  /* (B, T, 3C) */
                        const float *att,  /* (B, NH, T, T) */
                        int B, int T, int C, int NH, int causal);
/* Overwriting variant (dqkv (B, T, 3C) = the gradient): every element is
 * written, so the buffer needs no zeroing. Used by the towers' backward. */
void attention_backward_set(float *dqkv, const float *dout, const float *qkv, const float *att, int B, int T, int C,
                            int NH, int causal);
/* The same, also writing datt (B, NH, T, T) = d loss / d att, the gradient at
 * the probabilities (dO V^T; masked entries 0), when datt is not NULL. With
 * dqkv NULL only datt is computed (explanations need no input gradient below
 * the lowest block). */
void attention_backward_probs(float *dqkv, float *datt, const float *dout, const float *qkv, const float *att, int B,
                              int T, int C, int NH, int causal);

/* The same for ONE query row per sequence (the only row a tower's last layer
 * needs: the class token, or the text's EOT): query qrow[b] of sequence b.
 * Outputs are compact: out (B, C), att (B, NH, T). */
void attention_forward_rows(float *out,       /* (B, C) */
                            float *att,       /* (B, NH, T) saved probabilities */
                            const float *qkv, /* (B, T, 3C) */
                            const int *qrow,  /* (B) */
                            int B, int T, int C, int NH, int causal);
void attention_backward_rows(float *dqkv,       /* (B, T, 3C) += (q rows qrow only; k, v all rows) */
                             const float *dout, /* (B, C) */
                             const float *qkv,  /* (B, T, 3C) */
                             const float *att,  /* (B, NH, T) */
                             const int *qrow,   /* (B) */
                             int B, int T, int C, int NH, int causal);
/* The same, also writing datt (B, NH, T) = d loss / d att of the selected rows
 * (entries after a causal row's end 0) when not NULL; dqkv may be NULL. */
void attention_backward_rows_probs(float *dqkv, float *datt, const float *dout, const float *qkv, const float *att,
                                   const int *qrow, int B, int T, int C, int NH, int causal);

/* ---- residual: out = a + b (out may alias a) ---- */
void residual_forward(float *out, const float *a, const float *b, size_t N);

/* ---- L2 normalisation of each row ---- */
void l2norm_forward(float *out,       /* (N, C) */
                    float *norm,      /* (N) saved ||x||, may be NULL */
                    const float *inp, /* (N, C) */
                    int N, int C);
void l2norm_backward(float *dinp,       /* (N, C) += */
                     const float *dout, /* (N, C) */
                     const float *out,  /* (N, C) normalised rows */
                     const float *norm, /* (N) */
                     int N, int C);

#endif
