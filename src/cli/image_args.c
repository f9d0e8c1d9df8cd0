/* image_args.c — the options that say how images become 8-bit gray
 * (--png16, --dicom-voi, --dicom-window), shared by every verb that reads images. */
#include <stdio.h>

#include "base/error.h"
#include "cli/cli.h"

const char *const CLI_IMAGE_HELP =
    "\nimage options (how a file becomes 8-bit gray):\n"
    "  --png16 MODE       16-bit grayscale PNG to 8 bits: " IMAGE_PNG16_NAMES "\n"
    "  --dicom-voi V      DICOM: auto (default) applies the file's VOI LUT or window; none ignores it\n"
    "                     (min-max of the modality values)\n"
    "  --dicom-window K   DICOM: use the K-th window / VOI LUT of the file (default: the first)\n";

static void warn_stderr(void *ctx, const char *msg) {
    (void)ctx;
    fprintf(stderr, "ppad: warning: %s\n", msg);
}

int cli_image_opts(image_opts *out, const cli_image_args *a, const cli_ctx *cx) {
    image_opts o = {0};
    if (a->png16) {
        ppad_err err = {{0}};
        if (image_png16_parse(&o.png16, a->png16, &err) != 0) return cli_usage(cx->verb->name, "--png16: %s", err.msg);
    }
    if (a->dicom_voi == 1 && a->dicom_window)
        return cli_usage(cx->verb->name, "--dicom-window chooses a window, --dicom-voi none ignores them: give one");
    o.dicom_no_voi = a->dicom_voi == 1;
    o.dicom_window = a->dicom_window ? a->dicom_window - 1 : 0;
    o.warn = cx->quiet ? NULL : warn_stderr;
    *out = o;
    return 0;
}
