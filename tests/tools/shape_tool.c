/* shape_tool — test helper for tests/parity/test_shape.py: draws lesion shapes
 * and prints, one JSON object per line, everything needed to rebuild them
 * independently (points, hull, control points, the 100-point curves) and the
 * final mask.
 *   shape_tool SEED COUNT [WIDTH HEIGHT]
 * Without WIDTH/HEIGHT each shape gets a random size in [2, 179).
 *   shape_tool --fill
 * reads polygons from stdin, one per line "S n x0 y0 ... x(n-1) y(n-1)" (any
 * doubles, as %.17g), and prints for each the S*S mask of shape_polygon_fill as
 * a line of 0/1 characters. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "base/rng.h"
#include "synth/shape.h"

static int fill_mode(void) {
    int S, n;
    while (scanf("%d %d", &S, &n) == 2) {
        if (S <= 0 || S > 4096 || n <= 0 || n > 100000) return 1;
        double *xy = malloc(2 * (size_t)n * sizeof *xy);
        uint8_t *mask = calloc((size_t)S * S, 1), *scratch = malloc((size_t)S + 1);
        if (!xy || !mask || !scratch) return 1;
        for (int i = 0; i < 2 * n; i++)
            if (scanf("%lf", &xy[i]) != 1) return 1;
        shape_polygon_fill(mask, S, xy, n, scratch);
        for (int i = 0; i < S * S; i++) putchar('0' + mask[i]);
        putchar('\n');
        free(xy);
        free(mask);
        free(scratch);
    }
    return 0;
}

int main(int argc, char **argv) {
    if (argc == 2 && strcmp(argv[1], "--fill") == 0) return fill_mode();
    if (argc != 3 && argc != 5) {
        fprintf(stderr, "usage: shape_tool SEED COUNT [WIDTH HEIGHT]\n");
        return 2;
    }
    ppad_rng rng, sizes;
    rng_seed(&rng, strtoull(argv[1], NULL, 10));
    rng_seed(&sizes, strtoull(argv[1], NULL, 10) ^ 0x5A5A5A5Aull);
    int count = atoi(argv[2]);
    for (int c = 0; c < count; c++) {
        int w = argc == 5 ? atoi(argv[3]) : (int)rng_int(&sizes, 2, 179);
        int h = argc == 5 ? atoi(argv[4]) : (int)rng_int(&sizes, 2, 179);
        int S = w > h ? w : h;
        uint8_t *mask = malloc((size_t)S * S);
        shape_info info;
        ppad_err err = {{0}};
        if (!mask || shape_generate(mask, w, h, &rng, &info, &err)) {
            printf("{\"error\": \"%s\", \"w\": %d, \"h\": %d}\n", mask ? err.msg : "out of memory", w, h);
            free(mask);
            continue;
        }
        printf("{\"w\": %d, \"h\": %d, \"S\": %d, \"retries\": %d, \"pixels\": %ld, \"pts\": [", w, h, S, info.retries,
               info.pixels);
        for (int k = 0; k < SHAPE_POINTS; k++) printf("%s[%d, %d]", k ? ", " : "", info.px[k], info.py[k]);
        printf("], \"hull\": [");
        for (int k = 0; k < info.hull_n; k++) printf("%s%d", k ? ", " : "", info.hull[k]);
        printf("], \"ctrl\": [");
        for (int k = 0; k < info.hull_n; k++)
            printf("%s[%.17g, %.17g, %.17g, %.17g]", k ? ", " : "", info.ctrl[k][0], info.ctrl[k][1],
                   info.ctrl[k][2], info.ctrl[k][3]);
        printf("], \"curves\": [");
        double curve[2 * SHAPE_CURVE_SAMPLES];
        for (int k = 0; k < info.hull_n; k++) {
            int a = info.hull[k], b = info.hull[(k + 1) % info.hull_n];
            const double *cp = info.ctrl[k];
            shape_bezier(curve, SHAPE_CURVE_SAMPLES, info.px[a], info.py[a], cp[0], cp[1], cp[2], cp[3], info.px[b],
                         info.py[b]);
            printf("%s[", k ? ", " : "");
            for (int i = 0; i < SHAPE_CURVE_SAMPLES; i++)
                printf("%s%.17g, %.17g", i ? ", " : "", curve[2 * i], curve[2 * i + 1]);
            printf("]");
        }
        printf("], \"mask\": \"");
        for (int i = 0; i < S * S; i++) putchar('0' + mask[i]);
        printf("\"}\n");
        free(mask);
    }
    return 0;
}
