/* dicom_gray.c — the DICOM decoder of the image layer: a frame decoded by
 * DCMTK (dicom_read.cc) -> 8-bit gray by spec section 11, with pydicom's
 * functions as the oracle (float64 throughout, one IEEE operation at a time):
 *   a = stored values (bits stored at high bit, sign-extended if signed; pydicom
 *       2.3 takes the whole 16-bit word, the same wherever the unused bits are
 *       zero or the sign's extension, as the standard asks)
 *   a = Modality LUT Sequence, else a*slope + intercept (both present), else a
 *   a = VOI LUT item K (if the first item has descriptor and data), else
 *       window K (center/width, VOI LUT Function LINEAR, LINEAR_EXACT, SIGMOID;
 *       SIGMOID uses libm's exp, which numpy's may differ from in the last bit)
 *   MONOCHROME1: a = max(a) - a;  a = (a - min) / (max - min);  gray = (uint8)(a * 255)
 * Every step is a function of the stored value alone, so it is evaluated once
 * per distinct stored value present (at most 65536) and applied as a table:
 * the same numbers as the per-pixel float64 arrays, at a table's cost.
 * RGB (interleaved or planar, 8-bit) converts as section 1: PIL's L formula;
 * YBR_FULL as PIL's YCbCr -> L does (the Y sample). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "image/dicom_read.h"
#include "image/image_codec.h"

/* How to read stored values from raw words: bits_stored bits ending at
 * high_bit, sign-extended; index = value - lo (0 .. 2^bits_stored - 1).
 * Kept in locals so that the pixel loops do not reload the frame's fields. */
typedef struct dicom_unpack { int shift, sign_bit; unsigned mask; } dicom_unpack;

static dicom_unpack dicom_unpack_of(const dicom_frame *f) {
    dicom_unpack u = {f->high_bit + 1 - f->bits_stored, f->is_signed ? f->bits_stored - 1 : -1,
                      f->bits_stored >= 16 ? 0xffffu : (1u << f->bits_stored) - 1u};
    return u;
}

/* Table index of a raw word: the stored value minus the smallest one (for
 * signed values, flipping the sign bit does that). */
static inline unsigned dicom_index(dicom_unpack u, unsigned w) {
    unsigned v = (w >> u.shift) & u.mask;
    return u.sign_bit >= 0 ? v ^ (1u << u.sign_bit) : v;
}

/* Marks the table indices present in the frame: present[index] = 1. */
static void dicom_mark(uint8_t *present, const dicom_frame *f) {
    const dicom_unpack u = dicom_unpack_of(f);
    const size_t npx = (size_t)f->rows * (size_t)f->cols;
    if (f->px16)
        for (size_t i = 0; i < npx; i++) present[dicom_index(u, f->px16[i])] = 1;
    else
        for (size_t i = 0; i < npx; i++) present[dicom_index(u, f->px8[i])] = 1;
}

/* out[i] = lut[index of pixel i]. */
static void dicom_map(uint8_t *out, const uint8_t *lut, const dicom_frame *f) {
    const dicom_unpack u = dicom_unpack_of(f);
    const size_t npx = (size_t)f->rows * (size_t)f->cols;
    if (f->px16) {
        const uint16_t *p = f->px16;
        for (size_t i = 0; i < npx; i++) out[i] = lut[dicom_index(u, p[i])];
    } else {
        const uint8_t *p = f->px8;
        for (size_t i = 0; i < npx; i++) out[i] = lut[dicom_index(u, p[i])];
    }
}

/* pydicom's LUT lookup: values below first map to entry 0, the offset is
 * truncated to an integer and clipped to the last entry. */
static double dicom_lut_apply(const dicom_lut *l, double x) {
    if (!(x >= (double)l->first)) return l->data[0];
    double d = x - (double)l->first;
    if (d >= (double)(l->n - 1)) return l->data[l->n - 1];
    return l->data[(long)d];
}

/* The VOI step chosen for a file, resolved once. */
typedef struct dicom_voi {
    const dicom_lut *lut; /* a VOI LUT item, or */
    int window;           /* 1: windowing with the values below */
    double center, width, y_min, y_range;
    int func;             /* 0 LINEAR, 1 LINEAR_EXACT, 2 SIGMOID */
} dicom_voi;

static int dicom_voi_pick(dicom_voi *v, const dicom_frame *f, const image_opts *o, char *msg, size_t n) {
    memset(v, 0, sizeof *v);
    int k = o->dicom_window;
    if (o->dicom_no_voi) return 0;
    if (f->n_voi_luts) {
        if (k >= f->n_voi_luts)
            return snprintf(msg, n, "window %d asked for, but its VOI LUT Sequence has %d item%s", k + 1,
                            f->n_voi_luts, f->n_voi_luts == 1 ? "" : "s"), -1;
        v->lut = &f->voi_luts[k];
        return 0;
    }
    if (!f->n_centers || !f->n_widths) {
        if (k > 0) return snprintf(msg, n, "window %d asked for, but the file gives no window or VOI LUT", k + 1), -1;
        return 0;
    }
    /* pydicom: value[k] where the attribute has several values, else its one value */
    if ((f->n_centers > 1 && k >= f->n_centers) || (f->n_widths > 1 && k >= f->n_widths) ||
        (f->n_centers == 1 && f->n_widths == 1 && k > 0)) {
        int nw = f->n_centers > f->n_widths ? f->n_centers : f->n_widths;
        return snprintf(msg, n, "window %d asked for, but the file gives %d window%s", k + 1, nw,
                        nw == 1 ? "" : "s"), -1;
    }
    v->window = 1;
    v->center = f->centers[f->n_centers > 1 ? k : 0];
    v->width = f->widths[f->n_widths > 1 ? k : 0];
    const char *fn = f->voi_function[0] ? f->voi_function : "LINEAR";
    if (!strcmp(fn, "LINEAR")) {
        if (v->width < 1) return snprintf(msg, n, "window width %g is below 1 (LINEAR)", v->width), -1;
        v->center -= 0.5;
        v->width -= 1;
    } else if (!strcmp(fn, "LINEAR_EXACT") || !strcmp(fn, "SIGMOID")) {
        v->func = fn[0] == 'L' ? 1 : 2;
        if (v->width <= 0) return snprintf(msg, n, "window width %g is not positive (%s)", v->width, fn), -1;
    } else {
        return snprintf(msg, n, "VOI LUT Function '%s' is not supported", fn), -1;
    }
    /* output range: the Modality LUT's, else the stored range (rescaled) */
    double y_min, y_max;
    if (f->has_modality_lut) {
        y_min = 0;
        y_max = ldexp(1.0, f->modality_lut.bits) - 1;
    } else if (!f->is_signed) {
        y_min = 0;
        y_max = ldexp(1.0, f->bits_stored) - 1;
    } else {
        y_min = -ldexp(1.0, f->bits_stored - 1);
        y_max = ldexp(1.0, f->bits_stored - 1) - 1;
    }
    if (f->has_rescale) {
        y_min = y_min * f->slope + f->intercept;
        y_max = y_max * f->slope + f->intercept;
    }
    v->y_min = y_min;
    v->y_range = y_max - y_min;
    return 0;
}

static double dicom_voi_apply(const dicom_voi *v, double x) {
    if (v->lut) return dicom_lut_apply(v->lut, x);
    if (!v->window) return x;
    if (v->func == 2) return v->y_range / (1 + exp(-4 * (x - v->center) / v->width)) + v->y_min;
    if (x <= v->center - v->width / 2) return v->y_min;
    if (x > v->center + v->width / 2) return v->y_min + v->y_range;
    return ((x - v->center) / v->width + 0.5) * v->y_range + v->y_min;
}

static double dicom_modality_apply(const dicom_frame *f, long s) {
    if (f->has_modality_lut) return dicom_lut_apply(&f->modality_lut, (double)s);
    if (f->has_rescale) {
        double x = (double)s * f->slope;
        return x + f->intercept;
    }
    return (double)s;
}

/* Grayscale frame -> out by section 11. */
static int dicom_gray_mono(gray8 *out, const dicom_frame *f, const dicom_voi *voi, const char *name, ppad_err *err) {
    long lo = f->is_signed ? -(1L << (f->bits_stored - 1)) : 0;
    size_t range = (size_t)1 << f->bits_stored;
    uint8_t *present = ppad_calloc(range, 1, err);
    double *val = ppad_malloc(range * sizeof *val, err); /* (range,) section 11 value per stored value */
    uint8_t *lut = ppad_malloc(range, err);
    int rc = -1;
    if (!present || !val || !lut) goto done;
    dicom_mark(present, f);
    double mx = -INFINITY, mn = INFINITY;
    for (size_t j = 0; j < range; j++) {
        if (!present[j]) continue;
        val[j] = dicom_voi_apply(voi, dicom_modality_apply(f, (long)j + lo));
        if (val[j] > mx) mx = val[j];
    }
    int mono1 = !strcmp(f->photometric, "MONOCHROME1");
    for (size_t j = 0; j < range; j++) {
        if (!present[j]) continue;
        if (mono1) val[j] = mx - val[j];
        if (val[j] < mn) mn = val[j];
    }
    if (mono1) mx = -INFINITY;
    for (size_t j = 0; mono1 && j < range; j++)
        if (present[j] && val[j] > mx) mx = val[j];
    if (!(mx > mn) || !isfinite(mx - mn)) {
        ppad_fail(err, "%s: constant image (every pixel is equal after the modality and VOI steps)", name);
        goto done;
    }
    double span = mx - mn;
    for (size_t j = 0; j < range; j++) {
        if (!present[j]) continue;
        double t = (val[j] - mn) / span;
        t = t * 255;
        lut[j] = (uint8_t)t;
    }
    if (gray8_alloc(out, f->cols, f->rows, err)) {
        ppad_fail_prefix(err, name);
        goto done;
    }
    dicom_map(out->px, lut, f);
    rc = 0;
done:
    free(present);
    free(val);
    free(lut);
    return rc;
}

/* Colour: RGB by PIL's L formula; YBR_FULL as PIL converts YCbCr to L (the Y sample). */
static int dicom_gray_rgb(gray8 *out, const dicom_frame *f, const char *name, ppad_err *err) {
    if (gray8_alloc(out, f->cols, f->rows, err)) return ppad_fail_prefix(err, name);
    size_t npx = (size_t)f->rows * (size_t)f->cols;
    const uint8_t *p = f->px8;
    if (!strcmp(f->photometric, "YBR_FULL")) {
        for (size_t i = 0; i < npx; i++) out->px[i] = f->planar ? p[i] : p[3 * i];
        return 0;
    }
    for (size_t i = 0; i < npx; i++)
        out->px[i] = f->planar ? image_rgb_to_l(p[i], p[npx + i], p[2 * npx + i])
                               : image_rgb_to_l(p[3 * i], p[3 * i + 1], p[3 * i + 2]);
    return 0;
}

/* One line for data --check / info-image: what was read and the VOI used. */
static void dicom_describe(image_info *info, const dicom_frame *f, const dicom_voi *v, const image_opts *o) {
    char voi[160], resc[96];
    if (f->samples == 3) snprintf(voi, sizeof voi, "no VOI (colour)");
    else if (v->lut)
        snprintf(voi, sizeof voi, "VOI LUT %d of %d (%ld entries from %ld, %d bits)", o->dicom_window + 1,
                 f->n_voi_luts, v->lut->n, v->lut->first, v->lut->bits);
    else if (v->window) {
        int nw = f->n_centers > f->n_widths ? f->n_centers : f->n_widths;
        snprintf(voi, sizeof voi, "window center %.17g width %.17g (%s, %d of %d)",
                 f->centers[f->n_centers > 1 ? o->dicom_window : 0], f->widths[f->n_widths > 1 ? o->dicom_window : 0],
                 f->voi_function[0] ? f->voi_function : "LINEAR", o->dicom_window + 1, nw);
    } else if (o->dicom_no_voi && (f->n_voi_luts || (f->n_centers && f->n_widths)))
        snprintf(voi, sizeof voi, "VOI ignored (--dicom-voi none)");
    else snprintf(voi, sizeof voi, "no window");
    if (f->has_modality_lut)
        snprintf(resc, sizeof resc, "modality LUT (%ld entries from %ld)", f->modality_lut.n, f->modality_lut.first);
    else if (f->has_rescale) snprintf(resc, sizeof resc, "rescale slope %.17g intercept %.17g", f->slope, f->intercept);
    else snprintf(resc, sizeof resc, "no rescale");
    snprintf(info->detail, sizeof info->detail, "modality %s, %s, %d bits stored of %d, %s, %s, %s, %s, %dx%d",
             f->modality[0] ? f->modality : "(none)", f->photometric, f->bits_stored, f->bits_allocated,
             f->is_signed ? "signed" : "unsigned", resc, voi, f->transfer_syntax, f->cols, f->rows);
}

static int dicom_decode(gray8 *out, image_info *info, const unsigned char *data, size_t size, const char *name,
                        const image_opts *opts, ppad_err *err) {
    memset(out, 0, sizeof *out);
    dicom_frame f;
    char msg[512];
    if (dicom_read_frame(&f, data, size, IMAGE_MAX_SIDE, IMAGE_MAX_PIXELS, msg, sizeof msg))
        return ppad_fail(err, "%s: %s", name, msg);
    dicom_voi voi = {0};
    int rc;
    if (f.samples == 1 && dicom_voi_pick(&voi, &f, opts, msg, sizeof msg)) {
        rc = ppad_fail(err, "%s: %s", name, msg);
    } else {
        info->bits = f.bits_stored;
        info->width = f.cols;
        info->height = f.rows;
        dicom_describe(info, &f, &voi, opts);
        rc = f.samples == 3 ? dicom_gray_rgb(out, &f, name, err) : dicom_gray_mono(out, &f, &voi, name, err);
    }
    dicom_frame_free(&f);
    return rc;
}

const image_decoder image_dicom_decoder = {"DICOM", dicom_sniff, dicom_decode};
