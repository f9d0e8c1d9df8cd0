/* phantom.c — renders one phantom: samples the subject, draws the anatomy and
 * (for abnormal images) a finding into attenuation layers, then applies the
 * exposure curve, detector blur and noise and quantises to 8 bits. */
#include "synth/synth.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "synth/phantom_internal.h"

enum { NBUF = 11 };

const char *phantom_kind_name(int kind) {
    switch (kind) {
    case PHANTOM_NORMAL: return "normal";
    case PHANTOM_CONSOLIDATION: return "consolidation";
    case PHANTOM_PATCHY: return "patchy";
    case PHANTOM_HAZE: return "haze";
    case PHANTOM_EFFUSION: return "effusion";
    default: return "unknown";
    }
}

uint64_t phantom_image_seed(uint64_t seed, int abnormal, long index) {
    /* splitmix-style mixing of (seed, class, index) */
    uint64_t z = seed ^ (0x9E3779B97F4A7C15ull * ((uint64_t)index * 2 + (abnormal ? 1 : 0) + 1));
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

/* Attenuation -> display value in [0, 255] (before blur and noise), through a
 * table of the exposure curve. */
enum { LUT_N = 2048 };
#define LUT_MAX 2.5

static void expose(const ph_subject *s, const ph_canvas *c, const ph_layers *L, float *img) {
    int n = c->n;
    /* a film-like S-curve: air black, lungs dark, bone and soft tissue grey, heart white */
    float lut[LUT_N + 1];
    double y0 = 1.0 / (1.0 + exp(s->expo_c / s->expo_w));
    double y1 = 1.0 / (1.0 + exp(-(1.5 - s->expo_c) / s->expo_w));
    for (int i = 0; i <= LUT_N; i++) {
        double att = LUT_MAX * i / LUT_N;
        double y = (1.0 / (1.0 + exp(-(att - s->expo_c) / s->expo_w)) - y0) / (y1 - y0);
        y = pow(ph_clamp(y, 0, 1), s->expo_gamma);
        lut[i] = (float)(255.0 * (s->expo_lo + (s->expo_hi - s->expo_lo) * y));
    }
    for (int p = 0; p < n * n; p++) {
        double air = L->air[p] * (1.0 - s->k_vessel * L->vessel[p]) * (1.0 - L->fill[p]);
        double att = L->soft[p] + L->bone[p] + L->extra[p] - s->k_air * air;
        double x = ph_clamp(att, 0, LUT_MAX) * (LUT_N / LUT_MAX);
        int i = (int)x;
        if (i >= LUT_N) i = LUT_N - 1;
        double f = x - i;
        double y = lut[i] + f * (lut[i + 1] - lut[i]);
        img[p] = (float)(y * (1.0 + s->heel * c->v[p])); /* anode heel effect: a gentle top-to-bottom gradient */
    }
}

int phantom_render(gray8 *out, int size, uint64_t seed, int abnormal, int *kind, ppad_err *err) {
    out->px = NULL;
    if (size < PHANTOM_MIN_SIZE || size > PHANTOM_MAX_SIZE)
        return ppad_fail(err, "phantom: size %d is out of range [%d, %d]", size, PHANTOM_MIN_SIZE, PHANTOM_MAX_SIZE);
    size_t nn = (size_t)size * (size_t)size;
    float *buf = ppad_calloc(nn * NBUF, sizeof(float), err);
    ph_noise *nz = ppad_malloc(sizeof *nz, err);
    if (!buf || !nz || gray8_alloc(out, size, size, err) != 0) {
        free(buf);
        free(nz);
        return -1;
    }
    ph_canvas c = {.n = size};
    ph_layers L;
    c.u = buf;
    c.v = buf + nn;
    c.scratch = buf + 2 * nn;
    L.soft = buf + 3 * nn;
    L.bone = buf + 4 * nn;
    L.air = buf + 5 * nn;
    L.vessel = buf + 6 * nn;
    L.fill = buf + 7 * nn;
    L.extra = buf + 8 * nn;
    L.work = buf + 9 * nn;
    float *img = buf + 10 * nn;

    /* independent streams: the anatomy does not change when a lesion is added */
    ppad_rng root, r_anat, r_lesion, r_det;
    rng_seed(&root, seed);
    rng_split(&r_anat, &root);
    rng_split(&r_lesion, &root);
    rng_split(&r_det, &root);

    ph_subject s;
    ph_subject_sample(&s, &r_anat);
    ph_canvas_sample(&c, &r_anat);
    ph_noise_init(nz, &r_anat);
    ph_canvas_coords(&c);
    ph_render_anatomy(&s, &c, &L, &r_anat, nz);
    int k = PHANTOM_NORMAL;
    if (abnormal) {
        ph_noise_init(nz, &r_lesion);
        k = ph_render_lesion(&s, &c, &L, &r_lesion, nz, abnormal == PHANTOM_FINDING_CONSPICUOUS);
        ph_blur(L.fill, c.scratch, size, 1.2 * size / 256.0); /* no razor-sharp lesion edges */
    }
    expose(&s, &c, &L, img);
    ph_blur(img, c.scratch, size, s.blur_px * size / 256.0);
    /* detector noise, stronger where fewer photons arrive (bright areas); Box-Muller pairs */
    for (size_t p = 0; p < nn; p += 2) {
        double u1 = rng_uniform(&r_det), u2 = rng_uniform(&r_det);
        double rad = sqrt(-2.0 * log(u1 > 1e-300 ? u1 : 1e-300));
        double z[2] = {rad * cos(2 * M_PI * u2), rad * sin(2 * M_PI * u2)};
        for (size_t k = 0; k < 2 && p + k < nn; k++) {
            double y = img[p + k];
            y += z[k] * s.noise_sd * (0.6 + 0.6 * (y / 255.0));
            y = floor(y + 0.5);
            out->px[p + k] = (uint8_t)(y < 0 ? 0 : y > 255 ? 255 : y);
        }
    }
    free(buf);
    free(nz);
    if (kind) *kind = k;
    return 0;
}
