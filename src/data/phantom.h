/* phantom.h — synthetic chest radiographs (PA view) for demos and end-to-end
 * tests: an anatomical phantom (lungs with vascular markings, heart and
 * mediastinum, trachea, spine, ribs, clavicles, diaphragm domes, soft tissue,
 * shoulders) rendered as X-ray attenuation, with per-subject variation (size,
 * position, small rotation, inspiration depth, heart size, exposure, detector
 * blur and noise). Abnormal phantoms add one pneumonia-like finding
 * (consolidation with air bronchograms, patchy foci, ground-glass haze, pleural
 * effusion) from a model unrelated to SAS.
 *
 * Every image is a pure function of (seed, size, abnormal): no global state,
 * so a tree written with any number of threads is byte-identical. */
#ifndef PPAD_DATA_PHANTOM_H
#define PPAD_DATA_PHANTOM_H

#include <stdint.h>

#include "data/image.h"
#include "ppad.h"

enum { PHANTOM_NORMAL = 0, PHANTOM_CONSOLIDATION, PHANTOM_PATCHY, PHANTOM_HAZE, PHANTOM_EFFUSION };

#define PHANTOM_MIN_SIZE 64
#define PHANTOM_MAX_SIZE 2048

/* Renders one size x size phantom into out (allocated here; gray8_free it).
 * The subject's anatomy depends only on seed; abnormal adds a finding drawn
 * from the same seed. *kind (may be NULL) receives the finding's PHANTOM_* kind. */
int phantom_render(gray8 *out, int size, uint64_t seed, int abnormal, int *kind, ppad_err *err);
const char *phantom_kind_name(int kind);

/* The seed of image `index` of a class in a tree written with tree seed `seed`. */
uint64_t phantom_image_seed(uint64_t seed, int abnormal, long index);

typedef struct phantom_tree_opts {
    const char *dir;      /* output root */
    long n_normal;        /* normal phantoms in all: n_train_normal in train/, the rest in test/ */
    long n_abnormal;      /* abnormal phantoms, all in test/pneumonia_256/ */
    long n_train_normal;  /* normals that go to train/normal_256/ */
    uint64_t seed;
    int size;             /* image side (default 256); folder names keep the layout's "_256" */
    int force;            /* replace an earlier tree's phantom files instead of refusing */
    int quiet;            /* no progress bar */
} phantom_tree_opts;

/* Writes a ZhangLab-layout tree:
 *   DIR/train/normal_256/normal_NNNNN.png     normals 0 .. n_train_normal-1
 *   DIR/test/normal_256/normal_NNNNN.png      normals n_train_normal .. n_normal-1
 *   DIR/test/pneumonia_256/pneumonia_NNNNN.png
 *   DIR/manifest.csv                          path,label,split,finding (a valid csv-layout manifest)
 * Each PNG is written atomically. Refuses to write into class folders that
 * already hold files unless force is set (then it removes only earlier
 * normal_*.png / pneumonia_*.png phantoms). */
int phantom_write_tree(const phantom_tree_opts *o, ppad_err *err);

#endif
