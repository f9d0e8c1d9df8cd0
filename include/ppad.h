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
    float logit_scale;             /* log scale; logits use exp() of it */
    double load_seconds;
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

/* L2-normalised image features (n, embed_dim) of image files (PNG/JPEG,
 * preprocessed as CheXzero/PPAD do: gray, Pillow bicubic to 224, normalised). */
int ppad_embed_images(const ppad_model *m, float *feat, const char *const *paths, int n, ppad_err *err);
/* L2-normalised text features (n, embed_dim). vocab may be NULL (default prompt words only). */
int ppad_embed_texts(const ppad_model *m, const ppad_vocab *vocab, float *feat, const char *const *texts, int n,
                     ppad_err *err);

#ifdef __cplusplus
}
#endif
#endif
