/* phantom_stroke.c — the phantom's canvas: canonical coordinates of every pixel
 * and anti-aliased polyline strokes (ribs, clavicles, vessels, bronchi). */
#include <float.h>
#include <math.h>

#include "synth/phantom_internal.h"

void ph_canvas_coords(ph_canvas *c) {
    int n = c->n;
    for (int y = 0; y < n; y++)
        for (int x = 0; x < n; x++) {
            double ix = (x + 0.5) * 2.0 / n - 1.0 - c->tx;
            double iy = (y + 0.5) * 2.0 / n - 1.0 - c->ty;
            /* inverse rotation, then inverse scale */
            c->u[y * n + x] = (float)((c->ct * ix + c->st * iy) / c->scale);
            c->v[y * n + x] = (float)((-c->st * ix + c->ct * iy) / c->scale);
        }
}

void ph_to_pixel(const ph_canvas *c, double u, double v, double *px, double *py) {
    double x = c->scale * (c->ct * u - c->st * v) + c->tx;
    double y = c->scale * (c->st * u + c->ct * v) + c->ty;
    *px = (x + 1.0) * c->n / 2.0 - 0.5;
    *py = (y + 1.0) * c->n / 2.0 - 0.5;
}

void ph_bezier(double *uv, int npts, const double p[8]) {
    for (int i = 0; i < npts; i++) {
        double t = npts > 1 ? (double)i / (npts - 1) : 0, s = 1 - t;
        double b0 = s * s * s, b1 = 3 * s * s * t, b2 = 3 * s * t * t, b3 = t * t * t;
        uv[2 * i] = b0 * p[0] + b1 * p[2] + b2 * p[4] + b3 * p[6];
        uv[2 * i + 1] = b0 * p[1] + b1 * p[3] + b2 * p[5] + b3 * p[7];
    }
}

/* Cross-section of a stroke at normalised distance d in [0, 1) from its axis. */
static float profile(int kind, double d) {
    switch (kind) {
    case PH_PROF_BONE: { /* a tube of bone: chord length plus a brighter cortex */
        double chord = sqrt(1.0 - d * d);
        double rim = exp(-((d - 0.82) * (d - 0.82)) / (2 * 0.12 * 0.12));
        return (float)((0.55 * chord + 0.45 * rim) * ph_smoothstep(1.0, 0.85, d));
    }
    case PH_PROF_TUBE: /* an air-filled or fluid-filled tube: chord length */
        return (float)sqrt(1.0 - d * d);
    default: /* PH_PROF_GAUSS */
        return (float)(exp(-4.0 * d * d) - exp(-4.0)) / (float)(1.0 - exp(-4.0));
    }
}

void ph_stroke(ph_canvas *c, float *layer, const double *uv, const double *hw, int npts, float weight, int prof,
               int blend) {
    enum { MAXP = 64 };
    if (npts < 2 || npts > MAXP) return;
    int n = c->n;
    double px[MAXP], py[MAXP], pw[MAXP];
    double x0 = DBL_MAX, y0 = DBL_MAX, x1 = -DBL_MAX, y1 = -DBL_MAX;
    double half = c->scale * n / 2.0; /* canonical length -> pixels */
    for (int i = 0; i < npts; i++) {
        ph_to_pixel(c, uv[2 * i], uv[2 * i + 1], &px[i], &py[i]);
        pw[i] = hw[i] * half;
        if (pw[i] < 0.5) pw[i] = 0.5; /* keep sub-pixel strokes drawable */
        if (px[i] - pw[i] < x0) x0 = px[i] - pw[i];
        if (py[i] - pw[i] < y0) y0 = py[i] - pw[i];
        if (px[i] + pw[i] > x1) x1 = px[i] + pw[i];
        if (py[i] + pw[i] > y1) y1 = py[i] + pw[i];
    }
    int bx0 = (int)floor(x0), by0 = (int)floor(y0), bx1 = (int)ceil(x1), by1 = (int)ceil(y1);
    if (bx0 < 0) bx0 = 0;
    if (by0 < 0) by0 = 0;
    if (bx1 > n - 1) bx1 = n - 1;
    if (by1 > n - 1) by1 = n - 1;
    if (bx0 > bx1 || by0 > by1) return;
    float *dist = c->scratch;
    if (blend == PH_BLEND_ADD)
        for (int y = by0; y <= by1; y++)
            for (int x = bx0; x <= bx1; x++) dist[y * n + x] = 2.0f;
    for (int i = 0; i + 1 < npts; i++) {
        double ax = px[i], ay = py[i], dx = px[i + 1] - ax, dy = py[i + 1] - ay;
        double wmax = pw[i] > pw[i + 1] ? pw[i] : pw[i + 1];
        int sx0 = (int)floor((ax < ax + dx ? ax : ax + dx) - wmax), sx1 = (int)ceil((ax > ax + dx ? ax : ax + dx) + wmax);
        int sy0 = (int)floor((ay < ay + dy ? ay : ay + dy) - wmax), sy1 = (int)ceil((ay > ay + dy ? ay : ay + dy) + wmax);
        if (sx0 < bx0) sx0 = bx0;
        if (sy0 < by0) sy0 = by0;
        if (sx1 > bx1) sx1 = bx1;
        if (sy1 > by1) sy1 = by1;
        double len2 = dx * dx + dy * dy;
        for (int y = sy0; y <= sy1; y++)
            for (int x = sx0; x <= sx1; x++) {
                double qx = x - ax, qy = y - ay;
                double t = len2 > 0 ? (qx * dx + qy * dy) / len2 : 0;
                t = t < 0 ? 0 : t > 1 ? 1 : t;
                double ex = qx - t * dx, ey = qy - t * dy;
                double w = pw[i] + t * (pw[i + 1] - pw[i]);
                double d = sqrt(ex * ex + ey * ey) / w;
                if (d >= 1.0) continue;
                if (blend == PH_BLEND_ADD) {
                    if (d < dist[y * n + x]) dist[y * n + x] = (float)d;
                } else {
                    float val = weight * profile(prof, d);
                    if (val > layer[y * n + x]) layer[y * n + x] = val;
                }
            }
    }
    if (blend == PH_BLEND_ADD)
        for (int y = by0; y <= by1; y++)
            for (int x = bx0; x <= bx1; x++) {
                float d = dist[y * n + x];
                if (d < 1.0f) layer[y * n + x] += weight * profile(prof, d);
            }
}
