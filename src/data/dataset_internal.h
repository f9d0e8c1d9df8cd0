/* dataset_internal.h — shared helpers of the dataset readers (dataset*.c). */
#ifndef PPAD_DATA_DATASET_INTERNAL_H
#define PPAD_DATA_DATASET_INTERNAL_H

#include <stddef.h>

#include "data/data.h"

/* A growable list of items. */
typedef struct ds_list {
    dataset_item *items;
    size_t n, cap;
} ds_list;

int  ds_list_add(ds_list *l, char *path, int label, ppad_err *err); /* takes ownership of path */
void ds_list_free(ds_list *l);
void ds_list_sort(ds_list *l, size_t from); /* sorts items[from..n) by path (byte order) */
/* Appends b's items to a (moving them) and empties b. */
int  ds_list_append(ds_list *a, ds_list *b, ppad_err *err);

char *ds_join(const char *a, const char *b, ppad_err *err);

/* Adds every image file (png/jpg/jpeg, not hidden) of folder dir with label,
 * sorted by name. Fails if dir is missing or holds no image. */
int ds_scan_folder(ds_list *l, const char *dir, int label, ppad_err *err);

/* Layout readers: fill train and test lists (test: normals then abnormals). */
int ds_open_folders(dataset *d, const char *root, ds_list *train, ds_list *test, ppad_err *err);
int ds_open_vindr(dataset *d, const char *root, ds_list *train, ds_list *test, ppad_err *err);
int ds_open_csv(dataset *d, const char *file, ds_list *train, ds_list *test, ppad_err *err);

#endif
