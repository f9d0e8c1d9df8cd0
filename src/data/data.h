/* data.h — the data layer: what a user of datasets includes.
 *   datasets  the benchmark layouts (ZhangLab, CheXpert, VinDr-CXR, CSV lists)
 *             as lists of (image path, label), and how each image is loaded
 *   regions   PPAD's five positions: names, pixel regions, patch keep-masks
 * Uses image/ (decoding and the Pillow-exact resize) and base/ only. */
#ifndef PPAD_DATA_DATA_H
#define PPAD_DATA_DATA_H

#include <stddef.h>
#include <stdint.h>

#include "image/image.h"
#include "ppad.h"

/* Datasets — the benchmark datasets as lists of (image path, label) and the
 * rule for loading each image (spec section 8).
 *
 * Layouts (DIR is the folder given):
 *   zhanglab  DIR/train/normal_256/            training normals
 *             DIR/test/normal_256/             test, label 0
 *             DIR/test/pneumonia_256/          test, label 1 (or abnormal_256)
 *   chexpert  DIR/train_256_pa/normal_256/     training normals
 *             DIR/our_test_256_pa/normal_256/  test, label 0
 *             DIR/our_test_256_pa/abnormal_256/ (or pneumonia_256, PPAD's name) test, label 1
 *   vindr     DIR/data.json + DIR/images/<name> (Med-AD's VinCXR folder; DIR may
 *             also be its parent holding VinCXR/): {"train": {"0": [names...],
 *             "unlabeled": {...}}, "test": {"0": [...], "1": [...]}}. Only
 *             train/"0" (normal) is used for training; "unlabeled" is ignored.
 *             A name without an extension also finds images/<name>.png, then
 *             images/<name>.dicom and .dcm (VinDr-CXR's own DICOM files).
 *   csv       a manifest file FILE.csv with a header naming the columns "path"
 *             and "label" (0 normal, 1 abnormal) and optionally "split" (train
 *             or test); other columns are ignored. Relative paths are relative
 *             to the CSV's folder. Without a split column every row is a test
 *             row. Train rows must be normal.
 * In folder layouts only *.png, *.jpg, *.jpeg, *.dcm, *.dicom (any case) count,
 * and files without an extension (or with a numeric one, UID-named) that start
 * like DICOM (preamble + "DICM"; 132 bytes read per file); hidden files
 * are skipped, and each class is sorted by file name (byte order). VinDr lists
 * are sorted by name too; a CSV keeps its row order within each class. The
 * test list holds the normals first, then the abnormals.
 *
 * Loading (spec section 1): 8-bit gray (16-bit PNG samples keep their high
 * byte, v >> 8), then Pillow's bicubic resize to 224x224. VinDr images are
 * first resized to 256x256 and then to 224x224, as the reference does. */
typedef enum dataset_layout { DATASET_ZHANGLAB, DATASET_CHEXPERT, DATASET_VINDR, DATASET_CSV } dataset_layout;

typedef struct dataset_item {
    char *path;  /* full path of the image file */
    int label;   /* 0 normal, 1 abnormal */
} dataset_item;

typedef struct dataset {
    dataset_layout layout;
    char *root;             /* the folder (or CSV file) the lists came from */
    dataset_item *train;    /* training normals */
    size_t n_train;
    dataset_item *test;     /* test images: normals, then abnormals */
    size_t n_test;
    size_t n_unlabeled;     /* VinDr's train/"unlabeled" images (listed, never used) */
    int base_size;          /* the size images are first brought to: 224, or 256 for VinDr */
    image_opts img;         /* how its files are decoded (zero: defaults; set it after dataset_open) */
} dataset;

#define DATASET_INPUT_SIZE 224

/* Opens a dataset. layout: "zhanglab", "chexpert", "vindr", "csv", or NULL /
 * "auto" to detect it from what root holds. Fails naming the path on a missing
 * folder, an empty class, an unreadable or malformed data.json or CSV, or a
 * listed file that does not exist. Images are not decoded here. */
int  dataset_open(dataset *out, const char *root, const char *layout, ppad_err *err);
void dataset_free(dataset *d);

/* Detects the layout of root without reading the lists. */
int  dataset_detect(const char *root, dataset_layout *out, ppad_err *err);
const char *dataset_layout_name(dataset_layout layout);
/* Parses a layout name; "auto" or NULL gives -1 in *out. Returns -1 if unknown. */
int  dataset_parse_layout(const char *name, int *out, ppad_err *err);

/* Loads an image of d as the model sees it: 224 x 224 8-bit gray. */
int  dataset_load_image(gray8 *out, const dataset *d, const char *path, ppad_err *err);
/* Same, also describing the file as read (format, size, DICOM attributes; info may be NULL). */
int  dataset_load_image_info(gray8 *out, image_info *info, const dataset *d, const char *path, ppad_err *err);
/* Loads an image at d->base_size (the image SAS works on in the reference). */
int  dataset_load_base(gray8 *out, const dataset *d, const char *path, ppad_err *err);

/* The zero-shot baseline's path (spec section 8): the authors' zero-shot loaders
 * read every layout at 256x256 and then Resize(224, bicubic) — two bicubic
 * resamplings, which differ from one by up to 4 gray levels on images that are
 * not 256x256. Use this on a dataset opened for `zeroshot`, after dataset_open. */
#define DATASET_ZEROSHOT_BASE_SIZE 256
void dataset_use_zeroshot_path(dataset *d);

/* Number of items with the given label in the test list (label < 0: all). */
size_t dataset_count_test(const dataset *d, int label);

/* The image files of one folder, as the folder layouts count them (sorted by
 * name, hidden files skipped): *paths (malloc'd array of malloc'd "dir/name"
 * strings, free with data_paths_free) and *n. Fails if dir is not a folder or
 * holds no image. */
int  data_list_folder(char ***paths, size_t *n, const char *dir, ppad_err *err);
void data_paths_free(char **paths, size_t n);

/* Regions — PPAD's five positions (spec section 3): a name used in the text
 * prompt, a rectangular pixel region on the 224x224 input, and the 7x7 patch
 * keep-mask derived from it.
 *
 *   #  key    name          region (inclusive)
 *   0  left   "left lung"   rows 0-223, columns 0-111
 *   1  right  "right lung"  rows 0-223, columns 112-223
 *   2  upper  "upper lung"  rows 0-119, columns 0-223
 *   3  lower  "lower lung"  rows 120-223, columns 0-223
 *   4  whole  ""            the whole image
 *
 * Regions are always defined on the 224-pixel grid, whatever the size of the
 * image they are applied to (the VinDr quirk: synthesis on a 256-pixel image
 * still draws lesion centres from these 224-pixel boxes). */

#define REGION_COUNT 5
#define REGION_SIZE 224 /* side of the input the regions are defined on */
#define REGION_GRID 7   /* patch grid side (224 / 32) */
#define REGION_CELL 32  /* patch size in pixels */

enum { REGION_LEFT = 0, REGION_RIGHT = 1, REGION_UPPER = 2, REGION_LOWER = 3, REGION_WHOLE = 4 };

/* Inclusive bounding box of a region, in pixels of the 224 grid. */
typedef struct region_box { int top, left, bottom, right; } region_box;

/* Prompt name ("left lung", ..., "" for the whole image); NULL if position is out of range. */
const char *regions_name(int position);
/* Short key used on the command line ("left", "right", "upper", "lower", "whole"); NULL if out of range. */
const char *regions_key(int position);
/* Position for a key (as above) or a prompt name ("left lung", ...); -1 if unknown. */
int regions_parse(const char *s);

/* Fills *box; returns 0, or -1 if position is out of range. */
int regions_box(int position, region_box *box);
/* 1 if pixel (row, col) of the 224 grid lies in the region, else 0 (also 0 for a bad position). */
int regions_contains(int position, int row, int col);
/* 224*224 row-major 0/1 region mask; returns 0, or -1 if position is out of range. */
int regions_mask(int position, uint8_t mask[REGION_SIZE * REGION_SIZE]);

/* 7x7 keep-mask, row-major (patch p = row*7 + col): average pooling of the
 * region mask over 32x32 cells followed by ceil, i.e. keep[p] = 1 iff any
 * pixel of patch p lies in the region. Position 4 keeps all 49. Returns 0, or
 * -1 if position is out of range. */
int regions_keep_mask(int position, uint8_t keep[REGION_GRID * REGION_GRID]);

#endif
