/* test_resize.c — properties of the image module that need no Python oracle:
 * resize identity/constant/symmetry, argument errors, normalisation values,
 * PNG write -> read round trip, in-memory decode of bad buffers.
 * (Pixel parity with Pillow is tests/parity/test_image.py.) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/error.h"
#include "check.h"
#include "image/image.h"

static void fill_random(gray8 *g, unsigned seed) {
    for (size_t i = 0; i < (size_t)g->w * g->h; i++) {
        seed = seed * 1664525u + 1013904223u;
        g->px[i] = (uint8_t)(seed >> 24);
    }
}

static int all_equal(const gray8 *g, uint8_t v) {
    for (size_t i = 0; i < (size_t)g->w * g->h; i++)
        if (g->px[i] != v) return 0;
    return 1;
}

int main(void) {
    ppad_err err = {{0}};
    gray8 a, b;

    /* identity: same size is an exact copy */
    gray8_alloc(&a, 37, 23, &err);
    fill_random(&a, 1);
    CHECK(image_resize_bicubic(&b, &a, 37, 23, &err) == 0, "resize_identity_ok");
    CHECK(b.w == 37 && b.h == 23 && memcmp(a.px, b.px, 37 * 23) == 0, "resize_identity_copy");
    gray8_free(&b);

    /* a constant image stays constant, shrinking, enlarging, one axis only, any level */
    static const int sizes[][4] = {{256, 256, 224, 224}, {100, 100, 224, 224}, {300, 180, 224, 224},
                                   {1, 1, 7, 5},         {50, 40, 50, 13},     {50, 40, 9, 40}};
    int const_ok = 1;
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
        for (int v = 0; v < 256; v += 51) {
            gray8 c;
            gray8_alloc(&c, sizes[s][0], sizes[s][1], &err);
            memset(c.px, v, (size_t)c.w * c.h);
            if (image_resize_bicubic(&b, &c, sizes[s][2], sizes[s][3], &err) || b.w != sizes[s][2] ||
                b.h != sizes[s][3] || !all_equal(&b, (uint8_t)v)) {
                const_ok = 0;
                printf("# constant %d: %dx%d -> %dx%d\n", v, sizes[s][0], sizes[s][1], sizes[s][2], sizes[s][3]);
            }
            gray8_free(&b);
            gray8_free(&c);
        }
    }
    CHECK(const_ok, "resize_constant_stays_constant");

    /* mirror symmetry: resizing a left-right mirrored image mirrors the result */
    gray8 m, rb;
    gray8_alloc(&m, a.w, a.h, &err);
    for (int y = 0; y < a.h; y++)
        for (int x = 0; x < a.w; x++) m.px[y * a.w + x] = a.px[y * a.w + (a.w - 1 - x)];
    image_resize_bicubic(&b, &a, 224, 224, &err);
    image_resize_bicubic(&rb, &m, 224, 224, &err);
    int mirror_ok = 1;
    for (int y = 0; y < 224; y++)
        for (int x = 0; x < 224; x++) mirror_ok &= b.px[y * 224 + x] == rb.px[y * 224 + (223 - x)];
    CHECK(mirror_ok, "resize_mirror_symmetric");
    gray8_free(&b);
    gray8_free(&rb);
    gray8_free(&m);

    /* argument errors: no crash, message set, output empty */
    err.msg[0] = 0;
    CHECK(image_resize_bicubic(&b, &a, 0, 10, &err) == -1 && err.msg[0] && b.px == NULL, "resize_zero_width_error");
    CHECK(image_resize_bicubic(&b, &a, 10, -3, &err) == -1 && b.px == NULL, "resize_negative_height_error");
    CHECK(gray8_alloc(&b, 0, 5, &err) == -1 && b.px == NULL, "alloc_zero_error");

    /* normalisation: three identical channels, 0 and 255 map to the documented values */
    gray8 n2;
    gray8_alloc(&n2, 2, 1, &err);
    n2.px[0] = 0;
    n2.px[1] = 255;
    float x[6];
    image_normalize(x, &n2);
    float lo = (0.0f - (float)IMAGE_MEAN) / (float)IMAGE_STD, hi = (1.0f - (float)IMAGE_MEAN) / (float)IMAGE_STD;
    CHECK(x[0] == lo && x[1] == hi && x[2] == lo && x[3] == hi && x[4] == lo && x[5] == hi, "normalize_values");
    check_close("normalize_zero_vs_double", x, (float[]){(float)(-IMAGE_MEAN / IMAGE_STD)}, 1, 1e-6, 1e-6);
    /* the authors' decimal constants, bit for bit (not CheXzero's 101.48761/255, 83.43944/255) */
    float a0 = (0.0f - 0.39799f) / 0.32721349f, a255 = (255.0f / 255.0f - 0.39799f) / 0.32721349f;
    CHECK(x[0] == a0 && x[1] == a255, "normalize_authors_constants");
    gray8_free(&n2);

    /* PNG write -> read round trip, and the load+resize pipeline */
    char path[256];
    snprintf(path, sizeof path, "/tmp/ppad_test_resize_%ld.png", (long)getpid());
    CHECK(image_write_png(path, &a, &err) == 0, "png_write_ok");
    CHECK(image_load_gray(&b, path, NULL, &err) == 0 && b.w == a.w && b.h == a.h && memcmp(a.px, b.px, 37 * 23) == 0,
          "png_roundtrip_exact");
    gray8_free(&b);
    gray8 r1, r2;
    image_load_resized(&r1, path, 224, NULL, &err);
    image_resize_bicubic(&r2, &a, 224, 224, &err);
    CHECK(r1.w == 224 && r1.h == 224 && memcmp(r1.px, r2.px, 224 * 224) == 0, "load_resized_equals_resize");
    gray8_free(&r1);
    CHECK(image_load_resized(&r1, path, 0, NULL, &err) == -1 && strstr(err.msg, path), "load_resized_bad_size_error");
    remove(path);
    gray8_free(&r2);

    /* in-memory decode of bad buffers: errors name the input */
    static const unsigned char junk[] = "GIF89a not supported";
    CHECK(image_decode_gray(&b, NULL, junk, sizeof junk, "mem.gif", NULL, &err) == -1 && strstr(err.msg, "mem.gif"),
          "decode_unknown_format_error");
    static const unsigned char soi[] = {0xff, 0xd8, 0xff, 0xe0, 0x00};
    CHECK(image_decode_gray(&b, NULL, soi, sizeof soi, "mem.jpg", NULL, &err) == -1 && strstr(err.msg, "mem.jpg"),
          "decode_truncated_jpeg_error");
    static const unsigned char sig[] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 13, 'I', 'H'};
    CHECK(image_decode_gray(&b, NULL, sig, sizeof sig, "mem.png", NULL, &err) == -1 && strstr(err.msg, "truncated PNG"),
          "decode_truncated_png_error");
    CHECK(image_write_png("/nonexistent_dir_ppad/x.png", &a, &err) == -1 && strstr(err.msg, "nonexistent_dir_ppad"),
          "png_write_bad_dir_error");

    gray8_free(&a);
    return check_done();
}
