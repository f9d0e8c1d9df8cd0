/* phantom_internal.h — shared pieces of the chest radiograph phantom generator
 * (phantom*.c). Not a public header.
 *
 * Geometry lives in a canonical frame: u runs left to right across the image,
 * v top to bottom, both in [-1, 1] for a standard subject; the patient's right
 * lung is on the image left (u < 0). Each subject has its own similarity
 * transform (scale, rotation, shift) from the canonical frame to the image.
 * The picture is built as a map of X-ray attenuation: soft tissue and bone add,
 * lung air subtracts; lesions and vessels displace air. An exposure curve,
 * detector blur and noise then give the 8-bit image. */
#ifndef PPAD_SYNTH_PHANTOM_INTERNAL_H
#define PPAD_SYNTH_PHANTOM_INTERNAL_H

#include <stdint.h>

#include "base/rng.h"

/* ---- smooth random fields (phantom_field.c) ---- */
#define PH_NOISE_G 64 /* lattice size of the value noise (wraps around) */
typedef struct ph_noise { float gx[PH_NOISE_G * PH_NOISE_G], gy[PH_NOISE_G * PH_NOISE_G]; } ph_noise;

void  ph_noise_init(ph_noise *nz, ppad_rng *r);
float ph_noise2(const ph_noise *nz, double x, double y);            /* gradient noise, about [-1, 1] */
float ph_fbm(const ph_noise *nz, double x, double y, int octaves);  /* fractal sum, about [-1, 1] */
/* Separable Gaussian blur of an n x n float image in place; tmp holds n*n floats. */
void  ph_blur(float *img, float *tmp, int n, double sigma);
static inline double ph_clamp(double x, double lo, double hi) { return x < lo ? lo : x > hi ? hi : x; }
static inline double ph_smoothstep(double e0, double e1, double x) {
    double t = ph_clamp((x - e0) / (e1 - e0), 0.0, 1.0);
    return t * t * (3.0 - 2.0 * t);
}

/* ---- canvas: per-pixel canonical coordinates and stroke drawing (phantom_stroke.c) ---- */
typedef struct ph_canvas {
    int n;                  /* image side in pixels */
    double scale, ct, st;   /* subject transform: image = scale * R(theta) * canonical + shift */
    double tx, ty;
    float *u, *v;           /* canonical coordinates of every pixel centre (n*n each) */
    float *scratch;         /* n*n work buffer for strokes */
} ph_canvas;

enum { PH_PROF_BONE, PH_PROF_GAUSS, PH_PROF_TUBE };
enum { PH_BLEND_ADD, PH_BLEND_MAX };

void ph_canvas_coords(ph_canvas *c);
void ph_to_pixel(const ph_canvas *c, double u, double v, double *px, double *py);
/* Draws a polyline of npts canonical points uv[2*i], uv[2*i+1] with canonical
 * half-widths hw[i] into layer, weighted by weight, with a cross-section profile.
 * ADD adds the stroke once (overlapping segments are merged first); MAX keeps the
 * larger value. */
void ph_stroke(ph_canvas *c, float *layer, const double *uv, const double *hw, int npts, float weight, int profile,
               int blend);
/* Samples a cubic Bezier (p = 4 control points, u,v pairs) at npts points. */
void ph_bezier(double *uv, int npts, const double p[8]);

/* ---- the subject's anatomy (phantom_subject.c, phantom_anatomy.c) ---- */
typedef struct ph_lung {  /* in "lung-local" coordinates: a = lateral distance from the midline / width */
    double a_med;         /* medial border (upper mediastinum) */
    double a_top;         /* lateral position of the apex */
    double a_lat;         /* lateral border at the costophrenic angle (widest) */
    double v_apex;        /* top of the apex */
    double apex_h;        /* height over which the medial border reaches the mediastinum */
    double dome_v, dome_a;/* highest point of the hemidiaphragm and its lateral position */
    double cp_v;          /* depth of the costophrenic angle (lateral end of the dome) */
    double med_cp_v;      /* depth of the cardiophrenic end of the dome (medial) */
    double hilum_a, hilum_v;
} ph_lung;

typedef struct ph_subject {
    double width;          /* thorax width factor (multiplies u of thoracic structures) */
    ph_lung lung[2];       /* 0: patient right (image left, u < 0), 1: patient left */
    double heart_u, heart_v, heart_ra, heart_rb, heart_rot; /* cardiac silhouette ellipse */
    double knob_u, knob_v, knob_r;                         /* aortic knob */
    double trachea_u, carina_v;
    double med_w;          /* superior mediastinum half-width */
    double rib_v0, rib_dv; /* first posterior rib level and spacing */
    double rib_hw, rib_tilt;
    double clav_v, clav_tilt;
    double k_body, k_air, k_bone, k_heart, k_spine, k_vessel, k_texture;
    int    bubble;         /* gastric air bubble under the left dome */
    double bubble_u, bubble_r;
    int    arms;           /* arms beside the chest */
    double arm_u;
    int    humeri;         /* humeral heads visible at the top corners */
    /* exposure and detector */
    double expo_c, expo_w, expo_lo, expo_hi, expo_gamma, blur_px, noise_sd, heel;
} ph_subject;

void ph_subject_sample(ph_subject *s, ppad_rng *r);
void ph_canvas_sample(ph_canvas *c, ppad_rng *r);
/* Signed depth inside a lung (canonical units, > 0 inside) at lung-local (a, v). */
double ph_lung_depth(const ph_subject *s, int side, double a, double v);
/* Lateral border of a lung at height v (lung-local a). */
double ph_lung_lateral(const ph_subject *s, int side, double v);
/* Side sign: -1 for side 0 (image left), +1 for side 1. */
static inline double ph_side_sign(int side) { return side ? 1.0 : -1.0; }

typedef struct ph_layers {
    float *soft;   /* soft-tissue attenuation (body, heart, mediastinum, abdomen) */
    float *bone;   /* ribs, clavicles, spine, humeri */
    float *air;    /* lung air fraction 0..1 (already displaced by the heart) */
    float *vessel; /* vascular markings 0..1 (displace air) */
    float *fill;   /* lesion filling of the air spaces 0..1 */
    float *extra;  /* extra attenuation from lesions */
    float *work;   /* scratch layer for lesions (bronchograms) */
} ph_layers;

void ph_render_anatomy(const ph_subject *s, ph_canvas *c, ph_layers *L, ppad_rng *r, const ph_noise *nz);

/* ---- lesions (phantom_lesion.c) ---- */
/* Draws a random pneumonia-like finding into L->fill / L->extra. Returns the kind. */
int ph_render_lesion(const ph_subject *s, ph_canvas *c, ph_layers *L, ppad_rng *r, const ph_noise *nz, int conspicuous);

#endif
