/* image.h — the image layer: decoding and preprocessing, exactly as PIL does it:
 * decode (PNG 1/2/4/8/16-bit, palette, alpha; JPEG gray/colour; DICOM by spec
 * section 11) -> 8-bit grayscale as PIL's convert('L') -> Pillow's bicubic
 * resize -> normalise. */
#ifndef PPAD_IMAGE_IMAGE_H
#define PPAD_IMAGE_IMAGE_H

#include <stdint.h>
#include "ppad.h"

typedef struct gray8 { int w, h; uint8_t *px; /* (h, w) row-major */ } gray8;

/* Where a format leaves a choice of how its samples become 8-bit gray, the
 * caller's choice; a zero-initialised struct (or NULL) means the defaults. */
typedef struct image_opts {
    int png16;        /* 16-bit gray PNG to 8 bits (IMAGE_PNG16_*; 0: the default) */
    int dicom_no_voi; /* DICOM: 1 ignores the VOI LUT / window */
    int dicom_window; /* DICOM: which window or VOI LUT item (0: the first) */
    /* Called with one line naming the file for what deserves a warning but
     * still decodes (say, a 16-bit image that uses a small part of its
     * range); NULL: nothing is reported. */
    void (*warn)(void *ctx, const char *msg);
    void *warn_ctx;
} image_opts;

/* 16-bit grayscale PNG to 8 bits (exact rules in png16.c and README):
 * SBIT (default) honours an sBIT chunk (s-bit data: v >> (s - 8)), else the
 * high byte; HIGH_BYTE v >> 8; MINMAX the image's range to 0..255;
 * IMAGE_PNG16_BITS(N), N in 9..16: N significant bits, min(v >> (N - 8), 255). */
enum { IMAGE_PNG16_SBIT = 0, IMAGE_PNG16_HIGH_BYTE = 1, IMAGE_PNG16_MINMAX = 2 };
#define IMAGE_PNG16_BITS(n) (16 + (n))
/* A 16-bit image whose gray result spans fewer levels than this is warned about. */
#define IMAGE_PNG16_NARROW 64
/* The names users give the 16-bit PNG mappings (--png16): "|"-separated. */
#define IMAGE_PNG16_NAMES "sbit (default) | high-byte | minmax | 9..16"
/* Parses a --png16 value into *mode (an IMAGE_PNG16_* value). 0, or -1 with
 * the accepted values in err. */
int image_png16_parse(int *mode, const char *s, ppad_err *err);

/* What a decoder read (ppad data --check, info-image). */
typedef struct image_info {
    char format[16];   /* "PNG", "JPEG", ... */
    int width, height; /* as stored */
    int bits;          /* bits per sample as stored (0: unknown) */
    char detail[512];  /* format-specific, one line (may be empty) */
} image_info;

/* The authors' transforms.Normalize constants, exactly these decimals (spec
 * section 1). CheXzero's 101.48761/255 = 0.39799062 would differ by 2e-6 and
 * make the model input differ from the reference's in the last bits. */
#define IMAGE_MEAN 0.39799
#define IMAGE_STD  0.32721349

/* Largest accepted image: each side at most IMAGE_MAX_SIDE and at most
 * IMAGE_MAX_PIXELS pixels (Pillow's DecompressionBombError threshold); larger
 * headers are rejected before any pixel memory is allocated. */
#define IMAGE_MAX_SIDE   65535
#define IMAGE_MAX_PIXELS 178956970L

/* Decodes a PNG, JPEG or DICOM file (by content, not extension) to 8-bit gray.
 * DICOM (dicom_gray.c): spec section 11 — modality LUT or rescale, VOI LUT or
 * window (opts: which one, or none), MONOCHROME1 inverted, min-max to 0-255
 * truncated; RGB by the formula below. Refused, one line naming the file:
 * several frames, no pixel data, non-image SOP classes (SR, KOS, presentation
 * state), transfer syntaxes without a decoder here (JPEG 2000), constant
 * images, sizes past the cap (before decoding), truncated files.
 * Pixel for pixel what Pillow 9.4's Image.open(path).convert('L') gives for
 * 8-bit (and lower-bit) inputs:
 *   colour (RGB, RGBA, palette entries): L = (19595 R + 38470 G + 7471 B + 32768) >> 16,
 *   alpha and tRNS ignored; gray+alpha keeps the gray sample;
 *   1-bit gray 0/255, 2-bit gray x85, 4-bit gray x17;
 *   JPEG: libjpeg defaults (ISLOW DCT, fancy upsampling) decoded to RGB, then the
 *   formula above; gray JPEG as is. CMYK/YCCK JPEG is refused as unsupported.
 * 16-bit samples are reduced to their high byte (v >> 8). For 16-bit RGB(A) and
 * gray+alpha this is what Pillow does too; for 16-bit GRAYSCALE it deliberately
 * differs: Pillow opens it as mode "I" and convert('L') clips to 255, which
 * would turn a real 16-bit X-ray white.
 * Errors (one line naming the file): missing/unreadable, empty, not a PNG or
 * JPEG, truncated or corrupt data (bad CRC in any chunk, bad zlib/Huffman
 * data, too little PNG image data, palette image without PLTE), zero or absurd
 * dimensions. Stricter than Pillow on damaged files, which Pillow sometimes
 * decodes to partly made-up pixels; never different on valid ones.
 * The codec libraries print nothing. */
int  image_load_gray(gray8 *out, const char *path, const image_opts *opts, ppad_err *err);
/* Same from an in-memory buffer; name is used in messages. info (may be NULL)
 * receives what was read. */
int  image_decode_gray(gray8 *out, image_info *info, const unsigned char *data, size_t size, const char *name,
                       const image_opts *opts, ppad_err *err);
/* image_load_gray, also describing what was read. */
int  image_load_info(gray8 *out, image_info *info, const char *path, const image_opts *opts, ppad_err *err);
/* 1 if the file at path starts like a DICOM file (128-byte preamble + "DICM"),
 * 0 if not or unreadable: how folder listings find extension-less DICOM files. */
int  image_file_is_dicom(const char *path);
void gray8_free(gray8 *g);
int  gray8_alloc(gray8 *g, int w, int h, ppad_err *err);

/* Pillow's Image.resize((w, h), Image.BICUBIC) for mode L, pixel for pixel
 * (Pillow 9.4 ImagingResample: a = -0.5, support scaled when shrinking, 22-bit
 * fixed point, horizontal pass then vertical; a plain copy when the size is
 * unchanged). w and h must be >= 1. out is allocated; free with gray8_free. */
int  image_resize_bicubic(gray8 *out, const gray8 *in, int w, int h, ppad_err *err);

/* (3, h, w) floats: px/255, minus IMAGE_MEAN, over IMAGE_STD, three identical channels.
 * Computed in float32 one IEEE operation at a time, exactly as torchvision's
 * ToTensor + Normalize(0.39799, 0.32721349) (tests/lib/clip_ref.py normalise_gray),
 * bit for bit. */
void image_normalize(float *out, const gray8 *g);

/* Loads a file and returns it resized to size x size (the standard 224 pipeline). */
int  image_load_resized(gray8 *out, const char *path, int size, const image_opts *opts, ppad_err *err);
/* Same, also describing what was read (info may be NULL). */
int  image_load_resized_info(gray8 *out, image_info *info, const char *path, int size, const image_opts *opts,
                             ppad_err *err);

/* How a path becomes a size x size gray image (ctx: the loader's own). */
typedef int (*image_loader)(gray8 *out, const void *ctx, const char *path, ppad_err *err);
/* Loads paths[0 .. n) as model inputs, one file per OpenMP thread: image j,
 * normalised (image_normalize), into pixels (n, 3, S, S) slot j. load NULL:
 * image_load_resized at S with ctx as the const image_opts * (may be NULL).
 * rc[j] and why[j] (n each): each image's result and error. Returns the first
 * image (in order) that failed, or -1. The results do not depend on the
 * number of threads. */
int  image_load_many(float *pixels, int *rc, ppad_err *why, const char *const *paths, int n, int S, image_loader load,
                     const void *ctx);

/* Writes an 8-bit gray PNG atomically (temporary name, then rename). */
int  image_write_png(const char *path, const gray8 *g, ppad_err *err);
/* Encodes an 8-bit PNG into memory: px is (h, w, channels) row-major with
 * channels 1 (gray) or 3 (RGB). *out (malloc'd, free()) receives *size bytes. */
int  image_encode_png(unsigned char **out, size_t *size, const uint8_t *px, int w, int h, int channels,
                      ppad_err *err);

#endif
