/* shape.h — the random lesion shape of SAS (spec section 6, step 3).
 *
 * On an S x S canvas (S = max(width, height)):
 *  1. 10 random integer points, x uniform in [0, width), y in [0, height)
 *     (x is the column, y the row);
 *  2. their convex hull, strictly convex (points on an edge are not vertices),
 *     counter-clockwise in (x, y) as scipy.spatial.ConvexHull lists them; a
 *     degenerate draw (all points collinear: fewer than 3 hull vertices, zero
 *     area) is redrawn;
 *  3. for every hull edge p -> q a cubic Bezier from p to q with control points
 *     c1, c2 each (p+q)/2 + N(0, 8^2) per coordinate (drawn c1.x, c1.y, c2.x,
 *     c2.y), sampled at t = i/99, i = 0..99;
 *  4. H = pixels inside the hull polygon, B = union over edges of the pixels
 *     inside the closed polygon of that edge's 100 curve points, shape =
 *     H XOR B (a draw whose XOR is empty is also redrawn), dilated once with a
 *     5x5 square (cv2.dilate: pixels beyond the canvas do not count).
 *
 * Inside-polygon rule (shape_polygon_fill): pixel (row i, col j) is the point
 * (x=j, y=i); it is inside iff the crossing-number test of matplotlib's
 * Path.contains_points (radius 0) says so: for every edge (x0,y0)->(x1,y1) of
 * the implicitly closed polygon with (y0 >= ty) != (y1 >= ty), the parity
 * flips when ((y1 - ty)*(x0 - x1) >= (x1 - tx)*(y0 - y1)) == (y1 >= ty),
 * evaluated in IEEE double exactly in this form. The reference fills its hull
 * and curve polygons with matplotlib, so this reproduces its edge pixels too
 * (points exactly on an edge depend on the edge direction, hence the
 * counter-clockwise hull order). */
#ifndef PPAD_SYNTH_SHAPE_H
#define PPAD_SYNTH_SHAPE_H

#include <stdint.h>
#include "base/rng.h"
#include "ppad.h"

#define SHAPE_POINTS 10
#define SHAPE_CURVE_SAMPLES 100
#define SHAPE_CONTROL_SD 8.0
#define SHAPE_DILATE 5
#define SHAPE_MAX_TRIES 1000
#define SHAPE_MAX_HULL_INPUT 64 /* shape_convex_hull takes at most this many points */

/* What one draw produced (the last, accepted, attempt). */
typedef struct shape_info {
    int width, height, size;          /* size = S = max(width, height) */
    int px[SHAPE_POINTS], py[SHAPE_POINTS];
    int hull_n;                       /* hull vertex count, >= 3 */
    int hull[SHAPE_POINTS];           /* indices into px/py, counter-clockwise */
    double ctrl[SHAPE_POINTS][4];     /* per hull edge hull[k] -> hull[(k+1)%n]: c1x c1y c2x c2y */
    int retries;                      /* degenerate draws redrawn before this one */
    long pixels;                      /* lesion pixels in the final (dilated) shape */
} shape_info;

/* Draws one shape on a size*size canvas (size = max(width, height)), mask 0/1
 * row-major; width and height in [1, 4096]. Fails (never loops forever) after
 * SHAPE_MAX_TRIES degenerate draws in a row, which only a width or height of 1
 * (points always collinear) makes likely. info may be NULL. */
int shape_generate(uint8_t *mask, int width, int height, ppad_rng *rng, shape_info *info, ppad_err *err);

/* Building blocks, exposed for tests. */

/* Strict convex hull of n integer points, counter-clockwise starting from the
 * lowest (x, then y) point; writes point indices to idx, returns the count
 * (< 3 when the points are collinear or coincide; 0 when n is outside
 * [1, SHAPE_MAX_HULL_INPUT]). idx must hold n entries. */
int shape_convex_hull(const int *px, const int *py, int n, int *idx);

/* Cubic Bezier p -> q with control points c1, c2 at t = i/(samples-1):
 * out[2i] = x, out[2i+1] = y. */
void shape_bezier(double *out, int samples, double p0x, double p0y, double c1x, double c1y, double c2x,
                  double c2y, double p1x, double p1y);

/* ORs into mask (S x S) the pixels inside the closed polygon of n vertices
 * (xy interleaved), by the matplotlib rule above. Exact, in O(S * edges +
 * crossings * log S) rather than O(S^2 * edges): along a row the edge test is
 * monotone in tx, so each crossing edge toggles a prefix or suffix of the row,
 * whose end is found by bisection on the exact test. Vertices may lie outside
 * the canvas. scratch must hold S + 1 bytes. */
void shape_polygon_fill(uint8_t *mask, int S, const double *xy, int n, uint8_t *scratch);

/* out = in dilated by a k x k square (k odd), pixels beyond the canvas ignored
 * (out must not alias in). Fails only on allocation failure. */
int shape_dilate(uint8_t *out, const uint8_t *in, int h, int w, int k, ppad_err *err);

#endif
