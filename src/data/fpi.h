/* fpi.h — the "FPI" anomaly synthesis the paper compares SAS with (spec
 * section 6, last paragraph; foreign patch interpolation): a square patch of
 * another normal image blended into the image inside a position's region.
 *
 * Draws, in this order: centre row uniform in [box.top, box.bottom), column in
 * [box.left, box.right) (same rule as SAS, 224-pixel region boxes); half-width
 * k uniform in [round(0.05 n), round(0.2 n)) = [11, 45) for n = 224; alpha
 * uniform in [0.5, 1) (a float32 with 24 significant bits: 0.5 + j 2^-24).
 * The patch is rows [cr - k, cr + k) x columns [cc - k, cc + k), clipped to the
 * image; the source patch is taken from the same place in the source image.
 * Inside: out = trunc((1 - alpha) * in + alpha * src) in float32 arithmetic, as
 * the reference's torch code; outside the patch the image is unchanged. */
#ifndef PPAD_DATA_FPI_H
#define PPAD_DATA_FPI_H

#include <stdint.h>
#include "base/rng.h"
#include "data/image.h"
#include "ppad.h"

typedef struct fpi_params {
    int position;
    int centre_row, centre_col, half;
    int top, left, bottom, right; /* patch rows [top, bottom), columns [left, right) */
    float alpha;
} fpi_params;

/* Half-width range [lo, hi) for an n-pixel image: round(0.05 n), round(0.2 n). */
void fpi_size_range(int n, int *lo, int *hi);

/* in and source: square images of the same size n >= 224. out: allocated with
 * in's size, may be in. mask_out: NULL or n*n bytes (0/1 patch mask). params:
 * NULL or receives the draws. */
int fpi_apply(gray8 *out, uint8_t *mask_out, const gray8 *in, const gray8 *source, int position, ppad_rng *rng,
              fpi_params *params, ppad_err *err);

#endif
