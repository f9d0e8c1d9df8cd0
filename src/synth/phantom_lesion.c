/* phantom_lesion.c — pneumonia-like findings for abnormal phantoms. Unlike SAS
 * (a gamma curve driven by a distance transform), these fill the lung's air
 * spaces: a fill of 1 makes the lung as dense as soft tissue, so the vessels and
 * the heart border vanish inside a dense consolidation (silhouette sign) and
 * stay visible through a faint haze.
 *   consolidation: a lobar/segmental opacity with ragged margins, sometimes cut
 *                  off sharply by the horizontal fissure, with air bronchograms;
 *   patchy:        several fluffy foci (bronchopneumonia), one or both lungs;
 *   haze:          diffuse ground-glass opacity, basal or perihilar;
 *   effusion:      pleural fluid blunting a costophrenic angle with a meniscus,
 *                  sometimes with consolidation above it.
 * Sizes and opacities vary widely, so some findings are subtle. */
#include <math.h>

#include "synth/synth.h"
#include "synth/phantom_internal.h"

static double unif(ppad_rng *r, double lo, double hi) { return lo + (hi - lo) * rng_uniform(r); }

/* A random point well inside the given lung, in lung-local coordinates, between heights v0 and v1. */
static void lung_point(const ph_subject *s, int side, double v0, double v1, ppad_rng *r, double *a, double *v) {
    const ph_lung *l = &s->lung[side];
    for (int tries = 0; tries < 400; tries++) {
        *a = unif(r, l->a_med, l->a_lat);
        *v = unif(r, v0, v1);
        if (ph_lung_depth(s, side, *a, *v) > 0.06) return;
    }
    *a = 0.5 * (l->a_med + l->a_lat); /* always inside for any sampled subject */
    *v = l->hilum_v + 0.1;
}

/* Zones: 0 upper, 1 middle, 2 lower. */
static void zone_range(const ph_subject *s, int side, int zone, double *v0, double *v1) {
    const ph_lung *l = &s->lung[side];
    double top = l->v_apex + 0.08, hil = l->hilum_v, bot = l->dome_v + 0.05;
    if (zone == 0) { *v0 = top; *v1 = hil; }
    else if (zone == 1) { *v0 = hil - 0.12; *v1 = hil + 0.22; }
    else { *v0 = hil + 0.12; *v1 = bot; }
}

static void put_fill(ph_layers *L, int p, double val) {
    if (val > L->fill[p]) L->fill[p] = (float)val;
}

/* Bronchi inside a consolidation: thin air tubes drawn into L->work. */
static void bronchus(const ph_subject *s, ph_canvas *c, ph_layers *L, ppad_rng *r, int side, double a, double v,
                     double ang, double len, double w, int depth) {
    double uv[4], hw[2];
    double a1 = a + len * cos(ang), v1 = v + len * sin(ang);
    uv[0] = ph_side_sign(side) * a * s->width;  uv[1] = v;
    uv[2] = ph_side_sign(side) * a1 * s->width; uv[3] = v1;
    hw[0] = w;
    hw[1] = w * 0.85;
    ph_stroke(c, L->work, uv, hw, 2, 1.0f, PH_PROF_TUBE, PH_BLEND_MAX);
    if (depth <= 0) return;
    for (int k = 0; k < 2; k++)
        bronchus(s, c, L, r, side, a1, v1, ang + (k ? 1 : -1) * unif(r, 0.2, 0.5), len * unif(r, 0.6, 0.85),
                 w * 0.8, depth - 1);
}

static void consolidation(const ph_subject *s, ph_canvas *c, ph_layers *L, ppad_rng *r, const ph_noise *nz,
                          int side, double sev, int largest) {
    const ph_lung *l = &s->lung[side];
    int zone = (int)rng_int(r, 0, 3);
    double v0, v1, ac, vc;
    zone_range(s, side, zone, &v0, &v1);
    lung_point(s, side, v0, v1, r, &ac, &vc);
    double size = unif(r, 0.2, 1.0);
    if (largest) size = 1.0;
    double ra = unif(r, 0.11, 0.24) * (0.5 + size), rv = unif(r, 0.11, 0.24) * (0.5 + size);
    double rot = unif(r, 0, M_PI), cr = cos(rot), sr = sin(rot);
    double rough = unif(r, 0.8, 1.3), fq = unif(r, 3.0, 6.0), edge = unif(r, 0.3, 0.7);
    double opac = 0.3 + 0.6 * sev;
    double ox = unif(r, 0, 50), oy = unif(r, 0, 50);
    /* right upper lobe pneumonia stops at the horizontal fissure */
    int fissure = side == 0 && zone == 0 && rng_uniform(r) < 0.6;
    double vf = l->hilum_v + unif(r, 0.0, 0.06);
    if (fissure) vc = vf - rv * unif(r, 0.3, 0.7);
    int bronchograms = opac > 0.6 && size > 0.5 && rng_uniform(r) < 0.7;
    int n = c->n;
    if (bronchograms) {
        for (int p = 0; p < n * n; p++) L->work[p] = 0;
        double ang = atan2(vc - l->hilum_v, ac - l->hilum_a);
        int nb = (int)rng_int(r, 2, 5);
        for (int b = 0; b < nb; b++) {
            double sa = ac - 0.6 * ra * cos(ang) + unif(r, -0.3, 0.3) * ra;
            double sv = vc - 0.6 * rv * sin(ang) + unif(r, -0.3, 0.3) * rv;
            bronchus(s, c, L, r, side, sa, sv, ang + unif(r, -0.5, 0.5), 0.35 * (ra + rv), unif(r, 0.008, 0.013), 2);
        }
    }
    for (int p = 0; p < n * n; p++) {
        double a = ph_side_sign(side) * c->u[p] / s->width, v = c->v[p];
        if (a < -0.05) continue;
        double da = a - ac, dv = v - vc;
        double x = (cr * da + sr * dv) / ra, y = (-sr * da + cr * dv) / rv;
        double rr = sqrt(x * x + y * y);
        if (rr > 1.0 + 2 * rough) continue;
        /* a ragged, ill-defined outline and a mottled (acinar) interior */
        double f = 1.0 - rr + rough * ph_fbm(nz, a * fq / (ra + rv) * 0.3 + ox, v * fq / (ra + rv) * 0.3 + oy, 4);
        double val = opac * pow(ph_smoothstep(-0.6, edge, f), 1.5);
        val *= 0.55 + 0.45 * ph_smoothstep(-0.5, 0.4, ph_fbm(nz, a * 12 + oy, v * 12 + ox, 3));
        if (fissure) val *= ph_smoothstep(vf + 0.006, vf - 0.006, v);
        if (bronchograms) val *= 1.0 - 0.6 * L->work[p];
        if (val > 0) put_fill(L, p, val);
    }
}

static void patchy(const ph_subject *s, ph_canvas *c, ph_layers *L, ppad_rng *r, const ph_noise *nz, int side,
                   double sev) {
    int both = rng_uniform(r) < 0.3;
    int clusters = both ? 2 : 1;
    int n = c->n;
    for (int cl = 0; cl < clusters; cl++) {
        int sd = both ? cl : side;
        int zone = rng_uniform(r) < 0.65 ? 2 : (int)rng_int(r, 0, 2);
        double v0, v1, cac, cvc;
        zone_range(s, sd, zone, &v0, &v1);
        lung_point(s, sd, v0, v1, r, &cac, &cvc);
        double spread = unif(r, 0.08, 0.2);
        int foci = (int)rng_int(r, 3, 9);
        for (int k = 0; k < foci; k++) {
            /* foci scatter around the cluster centre, inside the lung (the centre itself is inside) */
            double ac = cac, vc = cvc;
            for (int tries = 0; tries < 20; tries++) {
                double ta = cac + rng_normal(r, 0, spread), tv = cvc + rng_normal(r, 0, spread);
                if (ph_lung_depth(s, sd, ta, tv) >= 0.02) {
                    ac = ta;
                    vc = tv;
                    break;
                }
            }
            double rad = unif(r, 0.07, 0.14) * (0.7 + 0.5 * sev);
            double opac = (0.3 + 0.55 * sev) * unif(r, 0.6, 1.0);
            double ox = unif(r, 0, 50), oy = unif(r, 0, 50);
            for (int p = 0; p < n * n; p++) {
                double a = ph_side_sign(sd) * c->u[p] / s->width, v = c->v[p];
                double da = a - ac, dv = v - vc;
                if (fabs(da) > 3 * rad || fabs(dv) > 3 * rad) continue;
                double rr = sqrt(da * da + dv * dv) / rad;
                double f = 1.0 - rr + 1.1 * ph_fbm(nz, a * 0.6 / rad + ox, v * 0.6 / rad + oy, 3);
                double val = opac * ph_smoothstep(-0.5, 0.8, f);
                if (val > 0) put_fill(L, p, val);
            }
        }
    }
}

static void haze(const ph_subject *s, ph_canvas *c, ph_layers *L, ppad_rng *r, const ph_noise *nz, int side,
                 double sev) {
    int both = rng_uniform(r) < 0.4;
    int perihilar = rng_uniform(r) < 0.4;
    double opac = 0.2 + 0.35 * sev;
    double ox = unif(r, 0, 50), oy = unif(r, 0, 50), fq = unif(r, 2.5, 4.5);
    double reach = unif(r, 0.3, 0.6);
    int n = c->n;
    for (int sd = 0; sd < 2; sd++) {
        if (!both && sd != side) continue;
        const ph_lung *l = &s->lung[sd];
        for (int p = 0; p < n * n; p++) {
            double a = ph_side_sign(sd) * c->u[p] / s->width, v = c->v[p];
            if (a < 0) continue;
            double w;
            if (perihilar) {
                double da = a - l->hilum_a, dv = v - l->hilum_v;
                w = 1.0 - sqrt(da * da + dv * dv) / (reach + 0.15);
            } else {
                w = (v - (l->dome_v - reach - 0.2)) / (reach + 0.1);
            }
            w += 0.45 * ph_fbm(nz, a * fq + ox, v * fq + oy, 3);
            double val = opac * ph_smoothstep(0.0, 0.5, w);
            if (val > 0) put_fill(L, p, val);
        }
    }
}

static void effusion(const ph_subject *s, ph_canvas *c, ph_layers *L, ppad_rng *r, int side, double sev) {
    const ph_lung *l = &s->lung[side];
    double h = unif(r, 0.14, 0.24) + 0.35 * sev * rng_uniform(r); /* height of the fluid at the wall */
    double level = l->cp_v - h;
    double mc = 0.10 + 0.35 * h;                                      /* meniscus: lower medially */
    double fade = unif(r, 0.04, 0.10);
    int n = c->n;
    for (int p = 0; p < n * n; p++) {
        double a = ph_side_sign(side) * c->u[p] / s->width, v = c->v[p];
        if (a < 0) continue;
        double t = ph_clamp((a - l->a_med) / (l->a_lat + 0.05 - l->a_med), 0, 1);
        double vm = level + mc * (1.0 - t) * (1.0 - t);
        double val = ph_smoothstep(vm - 0.004, vm + fade, v);
        /* a larger effusion tracks up the lateral chest wall */
        if (h > 0.2) val += 0.6 * ph_smoothstep(l->a_lat - 0.07, l->a_lat, a) * ph_smoothstep(level - 0.35, level, v);
        if (val > 1) val = 1;
        if (val > 0) {
            put_fill(L, p, 0.97 * val);
            /* the fluid itself, between the lung and the chest wall, above the abdomen */
            double wall = ph_smoothstep(l->a_lat + 0.09, l->a_lat + 0.03, a) * ph_smoothstep(l->a_lat - 0.06, l->a_lat, a) *
                          ph_smoothstep(l->cp_v + 0.04, l->cp_v - 0.02, v);
            L->extra[p] += (float)(0.08 * val * wall);
        }
    }
}

int ph_render_lesion(const ph_subject *s, ph_canvas *c, ph_layers *L, ppad_rng *r, const ph_noise *nz, int conspicuous) {
    double u = rng_uniform(r);
    int kind = u < 0.35 ? PHANTOM_CONSOLIDATION : u < 0.6 ? PHANTOM_PATCHY : u < 0.8 ? PHANTOM_HAZE : PHANTOM_EFFUSION;
    int side = (int)rng_int(r, 0, 2);
    double sev = sqrt(rng_uniform(r)); /* 0 subtle .. 1 florid; mostly clearly visible */
    if (conspicuous) kind = PHANTOM_CONSOLIDATION, sev = 1.0;
    switch (kind) {
    case PHANTOM_CONSOLIDATION: consolidation(s, c, L, r, nz, side, sev, conspicuous); break;
    case PHANTOM_PATCHY: patchy(s, c, L, r, nz, side, sev); break;
    case PHANTOM_HAZE: haze(s, c, L, r, nz, side, sev); break;
    default:
        effusion(s, c, L, r, side, sev);
        if (rng_uniform(r) < 0.35) consolidation(s, c, L, r, nz, side, 0.3 * sev, 0);
        break;
    }
    return kind;
}
