/* fuzz_image.c — the image decoder, through the content-dispatching entry point
 * image_decode_gray (PNG, JPEG, and whatever else it recognises, DICOM
 * included), with a warning callback (the default 16-bit mapping). */
#include "fuzz_common.h"

#include "image/image.h"

static void on_warn(void *ctx, const char *msg) {
    (void)msg;
    ++*(int *)ctx;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    int warned = 0;
    image_opts o = {0};
    o.warn = on_warn;
    o.warn_ctx = &warned;
    gray8 g;
    image_info info;
    ppad_err err = {{0}};
    if (image_decode_gray(&g, &info, data, size, "fuzz-input", &o, &err) == 0) {
        if (g.w > 0 && g.h > 0) {
            volatile unsigned char sink = g.px[(size_t)g.w * g.h - 1];
            (void)sink;
        }
        gray8_free(&g);
    }
    return 0;
}
