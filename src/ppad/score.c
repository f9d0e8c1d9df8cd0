/* score.c — per-position probabilities and the fused anomaly score. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "data/regions.h"
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
    const int E = m->cfg.embed_dim;
    const double scale = exp((double)m->logit_scale);
    int *pos = ppad_malloc(sizeof(int) * (size_t)N, err);
    float *feat = ppad_aligned_alloc(sizeof(float) * (size_t)N * E, err);
    if (!pos || !feat) {
        free(pos), free(feat);
        return -1;
    }
    for (int k = 0; k < PPAD_NPOS; k++) {
        if (no_position && k != REGION_WHOLE) {
            for (int i = 0; i < N; i++) probs[(size_t)i * PPAD_NPOS + k] = NAN;
            continue;
        }
        for (int i = 0; i < N; i++) pos[i] = k;
        if (engine_encode_images(e, p, feat, pixels, pos, N, err) != 0) goto fail;
        const float *t0 = e->txt_n + (size_t)(k * PPAD_NCLS) * E, *t1 = t0 + E;
        for (int i = 0; i < N; i++) {
            const float *f = feat + (size_t)i * E;
            float d0 = 0, d1 = 0;
            for (int d = 0; d < E; d++) {
                d0 += f[d] * t0[d];
                d1 += f[d] * t1[d];
            }
            /* softmax([z0, z1])[1] = sigmoid(z1 - z0) */
            double z0 = scale * d0, z1 = scale * d1;
            probs[(size_t)i * PPAD_NPOS + k] = 1.0 / (1.0 + exp(z0 - z1));
        }
    }
    for (int i = 0; i < N; i++) fused[i] = score_fuse(probs + (size_t)i * PPAD_NPOS, no_position ? 1 : PPAD_NPOS);
    free(pos), free(feat);
    return 0;
fail:
    free(pos), free(feat);
    return -1;
}
