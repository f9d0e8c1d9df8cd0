/* synth.h — the synthesis layer: what a user of synthetic images includes.
 *   SAS      structure-preserving anomaly synthesis (the paper's lesions)
 *   FPI      foreign patch interpolation (the paper's comparison)
 *   phantom  synthetic PA chest radiographs for demos and tests
 * Uses data/ (the position regions), image/ (gray8) and base/ (rng) only. */
#ifndef PPAD_SYNTH_SYNTH_H
#define PPAD_SYNTH_SYNTH_H

#include <stdint.h>
#include "base/rng.h"
#include "image/image.h"
#include "ppad.h"

/* SAS — structure-preserving anomaly synthesis (spec section 6): a
 * lesion-shaped per-pixel gamma correction inside one of the five position
 * regions, so the lung structure stays visible under the "lesion".
 *
 * Steps, with the draws in this order from the caller's ppad_rng:
 *  0. weight w uniform from {-0.999, -0.99, 2, 3} unless the caller gives one;
 *  1. centre row uniform in [box.top, box.bottom), column in [box.left,
 *     box.right) (region boxes of data/data.h, inclusive maxima, so the last
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

/* FPI — the "FPI" anomaly synthesis the paper compares SAS with (spec
 * section 6, last paragraph; foreign patch interpolation): a square patch of
 * another normal image blended into the image inside a position's region.
 *
 * Draws, in this order: centre row uniform in [box.top, box.bottom), column in
 * [box.left, box.right) (same rule as SAS, 224-pixel region boxes); half-width
 * k uniform in [round(0.05 n), round(0.2 n)) = [11, 45) for n = 224; alpha
 * uniform in [0.5, 1) (a float32 with 24 significant bits: 0.5 + j 2^-24).
 * The patch is rows [cr - k, cr + k) x columns [cc - k, cc + k), clipped to the
 * image; the source patch is taken from the same place in the source image.
 * Inside: out = trunc((1 - alpha) * in + alpha * src) in float32 arithmetic, as
 * the reference's torch code; outside the patch the image is unchanged. */
typedef struct fpi_params {
    int position;
    int centre_row, centre_col, half;
    int top, left, bottom, right; /* patch rows [top, bottom), columns [left, right) */
    float alpha;
} fpi_params;

/* Half-width range [lo, hi) for an n-pixel image: round(0.05 n), round(0.2 n). */
void fpi_size_range(int n, int *lo, int *hi);

/* in and source: square images of the same size n >= 224. out: allocated with
 * in's size, may be in. mask_out: NULL or n*n bytes (0/1 patch mask). params:
 * NULL or receives the draws. */
int fpi_apply(gray8 *out, uint8_t *mask_out, const gray8 *in, const gray8 *source, int position, ppad_rng *rng,
              fpi_params *params, ppad_err *err);

/* Phantoms — synthetic chest radiographs (PA view) for demos and end-to-end
 * tests: an anatomical phantom (lungs with vascular markings, heart and
 * mediastinum, trachea, spine, ribs, clavicles, diaphragm domes, soft tissue,
 * shoulders) rendered as X-ray attenuation, with per-subject variation (size,
 * position, small rotation, inspiration depth, heart size, exposure, detector
 * blur and noise). Abnormal phantoms add one pneumonia-like finding
 * (consolidation with air bronchograms, patchy foci, ground-glass haze, pleural
 * effusion) from a model unrelated to SAS.
 *
 * Every image is a pure function of (seed, size, abnormal): no global state,
 * so a tree written with any number of threads is byte-identical. */
enum { PHANTOM_NORMAL = 0, PHANTOM_CONSOLIDATION, PHANTOM_PATCHY, PHANTOM_HAZE, PHANTOM_EFFUSION };

#define PHANTOM_MIN_SIZE 64
#define PHANTOM_MAX_SIZE 2048

/* What phantom_render's `abnormal` asks for: a normal subject, one finding of
 * any kind, size and subtlety (the default tree), or one conspicuous finding:
 * a florid lobar consolidation of the largest size in one lung (what make
 * demo's hand-built backbone can see; the subject is the same as with VARIED). */
enum { PHANTOM_FINDING_NONE = 0, PHANTOM_FINDING_VARIED = 1, PHANTOM_FINDING_CONSPICUOUS = 2 };

/* Renders one size x size phantom into out (allocated here; gray8_free it).
 * The subject's anatomy depends only on seed; abnormal (PHANTOM_FINDING_*) adds
 * a finding drawn from the same seed. *kind (may be NULL) receives the
 * finding's PHANTOM_* kind. */
int phantom_render(gray8 *out, int size, uint64_t seed, int abnormal, int *kind, ppad_err *err);
const char *phantom_kind_name(int kind);

/* The seed of image `index` of a class in a tree written with tree seed `seed`. */
uint64_t phantom_image_seed(uint64_t seed, int abnormal, long index);

typedef struct phantom_tree_opts {
    const char *dir;      /* output root */
    long n_normal;        /* normal phantoms in all: n_train_normal in train/, the rest in test/ */
    long n_abnormal;      /* abnormal phantoms, all in test/pneumonia_256/ */
    long n_train_normal;  /* normals that go to train/normal_256/ */
    uint64_t seed;
    int size;             /* image side (default 256); folder names keep the layout's "_256" */
    int force;            /* replace an earlier tree's phantom files instead of refusing */
    int quiet;            /* no progress bar */
    int conspicuous;      /* every abnormal: PHANTOM_FINDING_CONSPICUOUS instead of VARIED */
} phantom_tree_opts;

/* Writes a ZhangLab-layout tree:
 *   DIR/train/normal_256/normal_NNNNN.png     normals 0 .. n_train_normal-1
 *   DIR/test/normal_256/normal_NNNNN.png      normals n_train_normal .. n_normal-1
 *   DIR/test/pneumonia_256/pneumonia_NNNNN.png
 *   DIR/manifest.csv                          path,label,split,finding (a valid csv-layout manifest)
 * Each PNG is written atomically. Refuses to write into class folders that
 * already hold files unless force is set (then it removes only earlier
 * normal_*.png / pneumonia_*.png phantoms). */
int phantom_write_tree(const phantom_tree_opts *o, ppad_err *err);

#endif
