/* sas_tool — test helper for tests/parity/test_sas_stats.py: many SAS draws
 * from one seed, one line each:
 *   position weight width height size centre_row centre_col top left retries hull_n pixels
 *   sas_tool SEED COUNT [N]
 * Each draw picks its position with sas_draw_position and its weight with
 * sas_draw_weight (as training does) and runs the whole synthesis on an N x N
 * (default 224) gradient image, checking that pixels outside the lesion are
 * unchanged (exit 1 otherwise). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "base/error.h"
#include "base/rng.h"
#include "synth/synth.h"

int main(int argc, char **argv) {
    if (argc != 3 && argc != 4) {
        fprintf(stderr, "usage: sas_tool SEED COUNT [N]\n");
        return 2;
    }
    ppad_rng rng;
    rng_seed(&rng, strtoull(argv[1], NULL, 10));
    int count = atoi(argv[2]);
    int n = argc == 4 ? atoi(argv[3]) : 224;
    gray8 in = {n, n, malloc((size_t)n * n)}, out = {n, n, malloc((size_t)n * n)};
    uint8_t *mask = malloc((size_t)n * n);
    if (!in.px || !out.px || !mask) return 1;
    for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++) in.px[i * n + j] = (uint8_t)(20 + (i * 7 + j * 3) % 215);
    for (int c = 0; c < count; c++) {
        ppad_err err = {{0}};
        sas_params p;
        int position = sas_draw_position(&rng);
        if (sas_apply(&out, mask, &in, position, NAN, &rng, &p, &err)) {
            fprintf(stderr, "sas_tool: %s\n", err.msg);
            return 1;
        }
        for (int i = 0; i < n * n; i++)
            if (!mask[i] && out.px[i] != in.px[i]) {
                fprintf(stderr, "sas_tool: draw %d changed pixel %d outside the lesion\n", c, i);
                return 1;
            }
        printf("%d %g %d %d %d %d %d %d %d %d %d %ld\n", p.position, p.weight, p.width, p.height, p.size,
               p.centre_row, p.centre_col, p.top, p.left, p.retries, p.hull_n, p.pixels);
    }
    free(in.px);
    free(out.px);
    free(mask);
    return 0;
}
