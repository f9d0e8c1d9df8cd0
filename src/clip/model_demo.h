/* model_demo.h — the hand-built demo backbone (see model_demo.c). */
#ifndef PPAD_CLIP_MODEL_DEMO_H
#define PPAD_CLIP_MODEL_DEMO_H

#include <stdint.h>

#include "base/error.h"
#include "clip/model.h"

/* Returns the fp32 buffer of the tensor named key if it holds numel values, else NULL. */
typedef float *(*demo_lookup)(void *cx, const char *key, int64_t numel);

/* Refuses configurations the hand-built image tower does not fit. */
int demo_backbone_check(const clip_config *c, ppad_err *err);
/* For a configuration demo_backbone_check accepted (clip_random_check calls it):
 * overwrites a random-initialised model's tensors (reached through look) with
 * the demo backbone: the image tower set by hand, the text tower's draws with
 * their attention logits and residual branches scaled. */
int demo_backbone_fill(demo_lookup look, void *cx, const clip_config *c, ppad_err *err);

#endif
