/* edt_tool — test helper for tests/parity/test_edt.py: runs edt_distance and
 * edt_inner_boundary on a batch of masks.
 *   edt_tool IN OUT
 * IN: int32 count, then per mask int32 h, int32 w and h*w bytes (0 = background).
 * OUT: per mask h*w float64 distances then h*w bytes of inner boundary (0/1).
 * Native byte order (the test runs on the same machine). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "base/error.h"
#include "synth/edt.h"

static int fail(const char *msg) {
    fprintf(stderr, "edt_tool: %s\n", msg);
    return 1;
}

int main(int argc, char **argv) {
    if (argc != 3) return fail("usage: edt_tool IN OUT");
    FILE *fi = fopen(argv[1], "rb");
    if (!fi) return fail("cannot open input");
    FILE *fo = fopen(argv[2], "wb");
    if (!fo) {
        fclose(fi);
        return fail("cannot open output");
    }
    int32_t count;
    int rc = 0;
    if (fread(&count, 4, 1, fi) != 1) rc = fail("truncated input");
    for (int32_t m = 0; !rc && m < count; m++) {
        int32_t hw[2];
        if (fread(hw, 4, 2, fi) != 2 || hw[0] <= 0 || hw[1] <= 0) {
            rc = fail("bad mask header");
            break;
        }
        size_t n = (size_t)hw[0] * hw[1];
        uint8_t *mask = malloc(n), *bnd = malloc(n);
        double *d = malloc(n * sizeof *d);
        ppad_err err = {{0}};
        if (!mask || !bnd || !d) rc = fail("out of memory");
        else if (fread(mask, 1, n, fi) != n) rc = fail("truncated mask");
        else if (edt_distance(d, mask, hw[0], hw[1], &err)) rc = fail(err.msg);
        else {
            edt_inner_boundary(bnd, mask, hw[0], hw[1]);
            if (fwrite(d, sizeof *d, n, fo) != n || fwrite(bnd, 1, n, fo) != n) rc = fail("write failed");
        }
        free(mask);
        free(bnd);
        free(d);
    }
    fclose(fi);
    if (fclose(fo) && !rc) rc = fail("write failed");
    return rc;
}
