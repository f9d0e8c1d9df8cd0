/* explain.h — heat maps of where the model looks (spec section 10).
 *
 * For an image and position k (its image prompt applied as in scoring),
 * z_k = logit_abnormal - logit_normal. Two raw maps on the 7x7 patch grid:
 *   relevance (Chefer et al. 2021): A_l the attention probabilities of vision
 *     block l (heads, T, T), G_l = dz_k/dA_l, Abar_l = mean_h max(G_l * A_l, 0),
 *     R_0 = I, R_l = R_{l-1} + Abar_l R_{l-1}; map = R_L[0, 1:].
 *   gradcam (Selvaraju et al. 2017, ViT form): X the last block's ln_1 output
 *     (T, W), G = dz_k/dX, alpha = mean of G over the 49 patch rows,
 *     map_p = max(0, X_p . alpha).
 * The gradients come from the engine's image-tower backward with taps
 * (tfm_taps); the text features are constants (no text backward). The five
 * positions of one image run as one batch of 5.
 *
 * Pictures (explain_picture_*): each map is normalised to [0, 1] over the
 * patches drawn (its region's kept patches), upsampled bilinearly with
 * half-pixel centres to the picture's size and drawn only over its region. */
#ifndef PPAD_PPAD_EXPLAIN_H
#define PPAD_PPAD_EXPLAIN_H

#include "data/data.h"
#include "ppad/engine.h"

#define EXPLAIN_NP (REGION_GRID * REGION_GRID) /* 49 */
enum { EXPLAIN_RELEVANCE = 0, EXPLAIN_GRADCAM = 1 };

/* "relevance" / "gradcam" */
const char *explain_method_name(int method);

typedef struct explain_result {
    double probs[PPAD_NPOS]; /* p_k = sigmoid(z_k), from the explanation's own forward */
    double fused;            /* score_fuse of probs */
    float maps[PPAD_NPOS][EXPLAIN_NP]; /* raw maps, row-major 7x7 (every patch, prompt ones too) */
} explain_result;

typedef struct ppad_explainer {
    ppad_engine *e;
    int method;
    int drop_block;         /* tests only: relevance leaves block drop_block out (-1: none) */
    clip_vision_acts acts;  /* B = PPAD_NPOS, saved for the backward */
    tfm_taps taps;
    float *tokens;          /* (NPOS, NP, Wv) */
    float *img_raw, *img_n, *img_norm, *d_img_n, *d_img_raw; /* (NPOS, E), norm (NPOS) */
    double *rel, *tmp;      /* (T, T) each: relevance accumulation */
} ppad_explainer;

int  explain_init(ppad_explainer *x, ppad_engine *e, int method, ppad_err *err);
void explain_free(ppad_explainer *x);
/* Explains one image, pixels (3, S, S) normalised as for scoring. The caller
 * has encoded the text prompts (engine_encode_texts) with p's context. */
int  explain_image(ppad_explainer *x, const ppad_params *p, const float *pixels, explain_result *out, ppad_err *err);

/* ---- pictures ---- */
/* The patches drawn for position k: its region's kept patches (all 49 for the whole image). */
void explain_drawn(uint8_t drawn[EXPLAIN_NP], int position);
/* (m - min) / (max - min) over the drawn patches (all equal: 0); every other
 * patch takes the value of the nearest drawn patch, so that the bilinear
 * upsampling inside the region uses the region's values only (its edge acts as
 * the image border does). */
void explain_normalise(float out[EXPLAIN_NP], const float raw[EXPLAIN_NP], const uint8_t drawn[EXPLAIN_NP]);
/* The fused view: the fused score is max_k p_k when that exceeds 0.8 — then the
 * normalised map of that position (*position = k, drawn over its region);
 * otherwise the mean of the five — then per patch the mean of the normalised
 * maps of the positions that draw it, normalised again (*position = whole). */
void explain_fused_view(float out[EXPLAIN_NP], int *position, const explain_result *r);
/* Bilinear upsampling of a 7x7 map to (h, w) with half-pixel centres (as
 * torch.nn.functional.interpolate(mode="bilinear", align_corners=False)). */
void explain_upsample(float *out /* (h, w) */, const float m[EXPLAIN_NP], int w, int h);
/* 1 if pixel (x, y) of a w x h picture lies in position k's region (the
 * regions are defined on the 224 grid the image is resized to). */
int explain_in_region(int position, int x, int y, int w, int h);

#endif
