/* ppad.h — the public API of libppad: PPAD (position-guided prompt learning
 * for anomaly detection in chest X-rays) on a frozen CheXzero CLIP ViT-B/32,
 * in plain C on the CPU.
 *
 * Conventions: every fallible call returns 0 on success and -1 on failure,
 * filling the caller's ppad_err with one line naming the file and the problem.
 * Objects come in load/init and free pairs (ppad_X_load, ppad_X_free); nothing is global. */
#ifndef PPAD_H
#define PPAD_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define PPAD_VERSION "0.1.0"

typedef struct ppad_err { char msg[1024]; } ppad_err;

/* ---- the frozen CLIP backbone (CheXzero checkpoint) ---- */
typedef struct clip_model ppad_model; /* opaque to library users */
typedef struct bpe ppad_vocab;        /* CLIP BPE vocabulary, opaque */

typedef struct ppad_model_info {
    int image_size, patch, grid, vision_width, vision_layers, vision_heads;
    int embed_dim, context, vocab, text_width, text_layers, text_heads;
    long long n_params;            /* floats loaded (151,277,313 for ViT-B/32) */
    int n_tensors;                 /* tensors in the file, extra keys included */
    long long params_f32, params_f16, params_bf16, params_other; /* per storage dtype in the file */
    long n_f32, n_f16, n_bf16, n_other; /* tensors per storage dtype */
    long long params_in_place;     /* of n_params, read in place from the mapped file (token embedding) */
    float logit_scale;             /* log scale; logits use exp() of it */
    double load_seconds;
    char arch[128];                /* "CLIP ViT-B/32" only when every number matches it, else what was inferred */
    unsigned long long fingerprint; /* FNV-1a 64 of the tensors' names, dtypes, shapes, strides, offsets and
                                       the zip entries' CRC-32s: what prompt files record as their backbone */
} ppad_model_info;

/* Loads a CLIP ViT state dict (torch.save zip format; fp32/fp16/bf16 tensors,
 * mixed). The configuration is inferred from tensor shapes. */
int  ppad_model_load(ppad_model **out, const char *path, ppad_err *err);
void ppad_model_free(ppad_model *m);
void ppad_model_describe(const ppad_model *m, ppad_model_info *info);

/* Vocabulary: explicit path, else $PPAD_VOCAB, else beside weights_path. On
 * failure *out is NULL and err explains how to supply the file; callers that
 * only need the default PPAD prompts may continue with a NULL vocabulary. */
int  ppad_vocab_load(ppad_vocab **out, const char *explicit_path, const char *weights_path, ppad_err *err);
void ppad_vocab_free(ppad_vocab *v);

/* Threads for everything that follows (OpenMP and OpenBLAS); n <= 0 leaves the default (all cores). */
void ppad_set_threads(int n);

/* "fp32" (default) or "bf16": the image tower's matrix products in bfloat16
 * with fp32 accumulation (AVX512-BF16), for scoring and training alike.
 * Returns 1 if bf16 is in use, 0 if fp32 is (asked for, or the CPU lacks
 * AVX512-BF16), -1 on error (unknown name, out of memory). */
int ppad_set_precision(ppad_model *m, const char *precision, ppad_err *err);

/* L2-normalised image features (n, embed_dim) of image files (PNG/JPEG,
 * preprocessed as CheXzero/PPAD do: gray, Pillow bicubic to 224, normalised). */
int ppad_embed_images(const ppad_model *m, float *feat, const char *const *paths, int n, ppad_err *err);
/* L2-normalised text features (n, embed_dim). vocab may be NULL (default prompt words only). */
int ppad_embed_texts(const ppad_model *m, const ppad_vocab *vocab, float *feat, const char *const *texts, int n,
                     ppad_err *err);

/* ---- PPAD: the learnable prompts, training, scoring, metrics ----
 * The prompts are the 16 x Wt text context and the 49 x Wv image prompt; the
 * prompt words are the paper's ("{position} X..X {normal|pneumonia}."; the CLI
 * offers others). Positions, in every per-position array: left, right, upper,
 * lower, whole. */
typedef struct ppad_params ppad_prompts; /* opaque */
typedef struct dataset ppad_dataset;     /* opaque: an opened image folder or CSV */

/* Fresh prompts sized for m: ctx ~ N(0, 0.02^2), image prompt ~ N(0, 0.02^2) * 10
 * (provenance: made on m, seed). */
int  ppad_prompts_init(ppad_prompts **out, const ppad_model *m, unsigned long long seed, ppad_err *err);
/* A prompt file (released PPAD layout or ppad's own; fp16/bf16/fp32), checked against m.
 * Files ppad writes carry their provenance (a top-level 'ppad_provenance' dict of strings:
 * ppad version, origin, the backbone's path and fingerprint, training configuration, seed);
 * when its backbone fingerprint differs from m's, ppad_prompts_load prints one warning
 * line on stderr naming both files and loads them. Released files (no provenance) load
 * silently. */
int  ppad_prompts_load(ppad_prompts **out, const ppad_model *m, const char *path, ppad_err *err);
/* The same with flags: PPAD_PROMPTS_STRICT refuses prompts made on another backbone
 * (-1, err says why); PPAD_PROMPTS_QUIET prints nothing and returns 1 with the warning
 * in err (the prompts are loaded). Returns 0, 1 or -1. */
#define PPAD_PROMPTS_STRICT 1u
#define PPAD_PROMPTS_QUIET 2u
int  ppad_prompts_load_flags(ppad_prompts **out, const ppad_model *m, const char *path, unsigned flags,
                             ppad_err *err);
/* Writes fp32 in the released layout plus the provenance dict (ppad_prompts_init and
 * ppad_train_prompts record it; loaded prompts keep their file's), atomically (never a
 * partial file); prompts holding NaN or infinity are refused. */
int  ppad_prompts_save(const ppad_prompts *p, const char *path, ppad_err *err);
void ppad_prompts_free(ppad_prompts *p);

/* layout: "zhanglab", "chexpert", "vindr", "csv", or NULL to detect. */
int  ppad_dataset_open(ppad_dataset **out, const char *root, const char *layout, ppad_err *err);
void ppad_dataset_free(ppad_dataset *d);
/* Images in the split: training normals, or the test split (both labels). */
long ppad_dataset_size(const ppad_dataset *d, int test_split);

typedef struct ppad_train_config {
    int shots, epochs, batch;   /* 64, 100, 64 */
    double lr, momentum;        /* 0.001, 0.9 (SGD, cosine schedule) */
    int t_max;                  /* cosine period in iterations; 0 (default): epochs, as the authors
                                   (CosineAnnealingLR(T_max = epochs) stepped per iteration) */
    double p_synth;             /* 0.5: probability of a synthetic lesion per sample */
    const char *synthesis;      /* "sas" (default), "fpi" or "none" */
    unsigned long long seed;    /* shots, order, positions, lesions (0) */
    int micro_batch;            /* images per image-tower pass (16); does not change results */
    int quiet;                  /* 1: no progress bar on stderr (default 1 here) */
} ppad_train_config;

/* The paper's settings. */
void ppad_train_config_default(ppad_train_config *c);
/* Trains p in place on d's training normals. Same seed and threads give the
 * same bits as `ppad train --init` from the same prompts. */
int  ppad_train_prompts(const ppad_model *m, ppad_prompts *p, const ppad_dataset *d, const ppad_train_config *c,
                        ppad_err *err);

/* Scores image files (PNG/JPEG, any size: brought to 224 like the reference):
 * probs (n, 5) per-position probabilities of "abnormal" (may be NULL) and
 * fused (n) the anomaly score. */
int  ppad_score_files(const ppad_model *m, const ppad_prompts *p, const char *const *paths, int n, double *probs,
                      double *fused, ppad_err *err);

/* Heat maps (spec section 10) of image files: for each image and position
 * (left, right, upper, lower, whole) the raw 7x7 map, row-major, of where the
 * model looks for "abnormal" (z_k = logit_abnormal - logit_normal):
 * PPAD_EXPLAIN_RELEVANCE (Chefer et al. 2021, gradient-weighted attention) or
 * PPAD_EXPLAIN_GRADCAM (on the last vision block's ln_1). maps (n, 5, 49);
 * probs (n, 5) and fused (n) may be NULL (the explanation's own forward pass). */
#define PPAD_EXPLAIN_RELEVANCE 0
#define PPAD_EXPLAIN_GRADCAM   1
int  ppad_explain_files(const ppad_model *m, const ppad_prompts *p, const char *const *paths, int n, int method,
                        float *maps, double *probs, double *fused, ppad_err *err);

typedef struct ppad_metrics {
    double acc, auc, f1, ap;  /* fractions in [0, 1] */
    long n, n_pos;            /* samples, abnormal samples (label 1) */
    long tp, fp, tn, fn;      /* confusion counts at the threshold */
    double threshold;         /* predicted abnormal iff score > threshold */
} ppad_metrics;

/* Scores d's test split and computes ACC, AUC, F1 and AP (as scikit-learn)
 * at threshold (0.5 in the paper). fused (ppad_dataset_size(d, 1)) may be NULL. */
int  ppad_evaluate(const ppad_model *m, const ppad_prompts *p, const ppad_dataset *d, double threshold,
                   double *fused, ppad_metrics *out, ppad_err *err);

#ifdef __cplusplus
}
#endif
#endif
