/* phantom_anatomy.c — renders a normal chest into attenuation layers: body
 * soft tissue, lungs, heart and mediastinum, trachea, spine, ribs, clavicles,
 * humeral heads, pulmonary vessels, gastric bubble. */
#include <math.h>

#include "synth/phantom_internal.h"

static double unif(ppad_rng *r, double lo, double hi) { return lo + (hi - lo) * rng_uniform(r); }

/* lung-local (a, v) of one side -> canonical (u, v) */
static void to_uv(const ph_subject *s, int side, double a, double v, double *uv) {
    uv[0] = ph_side_sign(side) * a * s->width;
    uv[1] = v;
}

/* Per-pixel fields: body, lungs, heart, mediastinum, abdomen, spine, bubble. */
static void render_fields(const ph_subject *s, ph_canvas *c, ph_layers *L, const ph_noise *nz) {
    int n = c->n;
    double hc = cos(s->heart_rot), hs = sin(s->heart_rot);
    double ku = s->knob_u * s->width;
    const ph_lung *ll = &s->lung[1];
    double bub_v = ll->dome_v + (ll->cp_v - ll->dome_v) * 0.1 + s->bubble_r * 1.1;
    for (int p = 0; p < n * n; p++) {
        double u = c->u[p], v = c->v[p], au = fabs(u);
        /* body outline: a barrel-shaped chest wall following the ribs, broad shoulders on top, the neck */
        int sd = u > 0;
        double chest = ph_lung_lateral(s, sd, v) + 0.13 + 0.03 * ph_smoothstep(0.2, 0.9, v);
        double sh = ph_smoothstep(-0.15, -0.65, v);
        double W = (chest * (1 - sh) + 0.99 * sh) * s->width;
        double T = -0.93 + 0.10 * (au / 0.99) * (au / 0.99), R = 0.22; /* sloping shoulders */
        double bx = au - (W - R), by = (T + R) - v, d_in;
        if (bx > 0 && by > 0) d_in = R - sqrt(bx * bx + by * by);
        else d_in = fmin(W - au, v - T);
        d_in = fmax(d_in, fmin(0.21 - au, 0.3));
        double x = au / W;
        double prof = x < 1 ? sqrt(1 - x * x) : 0;
        double inside = ph_smoothstep(-0.01, 0.06, d_in);
        double soft = s->k_body * (0.30 + 0.70 * prof) * inside;
        soft *= 1.0 - 0.2 * ph_smoothstep(-0.85, -1.0, v) * ph_smoothstep(0.15, 0.25, d_in); /* the neck is thinner */
        /* mediastinum: great vessels, oesophagus, sternum */
        soft += 0.12 * ph_smoothstep(0.05, -0.03, au - 0.12 * s->width) * inside;
        /* arms hanging beside the chest, joined to it at the shoulder */
        if (s->arms) {
            double ac = (s->arm_u + 0.12 * ph_clamp(v + 0.6, 0, 2)) * s->width, ah = 0.13, atop = T + 0.05;
            double d_arm = fmin(ah - fabs(au - ac), v - atop);
            if (d_arm > -0.02) {
                double xa = (au - ac) / ah;
                double arm = 0.8 * s->k_body * (0.3 + 0.7 * sqrt(fmax(0, 1 - xa * xa))) * ph_smoothstep(-0.01, 0.05, d_arm);
                if (arm > soft) soft = arm;
            }
        }
        double abd;
        /* abdomen below the domes: liver, spleen and bowel are denser than the chest wall */
        {
            const ph_lung *l = &s->lung[sd];
            double a = au / s->width;
            double dome = l->dome_v + (l->cp_v - l->dome_v) * ph_clamp((a - l->dome_a) / (l->a_lat - l->dome_a), 0, 1) *
                                          ph_clamp((a - l->dome_a) / (l->a_lat - l->dome_a), 0, 1);
            abd = ph_smoothstep(dome, dome + 0.12, v);
            soft += 0.15 * s->k_body * abd * ph_smoothstep(-0.01, 0.06, d_in);
        }
        /* lungs */
        double air = 0;
        for (int side = 0; side < 2; side++) {
            double a = ph_side_sign(side) * u / s->width;
            if (a < 0) continue;
            double d = ph_lung_depth(s, side, a, v);
            if (d <= -0.02) continue;
            double lung = ph_smoothstep(-0.012, 0.012, d) * (0.55 + 0.45 * ph_smoothstep(0.0, 0.22, d));
            /* the bases are thicker (deeper costophrenic recesses) */
            lung *= 0.92 + 0.12 * ph_smoothstep(-0.6, 0.3, v);
            if (lung > air) air = lung;
        }
        /* heart: tilted ellipse; displaces the lung medially */
        double du = u - s->heart_u * s->width, dv = v - s->heart_v;
        double ex = (hc * du + hs * dv) / s->heart_ra, ey = (-hs * du + hc * dv) / s->heart_rb;
        double rr = sqrt(ex * ex + ey * ey);
        if (rr < 1.05) {
            double t = rr < 1 ? sqrt(1 - rr * rr) : 0;
            double m = ph_smoothstep(1.03, 0.97, rr);
            double low = ph_smoothstep(-0.9, 0.1, ey); /* the upper heart merges into the mediastinum */
            /* ...and its lower border is lost in the diaphragm */
            soft += s->k_heart * (0.35 * m + 0.65 * t) * (0.35 + 0.65 * low) * (1 - abd);
            air *= 1 - 0.9 * m;
        }
        /* aortic knob */
        double kr = sqrt((u - ku) * (u - ku) + (v - s->knob_v) * (v - s->knob_v)) / s->knob_r;
        if (kr < 1.05) {
            double m = ph_smoothstep(1.04, 0.94, kr);
            soft += 0.12 * m;
            air *= 1 - 0.85 * m;
        }
        /* descending aorta: a faint band left of the spine */
        if (v > s->knob_v && v < ll->dome_v) soft += 0.05 * exp(-((u - 0.07) * (u - 0.07)) / (2 * 0.02 * 0.02));
        /* parenchymal texture */
        if (air > 0) air *= 1 - s->k_texture * (0.5 + 0.5 * ph_fbm(nz, u * 9 + 3.1, v * 9 - 7.7, 3));
        /* gastric bubble under the left dome */
        if (s->bubble) {
            double bu = s->bubble_u * s->width;
            double br = sqrt((u - bu) * (u - bu) / (1.6 * 1.6) + (v - bub_v) * (v - bub_v)) / s->bubble_r;
            if (br < 1.0) soft -= 0.28 * ph_smoothstep(1.0, 0.8, br) * (0.6 + 0.4 * (v > bub_v ? 0.6 : 1.0));
        }
        /* spine: vertebral bodies with disc spaces, pedicles and spinous processes */
        double bone = 0;
        double sx = u / 0.075;
        if (fabs(sx) < 1.3) {
            double ph = (v - s->rib_v0) / s->rib_dv;
            ph -= floor(ph);
            double body = fabs(sx) < 1 ? sqrt(1 - sx * sx) : 0;
            double disc = ph_smoothstep(0.78, 0.86, ph) * ph_smoothstep(1.0, 0.92, ph);
            bone += s->k_spine * body * (1 - 0.45 * disc) * (0.7 + 0.3 * ph_smoothstep(0.0, 0.5, fabs(sx)));
            for (int k = -1; k <= 1; k += 2) {
                double pu = (u - k * 0.048) / 0.018, pv = (ph - 0.32) / 0.22;
                double pr = sqrt(pu * pu + pv * pv);
                if (pr < 1) bone += s->k_spine * 0.7 * exp(-((pr - 0.8) * (pr - 0.8)) / 0.03);
            }
            double qu = u / 0.012, qv = (ph - 0.62) / 0.18;
            double qr = sqrt(qu * qu + qv * qv);
            if (qr < 1) bone += s->k_spine * 0.5 * (1 - qr * qr);
        }
        L->soft[p] = (float)soft;
        L->air[p] = (float)air;
        L->bone[p] = (float)bone;
    }
}

static void render_ribs(const ph_subject *s, ph_canvas *c, ph_layers *L, ppad_rng *r) {
    double uv[2 * 24], hw[24], pts[8], seg[2 * 24];
    for (int side = 0; side < 2; side++) {
        const ph_lung *l = &s->lung[side];
        for (int i = 0; i < 11; i++) {
            double vi = s->rib_v0 + i * s->rib_dv * (1.0 + 0.015 * i) + unif(r, -0.01, 0.01);
            /* chest half-width at this level: narrow at the top of the thorax */
            double wall = ph_lung_lateral(s, side, vi + 0.05) + 0.03;
            if (vi < l->v_apex) wall = l->a_top + 0.04 + 0.3 * (vi - l->v_apex + 0.2);
            double a0 = 0.05, rise = (0.07 + 0.04 * (i < 3 ? 1 : 0)) * (1 + s->rib_tilt);
            /* posterior rib: from the spine, arching up and out, turning down at the wall */
            pts[0] = a0;                              pts[1] = vi;
            pts[2] = a0 + 0.30 * (wall - a0);         pts[3] = vi - 1.5 * rise;
            pts[4] = wall + 0.02;                     pts[5] = vi - 0.5 * rise;
            pts[6] = wall;                            pts[7] = vi + 0.10 + 0.05 * ph_clamp(i / 6.0, 0, 1);
            ph_bezier(seg, 20, pts);
            for (int k = 0; k < 20; k++) {
                to_uv(s, side, seg[2 * k], seg[2 * k + 1], &uv[2 * k]);
                double t = k / 19.0;
                hw[k] = s->rib_hw * (0.8 + 0.35 * t) * (i == 0 ? 0.85 : 1.0);
            }
            /* ribs below the domes are hidden by the abdomen */
            double hidden = ph_smoothstep(l->dome_v - 0.05, l->dome_v + 0.2, vi);
            ph_stroke(c, L->bone, uv, hw, 20, (float)(s->k_bone * unif(r, 0.9, 1.1) * (1 - 0.6 * hidden)), PH_PROF_BONE,
                      PH_BLEND_ADD);
            /* anterior rib: from the wall down and medially to the costochondral junction; fainter */
            if (i >= 1 && i <= 8) {
                double ax = pts[6], ay = pts[7];
                double endv = ay + 0.26 + 0.02 * i;
                pts[0] = ax;                  pts[1] = ay;
                pts[2] = ax - 0.03;           pts[3] = ay + 0.10;
                pts[4] = ax - 0.25;           pts[5] = endv - 0.03;
                pts[6] = 0.28 + 0.02 * i;     pts[7] = endv;
                ph_bezier(seg, 14, pts);
                for (int k = 0; k < 14; k++) {
                    to_uv(s, side, seg[2 * k], seg[2 * k + 1], &uv[2 * k]);
                    hw[k] = s->rib_hw * (1.05 - 0.25 * k / 13.0);
                }
                ph_stroke(c, L->bone, uv, hw, 14, (float)(0.45 * s->k_bone), PH_PROF_BONE, PH_BLEND_ADD);
            }
        }
        /* clavicle: medial end at the sternal notch, S-curve out to the acromion */
        double cv = s->clav_v, tl = s->clav_tilt;
        pts[0] = 0.08;  pts[1] = cv + 0.16;
        pts[2] = 0.28;  pts[3] = cv + 0.06;
        pts[4] = 0.48;  pts[5] = cv + 0.10 + tl;
        pts[6] = 0.72;  pts[7] = cv - 0.04 + tl;
        ph_bezier(seg, 16, pts);
        for (int k = 0; k < 16; k++) {
            to_uv(s, side, seg[2 * k], seg[2 * k + 1], &uv[2 * k]);
            hw[k] = 0.034 * (1.05 - 0.25 * sin(M_PI * k / 15.0));
        }
        ph_stroke(c, L->bone, uv, hw, 16, (float)(1.3 * s->k_bone), PH_PROF_BONE, PH_BLEND_ADD);
        /* scapula's medial border, faint, over the upper lateral lung */
        pts[0] = 0.70; pts[1] = cv + 0.02;
        pts[2] = 0.60; pts[3] = cv + 0.20;
        pts[4] = 0.60; pts[5] = cv + 0.40;
        pts[6] = 0.70; pts[7] = cv + 0.58;
        ph_bezier(seg, 10, pts);
        for (int k = 0; k < 10; k++) {
            to_uv(s, side, seg[2 * k], seg[2 * k + 1], &uv[2 * k]);
            hw[k] = 0.02;
        }
        ph_stroke(c, L->bone, uv, hw, 10, (float)(0.35 * s->k_bone), PH_PROF_GAUSS, PH_BLEND_ADD);
        /* humeral head in the shoulder */
        if (s->humeri) {
            double hu = 0.93 + unif(r, -0.03, 0.03);
            to_uv(s, side, hu, -0.80, &uv[0]);
            to_uv(s, side, hu + 0.05, -0.62, &uv[2]);
            hw[0] = 0.09;
            hw[1] = 0.06;
            ph_stroke(c, L->bone, uv, hw, 2, (float)(1.0 * s->k_bone), PH_PROF_BONE, PH_BLEND_ADD);
        }
    }
}

/* One vessel and its branches, drawn as tapered strokes into L->vessel. */
static void vessel_branch(const ph_subject *s, ph_canvas *c, ph_layers *L, ppad_rng *r, int side, double a, double v,
                          double ang, double len, double w, int depth) {
    double uv[6], hw[3];
    double bend = unif(r, -0.25, 0.25);
    double a1 = a + 0.5 * len * cos(ang), v1 = v + 0.5 * len * sin(ang);
    double a2 = a1 + 0.5 * len * cos(ang + bend), v2 = v1 + 0.5 * len * sin(ang + bend);
    to_uv(s, side, a, v, &uv[0]);
    to_uv(s, side, a1, v1, &uv[2]);
    to_uv(s, side, a2, v2, &uv[4]);
    hw[0] = w;
    hw[1] = w * 0.9;
    hw[2] = w * 0.8;
    double weight = ph_clamp(w / 0.010, 0.2, 1.0);
    ph_stroke(c, L->vessel, uv, hw, 3, (float)weight, PH_PROF_GAUSS, PH_BLEND_MAX);
    if (depth <= 0 || w < 0.003) return;
    double end_ang = ang + bend;
    int kids = rng_uniform(r) < 0.8 ? 2 : 3;
    for (int k = 0; k < kids; k++) {
        double spread = unif(r, 0.25, 0.6) * (k == 0 ? -1 : k == 1 ? 1 : unif(r, -0.3, 0.3));
        vessel_branch(s, c, L, r, side, a2, v2, end_ang + spread, len * unif(r, 0.65, 0.85), w * unif(r, 0.62, 0.78),
                      depth - 1);
    }
}

static void render_vessels(const ph_subject *s, ph_canvas *c, ph_layers *L, ppad_rng *r) {
    for (int side = 0; side < 2; side++) {
        const ph_lung *l = &s->lung[side];
        /* trunks fanning out from the hilum: upper, lateral, lower, basal */
        static const double angles[] = {-1.35, -0.75, -0.15, 0.45, 0.95, 1.35};
        for (int t = 0; t < 6; t++) {
            double ang = angles[t] + unif(r, -0.15, 0.15);
            double lower = t >= 3 ? 1.2 : 1.0; /* lower-zone vessels are larger */
            vessel_branch(s, c, L, r, side, l->hilum_a, l->hilum_v, ang, unif(r, 0.14, 0.2),
                          0.014 * lower * unif(r, 0.85, 1.15), 5);
        }
    }
    /* the trachea and main bronchi: air columns in the upper mediastinum */
    double uv[6], hw[3];
    uv[0] = s->trachea_u; uv[1] = -1.2;
    uv[2] = s->trachea_u; uv[3] = -0.7;
    uv[4] = s->trachea_u + 0.01; uv[5] = s->carina_v;
    hw[0] = hw[1] = hw[2] = 0.036;
    ph_stroke(c, L->soft, uv, hw, 3, -0.14f, PH_PROF_TUBE, PH_BLEND_ADD);
    for (int side = 0; side < 2; side++) {
        const ph_lung *l = &s->lung[side];
        uv[0] = s->trachea_u + 0.01; uv[1] = s->carina_v;
        to_uv(s, side, 0.5 * (l->hilum_a + 0.02), s->carina_v + 0.10 + 0.04 * side, &uv[2]);
        to_uv(s, side, l->hilum_a - 0.03, l->hilum_v + 0.05, &uv[4]);
        hw[0] = 0.028; hw[1] = 0.024; hw[2] = 0.018;
        ph_stroke(c, L->soft, uv, hw, 3, -0.09f, PH_PROF_TUBE, PH_BLEND_ADD);
    }
}

void ph_render_anatomy(const ph_subject *s, ph_canvas *c, ph_layers *L, ppad_rng *r, const ph_noise *nz) {
    render_fields(s, c, L, nz);
    render_ribs(s, c, L, r);
    render_vessels(s, c, L, r);
    ph_blur(L->vessel, c->scratch, c->n, 0.7 * c->n / 256.0);
}
