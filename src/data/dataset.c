/* dataset.c — opening a dataset (layout detection, dispatch to the layout
 * readers), list helpers, and the per-layout image loading rule. */
#include "data/data.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "base/error.h"
#include "base/fileio.h"
#include "data/dataset_internal.h"

static const char *const LAYOUT_NAMES[] = {"zhanglab", "chexpert", "vindr", "csv"};

const char *dataset_layout_name(dataset_layout layout) {
    return (unsigned)layout < 4 ? LAYOUT_NAMES[layout] : "unknown";
}

int dataset_parse_layout(const char *name, int *out, ppad_err *err) {
    *out = -1;
    if (!name || !strcmp(name, "auto")) return 0;
    for (int i = 0; i < 4; i++)
        if (!strcmp(name, LAYOUT_NAMES[i])) {
            *out = i;
            return 0;
        }
    return ppad_fail(err, "unknown dataset layout '%s' (expected zhanglab, chexpert, vindr, csv or auto)", name);
}

/* ---- list helpers ---- */

char *ds_join(const char *a, const char *b, ppad_err *err) {
    size_t la = strlen(a), n = la + strlen(b) + 2;
    char *s = ppad_malloc(n, err);
    if (!s) return NULL;
    if (la > 0 && a[la - 1] == '/') snprintf(s, n, "%s%s", a, b);
    else snprintf(s, n, "%s/%s", a, b);
    return s;
}

int ds_list_add(ds_list *l, char *path, int label, ppad_err *err) {
    if (!path) return -1;
    if (l->n == l->cap) {
        size_t cap = l->cap ? 2 * l->cap : 64;
        dataset_item *p = realloc(l->items, cap * sizeof *p);
        if (!p) {
            free(path);
            return ppad_fail(err, "out of memory listing images");
        }
        l->items = p;
        l->cap = cap;
    }
    l->items[l->n].path = path;
    l->items[l->n].label = label;
    l->n++;
    return 0;
}

void ds_list_free(ds_list *l) {
    for (size_t i = 0; i < l->n; i++) free(l->items[i].path);
    free(l->items);
    memset(l, 0, sizeof *l);
}

static int cmp_item(const void *a, const void *b) {
    return strcmp(((const dataset_item *)a)->path, ((const dataset_item *)b)->path);
}

void ds_list_sort(ds_list *l, size_t from) {
    if (l->n > from) qsort(l->items + from, l->n - from, sizeof *l->items, cmp_item);
}

int ds_list_append(ds_list *a, ds_list *b, ppad_err *err) {
    for (size_t i = 0; i < b->n; i++) {
        if (ds_list_add(a, b->items[i].path, b->items[i].label, err)) {
            /* the failed path was freed by ds_list_add; free the rest */
            for (size_t j = i + 1; j < b->n; j++) free(b->items[j].path);
            free(b->items);
            memset(b, 0, sizeof *b);
            return -1;
        }
    }
    free(b->items);
    memset(b, 0, sizeof *b);
    return 0;
}

/* ---- detection and opening ---- */

static int has(const char *root, const char *rel) {
    size_t n = strlen(root) + strlen(rel) + 2;
    char *p = malloc(n);
    if (!p) return 0;
    snprintf(p, n, "%s/%s", root, rel);
    struct stat st;
    int ok = stat(p, &st) == 0;
    free(p);
    return ok;
}

int dataset_detect(const char *root, dataset_layout *out, ppad_err *err) {
    struct stat st;
    if (stat(root, &st) != 0) return ppad_fail(err, "%s: no such file or folder", root);
    if (S_ISREG(st.st_mode)) {
        size_t n = strlen(root);
        if (n >= 4 && strcasecmp(root + n - 4, ".csv") == 0) {
            *out = DATASET_CSV;
            return 0;
        }
        return ppad_fail(err, "%s: not a dataset folder or a .csv manifest", root);
    }
    if (!S_ISDIR(st.st_mode)) return ppad_fail(err, "%s: not a dataset folder or a .csv manifest", root);
    if (has(root, "train/normal_256") || has(root, "test/normal_256") || has(root, "test/pneumonia_256") ||
        has(root, "test/abnormal_256")) {
        *out = DATASET_ZHANGLAB;
        return 0;
    }
    if (has(root, "train_256_pa") || has(root, "our_test_256_pa")) {
        *out = DATASET_CHEXPERT;
        return 0;
    }
    if (has(root, "data.json") || has(root, "VinCXR/data.json")) {
        *out = DATASET_VINDR;
        return 0;
    }
    return ppad_fail(err,
                     "%s: cannot tell the dataset layout (expected train/normal_256 for zhanglab, train_256_pa for "
                     "chexpert, data.json for vindr, or a .csv manifest)",
                     root);
}

static int to_array(dataset_item **items, size_t *n, ds_list *l) {
    *items = l->items;
    *n = l->n;
    memset(l, 0, sizeof *l);
    return 0;
}

int dataset_open(dataset *out, const char *root, const char *layout, ppad_err *err) {
    memset(out, 0, sizeof *out);
    int lay;
    if (dataset_parse_layout(layout, &lay, err)) return -1;
    dataset_layout L;
    if (lay < 0) {
        if (dataset_detect(root, &L, err)) return -1;
    } else {
        L = (dataset_layout)lay;
        /* a layout that cannot fit what root is: say so, rather than fail deeper down */
        struct stat st;
        if (stat(root, &st) != 0) return ppad_fail(err, "%s: no such file or folder", root);
        if (L == DATASET_CSV && S_ISDIR(st.st_mode))
            return ppad_fail(err, "%s: is a folder, but --layout csv needs a .csv manifest file (layout mismatch)",
                             root);
        if (L != DATASET_CSV && !S_ISDIR(st.st_mode))
            return ppad_fail(err, "%s: is a file, but the %s layout is a folder (layout mismatch; a manifest "
                                  "needs --layout csv)", root, dataset_layout_name(L));
    }
    out->layout = L;
    out->base_size = L == DATASET_VINDR ? 256 : DATASET_INPUT_SIZE;
    out->root = ppad_strdup(root, err);
    if (!out->root) return -1;
    ds_list train = {0}, test = {0};
    int rc;
    switch (L) {
    case DATASET_ZHANGLAB:
    case DATASET_CHEXPERT: rc = ds_open_folders(out, root, &train, &test, err); break;
    case DATASET_VINDR: rc = ds_open_vindr(out, root, &train, &test, err); break;
    default: rc = ds_open_csv(out, root, &train, &test, err); break;
    }
    if (rc) {
        ds_list_free(&train);
        ds_list_free(&test);
        dataset_free(out);
        return -1;
    }
    to_array(&out->train, &out->n_train, &train);
    to_array(&out->test, &out->n_test, &test);
    return 0;
}

void dataset_free(dataset *d) {
    if (!d) return;
    for (size_t i = 0; i < d->n_train; i++) free(d->train[i].path);
    for (size_t i = 0; i < d->n_test; i++) free(d->test[i].path);
    free(d->train);
    free(d->test);
    free(d->root);
    memset(d, 0, sizeof *d);
}

size_t dataset_count_test(const dataset *d, int label) {
    size_t k = 0;
    for (size_t i = 0; i < d->n_test; i++) k += label < 0 || d->test[i].label == label;
    return k;
}

/* ---- loading ---- */

int dataset_load_base(gray8 *out, const dataset *d, const char *path, ppad_err *err) {
    return image_load_resized(out, path, d->base_size, &d->img, err);
}

void dataset_use_zeroshot_path(dataset *d) { d->base_size = DATASET_ZEROSHOT_BASE_SIZE; }

int dataset_load_image(gray8 *out, const dataset *d, const char *path, ppad_err *err) {
    return dataset_load_image_info(out, NULL, d, path, err);
}

int dataset_load_image_info(gray8 *out, image_info *info, const dataset *d, const char *path, ppad_err *err) {
    if (d->base_size == DATASET_INPUT_SIZE)
        return image_load_resized_info(out, info, path, DATASET_INPUT_SIZE, &d->img, err);
    gray8 base;
    if (image_load_resized_info(&base, info, path, d->base_size, &d->img, err)) return -1;
    int rc = image_resize_bicubic(out, &base, DATASET_INPUT_SIZE, DATASET_INPUT_SIZE, err);
    gray8_free(&base);
    if (rc) ppad_fail_prefix(err, path);
    return rc;
}
