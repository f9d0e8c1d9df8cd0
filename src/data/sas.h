/* sas.h — structure-preserving anomaly synthesis (spec section 6): a
 * lesion-shaped per-pixel gamma correction inside one of the five position
 * regions, so the lung structure stays visible under the "lesion".
 *
 * Steps, with the draws in this order from the caller's ppad_rng:
 *  0. weight w uniform from {-0.999, -0.99, 2, 3} unless the caller gives one;
 *  1. centre row uniform in [box.top, box.bottom), column in [box.left,
 *     box.right) (region boxes of regions.h, inclusive maxima, so the last
 *     row/column of the box is never drawn);
 *  2. patch width, then height, uniform integers in [round(0.2 n), round(0.8 n))
 *     = [45, 179) for n = 224 (round half to even, as numpy);
 *  3. shape on an S x S canvas, S = max(width, height) (shape.h);
 *  4. placement (sas_place): start = centre - S/2 (integer division); if it is
 *     negative the canvas is shifted to start at 0; if it would end past n it
 *     is shifted to end at n - 1 (exclusive), i.e. the last row/column is
 *     never covered (the reference's clamp, spec Quirks);
 *  5. d = exact EDT of the lesion mask (edt.h), g = 1 + (d / max d) * w inside
 *     the lesion; g = 1 on the inner boundary and outside;
 *  6. out = trunc(clamp(255 * (in/255)^g, 0, 255)) in double where g != 1;
 *     pixels with g == 1 are copied unchanged (spec Quirks: the reference's
 *     float32 pow can darken them by one level; we do not).
 *
 * Image size: square n x n with n >= 224. At n = 224 this is the spec; for
 * larger n (VinDr quirk: synthesis on the 256-pixel image) the centre is still
 * drawn from the 224-pixel region boxes while the patch sizes and the clamp use
 * n, exactly as the reference does. */
#ifndef PPAD_DATA_SAS_H
#define PPAD_DATA_SAS_H

#include <stdint.h>
#include "base/rng.h"
#include "data/image.h"
#include "ppad.h"

#define SAS_NWEIGHTS 4
#define SAS_MIN_SIZE 224

/* The k-th weight of {-0.999, -0.99, 2, 3} (k in 0..3; NAN otherwise). */
double sas_weight(int k);
/* One weight drawn uniformly from the four. */
double sas_draw_weight(ppad_rng *rng);
/* One position drawn uniformly from the five (as training does). */
int sas_draw_position(ppad_rng *rng);
/* Patch size range [lo, hi) for an n-pixel image: round(0.2 n), round(0.8 n). */
void sas_size_range(int n, int *lo, int *hi);
/* First row/column of an S-long canvas centred at c on an n-long axis (step 4). */
int sas_place(int c, int S, int n);

/* Everything one synthesis drew. */
typedef struct sas_params {
    int position;
    double weight;
    int centre_row, centre_col;
    int width, height, size; /* patch width (columns), height (rows), S */
    int top, left;           /* canvas placement on the image (after the clamp) */
    int hull_n, retries;     /* hull vertices; degenerate shapes redrawn */
    long pixels;             /* lesion pixels */
} sas_params;

/* Steps 1-4: mask (n*n bytes, 0/1) of a lesion in the given position's region. */
int sas_lesion(uint8_t *mask, int n, int position, ppad_rng *rng, sas_params *params, ppad_err *err);

/* Steps 5-6: out = in with the gamma map of mask and weight applied. out must
 * be allocated with in's size and may be in itself. Requires a finite weight
 * > -1 (so that every exponent stays positive). */
int sas_gamma(gray8 *out, const gray8 *in, const uint8_t *mask, double weight, ppad_err *err);

/* The whole synthesis. weight: NAN draws one of the four (step 0), otherwise
 * it is used as given. out: allocated with in's size, may be in (in place).
 * mask_out: NULL, or n*n bytes receiving the 0/1 lesion mask. params: NULL,
 * or receives what was drawn. */
int sas_apply(gray8 *out, uint8_t *mask_out, const gray8 *in, int position, double weight, ppad_rng *rng,
              sas_params *params, ppad_err *err);

#endif
