/* image_tool.c — helper for tests/parity/test_image.py: exposes the image API
 * with arbitrary (non-square) resize targets, which the CLI does not offer.
 *   image_tool resize IN W H OUT.png    decode IN, resize to W x H, write PNG
 *   image_tool decode IN OUT.png        decode IN only, write PNG
 * Prints one error line (the library's message) and exits 1 on failure. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "image/image.h"

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
    fprintf(stderr, "usage: image_tool resize IN W H OUT.png | image_tool decode IN OUT.png\n");
    return 2;
fail:
    gray8_free(&g);
    gray8_free(&r);
    fprintf(stderr, "image_tool: %s\n", err.msg);
    return 1;
}
