/* model.h — CLIP ViT (CheXzero layout): configuration inferred from tensor
 * shapes, all frozen weights converted once to fp32 in one block, and the two
 * towers' entry points PPAD needs:
 *   image: pixels -> patch tokens -> (image prompt may replace tokens) -> feature
 *   text:  token embeddings (+ EOT index) -> feature
 * Features returned here are NOT normalised (callers L2-normalise). */
#ifndef PPAD_CLIP_MODEL_H
#define PPAD_CLIP_MODEL_H

#include <stddef.h>
#include <stdint.h>

#include "ppad.h"
#include "image/image.h"

typedef struct clip_config {
    int image_size;    /* patch * grid (224) */
    int patch;         /* 32 */
    int grid;          /* 7 */
    int n_patches;     /* grid * grid (49) */
    int vision_width;  /* 768 */
    int vision_layers; /* 12 */
    int vision_heads;  /* width / 64 */
    int embed_dim;     /* 512 */
    int context;       /* 77 */
    int vocab;         /* 49408 */
    int text_width;    /* 512 */
    int text_layers;   /* 12 */
    int text_heads;    /* width / 64 */
} clip_config;

/* One residual block's frozen weights (pointers into the model's block). */
typedef struct clip_layer {
    const float *ln1_w, *ln1_b;   /* (W) */
    const float *qkv_w, *qkv_b;   /* (3W, W), (3W): rows [q; k; v] */
    const float *out_w, *out_b;   /* (W, W), (W) */
    const float *ln2_w, *ln2_b;   /* (W) */
    const float *fc_w, *fc_b;     /* (4W, W), (4W) */
    const float *proj_w, *proj_b; /* (W, 4W), (W) */
    /* bf16 copies of the four matrices (image tower, after clip_enable_bf16), else NULL */
    const uint16_t *qkv_w16, *out_w16, *fc_w16, *proj_w16;
} clip_layer;

typedef struct clip_model {
    clip_config cfg;
    float *block;    /* every frozen weight, fp32, one allocation; the image tower's
                      * matrices (conv1 and the layers' four) last, from vis_mats on */
    size_t n_params; /* floats in block */
    float *vis_mats; size_t n_vis_mats; /* that tail: n_vis_mats floats */
    size_t n_mapped;      /* floats of n_params read in place from the file */
    struct pt_file *file; /* the checkpoint, kept open when tensors are read in place
                           * from its mapping (the token embedding), else NULL */
    /* image tower */
    const float *conv1_w;      /* (Wv, 3, P, P) */
    const float *class_emb;    /* (Wv) */
    const float *vis_pos;      /* (1 + G*G, Wv) */
    const float *ln_pre_w, *ln_pre_b;   /* (Wv) */
    const float *ln_post_w, *ln_post_b; /* (Wv) */
    const float *vis_proj;     /* (Wv, E) */
    clip_layer *vis_layers;    /* [vision_layers] */
    /* text tower */
    const float *tok_emb;      /* (vocab, Wt); usually points into the mapped checkpoint */
    const float *txt_pos;      /* (context, Wt) */
    const float *ln_final_w, *ln_final_b; /* (Wt) */
    const float *txt_proj;     /* (Wt, E) */
    clip_layer *txt_layers;    /* [text_layers] */
    float logit_scale;         /* log of the scale; logits use exp(logit_scale) */
    /* reduced-precision image tower: bf16 copies of its matrices. Once made, the
     * fp32 originals are released (their pointers become NULL). */
    uint16_t *block16;         /* one allocation, NULL unless clip_enable_bf16 succeeded */
    const uint16_t *conv1_w16;
    /* what the file held, for `ppad info` */
    int n_tensors;
    long dtype_tensors[10];    /* per pt_dtype */
    long long dtype_params[10];
    double load_seconds;
    uint64_t fingerprint;      /* pt_fingerprint of the checkpoint (prompt provenance) */
    char path[512];            /* the checkpoint's path as given (truncated if longer) */
} clip_model;

int  clip_load(clip_model *m, const char *path, ppad_err *err);
/* Limits on the inferred configuration (a checkpoint outside them is refused,
 * naming the tensor). */
#define CLIP_MAX_WIDTH 16384
#define CLIP_MAX_PATCH 1024
#define CLIP_MAX_GRID 1024
#define CLIP_MAX_IMAGE 16384
#define CLIP_MAX_CONTEXT 4096
#define CLIP_MAX_VOCAB (1 << 22)
/* "CLIP ViT-B/32" when every number is OpenAI's ViT-B/32 (likewise B/16,
 * L/14), else "CLIP ViT (N layers, width W, patch P; text ...)". */
void clip_arch_name(const clip_config *c, char *buf, size_t n);
/* How a random backbone departs from OpenAI's initialisation (all zero:
 * OpenAI's; see ppad random-model --help). The first three reshape or rescale
 * the image tower's random draws (experiments); demo replaces the image tower
 * by make demo's hand-set one and rescales the text tower's draws. */
typedef struct clip_random_opts {
    double embed_std;     /* > 0: std of the visual class and positional embeddings (OpenAI: width^-0.5) */
    double residual_gain; /* > 0: multiplies attn.out_proj and mlp.c_proj weights of the image tower */
    int patch_cell;       /* > 1: conv1 filters constant on patch_cell x patch_cell pixel cells (divides the patch) */
    int demo;             /* the hand-built demo backbone (clip/model_demo.c): the image tower set by hand, the
                           * text tower's draws rescaled; excludes the three options above */
} clip_random_opts;
/* Refuses options that do not fit together or do not fit c (the messages name
 * ppad random-model's options); clip_random_write checks the same first. */
int  clip_random_check(const clip_config *c, const clip_random_opts *o, ppad_err *err);
/* Writes a random-initialised checkpoint of configuration c with CheXzero's key
 * names and mixed fp16/fp32 layout (OpenAI CLIP's initialisation, logit scale 100),
 * changed as o says (NULL: OpenAI's). */
int  clip_random_write(const char *path, const clip_config *c, unsigned long long seed, const clip_random_opts *o,
                       ppad_err *err);
void clip_free(clip_model *m);
/* Makes the image tower's matrix products bf16 (AVX512-BF16 through oneDNN;
 * fp32 accumulation, fp32 everywhere else): the forward pass, and the
 * input-gradient backward when activations are saved (training with
 * --precision bf16). The text tower stays fp32. The image tower's fp32
 * matrices are then released (~340 MB for ViT-B/32; their pointers become
 * NULL): a bf16 model stays bf16. Returns 1 if enabled, 0 if this CPU lacks
 * bf16 support (fp32 stays in use), -1 on error. */
int  clip_enable_bf16(clip_model *m, ppad_err *err);

/* ---- explanation taps ----
 * Optional places where the backward pass leaves what heat maps need (the
 * engine's own backward, no second one): every block's attention
 * probabilities A and their gradient dA, and the last block's ln_1 output and
 * its gradient. With the last-row shortcut (tfm_acts.sel) the last block's A
 * and dA hold only rows sel[b] (the other rows are 0: they cannot change the
 * output, so their gradient is 0). NULL pointers are skipped. */
typedef struct tfm_taps {
    int lowest;  /* lowest block whose taps are wanted; with dx NULL the backward stops there */
    int L_att;   /* blocks att/datt hold (from block L - L_att up), 0: none */
    float *att;  /* (L_att, B, NH, T, T) */
    float *datt; /* (L_att, B, NH, T, T) */
    float *ln1;  /* (B*T, W) the last block's ln_1 output */
    float *dln1; /* (B*T, W) its gradient */
} tfm_taps;

/* ---- transformer stack activations ----
 * With save = 1 every layer's inputs needed by the backward pass are kept
 * (for PPAD's input gradients); with save = 0 one layer's worth is reused. */
typedef struct tfm_acts {
    int B, T, W, NH, L, save, cap_BT;
    int save_from;   /* with save: blocks below it run as in inference, unsaved (0: all saved);
                      * the backward then needs dx NULL and stops at that block (heat maps
                      * that need the last block only) */
    int bf16;        /* use the layers' bf16 matrices (forward, and backward when saved) */
    uint16_t *scr16; /* (B*T, 4W) bf16 rounding scratch */
    const int *sel;  /* (B) or NULL: the one row per sequence needed from the last layer
                      * (class token / EOT); then x_out is compact (B, W) and the last
                      * layer skips everything after the attention for the other rows */
    /* per layer (L of each when save, else 1): */
    float *x_in;     /* (L, B*T, W) residual stream entering the layer */
    float *ln1_mean, *ln1_rstd; /* (L, B*T) */
    float *qkv;      /* (L, B*T, 3W) */
    float *att;      /* (L, B, NH, T, T) */
    float *x_mid;    /* (L, B*T, W) residual stream after attention */
    float *ln2_mean, *ln2_rstd; /* (L, B*T) */
    float *fc_pre;   /* (L, B*T, 4W) */
    /* scratch shared by all layers */
    float *ln_out;   /* (B*T, W) */
    float *attn_y;   /* (B*T, W) */
    float *fc_act;   /* (B*T, 4W) */
    float *x_out;    /* (B*T, W) residual stream leaving the last layer */
    float *work;     /* (work_n) the towers' backward workspace, kept between calls */
    size_t work_n;
    tfm_taps *taps;  /* NULL, or where the backward leaves the explanation taps */
} tfm_acts;

int  tfm_acts_alloc(tfm_acts *a, int B, int T, int W, int NH, int L, int save, ppad_err *err);
void tfm_acts_free(tfm_acts *a);
/* Runs the L blocks on x (B*T, W) (copied into a->x_in[0]); the result is a->x_out
 * ((B*T, W), or (B, W) with a->sel set). Uses B and T given here (must fit the allocation). */
void tfm_forward(tfm_acts *a, const clip_layer *layers, const float *x, int B, int T, int causal);
/* Input gradient: dx (B*T, W) += d loss / d x, given dout = d loss / d x_out (shaped
 * like x_out). Requires save = 1. dout is used as scratch and destroyed.
 * dx NULL: no input gradient is wanted; the pass stops once the taps of block
 * a->taps->lowest (0 without taps) are filled. */
void tfm_backward(float *dx, float *dout, tfm_acts *a, const clip_layer *layers, int causal, float *scratch);
size_t tfm_backward_scratch_floats(const tfm_acts *a);
/* A workspace of at least n floats owned by a (allocated on first use, grown
 * if needed, freed with a): the backward passes allocate nothing per call. */
float *tfm_workspace(tfm_acts *a, size_t n, ppad_err *err);

/* ---- image tower ---- */
typedef struct clip_vision_acts {
    tfm_acts tfm;
    int B;
    float *x_pre;     /* (B, T, Wv) class+tokens+pos, input of ln_pre */
    float *pre_mean, *pre_rstd;   /* (B*T) */
    float *pooled_in;  /* (B, Wv) row 0 of the last layer's output */
    float *post_mean, *post_rstd; /* (B) */
    float *pooled;     /* (B, Wv) ln_post output */
    int *cls_rows;     /* (B) zeros: the class token is the row the last layer keeps */
} clip_vision_acts;

int  clip_vision_acts_alloc(clip_vision_acts *a, const clip_model *m, int B, int save, ppad_err *err);
void clip_vision_acts_free(clip_vision_acts *a);
/* conv1 as a GEMM: pixels (B, 3, S, S) -> tokens (B, G*G, Wv). */
/* ppad_embed_images with a choice of how files become 8-bit gray (opts may be NULL). */
int  clip_embed_images(const clip_model *m, float *feat, const char *const *paths, int n, const image_opts *opts,
                       ppad_err *err);
int  clip_patch_embed(const clip_model *m, float *tokens, const float *pixels, int B, ppad_err *err);
/* tokens (B, G*G, Wv) -> feat (B, E). B <= the allocation's B. */
void clip_vision_forward(const clip_model *m, float *feat, const float *tokens, int B, clip_vision_acts *a);
/* d feat (B, E) -> d tokens (B, G*G, Wv) (+=). Requires save. dtokens NULL:
 * only the taps (a->tfm.taps) are wanted. */
int  clip_vision_backward(const clip_model *m, float *dtokens, const float *dfeat, int B, clip_vision_acts *a,
                          ppad_err *err);

/* ---- text tower ---- */
typedef struct clip_text_acts {
    tfm_acts tfm;
    int B, T;          /* T = tokens actually run (max EOT + 1) */
    int *eot;          /* (B) */
    float *eot_in;     /* (B, Wt) rows at EOT of the last layer's output */
    float *fin_mean, *fin_rstd; /* (B) */
    float *eot_ln;     /* (B, Wt) ln_final output at EOT */
} clip_text_acts;

/* T_max: largest number of tokens that will be run (<= context). */
int  clip_text_acts_alloc(clip_text_acts *a, const clip_model *m, int B, int T_max, int save, ppad_err *err);
void clip_text_acts_free(clip_text_acts *a);
/* Token embeddings of ids (B, context) -> emb (B, context, Wt). Fails on ids out of range. */
int  clip_token_embed(const clip_model *m, float *emb, const int32_t *ids, int B, ppad_err *err);
/* emb (B, context, Wt) + eot (B) -> feat (B, E). Only tokens 0..max(eot) are run:
 * with the causal mask nothing after a sequence's EOT can change its feature. */
void clip_text_forward(const clip_model *m, float *feat, const float *emb, const int *eot, int B, clip_text_acts *a);
/* d feat (B, E) -> d emb (B, context, Wt) (+=; rows after max(eot) get nothing). */
int  clip_text_backward(const clip_model *m, float *demb, const float *dfeat, int B, clip_text_acts *a, ppad_err *err);

/* Index of the largest id (CLIP's EOT rule: argmax, first on ties). */
int clip_eot_index(const int32_t *ids, int n);

#endif
