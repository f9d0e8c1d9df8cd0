/* edt.c — exact Euclidean distance transform (Meijster et al., "A general
 * algorithm for computing distance transforms in linear time", 2000), written
 * from the paper's description, with integer arithmetic throughout. */
#include "synth/edt.h"

#include <math.h>
#include <stdlib.h>

#include "base/error.h"

/* floor(a / b) for b > 0 */
static int64_t floor_div(int64_t a, int64_t b) {
    int64_t q = a / b;
    if ((a % b != 0) && (a < 0)) q--;
    return q;
}

int edt_distance_sq(int64_t *dist_sq, const uint8_t *mask, int h, int w, ppad_err *err) {
    if (h <= 0 || w <= 0) return ppad_fail(err, "edt: invalid mask size %dx%d", h, w);
    size_t n = (size_t)h * (size_t)w;
    int any_bg = 0;
    for (size_t i = 0; i < n && !any_bg; i++) any_bg = mask[i] == 0;
    if (!any_bg) {
        for (int i = 0; i < h; i++)
            for (int j = 0; j < w; j++) dist_sq[(size_t)i * w + j] = (int64_t)(i + 1) * (i + 1) + (int64_t)j * j;
        return 0;
    }
    /* g: vertical distance to the nearest background pixel of the same column
     * (INF when the column has none); larger than any true distance. */
    const int64_t INF = (int64_t)h + w;
    int64_t *g = ppad_malloc(n * sizeof *g, err);
    int64_t *s = ppad_malloc((size_t)w * sizeof *s, err);
    int64_t *t = ppad_malloc((size_t)w * sizeof *t, err);
    if (!g || !s || !t) {
        free(g), free(s), free(t);
        return ppad_fail_prefix(err, "edt");
    }
    for (int x = 0; x < w; x++) {
        g[x] = mask[x] ? INF : 0;
        for (int y = 1; y < h; y++) {
            size_t k = (size_t)y * w + x;
            g[k] = mask[k] ? (g[k - w] >= INF ? INF : g[k - w] + 1) : 0;
        }
        for (int y = h - 2; y >= 0; y--) {
            size_t k = (size_t)y * w + x;
            if (g[k + w] < g[k]) g[k] = g[k + w] + 1;
        }
    }
    /* second phase along each row: lower envelope of the parabolas
     * f_i(x) = (x - i)^2 + g(i)^2 */
    for (int y = 0; y < h; y++) {
        const int64_t *gr = g + (size_t)y * w;
        int64_t *out = dist_sq + (size_t)y * w;
#define F(x, i) (((int64_t)(x) - (i)) * ((int64_t)(x) - (i)) + gr[i] * gr[i])
        int q = 0;
        s[0] = 0;
        t[0] = 0;
        for (int64_t u = 1; u < w; u++) {
            while (q >= 0 && F(t[q], s[q]) > F(t[q], u)) q--;
            if (q < 0) {
                q = 0;
                s[0] = u;
            } else {
                int64_t i = s[q];
                int64_t sep = floor_div(u * u - i * i + gr[u] * gr[u] - gr[i] * gr[i], 2 * (u - i));
                int64_t wpos = 1 + sep;
                if (wpos < w) {
                    q++;
                    s[q] = u;
                    t[q] = wpos;
                }
            }
        }
        for (int64_t u = w - 1; u >= 0; u--) {
            out[u] = F(u, s[q]);
            if (u == t[q]) q--;
        }
#undef F
    }
    free(g), free(s), free(t);
    return 0;
}

int edt_distance(double *dist, const uint8_t *mask, int h, int w, ppad_err *err) {
    if (h <= 0 || w <= 0) return ppad_fail(err, "edt: invalid mask size %dx%d", h, w);
    size_t n = (size_t)h * (size_t)w;
    int64_t *sq = ppad_malloc(n * sizeof *sq, err);
    if (!sq) return ppad_fail_prefix(err, "edt");
    if (edt_distance_sq(sq, mask, h, w, err)) {
        free(sq);
        return -1;
    }
    for (size_t i = 0; i < n; i++) dist[i] = sqrt((double)sq[i]);
    free(sq);
    return 0;
}

void edt_inner_boundary(uint8_t *bnd, const uint8_t *mask, int h, int w) {
    for (int i = 0; i < h; i++)
        for (int j = 0; j < w; j++) {
            size_t k = (size_t)i * w + j;
            bnd[k] = mask[k] && ((i > 0 && !mask[k - w]) || (i + 1 < h && !mask[k + w]) ||
                                 (j > 0 && !mask[k - 1]) || (j + 1 < w && !mask[k + 1]));
        }
}
