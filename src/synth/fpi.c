/* fpi.c — foreign-patch blending anomaly synthesis (the paper's FPI variant). */
#include "synth/synth.h"

#include <math.h>
#include <string.h>

#include "base/error.h"
#include "data/data.h"

void fpi_size_range(int n, int *lo, int *hi) {
    *lo = (int)nearbyint(0.05 * n);
    *hi = (int)nearbyint(0.2 * n);
}

static int clampi(int v, int lo, int hi) { return v < lo ? lo : v > hi ? hi : v; }

int fpi_apply(gray8 *out, uint8_t *mask_out, const gray8 *in, const gray8 *source, int position, ppad_rng *rng,
              fpi_params *params, ppad_err *err) {
    region_box box;
    if (regions_box(position, &box)) return ppad_fail(err, "anomaly synthesis: invalid position %d", position);
    int n = in->w;
    if (in->w != in->h || n < SAS_MIN_SIZE)
        return ppad_fail(err, "anomaly synthesis needs a square image of at least %d pixels, got %dx%d", SAS_MIN_SIZE,
                         in->w, in->h);
    if (source->w != n || source->h != n)
        return ppad_fail(err, "anomaly synthesis: source image is %dx%d, the image %dx%d", source->w, source->h, n, n);
    if (out->w != n || out->h != n || !out->px)
        return ppad_fail(err, "anomaly synthesis: output image is %dx%d, input %dx%d", out->w, out->h, n, n);
    fpi_params local;
    fpi_params *p = params ? params : &local;
    p->position = position;
    p->centre_row = (int)rng_int(rng, box.top, box.bottom);
    p->centre_col = (int)rng_int(rng, box.left, box.right);
    int lo, hi;
    fpi_size_range(n, &lo, &hi);
    p->half = (int)rng_int(rng, lo, hi);
    /* 23 random bits: 0.5 + j * 2^-24 is exact in float32 and < 1 */
    p->alpha = 0.5f + (float)(rng_u64(rng) >> 41) * 0x1p-24f;
    p->top = clampi(p->centre_row - p->half, 0, n);
    p->bottom = clampi(p->centre_row + p->half, 0, n);
    p->left = clampi(p->centre_col - p->half, 0, n);
    p->right = clampi(p->centre_col + p->half, 0, n);
    size_t nn = (size_t)n * n;
    if (out != in) memcpy(out->px, in->px, nn);
    if (mask_out) memset(mask_out, 0, nn);
    float a = p->alpha, inv = 1.0f - a;
    for (int i = p->top; i < p->bottom; i++)
        for (int j = p->left; j < p->right; j++) {
            size_t k = (size_t)i * n + j;
            float v = inv * (float)in->px[k] + a * (float)source->px[k];
            out->px[k] = (uint8_t)(v > 255.0f ? 255.0f : v);
            if (mask_out) mask_out[k] = 1;
        }
    return 0;
}
