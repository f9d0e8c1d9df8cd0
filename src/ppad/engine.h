/* engine.h — PPAD's forward and backward through the frozen CLIP towers:
 * logits of a batch of (image, position) samples against the position's two
 * text prompts, the BCE loss, and its gradients with respect to the learnable
 * prompts only. The 10 prompt sequences are encoded once per call and their
 * gradients accumulated over the samples that use them; images go through the
 * image tower in micro-batches (the loss is a mean, so the result equals the
 * one-shot computation). Whole-image samples, and every sample when the image
 * prompt is off, need no image-tower backward at all and get none. */
#ifndef PPAD_PPAD_ENGINE_H
#define PPAD_PPAD_ENGINE_H

#include "clip/model.h"
#include "ppad/prompts.h"

/* The text tower runs on the 10 sequences in fixed groups (sequences
 * g*5 .. g*5+4 form group g), one product per group, in one process and under
 * MPI alike (there each rank runs its groups), so the text features and the
 * context gradient have the same bits for any number of ranks. */
#define ENGINE_TEXT_GROUPS 2
#define ENGINE_TEXT_SEQS (PPAD_NSEQ / ENGINE_TEXT_GROUPS)

typedef struct ppad_engine {
    const clip_model *m;
    ppad_seqs seqs;
    int micro;        /* image micro-batch size */
    int image_prompt; /* 0: the image prompt is never applied (ablation) */
    uint8_t keep[PPAD_NPOS][64]; /* per position: 1 = patch kept, 0 = replaced by mask_emb */
    clip_text_acts tacts[ENGINE_TEXT_GROUPS]; /* ENGINE_TEXT_SEQS sequences each, saved for backward */
    clip_vision_acts vacts;   /* micro-batch, saved for backward (allocated on first use) */
    clip_vision_acts facts;   /* micro-batch, forward only (allocated on first use) */
    int have_vacts, have_facts;
    float *emb, *demb;        /* (NSEQ, context, Wt) */
    float *txt_raw, *txt_n, *txt_norm, *d_txt_n, *d_txt_raw; /* (NSEQ, E), norm (NSEQ) */
    float *pix;               /* (micro, 3, S, S) gathered pixels */
    float *tokens, *dtokens;  /* (micro, NP, Wv) */
    float *img_raw, *img_n, *img_norm, *d_img_n, *d_img_raw; /* (micro, E), norm (micro) */
} ppad_engine;

int  engine_init(ppad_engine *e, const clip_model *m, const ppad_seqs *seqs, int micro, int image_prompt,
                 ppad_err *err);
void engine_free(ppad_engine *e);

/* Text features of the 10 prompts with the current ctx: e->txt_n (NSEQ, E), normalised,
 * group by group (ENGINE_TEXT_GROUPS). The activations are always kept (save_for_backward unused). */
int engine_encode_texts(ppad_engine *e, const ppad_params *p, int save_for_backward, ppad_err *err);

/* Normalised image features of N images (N, 3, S, S), each with the image prompt
 * of positions[i] applied (position 4 or image_prompt off: untouched), into
 * feat (N, E). Forward only. */
int engine_encode_images(ppad_engine *e, const ppad_params *p, float *feat, const float *pixels, const int *positions,
                         int N, ppad_err *err);
/* The same from patch tokens (N, NP, Wv) already embedded by conv1: token row
 * src[i] of tokens is used for sample i (so one image's tokens can serve all
 * five positions). */
int engine_encode_tokens(ppad_engine *e, const ppad_params *p, float *feat, const float *tokens, const int *src,
                         const int *positions, int N, ppad_err *err);

/* Replaces the patch tokens (NP, Wv) outside position pos's region by the
 * image prompt (nothing for the whole image, or with the image prompt off). */
void engine_apply_prompt(const ppad_engine *e, const ppad_params *p, float *tokens, int pos);

/* Loss and gradients: BCEWithLogits(logits (N, 2), one-hot(labels)), mean over
 * the N*2 entries, with logits[i][c] = exp(logit_scale) * cos(image_i, text[pos_i][c]).
 * Overwrites p->d_ctx and p->d_mask_emb. logits may be NULL.
 * Collective under MPI (base/dist.h): every rank passes the same batch, each
 * computes its micro-batches and its text groups, and every rank gets the same
 * loss and gradients, bit for bit those of one process (sums in micro-batch
 * order, then in group order). */
int engine_loss_grad(ppad_engine *e, ppad_params *p, const float *pixels, const int *positions, const int *labels,
                     int N, double *loss, float *logits, ppad_err *err);

/* SGD with momentum (PyTorch semantics, no dampening/nesterov/weight decay). */
void params_sgd_step(ppad_params *p, double lr, double momentum);

/* CosineAnnealingLR (eta_min 0) as PyTorch 1.13 computes it, recursively:
 * returns the learning rate for step t given the previous one. */
double cosine_lr_next(double prev_lr, double base_lr, int t, int t_max);

#endif
