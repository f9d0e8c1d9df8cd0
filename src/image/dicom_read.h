/* dicom_read.h — internal to src/image: the one C++ file (dicom_read.cc)
 * behind a C interface. DCMTK parses the file (dcmdata), decodes its pixel
 * data to native samples (JPEG baseline/extended/lossless via dcmjpeg, JPEG-LS
 * via dcmjpls, RLE, deflate by dcmdata with zlib) and hands over the raw frame
 * with the attributes spec section 11 needs; the conversion to 8-bit gray is
 * plain C (dicom_gray.c), so the arithmetic is visible and matches pydicom +
 * numpy operation for operation. DCMTK's logger is silenced. */
#ifndef PPAD_IMAGE_DICOM_READ_H
#define PPAD_IMAGE_DICOM_READ_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* A lookup table (Modality LUT or one VOI LUT item): LUT Descriptor and Data. */
typedef struct dicom_lut {
    long n;         /* entries (descriptor[0], 0 meaning 65536) */
    long first;     /* first stored value mapped (descriptor[1], signed where the VR is SS) */
    int bits;       /* bits per entry (descriptor[2]) */
    uint16_t *data; /* (n,) entries */
} dicom_lut;

#define DICOM_MAX_WINDOWS 16

typedef struct dicom_frame {
    int rows, cols;        /* as stored */
    int samples;           /* samples per pixel: 1 or 3 */
    int planar;            /* planar configuration (colour): 0 interleaved, 1 planes */
    int bits_allocated;    /* 8 or 16 */
    int bits_stored, high_bit;
    int is_signed;         /* pixel representation 1 */
    char photometric[20];  /* after decoding (a YBR JPEG decodes to RGB) */
    char modality[20];     /* "CR", "DX", ... ("" if absent) */
    char transfer_syntax[96]; /* the file's, by name */
    int has_rescale;       /* Rescale Slope and Intercept both present */
    double slope, intercept;
    int has_modality_lut;
    dicom_lut modality_lut;
    int n_voi_luts;        /* VOI LUT Sequence items (valid when item 0 has descriptor and data) */
    dicom_lut *voi_luts;   /* (n_voi_luts,) */
    int n_centers, n_widths; /* Window Center / Width values (0: absent) */
    double centers[DICOM_MAX_WINDOWS], widths[DICOM_MAX_WINDOWS];
    char voi_function[20]; /* VOI LUT Function ("" if absent: LINEAR) */
    /* the decoded frame: (rows, cols, samples) interleaved or (samples, rows,
     * cols) planar; raw words, read with bits_stored/high_bit/is_signed */
    const uint8_t *px8;    /* bits_allocated 8 */
    const uint16_t *px16;  /* bits_allocated 16 */
    void *handle;          /* DCMTK's objects, which own px8/px16 */
} dicom_frame;

/* 1 if data looks like a DICOM file (128-byte preamble, then "DICM"). */
int dicom_sniff(const unsigned char *data, size_t size);

/* Parses data (size bytes, the whole file) and decodes its single frame.
 * Fails with one line (without the file name) in msg for: a truncated or
 * corrupt file, a non-image SOP class, no pixel data, more than one frame,
 * rows/columns past max_side / max_pixels (checked before decoding), a
 * transfer syntax that cannot be decoded here (named), unsupported sample
 * layouts. Returns 0 or -1. On success free with dicom_frame_free. */
int dicom_read_frame(dicom_frame *out, const unsigned char *data, size_t size, long max_side, long max_pixels,
                     char *msg, size_t msg_size);
void dicom_frame_free(dicom_frame *f);

#ifdef __cplusplus
}
#endif

#endif
