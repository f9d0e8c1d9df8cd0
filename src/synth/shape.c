/* shape.c — random lesion shape for SAS: hull of random points, Bezier-bent
 * edges, XOR, 5x5 dilation. See shape.h for the exact rules. */
#include "synth/shape.h"

#include <stdlib.h>
#include <string.h>

#include "base/error.h"

/* ---- convex hull (Andrew's monotone chain on integers) ---- */

static int64_t cross(const int *px, const int *py, int o, int a, int b) {
    return (int64_t)(px[a] - px[o]) * (py[b] - py[o]) - (int64_t)(py[a] - py[o]) * (px[b] - px[o]);
}

int shape_convex_hull(const int *px, const int *py, int n, int *idx) {
    if (n <= 0 || n > SHAPE_MAX_HULL_INPUT) return 0;
    int ord[SHAPE_MAX_HULL_INPUT], chain[2 * SHAPE_MAX_HULL_INPUT + 1];
    for (int i = 0; i < n; i++) ord[i] = i;
    /* insertion sort by (x, y), then drop duplicate points */
    for (int i = 1; i < n; i++) {
        int v = ord[i], j = i - 1;
        while (j >= 0 && (px[ord[j]] > px[v] || (px[ord[j]] == px[v] && py[ord[j]] > py[v]))) {
            ord[j + 1] = ord[j];
            j--;
        }
        ord[j + 1] = v;
    }
    int m = 0;
    for (int i = 0; i < n; i++)
        if (m == 0 || px[ord[m - 1]] != px[ord[i]] || py[ord[m - 1]] != py[ord[i]]) ord[m++] = ord[i];
    if (m < 3) {
        for (int i = 0; i < m; i++) idx[i] = ord[i];
        return m;
    }
    int k = 0;
    for (int i = 0; i < m; i++) { /* lower hull, left to right */
        while (k >= 2 && cross(px, py, chain[k - 2], chain[k - 1], ord[i]) <= 0) k--;
        chain[k++] = ord[i];
    }
    for (int i = m - 2, lo = k + 1; i >= 0; i--) { /* upper hull, right to left */
        while (k >= lo && cross(px, py, chain[k - 2], chain[k - 1], ord[i]) <= 0) k--;
        chain[k++] = ord[i];
    }
    k--; /* the last point repeats the first */
    for (int i = 0; i < k; i++) idx[i] = chain[i];
    return k;
}

/* ---- Bezier ---- */

void shape_bezier(double *out, int samples, double p0x, double p0y, double c1x, double c1y, double c2x,
                  double c2y, double p1x, double p1y) {
    for (int i = 0; i < samples; i++) {
        double t = samples > 1 ? (double)i / (double)(samples - 1) : 0.0;
        double u = 1.0 - t;
        double b0 = u * u * u, b1 = 3.0 * u * u * t, b2 = 3.0 * u * t * t, b3 = t * t * t;
        out[2 * i] = b0 * p0x + b1 * c1x + b2 * c2x + b3 * p1x;
        out[2 * i + 1] = b0 * p0y + b1 * c1y + b2 * c2y + b3 * p1y;
    }
}

/* ---- polygon fill by matplotlib's crossing test ---- */

/* The exact left-hand comparison of the crossing test at column tx. */
static int crossing_cmp(double x0, double y0, double x1, double y1, double ty, double tx) {
    return (y1 - ty) * (x0 - x1) >= (x1 - tx) * (y0 - y1);
}

void shape_polygon_fill(uint8_t *mask, int S, const double *xy, int n, uint8_t *diff) {
    if (n < 2 || S <= 0) return;
    for (int row = 0; row < S; row++) {
        double ty = (double)row;
        int any = 0;
        memset(diff, 0, (size_t)S + 1);
        for (int e = 0; e < n; e++) {
            int f = e + 1 == n ? 0 : e + 1;
            double x0 = xy[2 * e], y0 = xy[2 * e + 1], x1 = xy[2 * f], y1 = xy[2 * f + 1];
            int yf0 = y0 >= ty, yf1 = y1 >= ty;
            if (yf0 == yf1) continue;
            /* cmp(tx) is monotone in tx (x1 - tx falls with tx; the product with
             * y0 - y1 != 0 keeps or reverses the order; rounding is monotone):
             * dy > 0 -> false..true (a suffix), dy < 0 -> true..false (a prefix). */
            int suffix = (y0 - y1) > 0;
            int lo = 0, hi = S; /* first tx where cmp(tx) == suffix */
            while (lo < hi) {
                int mid = lo + (hi - lo) / 2;
                if (crossing_cmp(x0, y0, x1, y1, ty, (double)mid) == suffix) hi = mid;
                else lo = mid + 1;
            }
            int a = suffix ? lo : 0, b = suffix ? S : lo; /* cmp true on [a, b) */
            if (!yf1) { /* toggles where cmp is false: the complement */
                diff[0] ^= 1;
                diff[S] ^= 1;
            }
            diff[a] ^= 1;
            diff[b] ^= 1;
            any = 1;
        }
        if (!any) continue;
        uint8_t parity = 0;
        uint8_t *mr = mask + (size_t)row * S;
        for (int j = 0; j < S; j++) {
            parity ^= diff[j];
            if (parity) mr[j] = 1;
        }
    }
}

/* ---- dilation ---- */

int shape_dilate(uint8_t *out, const uint8_t *in, int h, int w, int k, ppad_err *err) {
    int r = k / 2;
    uint8_t *tmp = ppad_malloc((size_t)h * w, err);
    if (!tmp) return ppad_fail_prefix(err, "dilate");
    for (int i = 0; i < h; i++) /* horizontal pass */
        for (int j = 0; j < w; j++) {
            uint8_t v = 0;
            for (int jj = j - r < 0 ? 0 : j - r; jj <= j + r && jj < w && !v; jj++) v = in[(size_t)i * w + jj] != 0;
            tmp[(size_t)i * w + j] = v;
        }
    for (int i = 0; i < h; i++) /* vertical pass */
        for (int j = 0; j < w; j++) {
            uint8_t v = 0;
            for (int ii = i - r < 0 ? 0 : i - r; ii <= i + r && ii < h && !v; ii++) v = tmp[(size_t)ii * w + j];
            out[(size_t)i * w + j] = v;
        }
    free(tmp);
    return 0;
}

/* ---- the generator ---- */

int shape_generate(uint8_t *mask, int width, int height, ppad_rng *rng, shape_info *info, ppad_err *err) {
    if (width < 1 || height < 1 || width > 4096 || height > 4096)
        return ppad_fail(err, "lesion shape: patch size %dx%d out of range [1, 4096]", width, height);
    int S = width > height ? width : height;
    size_t nn = (size_t)S * S;
    uint8_t *hb = ppad_malloc(2 * nn + S + 1, err);
    double *curve = ppad_malloc(2 * SHAPE_CURVE_SAMPLES * sizeof *curve, err);
    if (!hb || !curve) {
        free(hb);
        free(curve);
        return ppad_fail_prefix(err, "lesion shape");
    }
    uint8_t *H = hb, *B = hb + nn, *scratch = hb + 2 * nn;
    shape_info local;
    shape_info *in = info ? info : &local;
    memset(in, 0, sizeof *in);
    in->width = width;
    in->height = height;
    in->size = S;
    int ok = 0, failed = 0;
    for (int attempt = 0; attempt < SHAPE_MAX_TRIES && !ok && !failed; attempt++) {
        in->retries = attempt;
        for (int k = 0; k < SHAPE_POINTS; k++) {
            in->px[k] = (int)rng_int(rng, 0, width);
            in->py[k] = (int)rng_int(rng, 0, height);
        }
        int n = shape_convex_hull(in->px, in->py, SHAPE_POINTS, in->hull);
        in->hull_n = n;
        if (n < 3) continue; /* collinear: degenerate hull */
        double poly[2 * SHAPE_POINTS];
        for (int k = 0; k < n; k++) {
            poly[2 * k] = in->px[in->hull[k]];
            poly[2 * k + 1] = in->py[in->hull[k]];
        }
        memset(hb, 0, 2 * nn);
        shape_polygon_fill(H, S, poly, n, scratch);
        for (int k = 0; k < n; k++) {
            double p0x = poly[2 * k], p0y = poly[2 * k + 1];
            double p1x = poly[2 * ((k + 1) % n)], p1y = poly[2 * ((k + 1) % n) + 1];
            double mx = (p0x + p1x) / 2.0, my = (p0y + p1y) / 2.0;
            double *c = in->ctrl[k];
            c[0] = mx + rng_normal(rng, 0.0, SHAPE_CONTROL_SD);
            c[1] = my + rng_normal(rng, 0.0, SHAPE_CONTROL_SD);
            c[2] = mx + rng_normal(rng, 0.0, SHAPE_CONTROL_SD);
            c[3] = my + rng_normal(rng, 0.0, SHAPE_CONTROL_SD);
            shape_bezier(curve, SHAPE_CURVE_SAMPLES, p0x, p0y, c[0], c[1], c[2], c[3], p1x, p1y);
            shape_polygon_fill(B, S, curve, SHAPE_CURVE_SAMPLES, scratch);
        }
        long count = 0;
        for (size_t i = 0; i < nn; i++) {
            H[i] ^= B[i];
            count += H[i];
        }
        if (count == 0) continue; /* empty shape: redraw as well */
        if (shape_dilate(mask, H, S, S, SHAPE_DILATE, err)) {
            failed = 1;
            break;
        }
        long px = 0;
        for (size_t i = 0; i < nn; i++) px += mask[i];
        in->pixels = px;
        ok = 1;
    }
    free(hb);
    free(curve);
    if (failed) return ppad_fail_prefix(err, "lesion shape");
    if (!ok)
        return ppad_fail(err, "lesion shape: %d degenerate draws in a row for patch %dx%d", SHAPE_MAX_TRIES, width,
                         height);
    return 0;
}
