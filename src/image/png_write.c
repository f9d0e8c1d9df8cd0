/* png_write.c — 8-bit grayscale PNG file, atomic: encoded in memory
 * (image_encode_png, png_encode.c), written to "<path>.tmp.<pid>" and
 * renamed over path only when complete. */
#include <stdlib.h>

#include "base/error.h"
#include "base/fileio.h"
#include "image/image.h"

int image_write_png(const char *path, const gray8 *g, ppad_err *err) {
    if (!g || !g->px || g->w < 1 || g->h < 1) return ppad_fail(err, "%s: no image to write", path);
    unsigned char *png;
    size_t size;
    if (image_encode_png(&png, &size, g->px, g->w, g->h, 1, err) != 0) return ppad_fail_prefix(err, path);
    atomic_file af;
    int rc = atomic_open(&af, path, err);
    if (rc == 0 && fwrite(png, 1, size, af.fp) != size) {
        atomic_abort(&af);
        rc = ppad_fail(err, "%s: cannot write PNG", path);
    } else if (rc == 0) {
        rc = atomic_commit(&af, err);
    }
    free(png);
    return rc;
}
