/* manifest.h — the training-batch manifest of `ppad step`: a CSV with header
 * `path,label,position` (label 0 normal / 1 abnormal; position left, right,
 * upper, lower or whole). Relative paths are relative to the CSV's folder. */
#ifndef PPAD_PPAD_MANIFEST_H
#define PPAD_PPAD_MANIFEST_H

#include "ppad.h"

typedef struct ppad_manifest {
    int n;
    char **paths;   /* resolved paths */
    int *labels;    /* 0 / 1 */
    int *positions; /* 0..4 */
} ppad_manifest;

int  manifest_load(ppad_manifest *m, const char *csv_path, ppad_err *err);
void manifest_free(ppad_manifest *m);

#endif
