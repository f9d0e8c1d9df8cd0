/* dataset_folders.c — the class-folder layouts (ZhangLab and CheXpert as SQUID
 * packaged them): one folder per (split, class), images listed by name. */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/error.h"
#include "base/fileio.h"
#include "data/dataset_internal.h"

/* 1: an image by its name; 0: not one; -1: decide by content (DICOM files
 * often come without an extension, or named by their UID "1.2.840...."). */
static int is_image_name(const char *name) {
    if (name[0] == '.') return 0; /* hidden files, . and .. */
    const char *dot = strrchr(name, '.');
    if (!dot) return -1;
    if (!strcasecmp(dot, ".png") || !strcasecmp(dot, ".jpg") || !strcasecmp(dot, ".jpeg") ||
        !strcasecmp(dot, ".dcm") || !strcasecmp(dot, ".dicom"))
        return 1;
    return dot[1] >= '0' && dot[1] <= '9' ? -1 : 0;
}

int ds_scan_folder(ds_list *l, const char *dir, int label, ppad_err *err) {
    if (!dir_exists(dir)) return ppad_fail(err, "%s: no such folder", dir);
    DIR *d = opendir(dir);
    if (!d) return ppad_fail(err, "%s: cannot open folder: %s", dir, strerror(errno));
    size_t from = l->n;
    struct dirent *e;
    int rc = 0;
    while ((e = readdir(d)) != NULL) {
        int kind = is_image_name(e->d_name);
        if (!kind) continue;
        char *p = ds_join(dir, e->d_name, err);
        if (!p) {
            rc = -1;
            break;
        }
        /* a folder named like an image is not one; a nameless file must start like DICOM
         * (its first 132 bytes are read, nothing is kept) */
        if (!file_exists(p) || (kind < 0 && !image_file_is_dicom(p))) {
            free(p);
            continue;
        }
        if (ds_list_add(l, p, label, err)) {
            rc = -1;
            break;
        }
    }
    closedir(d);
    if (rc) return -1;
    if (l->n == from)
        return ppad_fail(err, "%s: no images (*.png, *.jpg, *.jpeg, *.dcm, *.dicom, extension-less DICOM) in this class folder",
                         dir);
    ds_list_sort(l, from);
    return 0;
}

int data_list_folder(char ***paths, size_t *n, const char *dir, ppad_err *err) {
    *paths = NULL;
    *n = 0;
    ds_list l = {0};
    if (ds_scan_folder(&l, dir, 0, err) != 0) {
        ds_list_free(&l);
        return -1;
    }
    char **out = ppad_malloc(sizeof(char *) * l.n, err);
    if (!out) {
        ds_list_free(&l);
        return -1;
    }
    for (size_t i = 0; i < l.n; i++) out[i] = l.items[i].path;
    *paths = out;
    *n = l.n;
    free(l.items);
    return 0;
}

void data_paths_free(char **paths, size_t n) {
    for (size_t i = 0; paths && i < n; i++) free(paths[i]);
    free(paths);
}

/* The abnormal test class: either name is accepted, not both. */
static char *abnormal_dir(const char *test_dir, ppad_err *err) {
    char *pn = ds_join(test_dir, "pneumonia_256", err);
    char *ab = ds_join(test_dir, "abnormal_256", err);
    char *res = NULL;
    if (!pn || !ab) goto done;
    int has_pn = dir_exists(pn), has_ab = dir_exists(ab);
    if (has_pn && has_ab)
        ppad_fail(err, "%s: holds both pneumonia_256 and abnormal_256; keep one abnormal class folder", test_dir);
    else if (!has_pn && !has_ab)
        ppad_fail(err, "%s: no such folder (nor abnormal_256 beside it)", pn);
    else if (has_pn) {
        res = pn;
        pn = NULL;
    } else {
        res = ab;
        ab = NULL;
    }
done:
    free(pn);
    free(ab);
    return res;
}

int ds_open_folders(dataset *d, const char *root, ds_list *train, ds_list *test, ppad_err *err) {
    const char *train_rel = d->layout == DATASET_ZHANGLAB ? "train/normal_256" : "train_256_pa/normal_256";
    const char *test_rel = d->layout == DATASET_ZHANGLAB ? "test" : "our_test_256_pa";
    char *train_dir = ds_join(root, train_rel, err);
    char *test_dir = ds_join(root, test_rel, err);
    char *normal_dir = test_dir ? ds_join(test_dir, "normal_256", err) : NULL;
    char *abn_dir = NULL;
    int rc = -1;
    if (!train_dir || !test_dir || !normal_dir) goto done;
    if (!dir_exists(root)) {
        ppad_fail(err, "%s: no such folder", root);
        goto done;
    }
    if (ds_scan_folder(train, train_dir, 0, err)) goto done;
    if (ds_scan_folder(test, normal_dir, 0, err)) goto done;
    abn_dir = abnormal_dir(test_dir, err);
    if (!abn_dir) goto done;
    if (ds_scan_folder(test, abn_dir, 1, err)) goto done;
    rc = 0;
done:
    free(train_dir);
    free(test_dir);
    free(normal_dir);
    free(abn_dir);
    return rc;
}
