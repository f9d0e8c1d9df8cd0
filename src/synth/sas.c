/* sas.c — structure-preserving anomaly synthesis: lesion placement and the
 * distance-weighted gamma map. See synth.h. */
#include "synth/synth.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "synth/edt.h"
#include "data/data.h"
#include "synth/shape.h"

static const double WEIGHTS[SAS_NWEIGHTS] = {-0.999, -0.99, 2.0, 3.0};

double sas_weight(int k) { return k >= 0 && k < SAS_NWEIGHTS ? WEIGHTS[k] : NAN; }

double sas_draw_weight(ppad_rng *rng) { return WEIGHTS[rng_int(rng, 0, SAS_NWEIGHTS)]; }

int sas_draw_position(ppad_rng *rng) { return (int)rng_int(rng, 0, REGION_COUNT); }

void sas_size_range(int n, int *lo, int *hi) {
    *lo = (int)nearbyint(0.2 * n); /* default rounding mode: half to even, like np.round */
    *hi = (int)nearbyint(0.8 * n);
}

int sas_place(int c, int S, int n) {
    int a = c - S / 2, b = c + S - S / 2;
    if (a < 0) {
        b -= a;
        a = 0;
    }
    if (b > n) a += (n - 1) - b;
    return a;
}

static int check_size(int w, int h, ppad_err *err) {
    if (w != h || w < SAS_MIN_SIZE)
        return ppad_fail(err, "anomaly synthesis needs a square image of at least %d pixels, got %dx%d", SAS_MIN_SIZE,
                         w, h);
    return 0;
}

int sas_lesion(uint8_t *mask, int n, int position, ppad_rng *rng, sas_params *params, ppad_err *err) {
    region_box box;
    if (regions_box(position, &box)) return ppad_fail(err, "anomaly synthesis: invalid position %d", position);
    if (check_size(n, n, err)) return -1;
    sas_params local;
    sas_params *p = params ? params : &local;
    p->position = position;
    p->centre_row = (int)rng_int(rng, box.top, box.bottom);
    p->centre_col = (int)rng_int(rng, box.left, box.right);
    int lo, hi;
    sas_size_range(n, &lo, &hi);
    p->width = (int)rng_int(rng, lo, hi);
    p->height = (int)rng_int(rng, lo, hi);
    int S = p->width > p->height ? p->width : p->height;
    p->size = S;
    uint8_t *canvas = ppad_malloc((size_t)S * S, err);
    if (!canvas) return ppad_fail_prefix(err, "anomaly synthesis");
    shape_info info;
    if (shape_generate(canvas, p->width, p->height, rng, &info, err)) {
        free(canvas);
        return -1;
    }
    p->hull_n = info.hull_n;
    p->retries = info.retries;
    p->pixels = info.pixels;
    p->top = sas_place(p->centre_row, S, n);
    p->left = sas_place(p->centre_col, S, n);
    memset(mask, 0, (size_t)n * n);
    for (int i = 0; i < S; i++) memcpy(mask + (size_t)(p->top + i) * n + p->left, canvas + (size_t)i * S, (size_t)S);
    free(canvas);
    return 0;
}

int sas_gamma(gray8 *out, const gray8 *in, const uint8_t *mask, double weight, ppad_err *err) {
    if (!isfinite(weight) || weight <= -1.0)
        return ppad_fail(err, "anomaly synthesis: weight %g must be a finite number > -1", weight);
    if (out->w != in->w || out->h != in->h || !out->px)
        return ppad_fail(err, "anomaly synthesis: output image is %dx%d, input %dx%d", out->w, out->h, in->w, in->h);
    int w = in->w, h = in->h;
    size_t n = (size_t)w * h;
    double *d = ppad_malloc(n * sizeof *d, err);
    uint8_t *bnd = ppad_malloc(n, err);
    if (!d || !bnd) {
        free(d);
        free(bnd);
        return ppad_fail_prefix(err, "anomaly synthesis");
    }
    if (out != in) memcpy(out->px, in->px, n);
    int any = 0;
    for (size_t i = 0; i < n && !any; i++) any = mask[i] != 0;
    if (any) {
        if (edt_distance(d, mask, h, w, err)) {
            free(d);
            free(bnd);
            return -1;
        }
        edt_inner_boundary(bnd, mask, h, w);
        double dmax = 0;
        for (size_t i = 0; i < n; i++)
            if (mask[i] && d[i] > dmax) dmax = d[i];
        for (size_t i = 0; i < n; i++) {
            if (!mask[i] || bnd[i]) continue;
            double g = 1.0 + d[i] / dmax * weight;
            if (g == 1.0) continue;
            double v = 255.0 * pow((double)in->px[i] / 255.0, g);
            if (!(v >= 0.0)) v = 0.0; /* also NaN */
            if (v > 255.0) v = 255.0;
            out->px[i] = (uint8_t)v;
        }
    }
    free(d);
    free(bnd);
    return 0;
}

int sas_apply(gray8 *out, uint8_t *mask_out, const gray8 *in, int position, double weight, ppad_rng *rng,
              sas_params *params, ppad_err *err) {
    if (check_size(in->w, in->h, err)) return -1;
    if (!isnan(weight) && (!isfinite(weight) || weight <= -1.0))
        return ppad_fail(err, "anomaly synthesis: weight %g must be a finite number > -1", weight);
    sas_params local;
    sas_params *p = params ? params : &local;
    p->weight = isnan(weight) ? sas_draw_weight(rng) : weight;
    int n = in->w;
    uint8_t *mask = mask_out ? mask_out : ppad_malloc((size_t)n * n, err);
    if (!mask) return ppad_fail_prefix(err, "anomaly synthesis");
    int rc = sas_lesion(mask, n, position, rng, p, err);
    if (!rc) rc = sas_gamma(out, in, mask, p->weight, err);
    if (!mask_out) free(mask);
    return rc;
}
