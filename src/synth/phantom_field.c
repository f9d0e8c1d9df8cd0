/* phantom_field.c — smooth random fields (value noise, fractal sums) and a
 * Gaussian blur for the radiograph phantom. */
#include <math.h>
#include <stdlib.h>

#include "synth/phantom_internal.h"

void ph_noise_init(ph_noise *nz, ppad_rng *r) {
    for (int i = 0; i < PH_NOISE_G * PH_NOISE_G; i++) {
        double ang = 2.0 * M_PI * rng_uniform(r);
        nz->gx[i] = (float)cos(ang);
        nz->gy[i] = (float)sin(ang);
    }
}

/* Gradient noise: a random unit gradient at every lattice point (stored as
 * its cosine and sine), quintic interpolation of the four dot products. */
static double grad_dot(const ph_noise *nz, int ix, int iy, double dx, double dy) {
    return nz->gx[iy * PH_NOISE_G + ix] * dx + nz->gy[iy * PH_NOISE_G + ix] * dy;
}

float ph_noise2(const ph_noise *nz, double x, double y) {
    double fx = floor(x), fy = floor(y);
    double tx = x - fx, ty = y - fy;
    int ix = (int)(((long)fx % PH_NOISE_G + PH_NOISE_G) % PH_NOISE_G);
    int iy = (int)(((long)fy % PH_NOISE_G + PH_NOISE_G) % PH_NOISE_G);
    int jx = (ix + 1) % PH_NOISE_G, jy = (iy + 1) % PH_NOISE_G;
    double sx = tx * tx * tx * (tx * (tx * 6 - 15) + 10), sy = ty * ty * ty * (ty * (ty * 6 - 15) + 10);
    double a = grad_dot(nz, ix, iy, tx, ty), b = grad_dot(nz, jx, iy, tx - 1, ty);
    double c = grad_dot(nz, ix, jy, tx, ty - 1), d = grad_dot(nz, jx, jy, tx - 1, ty - 1);
    double ab = a + sx * (b - a), cd = c + sx * (d - c);
    return (float)(1.4 * (ab + sy * (cd - ab)));
}

float ph_fbm(const ph_noise *nz, double x, double y, int octaves) {
    double sum = 0, amp = 0.5, norm = 0;
    for (int o = 0; o < octaves; o++) {
        sum += amp * ph_noise2(nz, x + 17.3 * o, y - 11.1 * o);
        norm += amp;
        /* next octave: double frequency, rotated by about 37 degrees so no lattice axis dominates */
        double nx = 2.03 * (0.8 * x - 0.6 * y), ny = 2.03 * (0.6 * x + 0.8 * y);
        x = nx;
        y = ny;
        amp *= 0.5;
    }
    return (float)(sum / norm);
}

void ph_blur(float *img, float *tmp, int n, double sigma) {
    if (sigma < 0.05) return;
    int rad = (int)ceil(3.0 * sigma);
    if (rad > 16) rad = 16;
    float k[33];
    double sum = 0;
    for (int i = -rad; i <= rad; i++) sum += k[i + rad] = (float)exp(-0.5 * i * i / (sigma * sigma));
    for (int i = 0; i <= 2 * rad; i++) k[i] = (float)(k[i] / sum);
    /* rows into tmp, then columns back into img; edges clamp */
    for (int y = 0; y < n; y++)
        for (int x = 0; x < n; x++) {
            float acc = 0;
            for (int i = -rad; i <= rad; i++) {
                int xx = x + i < 0 ? 0 : x + i >= n ? n - 1 : x + i;
                acc += k[i + rad] * img[y * n + xx];
            }
            tmp[y * n + x] = acc;
        }
    for (int y = 0; y < n; y++)
        for (int x = 0; x < n; x++) {
            float acc = 0;
            for (int i = -rad; i <= rad; i++) {
                int yy = y + i < 0 ? 0 : y + i >= n ? n - 1 : y + i;
                acc += k[i + rad] * tmp[yy * n + x];
            }
            img[y * n + x] = acc;
        }
}
