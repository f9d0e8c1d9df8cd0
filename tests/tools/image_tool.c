/* image_tool.c — helper for tests/parity/test_image.py: exposes the image API
 * with arbitrary (non-square) resize targets, which the CLI does not offer.
 *   image_tool resize IN W H OUT.png    decode IN, resize to W x H, write PNG
 *   image_tool decode IN OUT.png        decode IN only, write PNG
 *   image_tool chunk T OUT.f32 IN...    evaluate_load_chunk with T threads (one file
 *                                       per thread): the normalised 224 inputs, raw floats
 * Prints one error line (the library's message) and exits 1 on failure. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <omp.h>

#include "base/error.h"
#include "image/image.h"
#include "ppad/evaluate.h"

int main(int argc, char **argv) {
    ppad_err err = {{0}};
    gray8 g = {0}, r = {0};
    if (argc == 4 && !strcmp(argv[1], "decode")) {
        if (image_load_gray(&g, argv[2], NULL, &err) || image_write_png(argv[3], &g, &err)) goto fail;
        gray8_free(&g);
        return 0;
    }
    if (argc == 6 && !strcmp(argv[1], "resize")) {
        int w = atoi(argv[3]), h = atoi(argv[4]);
        if (image_load_gray(&g, argv[2], NULL, &err)) goto fail;
        if (image_resize_bicubic(&r, &g, w, h, &err) || image_write_png(argv[5], &r, &err)) goto fail;
        gray8_free(&g);
        gray8_free(&r);
        return 0;
    }
    if (argc >= 5 && !strcmp(argv[1], "chunk")) {
        int n = argc - 4;
        omp_set_num_threads(atoi(argv[2]));
        float *px = malloc(sizeof(float) * 3 * 224 * 224 * (size_t)n);
        if (!px) {
            fprintf(stderr, "image_tool: out of memory\n");
            return 1;
        }
        int rc = evaluate_load_chunk(px, (const char *const *)argv + 4, n, eval_load_default, NULL, 224, &err);
        FILE *f = rc ? NULL : fopen(argv[3], "wb");
        if (f) rc = fwrite(px, sizeof(float) * 3 * 224 * 224, (size_t)n, f) != (size_t)n || fclose(f) != 0;
        else if (!rc) rc = 1, ppad_fail(&err, "%s: cannot write", argv[3]);
        free(px);
        if (rc) fprintf(stderr, "image_tool: %s\n", err.msg);
        return rc ? 1 : 0;
    }
    fprintf(stderr, "usage: image_tool resize IN W H OUT.png | image_tool decode IN OUT.png | image_tool chunk T OUT.f32 IN...\n");
    return 2;
fail:
    gray8_free(&g);
    gray8_free(&r);
    fprintf(stderr, "image_tool: %s\n", err.msg);
    return 1;
}
