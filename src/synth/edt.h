/* edt.h — exact Euclidean distance transform and inner boundary of a binary
 * mask, equal to scipy.ndimage.distance_transform_edt and
 * skimage.segmentation.find_boundaries(mode='inner').
 *
 * Masks are h x w row-major bytes; non-zero = foreground. */
#ifndef PPAD_SYNTH_EDT_H
#define PPAD_SYNTH_EDT_H

#include <stdint.h>
#include "ppad.h"

/* dist[i] = Euclidean distance from pixel i to the nearest background (zero)
 * pixel of the mask, 0 on background. Exact: squared distances are computed in
 * integers (Meijster, Roerdink & Hesselink's two-pass algorithm) and the root
 * taken in double, so the result is bit-identical to scipy's.
 * Like scipy, the outside of the image is NOT background: pixels touching the
 * border only see background inside the image. A mask with no background
 * pixel at all gets scipy's value for that case, sqrt((row+1)^2 + col^2)
 * (scipy's feature transform leaves the feature at (-1, 0)).
 * Fails only on allocation failure or a non-positive size. */
int edt_distance(double *dist, const uint8_t *mask, int h, int w, ppad_err *err);

/* Same, squared distances as integers (no background pixel: (row+1)^2 + col^2). */
int edt_distance_sq(int64_t *dist_sq, const uint8_t *mask, int h, int w, ppad_err *err);

/* bnd[i] = 1 for foreground pixels with at least one 4-neighbour inside the
 * image that is background, else 0. This is find_boundaries(mode='inner'),
 * connectivity 1: skimage compares a cross-shaped grey dilation and erosion
 * with mode 'reflect', so the outside of the image repeats the border pixel
 * and never makes a boundary. */
void edt_inner_boundary(uint8_t *bnd, const uint8_t *mask, int h, int w);

#endif
