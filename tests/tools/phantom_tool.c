/* phantom_tool.c — test helper: renders COUNT phantom pairs (the normal and the
 * abnormal image of the same seed share their anatomy) and writes them as raw
 * bytes, normal then abnormal, pair after pair; prints each pair's finding.
 * usage: phantom_tool SEED COUNT SIZE OUT.raw [FINDING]
 * FINDING: the abnormal image's PHANTOM_FINDING_* (default 1, varied; 2 conspicuous). */
#include <stdio.h>
#include <stdlib.h>

#include "synth/synth.h"

int main(int argc, char **argv) {
    if (argc != 5 && argc != 6) {
        fprintf(stderr, "usage: phantom_tool SEED COUNT SIZE OUT.raw [FINDING]\n");
        return 2;
    }
    unsigned long long seed = strtoull(argv[1], NULL, 10);
    long count = atol(argv[2]);
    int size = atoi(argv[3]);
    int finding = argc == 6 ? atoi(argv[5]) : PHANTOM_FINDING_VARIED;
    FILE *f = fopen(argv[4], "wb");
    if (!f) {
        perror(argv[4]);
        return 1;
    }
    for (long i = 0; i < count; i++) {
        for (int ab = 0; ab < 2; ab++) {
            gray8 g;
            int kind;
            ppad_err err = {{0}};
            if (phantom_render(&g, size, seed + (unsigned long long)i, ab ? finding : 0, &kind, &err)) {
                fprintf(stderr, "%s\n", err.msg);
                fclose(f);
                return 1;
            }
            fwrite(g.px, 1, (size_t)size * size, f);
            if (ab) printf("%s\n", phantom_kind_name(kind));
            gray8_free(&g);
        }
    }
    return fclose(f) != 0;
}
