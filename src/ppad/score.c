/* score.c — per-position probabilities and the fused anomaly score. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "data/data.h"
#include "ppad/score.h"

double score_fuse(const double *p, int positions_used) {
    if (positions_used == 1) return p[REGION_WHOLE];
    double mx = p[0], sum = 0;
    for (int k = 0; k < PPAD_NPOS; k++) {
        if (p[k] > mx) mx = p[k];
        sum += p[k];
    }
    return mx > SCORE_MAX_GATE ? mx : sum / PPAD_NPOS;
}

int score_images(ppad_engine *e, const ppad_params *p, const float *pixels, int N, int no_position, double *probs,
                 double *fused, ppad_err *err) {
    const clip_model *m = e->m;
    const clip_config *c = &m->cfg;
    const int E = c->embed_dim, npos = no_position ? 1 : PPAD_NPOS;
    const double scale = exp((double)m->logit_scale);
    const int NS = N * npos; /* samples: every image at every position scored */
    int *src = ppad_malloc(sizeof(int) * (size_t)NS, err);
    int *pos = ppad_malloc(sizeof(int) * (size_t)NS, err);
    float *feat = ppad_aligned_alloc(sizeof(float) * (size_t)NS * E, err);
    float *tokens = ppad_aligned_alloc(sizeof(float) * (size_t)N * c->n_patches * c->vision_width, err);
    int rc = -1;
    if (!src || !pos || !feat || !tokens) goto out;
    /* conv1 once per image: the five positions differ only in the replaced tokens */
    if (clip_patch_embed(m, tokens, pixels, N, err) != 0) goto out;
    for (int i = 0; i < N; i++)
        for (int k = 0; k < npos; k++) {
            src[i * npos + k] = i;
            pos[i * npos + k] = no_position ? REGION_WHOLE : k;
        }
    if (engine_encode_tokens(e, p, feat, tokens, src, pos, NS, err) != 0) goto out;
    for (int i = 0; i < N; i++) {
        double *pi = probs + (size_t)i * PPAD_NPOS;
        for (int k = 0; k < PPAD_NPOS; k++) pi[k] = NAN;
        for (int j = 0; j < npos; j++) {
            int k = pos[i * npos + j];
            const float *f = feat + (size_t)(i * npos + j) * E;
            const float *t0 = e->txt_n + (size_t)(k * PPAD_NCLS) * E, *t1 = t0 + E;
            float d0 = 0, d1 = 0;
            for (int d = 0; d < E; d++) {
                d0 += f[d] * t0[d];
                d1 += f[d] * t1[d];
            }
            /* softmax([z0, z1])[1] = sigmoid(z1 - z0) */
            pi[k] = 1.0 / (1.0 + exp(scale * d0 - scale * d1));
        }
        fused[i] = score_fuse(pi, npos);
    }
    rc = 0;
out:
    free(src), free(pos), free(feat), free(tokens);
    return rc;
}
