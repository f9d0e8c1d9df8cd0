/* phantom_subject.c — draws one subject's anatomy parameters (body habitus,
 * inspiration depth, heart size, exposure, detector) and its placement in the
 * image, and answers "how deep inside a lung is this point". */
#include <math.h>

#include "synth/phantom_internal.h"

static double unif(ppad_rng *r, double lo, double hi) { return lo + (hi - lo) * rng_uniform(r); }

void ph_subject_sample(ph_subject *s, ppad_rng *r) {
    s->width = unif(r, 0.92, 1.06);
    double insp = rng_uniform(r);                /* 0 shallow .. 1 deep inspiration */
    double dome = 0.30 + 0.16 * insp + unif(r, -0.03, 0.03);
    double apex = unif(r, -0.80, -0.72);
    double left_drop = unif(r, 0.02, 0.09);      /* the left hemidiaphragm sits lower */
    for (int side = 0; side < 2; side++) {
        ph_lung *l = &s->lung[side];
        l->a_med = unif(r, 0.12, 0.16);
        l->a_top = unif(r, 0.26, 0.33);
        l->a_lat = unif(r, 0.78, 0.85);
        l->v_apex = apex + unif(r, -0.02, 0.02);
        l->apex_h = unif(r, 0.12, 0.2);
        l->dome_v = dome + (side ? left_drop : 0.0);
        l->dome_a = unif(r, 0.34, 0.46);
        l->cp_v = l->dome_v + unif(r, 0.15, 0.24);
        l->med_cp_v = l->dome_v + unif(r, 0.04, 0.10);
        l->hilum_a = unif(r, 0.17, 0.22);
        l->hilum_v = unif(r, -0.12, -0.02) + (side ? -0.03 : 0.0); /* left hilum higher */
    }
    double hsize = unif(r, 0.86, 1.14);
    s->heart_ra = 0.39 * hsize;
    s->heart_rb = 0.27 * hsize;
    s->heart_u = unif(r, 0.12, 0.17);
    s->heart_v = s->lung[1].dome_v - 0.08 * hsize + unif(r, -0.03, 0.02);
    s->heart_rot = unif(r, 0.40, 0.65); /* long axis tilted down towards the image right */
    s->knob_u = unif(r, 0.11, 0.15);
    s->knob_v = unif(r, -0.40, -0.32);
    s->knob_r = unif(r, 0.055, 0.075);
    s->trachea_u = unif(r, -0.03, 0.01);
    s->carina_v = unif(r, -0.30, -0.22);
    s->med_w = unif(r, 0.09, 0.12);
    /* posterior ribs: 10 visible above the domes at mid inspiration */
    s->rib_v0 = apex + unif(r, -0.14, -0.08);
    s->rib_dv = (dome - s->rib_v0) / unif(r, 8.6, 9.6);
    s->rib_hw = unif(r, 0.024, 0.032);
    s->rib_tilt = unif(r, -0.02, 0.03);
    s->clav_v = apex + unif(r, 0.10, 0.17);
    s->clav_tilt = unif(r, -0.06, 0.04);
    s->k_body = unif(r, 0.95, 1.05);
    s->k_air = unif(r, 0.62, 0.74);
    s->k_bone = unif(r, 0.13, 0.19);
    s->k_heart = unif(r, 0.14, 0.22);
    s->k_spine = unif(r, 0.06, 0.11);
    s->k_vessel = unif(r, 0.35, 0.5);
    s->k_texture = unif(r, 0.05, 0.10);
    s->bubble = rng_uniform(r) < 0.6;
    s->bubble_u = unif(r, 0.25, 0.42);
    s->bubble_r = unif(r, 0.05, 0.09);
    s->arms = rng_uniform(r) < 0.75;
    s->arm_u = unif(r, 1.02, 1.14);
    s->humeri = s->arms && rng_uniform(r) < 0.8;
    s->expo_c = unif(r, 0.66, 0.78);
    s->expo_w = unif(r, 0.16, 0.24);
    s->expo_lo = unif(r, 0.00, 0.08);
    s->expo_hi = unif(r, 0.88, 1.00);
    s->expo_gamma = unif(r, 0.85, 1.25);
    s->blur_px = unif(r, 0.5, 1.1);
    s->noise_sd = unif(r, 1.0, 3.5);
    s->heel = unif(r, -0.05, 0.05);
}

void ph_canvas_sample(ph_canvas *c, ppad_rng *r) {
    double theta = unif(r, -0.06, 0.06); /* about +-3.5 degrees */
    c->scale = unif(r, 0.86, 1.0);
    c->ct = cos(theta);
    c->st = sin(theta);
    c->tx = unif(r, -0.05, 0.05);
    c->ty = unif(r, -0.02, 0.08);
}

/* Depth inside a lung: the lateral border curves out from the apex to the
 * costophrenic angle (a parabola), the medial border runs down the mediastinum
 * (pushed out by the aortic knob on the left), the base is the diaphragm dome.
 * Returns the smallest distance to the borders (positive inside). */
double ph_lung_lateral(const ph_subject *s, int side, double v) {
    const ph_lung *l = &s->lung[side];
    double t = ph_clamp((v - l->v_apex) / (l->cp_v - l->v_apex), 0, 1);
    return l->a_top + (l->a_lat - l->a_top) * cbrt(ph_clamp(t / 0.85, 0, 1));
}

double ph_lung_depth(const ph_subject *s, int side, double a, double v) {
    const ph_lung *l = &s->lung[side];
    double t = (v - l->v_apex) / (l->cp_v - l->v_apex);
    if (t < -0.05) return -1.0;
    double tc = t < 0 ? 0 : t;
    double a_lat = ph_lung_lateral(s, side, v);
    double tm = ph_clamp((v - l->v_apex) / l->apex_h, 0, 1);
    double a_med = l->a_top - (l->a_top - l->a_med) * sqrt(tm);
    if (side == 1) a_med += 0.045 * exp(-((v - s->knob_v) * (v - s->knob_v)) / (2 * 0.05 * 0.05));
    a_med += 0.025 * ph_smoothstep(l->hilum_v - 0.3, l->hilum_v, v); /* hila: the mediastinum widens */
    /* slopes of the borders shrink the horizontal distance to a true distance */
    double d_lat = (a_lat - a) / sqrt(1.0 + 0.25 / (tc + 0.03));
    double d_med = (a - a_med) / sqrt(1.0 + 0.10 / (tm + 0.03));
    double d_top = v - l->v_apex;
    /* diaphragm dome: parabola from the cardiophrenic end up to the peak and down to the costophrenic angle */
    double dome;
    if (a >= l->dome_a) {
        double q = (a - l->dome_a) / (l->a_lat - l->dome_a);
        dome = l->dome_v + (l->cp_v - l->dome_v) * q * q;
    } else {
        double q = (l->dome_a - a) / (l->dome_a - l->a_med);
        dome = l->dome_v + (l->med_cp_v - l->dome_v) * q * q;
    }
    double d_dome = (dome - v) * 0.85;
    double d = d_med;
    if (d_lat < d) d = d_lat;
    if (d_top < d) d = d_top;
    if (d_dome < d) d = d_dome;
    return d;
}
