/* cmd_info_image.c — "ppad info-image FILE...": decodes each image as every
 * verb does and prints what was read, one line per file; for DICOM the
 * attributes that made the 8-bit image (spec section 11). */
#include <stdio.h>

#include "base/error.h"
#include "cli/cli.h"
#include "image/image.h"

static const char *INFO_IMAGE_HELP =
    "usage: ppad info-image FILE... [image options]\n"
    "\n"
    "Decodes each FILE (PNG, JPEG or DICOM, detected by content) to 8-bit gray, as\n"
    "every verb that reads images does, and prints one line per file:\n"
    "  FILE: FORMAT WIDTHxHEIGHT, B bits[, what was read]\n"
    "For DICOM, what was read is: modality, photometric interpretation, bits stored\n"
    "of allocated, signedness, rescale slope/intercept (or modality LUT), the VOI\n"
    "used (window center/width with its function and index, a VOI LUT item, or\n"
    "none), transfer syntax, columns x rows. A file that cannot be read gets its\n"
    "error line on stderr; the exit status is then 1.\n";

int cmd_info_image(int argc, char **argv) {
    cli_list args = {0};
    cli_image_args ia = {0};
    image_opts io;
    const cli_opt opts[] = {CLI_IMAGE_OPTS(ia), OPT_END};
    const cli_verb verb = {.name = "info-image", .help = INFO_IMAGE_HELP, .opts = opts, .args = &args,
                           .args_name = "FILE", .args_min = 1, .args_are_inputs = 1};
    cli_ctx cx;
    int status;
    if (cli_parse(&cx, &verb, argc, argv, &status)) return status;
    if ((status = cli_image_opts(&io, &ia, &cx)) != 0) return status;
    int rc = 0;
    for (int i = 0; i < args.n; i++) {
        gray8 g;
        image_info info;
        ppad_err err = {{0}};
        if (image_load_info(&g, &info, args.v[i], &io, &err)) {
            fflush(stdout);
            rc = cli_error(&err);
            continue;
        }
        gray8_free(&g);
        printf("%s: %s %dx%d, %d bits%s%s\n", args.v[i], info.format, info.width, info.height, info.bits,
               info.detail[0] ? ", " : "", info.detail);
    }
    fflush(stdout);
    return rc;
}
