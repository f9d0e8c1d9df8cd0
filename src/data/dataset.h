/* dataset.h — the benchmark datasets as lists of (image path, label) and the
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
 *             A name without an extension also finds images/<name>.png.
 *   csv       a manifest file FILE.csv with a header naming the columns "path"
 *             and "label" (0 normal, 1 abnormal) and optionally "split" (train
 *             or test); other columns are ignored. Relative paths are relative
 *             to the CSV's folder. Without a split column every row is a test
 *             row. Train rows must be normal.
 * In folder layouts only *.png, *.jpg, *.jpeg (any case) count, hidden files
 * are skipped, and each class is sorted by file name (byte order). VinDr lists
 * are sorted by name too; a CSV keeps its row order within each class. The
 * test list holds the normals first, then the abnormals.
 *
 * Loading (spec section 1): 8-bit gray (16-bit PNG samples keep their high
 * byte, v >> 8), then Pillow's bicubic resize to 224x224. VinDr images are
 * first resized to 256x256 and then to 224x224, as the reference does. */
#ifndef PPAD_DATA_DATASET_H
#define PPAD_DATA_DATASET_H

#include <stddef.h>

#include "data/image.h"
#include "ppad.h"

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
/* Loads an image at d->base_size (the image SAS works on in the reference). */
int  dataset_load_base(gray8 *out, const dataset *d, const char *path, ppad_err *err);

/* Number of items with the given label in the test list (label < 0: all). */
size_t dataset_count_test(const dataset *d, int label);

#endif
