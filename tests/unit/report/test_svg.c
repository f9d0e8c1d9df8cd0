/* test_svg.c — the report's drawing primitives (src/report/rbuf.c, svg.c) and
 * the in-memory PNG encoder (src/image/png_encode.c): base64 against RFC 4648's
 * test vectors, HTML escaping, buffer growth, nice axis ticks, polyline point
 * thinning and steps, and a PNG round trip through ppad's own decoder. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "image/image.h"
#include "report/rbuf.h"
#include "report/svg.h"

static void test_base64(void) {
    static const char *in[] = {"", "f", "fo", "foo", "foob", "fooba", "foobar"};
    static const char *out[] = {"", "Zg==", "Zm8=", "Zm9v", "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy"};
    int ok = 1;
    for (int i = 0; i < 7; i++) {
        rbuf b = {0};
        rbuf_base64(&b, (const unsigned char *)in[i], strlen(in[i]));
        ok &= strcmp(b.s ? b.s : "", out[i]) == 0;
        rbuf_free(&b);
    }
    CHECK(ok, "base64: RFC 4648 test vectors");
    unsigned char all[256];
    for (int i = 0; i < 256; i++) all[i] = (unsigned char)i;
    rbuf b = {0};
    rbuf_base64(&b, all, 256);
    CHECK(b.n == 344 && !strncmp(b.s, "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8g", 44) &&
              !strcmp(b.s + 336, "/P3+/w=="),
          "base64: all 256 byte values");
    rbuf_free(&b);
}

static void test_text(void) {
    rbuf b = {0};
    rbuf_esc(&b, "a<b>&\"c'");
    CHECK(!strcmp(b.s, "a&lt;b&gt;&amp;&quot;c&#39;"), "escaping of & < > \" '");
    rbuf_free(&b);
    for (int i = 0; i < 5000; i++) rbuf_printf(&b, "%04d,", i);
    CHECK(b.n == 25000 && !strncmp(b.s + 24995, "4999,", 5) && b.s[b.n] == 0 && !b.oom, "rbuf grows (25000 bytes)");
    rbuf_free(&b);
}

static void test_ticks(void) {
    double f, s;
    svg_nice_ticks(0, 1, 6, &f, &s);
    CHECK(f == 0 && fabs(s - 0.2) < 1e-15, "ticks over [0, 1]: step 0.2");
    svg_nice_ticks(0.013, 0.97, 11, &f, &s);
    CHECK(fabs(f - 0.1) < 1e-12 && fabs(s - 0.1) < 1e-15, "ticks over [0.013, 0.97]: from 0.1 by 0.1");
    svg_nice_ticks(0, 1.3e-3, 6, &f, &s);
    CHECK(fabs(s - 5e-4) < 1e-18, "ticks over [0, 0.0013]: step 0.0005");
    svg_nice_ticks(1, 3000, 8, &f, &s);
    CHECK(s == 500 && f == 500, "ticks over [1, 3000]: step 500");
}

static int count(const char *s, const char *sub) {
    int n = 0;
    for (const char *p = s; (p = strstr(p, sub)); p++) n++;
    return n;
}

static void test_polyline(void) {
    rbuf b = {0};
    svg_plot p;
    svg_plot_init(&p, &b, 10, 10, 100, 100, 0, 1, 0, 1);
    CHECK(svg_x(&p, 0) == 10 && svg_x(&p, 1) == 110 && svg_y(&p, 0) == 110 && svg_y(&p, 1) == 10,
          "data to pixels (y upwards)");
    enum { N = 10001 };
    double *x = malloc(sizeof(double) * N), *y = malloc(sizeof(double) * N);
    for (int i = 0; i < N; i++) x[i] = y[i] = (double)i / (N - 1);
    svg_polyline(&p, x, y, N, 1, SVG_LINE, "#000", 1, NULL);
    int pts = count(b.s, ",");
    CHECK(pts > 100 && pts < 600 && strstr(b.s, "points=\"10.00,110.00") && strstr(b.s, " 110.00,10.00\""),
          "10001 points on 100 pixels thinned, both ends kept");
    rbuf_free(&b);
    double sx[3] = {0, 0.5, 1}, sy[3] = {1, 0.5, 0};
    svg_plot_init(&p, &b, 0, 0, 100, 100, 0, 1, 0, 1);
    svg_polyline(&p, sx, sy, 3, 1, SVG_STEPS_POST, "#000", 1, NULL);
    CHECK(strstr(b.s, "points=\"0.00,0.00 50.00,0.00 50.00,50.00 100.00,50.00 100.00,100.00\"") != NULL,
          "steps-post: horizontal then vertical");
    rbuf_free(&b);
    double gx[4] = {0, 1, NAN, 1}, gy[4] = {0, 1, 0, 0};
    svg_polyline(&p, gx, gy, 4, 1, SVG_LINE, "#000", 1, NULL);
    CHECK(count(b.s, "<polyline") == 2, "a non-finite point breaks the line");
    rbuf_free(&b);
    free(x), free(y);
}

static void test_png(void) {
    enum { W = 37, H = 23 };
    uint8_t gray[W * H], rgb[W * H * 3];
    for (int i = 0; i < W * H; i++) {
        gray[i] = (uint8_t)(i * 7);
        rgb[3 * i] = (uint8_t)i, rgb[3 * i + 1] = (uint8_t)(3 * i), rgb[3 * i + 2] = (uint8_t)(255 - i);
    }
    ppad_err err;
    unsigned char *png;
    size_t n;
    gray8 g = {0};
    int ok = image_encode_png(&png, &n, gray, W, H, 1, &err) == 0 &&
             image_decode_gray(&g, NULL, png, n, "gray", NULL, &err) == 0 && g.w == W && g.h == H &&
             !memcmp(g.px, gray, sizeof gray);
    CHECK(ok, "gray PNG in memory decodes to the same pixels");
    free(png);
    gray8_free(&g);
    ok = image_encode_png(&png, &n, rgb, W, H, 3, &err) == 0 &&
         image_decode_gray(&g, NULL, png, n, "rgb", NULL, &err) == 0 && g.w == W && g.h == H;
    for (int i = 0; ok && i < W * H; i++)
        ok = g.px[i] == (uint8_t)((19595 * rgb[3 * i] + 38470 * rgb[3 * i + 1] + 7471 * rgb[3 * i + 2] + 32768) >> 16);
    CHECK(ok, "RGB PNG in memory decodes (as Pillow's L) to its pixels");
    free(png);
    gray8_free(&g);
    CHECK(image_encode_png(&png, &n, rgb, W, H, 2, &err) != 0 && strstr(err.msg, "channels"),
          "2 channels refused with a message");
}

int main(void) {
    test_base64();
    test_text();
    test_ticks();
    test_polyline();
    test_png();
    return check_done();
}
