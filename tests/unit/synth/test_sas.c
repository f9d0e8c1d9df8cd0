/* test_sas.c — unit tests of the anomaly-synthesis building blocks: regions and
 * keep-masks, the canvas clamp, size ranges, the polygon fill's bisection
 * against a per-pixel evaluation of the same crossing test, the dilation, EDT
 * corner cases, and sas_apply / fpi_apply contracts (errors, in place,
 * repeatability, untouched pixels). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/rng.h"
#include "check.h"
#include "synth/edt.h"
#include "synth/synth.h"
#include "data/data.h"
#include "synth/shape.h"

static void test_regions(void) {
    CHECK(!strcmp(regions_name(0), "left lung") && !strcmp(regions_name(1), "right lung") &&
              !strcmp(regions_name(2), "upper lung") && !strcmp(regions_name(3), "lower lung") &&
              !strcmp(regions_name(4), "") && regions_name(5) == NULL && regions_name(-1) == NULL,
          "regions_name");
    CHECK(regions_parse("left") == 0 && regions_parse("right lung") == 1 && regions_parse("upper") == 2 &&
              regions_parse("lower lung") == 3 && regions_parse("whole") == 4 && regions_parse("") == -1 &&
              regions_parse("middle") == -1,
          "regions_parse");
    region_box b;
    CHECK(!regions_box(1, &b) && b.top == 0 && b.left == 112 && b.bottom == 223 && b.right == 223 &&
              !regions_box(3, &b) && b.top == 120 && b.bottom == 223 && regions_box(7, &b) == -1,
          "regions_box");
    /* keep-masks from the pixel masks by 32x32 average pooling + ceil */
    int ok = 1;
    static uint8_t m[REGION_SIZE * REGION_SIZE];
    for (int p = 0; p < REGION_COUNT; p++) {
        uint8_t keep[49];
        regions_mask(p, m);
        regions_keep_mask(p, keep);
        for (int c = 0; c < 49; c++) {
            double sum = 0;
            for (int i = 0; i < 32; i++)
                for (int j = 0; j < 32; j++) sum += m[(c / 7 * 32 + i) * REGION_SIZE + c % 7 * 32 + j];
            if (keep[c] != (uint8_t)ceil(sum / 1024.0)) ok = 0;
        }
    }
    CHECK(ok, "keep-mask = ceil(avgpool32(region))");
    uint8_t keep[49];
    regions_keep_mask(0, keep);
    int kept = 0;
    for (int c = 0; c < 49; c++) kept += keep[c];
    CHECK(kept == 28 && keep[3] && !keep[4], "left lung keeps columns 0-3 of the grid (cell 3 straddles 111/112)");
    regions_keep_mask(3, keep);
    kept = 0;
    for (int c = 0; c < 49; c++) kept += keep[c];
    CHECK(kept == 28 && keep[21] && !keep[20], "lower lung keeps grid rows 3-6");
    CHECK(regions_keep_mask(5, keep) == -1 && regions_mask(-1, m) == -1, "bad positions rejected");
}

static void test_place_and_sizes(void) {
    int lo, hi;
    sas_size_range(224, &lo, &hi);
    CHECK(lo == 45 && hi == 179, "sas sizes [45,179) at 224");
    sas_size_range(256, &lo, &hi);
    CHECK(lo == 51 && hi == 205, "sas sizes [51,205) at 256");
    fpi_size_range(224, &lo, &hi);
    CHECK(lo == 11 && hi == 45, "fpi half-widths [11,45) at 224");
    CHECK(sas_place(100, 50, 224) == 75, "place: centred");
    CHECK(sas_place(10, 51, 224) == 0, "place: shifted to start at 0");
    CHECK(sas_place(222, 100, 224) == 123, "place: shifted to end at 223 exclusive");
    CHECK(sas_place(174, 100, 224) == 124, "place: ending exactly at 224 is kept (covers the last row)");
    CHECK(sas_place(175, 100, 224) == 123, "place: one past 224 ends at 223");
}

/* the same crossing test, per pixel, without the bisection */
static void fill_naive(uint8_t *mask, int S, const double *xy, int n) {
    for (int i = 0; i < S; i++)
        for (int j = 0; j < S; j++) {
            double tx = j, ty = i;
            int inside = 0;
            for (int e = 0; e < n; e++) {
                int f = (e + 1) % n;
                double x0 = xy[2 * e], y0 = xy[2 * e + 1], x1 = xy[2 * f], y1 = xy[2 * f + 1];
                int yf0 = y0 >= ty, yf1 = y1 >= ty;
                if (yf0 != yf1 && (((y1 - ty) * (x0 - x1) >= (x1 - tx) * (y0 - y1)) == yf1)) inside ^= 1;
            }
            if (inside) mask[i * S + j] = 1;
        }
}

static void test_fill(void) {
    ppad_rng rng;
    rng_seed(&rng, 42);
    int bad = 0, total = 0, on = 0;
    for (int t = 0; t < 300; t++) {
        int S = (int)rng_int(&rng, 1, 70), n = (int)rng_int(&rng, 3, 40);
        double xy[80];
        for (int k = 0; k < 2 * n; k++)
            xy[k] = t % 2 ? (double)rng_int(&rng, -3, S + 3) : rng_uniform(&rng) * (S + 6) - 3;
        uint8_t *a = calloc((size_t)S * S, 1), *b = calloc((size_t)S * S, 1), *scr = malloc((size_t)S + 1);
        shape_polygon_fill(a, S, xy, n, scr);
        fill_naive(b, S, xy, n);
        for (int k = 0; k < S * S; k++) {
            bad += a[k] != b[k];
            on += a[k];
        }
        total += S * S;
        free(a), free(b), free(scr);
    }
    check_report(bad == 0 && on > total / 10, "polygon fill bisection == per-pixel crossing test",
                 "%d of %d pixels differ (%d inside)", bad, total, on);
}

static void test_dilate_hull(void) {
    uint8_t in[49] = {0}, out[49];
    ppad_err err = {{0}};
    in[0] = 1;
    in[3 * 7 + 6] = 1;
    shape_dilate(out, in, 7, 7, 5, &err);
    int ok = 1;
    for (int i = 0; i < 7; i++)
        for (int j = 0; j < 7; j++) {
            int want = (i <= 2 && j <= 2) || (i >= 1 && i <= 5 && j >= 4);
            ok &= out[i * 7 + j] == want;
        }
    CHECK(ok, "5x5 dilation clipped at the canvas");
    int px[] = {0, 4, 4, 0, 2, 2, 4}, py[] = {0, 0, 4, 4, 2, 0, 2}, idx[7];
    int n = shape_convex_hull(px, py, 7, idx);
    CHECK(n == 4 && idx[0] == 0 && idx[1] == 1 && idx[2] == 2 && idx[3] == 3,
          "hull: square, collinear and inner points dropped, counter-clockwise");
    int cx[] = {0, 1, 2, 3, 1}, cy[] = {0, 1, 2, 3, 1};
    CHECK(shape_convex_hull(cx, cy, 5, idx) < 3, "hull: collinear points are degenerate");
}

static void test_edt_small(void) {
    uint8_t m[12] = {1, 1, 1, 1, 1, 0, 1, 1, 1, 1, 1, 1}; /* 3x4, background at (1,1) */
    double d[12];
    ppad_err err = {{0}};
    edt_distance(d, m, 3, 4, &err);
    CHECK(d[5] == 0 && d[0] == sqrt(2.0) && d[4] == 1 && d[11] == sqrt(5.0) && d[7] == 2, "edt 3x4 by hand");
    uint8_t b[12];
    edt_inner_boundary(b, m, 3, 4);
    CHECK(b[1] && b[4] && b[6] && b[9] && !b[0] && !b[11] && !b[5] && !b[3],
          "inner boundary: 4-neighbours only, image border is not background");
    memset(m, 1, 12);
    edt_distance(d, m, 3, 4, &err);
    CHECK(d[0] == 1 && d[3] == sqrt(1 + 9.0) && d[11] == sqrt(18.0), "edt without background matches scipy's (row+1, col)");
    CHECK(edt_distance(d, m, 0, 4, &err) == -1, "edt rejects empty size");
}

static void fill_image(gray8 *g, int n) {
    g->w = g->h = n;
    g->px = malloc((size_t)n * n);
    for (int i = 0; i < n * n; i++) g->px[i] = (uint8_t)((i * 37 + i / n * 11) % 256);
}

static void test_apply(void) {
    gray8 in, out, out2, small;
    fill_image(&in, 224);
    fill_image(&out, 224);
    fill_image(&out2, 224);
    fill_image(&small, 200);
    uint8_t *mask = malloc(224 * 224), *mask2 = malloc(224 * 224);
    ppad_err err = {{0}};
    ppad_rng r1, r2;
    sas_params p;
    rng_seed(&r1, 5);
    CHECK(sas_apply(&out, mask, &small, 0, NAN, &r1, &p, &err) == -1 && strstr(err.msg, "200x200"),
          "sas rejects images under 224");
    CHECK(sas_apply(&out, mask, &in, 5, NAN, &r1, &p, &err) == -1 && strstr(err.msg, "position"),
          "sas rejects a bad position");
    CHECK(sas_apply(&out, mask, &in, 0, -1.0, &r1, &p, &err) == -1 && strstr(err.msg, "weight"),
          "sas rejects weight -1");
    CHECK(sas_apply(&out, mask, &in, 0, INFINITY, &r1, &p, &err) == -1, "sas rejects an infinite weight");
    /* repeatable; in place equals out of place */
    rng_seed(&r1, 77);
    rng_seed(&r2, 77);
    int ok = !sas_apply(&out, mask, &in, 2, NAN, &r1, &p, &err);
    memcpy(out2.px, in.px, 224 * 224);
    ok &= !sas_apply(&out2, mask2, &out2, 2, NAN, &r2, NULL, &err);
    CHECK(ok && !memcmp(out.px, out2.px, 224 * 224) && !memcmp(mask, mask2, 224 * 224),
          "sas repeatable and in place == out of place");
    int outside_same = 1, inside_changed = 0;
    for (int i = 0; i < 224 * 224; i++) {
        if (!mask[i] && out.px[i] != in.px[i]) outside_same = 0;
        if (mask[i] && out.px[i] != in.px[i]) inside_changed++;
    }
    CHECK(outside_same && inside_changed > 100, "sas changes only lesion pixels");
    /* weight 0: every exponent is 1, nothing may change (the Quirk's 138.999 trap) */
    rng_seed(&r1, 3);
    ok = !sas_apply(&out, mask, &in, 4, 0.0, &r1, &p, &err);
    CHECK(ok && !memcmp(out.px, in.px, 224 * 224), "gamma 1 leaves pixels untouched");
    /* many draws, no failures */
    rng_seed(&r1, 9);
    int fails = 0;
    for (int t = 0; t < 300; t++) fails += sas_apply(&out, mask, &in, t % 5, NAN, &r1, &p, &err) != 0;
    CHECK(fails == 0, "300 synth draws succeed");
    /* 256-pixel image with 224 boxes */
    gray8 in256, out256;
    fill_image(&in256, 256);
    fill_image(&out256, 256);
    uint8_t *m256 = malloc(256 * 256);
    ok = 1;
    rng_seed(&r1, 11);
    for (int t = 0; t < 50 && ok; t++) {
        ok = !sas_apply(&out256, m256, &in256, 1, NAN, &r1, &p, &err) && p.centre_col >= 112 && p.centre_col < 223 &&
             p.width >= 51 && p.width < 205 && p.top + p.size <= 256 && p.left + p.size <= 256;
    }
    CHECK(ok, "sas on 256 pixels: 224 boxes, sizes [51,205)");
    /* FPI */
    fpi_params f;
    float amin = 1, amax = 0;
    ok = 1;
    rng_seed(&r1, 13);
    for (int t = 0; t < 2000 && ok; t++) {
        ok = !fpi_apply(&out, mask, &in, &out2, t % 5, &r1, &f, &err);
        amin = f.alpha < amin ? f.alpha : amin;
        amax = f.alpha > amax ? f.alpha : amax;
        ok &= f.half >= 11 && f.half < 45 && f.top >= 0 && f.bottom <= 224 && f.alpha >= 0.5f && f.alpha < 1.0f;
    }
    check_report(ok && amin < 0.51f && amax > 0.99f, "fpi draws: alpha in [0.5,1), half in [11,45)",
                 "alpha %g..%g, %s", (double)amin, (double)amax, err.msg);
    CHECK(fpi_apply(&out, mask, &in, &in256, 0, &r1, &f, &err) == -1 && strstr(err.msg, "source"),
          "fpi rejects a source of another size");
    free(in.px), free(out.px), free(out2.px), free(small.px), free(mask), free(mask2);
    free(in256.px), free(out256.px), free(m256);
}

int main(void) {
    test_regions();
    test_place_and_sizes();
    test_fill();
    test_dilate_hull();
    test_edt_small();
    test_apply();
    return check_done();
}
