/* cmd_preprocess.c — "ppad preprocess": shows what the model sees. Decodes an
 * image to 8-bit gray, resizes it with Pillow's bicubic to size x size, writes
 * that as a gray PNG and optionally the normalised (3, size, size) float32
 * input tensor as raw little-endian floats. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "base/fileio.h"
#include "cli/cli.h"
#include "image/image.h"

static const char *PREPROCESS_HELP =
    "usage: ppad preprocess --image IN [--size N] [--out OUT.png] [--raw OUT.f32]\n"
    "\n"
    "Decodes IN (PNG, JPEG or DICOM, detected by content) to 8-bit gray as PIL's\n"
    "convert('L') does (DICOM: spec section 11, see 'ppad info-image'), resizes it\n"
    "to N x N with Pillow's bicubic resampler, and writes:\n"
    "  --out OUT.png   the resized 8-bit gray image (what the model sees)\n"
    "  --raw OUT.f32   the normalised model input: 3 x N x N float32, little-endian,\n"
    "                  channel-major, three identical channels\n"
    "At least one of --out and --raw is required.\n"
    "  --size N        target side in pixels (default 224); 0 keeps the decoded size\n"
    "16-bit grayscale PNGs become 8 bits as --png16 says (default: the sBIT chunk, else the high byte).\n";

static int write_raw_f32(const char *path, const float *x, size_t n, ppad_err *err) {
    atomic_file af;
    if (atomic_open(&af, path, err)) return -1;
    unsigned char buf[4096];
    size_t fill = 0;
    for (size_t i = 0; i < n; i++) {
        uint32_t u;
        memcpy(&u, &x[i], 4);
        buf[fill++] = (unsigned char)(u & 0xff);
        buf[fill++] = (unsigned char)((u >> 8) & 0xff);
        buf[fill++] = (unsigned char)((u >> 16) & 0xff);
        buf[fill++] = (unsigned char)(u >> 24);
        if (fill == sizeof buf || i + 1 == n) {
            if (fwrite(buf, 1, fill, af.fp) != fill) {
                atomic_abort(&af);
                return ppad_fail(err, "%s: write error", path);
            }
            fill = 0;
        }
    }
    return atomic_commit(&af, err);
}

int cmd_preprocess(int argc, char **argv) {
    const char *in = NULL, *out = NULL, *raw = NULL;
    int size = 224;
    ppad_err err = {{0}};
    cli_image_args ia = {0};
    image_opts io;
    const cli_opt opts[] = {
        CLI_IMAGE_OPTS(ia),
        OPT("--image", OPT_IN, &in, .required = 1),
        OPT("--out", OPT_OUT, &out),
        OPT("--raw", OPT_OUT, &raw),
        OPT("--size", OPT_INT, &size, .imin = 0, .imax = IMAGE_MAX_SIDE),
        OPT_END};
    const cli_verb verb = {.name = "preprocess", .help = PREPROCESS_HELP, .opts = opts};
    cli_ctx cx;
    int status;
    if (cli_parse(&cx, &verb, argc, argv, &status)) return status;
    if ((status = cli_image_opts(&io, &ia, &cx)) != 0) return status;
    if (!out && !raw) return cli_usage("preprocess", "give --out and/or --raw");

    gray8 g;
    int rc = size == 0 ? image_load_gray(&g, in, &io, &err) : image_load_resized(&g, in, size, &io, &err);
    if (rc) return cli_error(&err);
    if (out && image_write_png(out, &g, &err)) {
        gray8_free(&g);
        return cli_error(&err);
    }
    if (raw) {
        size_t n = (size_t)3 * g.w * g.h;
        float *x = ppad_malloc(n * sizeof *x, &err);
        if (!x) {
            gray8_free(&g);
            ppad_fail_prefix(&err, raw);
            return cli_error(&err);
        }
        image_normalize(x, &g);
        rc = write_raw_f32(raw, x, n, &err);
        free(x);
        if (rc) {
            gray8_free(&g);
            return cli_error(&err);
        }
    }
    gray8_free(&g);
    return 0;
}
