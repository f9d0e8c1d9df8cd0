/* score.h — PPAD inference (spec section 5): for each of the 5 positions the
 * image (with that position's image prompt) is compared with the position's two
 * text prompts; p_k = softmax(logits)[1]. Fused score: max_k p_k if it exceeds
 * 0.8, else the mean of the p_k. Abnormal iff score > threshold (0.5). */
#ifndef PPAD_PPAD_SCORE_H
#define PPAD_PPAD_SCORE_H

#include "ppad/engine.h"

#define SCORE_MAX_GATE 0.8

/* Fuses per-position probabilities (5) into one score. positions_used: 5, or 1
 * for the --no-position ablation (then the score is p_whole). */
double score_fuse(const double *p, int positions_used);

/* Scores N images (N, 3, S, S): probs (N, 5) and fused scores (N). The caller
 * has encoded the text prompts once with engine_encode_texts (they do not
 * depend on the image). With no_position only the whole image is scored. */
int score_images(ppad_engine *e, const ppad_params *p, const float *pixels, int N, int no_position, double *probs,
                 double *fused, ppad_err *err);

#endif
