/* cmd_synth.c — "ppad synth": anomaly synthesis on one image (SAS, spec
 * section 6, or the FPI variant), writing the synthesised image and its lesion
 * mask; or a contact sheet of many random examples with their masks, to look
 * at what training sees. */
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "base/fileio.h"
#include "base/rng.h"
#include "cli/cli.h"
#include "synth/synth.h"
#include "image/image.h"
#include "data/data.h"
#include "report/font.h"

static const char *SYNTH_HELP =
    "usage: ppad synth --image IN --position P --seed S --out OUT.png [--mask-out MASK.png]\n"
    "                  [--method sas|fpi] [--weight W] [--source OTHER] [--size N] [--print-params]\n"
    "       ppad synth --sheet K --image IN --out SHEET.png [--seed S] [--method sas|fpi|both]\n"
    "                  [--source OTHER] [--size N] [--print-params]\n"
    "\n"
    "Synthesises an anomaly in IN (loaded as the model sees it: 8-bit gray, Pillow\n"
    "bicubic resize to N x N) and writes the result to OUT.png and the lesion mask\n"
    "(0/255) to MASK.png.\n"
    "  --position P   left | right | upper | lower | whole: the region holding the\n"
    "                 lesion centre (left lung = columns 0-111, right = 112-223,\n"
    "                 upper = rows 0-119, lower = 120-223)\n"
    "  --seed S       seed of ppad's random generator (same seed, same output)\n"
    "  --method M     sas (default): structure-preserving anomaly synthesis, a\n"
    "                 lesion-shaped gamma correction; fpi: blend a square patch of\n"
    "                 --source into the image (the paper's comparison method)\n"
    "  --weight W     SAS gamma weight (> -1); default: drawn from -0.999, -0.99, 2, 3\n"
    "                 (negative brightens like an opacity, positive darkens)\n"
    "  --source F     the other normal image FPI takes its patch from\n"
    "  --size N       side the image is resized to (default 224; 256 reproduces the\n"
    "                 reference's VinDr setting; region boxes stay on the 224 grid)\n"
    "  --print-params print what was drawn as one JSON line per example on stdout\n"
    "  --sheet K      contact sheet: the original and K examples (random positions\n"
    "                 and weights, seed S, default 0), each image above its mask\n"
    "                 and under a caption (method, position, SAS weight w or FPI\n"
    "                 alpha a), in rows of at most 6 filled evenly (--sheet 11:\n"
    "                 two rows of 6); --method both shows SAS and FPI of the same\n"
    "                 position\n";

enum { M_SAS, M_FPI, M_BOTH };

typedef struct synth_opts {
    const char *image, *out, *mask_out, *source;
    int position, method, print, sheet;
    long seed, size;
    double weight;
} synth_opts;

static void print_sas(const sas_params *p) {
    char w[40];
    printf("{\"method\": \"sas\", \"position\": \"%s\", \"weight\": %s, \"centre\": [%d, %d], \"width\": %d, "
           "\"height\": %d, \"size\": %d, \"top\": %d, \"left\": %d, \"hull\": %d, \"retries\": %d, \"pixels\": %ld}\n",
           regions_key(p->position), cli_num(w, p->weight), p->centre_row, p->centre_col, p->width, p->height, p->size, p->top,
           p->left, p->hull_n, p->retries, p->pixels);
}

static void print_fpi(const fpi_params *p) {
    printf("{\"method\": \"fpi\", \"position\": \"%s\", \"alpha\": %.9g, \"centre\": [%d, %d], \"half\": %d, "
           "\"top\": %d, \"left\": %d, \"bottom\": %d, \"right\": %d}\n",
           regions_key(p->position), (double)p->alpha, p->centre_row, p->centre_col, p->half, p->top, p->left,
           p->bottom, p->right);
}

/* Writes g to a temporary name next to path; *tmp receives it (malloc'd). */
static int write_tmp(char **tmp, const char *path, const gray8 *g, ppad_err *err) {
    *tmp = atomic_tmp_name(path, err);
    if (!*tmp) return -1;
    if (image_write_png(*tmp, g, err)) {
        /* name the file the user asked for, not the temporary one */
        size_t k = strlen(*tmp);
        if (!strncmp(err->msg, *tmp, k)) {
            char rest[sizeof err->msg];
            snprintf(rest, sizeof rest, "%s", err->msg + k);
            ppad_fail(err, "%s%s", path, rest);
        }
        atomic_discard(*tmp);
        free(*tmp);
        *tmp = NULL;
        return -1;
    }
    return 0;
}

static int run_single(const synth_opts *o, const gray8 *img, const gray8 *src, ppad_err *err) {
    int n = img->w, rc = -1;
    gray8 out = {0, 0, NULL}, mask = {0, 0, NULL};
    char *tmp_out = NULL, *tmp_mask = NULL;
    if (gray8_alloc(&out, n, n, err) || gray8_alloc(&mask, n, n, err)) goto done;
    ppad_rng rng;
    rng_seed(&rng, (uint64_t)o->seed);
    if (o->method == M_SAS) {
        sas_params p;
        if (sas_apply(&out, mask.px, img, o->position, o->weight, &rng, &p, err)) goto done;
        if (o->print) print_sas(&p);
    } else {
        fpi_params p;
        if (fpi_apply(&out, mask.px, img, src, o->position, &rng, &p, err)) goto done;
        if (o->print) print_fpi(&p);
    }
    for (size_t i = 0; i < (size_t)n * n; i++) mask.px[i] = mask.px[i] ? 255 : 0;
    /* both files appear together or not at all (as far as renames allow) */
    if (write_tmp(&tmp_out, o->out, &out, err)) goto done;
    if (o->mask_out && write_tmp(&tmp_mask, o->mask_out, &mask, err)) goto done;
    if (tmp_mask && atomic_rename(tmp_mask, o->mask_out, err)) goto done;
    free(tmp_mask);
    tmp_mask = NULL;
    if (atomic_rename(tmp_out, o->out, err)) goto done;
    free(tmp_out);
    tmp_out = NULL;
    rc = 0;
done:
    if (tmp_out) atomic_discard(tmp_out);
    if (tmp_mask) atomic_discard(tmp_mask);
    free(tmp_out);
    free(tmp_mask);
    gray8_free(&out);
    gray8_free(&mask);
    return rc;
}

/* ---- contact sheet ---- */

#define SHEET_GAP 6      /* white space between tiles and around the sheet */
#define SHEET_INNER 2    /* between an image and its mask */
#define SHEET_MAX_COLS 6 /* at most this many tiles per row; rows are filled evenly */
#define CAPTION_SCALE 2  /* caption glyphs: 10 x 14 pixels */
#define CAPTION_H (FONT_H * CAPTION_SCALE + 6)

static void blit(gray8 *sheet, int top, int left, const uint8_t *px, int n, int is_mask) {
    for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++) {
            uint8_t v = px[(size_t)i * n + j];
            sheet->px[(size_t)(top + i) * sheet->w + left + j] = is_mask ? (v ? 255 : 0) : v;
        }
}

/* A caption strip (dark, white text) of width n at (top, left). */
static void caption(gray8 *sheet, int top, int left, int n, const char *text) {
    for (int i = 0; i < CAPTION_H; i++) memset(sheet->px + (size_t)(top + i) * sheet->w + left, 40, (size_t)n);
    font_draw(sheet, left + 3, top + 3, CAPTION_SCALE, n - 6, 255, text);
}

/* Tiles (the original and K examples) in rows of at most SHEET_MAX_COLS, as
 * even as possible: 7 tiles make 4 + 3, 12 make 6 + 6. */
static void sheet_grid(int tiles, int *cols, int *rows) {
    *rows = (tiles + SHEET_MAX_COLS - 1) / SHEET_MAX_COLS;
    *cols = (tiles + *rows - 1) / *rows;
}

static int run_sheet(const synth_opts *o, const gray8 *img, const gray8 *src, ppad_err *err) {
    int n = img->w, K = o->sheet;
    int pairs = o->method == M_BOTH ? 2 : 1; /* stacked per tile: caption, image, mask (, caption, image, mask) */
    int tiles = K + 1, cols, rows;
    sheet_grid(tiles, &cols, &rows);
    int pair_h = CAPTION_H + 2 * n + SHEET_INNER, tile_h = pairs * pair_h + (pairs - 1) * SHEET_INNER;
    int W = cols * n + (cols + 1) * SHEET_GAP, H = rows * tile_h + (rows + 1) * SHEET_GAP;
    int rc = -1;
    gray8 sheet = {0, 0, NULL}, out = {0, 0, NULL};
    uint8_t *mask = NULL, *blank = NULL;
    if (gray8_alloc(&sheet, W, H, err) || gray8_alloc(&out, n, n, err)) goto done;
    mask = ppad_malloc((size_t)n * n, err);
    blank = ppad_calloc((size_t)n * n, 1, err);
    if (!mask || !blank) goto done;
    memset(sheet.px, 255, (size_t)W * H);
    ppad_rng rng;
    rng_seed(&rng, (uint64_t)o->seed);
    for (int t = 0; t < tiles; t++) {
        int top = SHEET_GAP + (t / cols) * (tile_h + SHEET_GAP), left = SHEET_GAP + (t % cols) * (n + SHEET_GAP);
        int position = t == 0 ? -1 : sas_draw_position(&rng);
        for (int k = 0; k < pairs; k++) {
            int y = top + k * (pair_h + SHEET_INNER);
            char text[64], num[40];
            if (t == 0) { /* the original, with an empty mask */
                caption(&sheet, y, left, n, "original");
                blit(&sheet, y + CAPTION_H, left, img->px, n, 0);
                blit(&sheet, y + CAPTION_H + n + SHEET_INNER, left, blank, n, 1);
                continue;
            }
            int fpi = o->method == M_FPI || (o->method == M_BOTH && k == 1);
            if (!fpi) {
                sas_params p;
                if (sas_apply(&out, mask, img, position, o->weight, &rng, &p, err)) goto done;
                if (o->print) print_sas(&p);
                snprintf(text, sizeof text, "SAS %s w=%s", regions_key(position), cli_num(num, p.weight));
            } else {
                fpi_params p;
                if (fpi_apply(&out, mask, img, src, position, &rng, &p, err)) goto done;
                if (o->print) print_fpi(&p);
                snprintf(text, sizeof text, "FPI %s a=%.2f", regions_key(position), (double)p.alpha);
            }
            caption(&sheet, y, left, n, text);
            blit(&sheet, y + CAPTION_H, left, out.px, n, 0);
            blit(&sheet, y + CAPTION_H + n + SHEET_INNER, left, mask, n, 1);
        }
    }
    rc = image_write_png(o->out, &sheet, err);
done:
    gray8_free(&sheet);
    gray8_free(&out);
    free(mask);
    free(blank);
    return rc;
}

int cmd_synth(int argc, char **argv) {
    synth_opts o = {NULL, NULL, NULL, NULL, -1, M_SAS, 0, 0, -1, 224, NAN};
    const char *position = NULL;
    int weight_given = 0, seed_given = 0;
    long long seed = 0;
    int size = 224;
    ppad_err err = {{0}};
    cli_image_args ia = {0};
    image_opts io;
    const cli_opt opts[] = {
        CLI_IMAGE_OPTS(ia),
        OPT("--image", OPT_IN, &o.image, .required = 1),
        OPT("--out", OPT_OUT, &o.out, .required = 1),
        OPT("--mask-out", OPT_OUT, &o.mask_out),
        OPT("--source", OPT_IN, &o.source),
        OPT("--position", OPT_STR, &position),
        OPT("--seed", OPT_LONG, &seed, .imin = 0, .imax = LLONG_MAX, .given = &seed_given),
        OPT("--weight", OPT_DBL, &o.weight, .dmin = -1, .dmax = INFINITY, .open = OPEN_LO, .given = &weight_given),
        OPT("--method", OPT_CHOICE, &o.method, .choices = "sas|fpi|both"),
        OPT("--size", OPT_INT, &size, .imin = SAS_MIN_SIZE, .imax = 4096),
        OPT("--sheet", OPT_INT, &o.sheet, .imin = 1, .imax = 120),
        OPT("--print-params", OPT_FLAG, &o.print),
        OPT_END};
    const cli_verb verb = {.name = "synth", .help = SYNTH_HELP, .opts = opts};
    cli_ctx cx;
    int status;
    if (cli_parse(&cx, &verb, argc, argv, &status)) return status;
    if ((status = cli_image_opts(&io, &ia, &cx)) != 0) return status;
    o.size = size;
    if (seed_given) o.seed = (long)seed;
    if (position) {
        o.position = regions_parse(position);
        if (o.position < 0)
            return cli_usage("synth", "--position: '%s' is not one of left, right, upper, lower, whole", position);
    }
    const char *method = o.method == M_SAS ? "sas" : o.method == M_FPI ? "fpi" : "both";
    if (o.method == M_BOTH && !o.sheet) return cli_usage("synth", "--method both needs --sheet");
    if (weight_given && o.method == M_FPI) return cli_usage("synth", "--weight applies to --method sas only");
    if (o.method != M_SAS && !o.source) return cli_usage("synth", "--method %s needs --source", method);
    if (o.method == M_SAS && o.source) return cli_usage("synth", "--source applies to --method fpi only");
    if (o.sheet) {
        if (o.position >= 0) return cli_usage("synth", "--sheet draws random positions; drop --position");
        if (o.mask_out) return cli_usage("synth", "--sheet shows the masks in the sheet; drop --mask-out");
        if (o.seed < 0) o.seed = 0;
    } else {
        if (o.position < 0) return cli_usage("synth", "--position is required");
        if (o.seed < 0) return cli_usage("synth", "--seed is required");
    }

    gray8 img = {0, 0, NULL}, src = {0, 0, NULL};
    int rc = image_load_resized(&img, o.image, (int)o.size, &io, &err);
    if (!rc && o.source) rc = image_load_resized(&src, o.source, (int)o.size, &io, &err);
    if (!rc) rc = o.sheet ? run_sheet(&o, &img, &src, &err) : run_single(&o, &img, &src, &err);
    gray8_free(&img);
    gray8_free(&src);
    fflush(stdout);
    return rc ? cli_error(&err) : 0;
}
