/* dataset_vindr.c — VinDr-CXR as the Med-AD benchmark packages it: a folder
 * (VinCXR) with data.json naming the images of each split and class, and the
 * images in images/. Read with json-c. */
#include <json.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "base/fileio.h"
#include "data/dataset_internal.h"

/* The JSON list at obj[key] (obj[key] must be an array of strings). */
static int get_list(json_object **out, json_object *obj, const char *key, const char *where, const char *file,
                    ppad_err *err) {
    json_object *v;
    if (!json_object_is_type(obj, json_type_object))
        return ppad_fail(err, "%s: \"%s\" is not a JSON object", file, where);
    if (!json_object_object_get_ex(obj, key, &v))
        return ppad_fail(err, "%s: missing \"%s\" list under \"%s\"", file, key, where);
    if (!json_object_is_type(v, json_type_array))
        return ppad_fail(err, "%s: \"%s\"/\"%s\" is not a list of image names", file, where, key);
    *out = v;
    return 0;
}

/* Adds the names of a JSON list as images/<name> with label; checks that each exists. */
static int add_names(ds_list *l, json_object *arr, const char *images, int label, const char *what, const char *file,
                     ppad_err *err) {
    size_t n = json_object_array_length(arr), from = l->n;
    if (n == 0) return ppad_fail(err, "%s: the %s list is empty", file, what);
    for (size_t i = 0; i < n; i++) {
        json_object *e = json_object_array_get_idx(arr, i);
        if (!json_object_is_type(e, json_type_string))
            return ppad_fail(err, "%s: %s entry %zu is not a file name string", file, what, i);
        const char *name = json_object_get_string(e);
        if (!name[0] || name[0] == '/' || strstr(name, ".."))
            return ppad_fail(err, "%s: %s entry %zu ('%s') is not a plain file name under images/", file, what, i, name);
        char *p = ds_join(images, name, err);
        if (!p) return -1;
        /* names given without extension: images/<name>.png, else VinDr-CXR's own
         * images/<name>.dicom (or .dcm) */
        static const char *const exts[] = {".png", ".dicom", ".dcm"};
        for (int x = 0; x < 3 && !file_exists(p) && !strchr(name, '.'); x++) {
            char *base = ds_join(images, name, err);
            size_t k = base ? strlen(base) : 0;
            char *q = base ? realloc(base, k + strlen(exts[x]) + 1) : NULL;
            if (!q) {
                free(base);
                free(p);
                return ppad_fail(err, "%s: out of memory", file);
            }
            memcpy(q + k, exts[x], strlen(exts[x]) + 1);
            if (file_exists(q)) {
                free(p);
                p = q;
            } else {
                free(q);
            }
        }
        if (!file_exists(p)) {
            ppad_err why;
            file_fail_not_regular(p, &why);
            ppad_fail(err, "%s (an image listed in %s under %s)", why.msg, file, what);
            free(p);
            return -1;
        }
        if (ds_list_add(l, p, label, err)) return -1;
    }
    ds_list_sort(l, from);
    return 0;
}

int ds_open_vindr(dataset *d, const char *root, ds_list *train, ds_list *test, ppad_err *err) {
    /* accept Med-AD's parent folder too: ROOT/VinCXR/data.json */
    char *dir = ds_join(root, "data.json", err), *file = NULL, *images = NULL;
    if (!dir) return -1;
    if (!file_exists(dir)) {
        char *alt = ds_join(root, "VinCXR/data.json", err);
        if (alt && file_exists(alt)) {
            free(dir);
            dir = ds_join(root, "VinCXR", err);
            free(alt);
        } else {
            free(alt);
            ppad_err why;
            file_fail_not_regular(dir, &why);
            ppad_fail(err, "%s (vindr layout: DIR/data.json and DIR/images/)", why.msg);
            free(dir);
            return -1;
        }
    } else {
        free(dir);
        dir = ppad_strdup(root, err);
    }
    int rc = -1;
    unsigned char *text = NULL;
    size_t size = 0;
    json_object *doc = NULL;
    if (!dir) goto done;
    file = ds_join(dir, "data.json", err);
    images = ds_join(dir, "images", err);
    if (!file || !images) goto done;
    if (file_read_all(&text, &size, file, err)) goto done;
    if (size > 0x7fffffff) {
        ppad_fail(err, "%s: too large for a dataset list", file);
        goto done;
    }
    json_tokener *tok = json_tokener_new();
    if (!tok) {
        ppad_fail(err, "%s: out of memory parsing JSON", file);
        goto done;
    }
    doc = json_tokener_parse_ex(tok, (const char *)text, (int)size);
    enum json_tokener_error jerr = json_tokener_get_error(tok);
    size_t end = json_tokener_get_parse_end(tok);
    json_tokener_free(tok);
    if (!doc || jerr != json_tokener_success) {
        ppad_fail(err, "%s: not valid JSON (%s at byte %zu)", file,
                  jerr == json_tokener_continue ? "unexpected end of file" : json_tokener_error_desc(jerr), end);
        goto done;
    }
    while (end < size && text[end] && strchr(" \t\r\n", text[end])) end++;
    if (end < size) {
        ppad_fail(err, "%s: not valid JSON (unexpected data after the top-level value at byte %zu)", file, end);
        goto done;
    }
    json_object *tr, *te, *l0, *t0, *t1, *unl;
    if (!json_object_is_type(doc, json_type_object)) {
        ppad_fail(err, "%s: expected a JSON object with \"train\" and \"test\"", file);
        goto done;
    }
    if (!json_object_object_get_ex(doc, "train", &tr)) {
        ppad_fail(err, "%s: missing \"train\"", file);
        goto done;
    }
    if (!json_object_object_get_ex(doc, "test", &te)) {
        ppad_fail(err, "%s: missing \"test\"", file);
        goto done;
    }
    if (get_list(&l0, tr, "0", "train", file, err) || get_list(&t0, te, "0", "test", file, err) ||
        get_list(&t1, te, "1", "test", file, err))
        goto done;
    if (!dir_exists(images)) {
        ppad_fail(err, "%s: no such folder (vindr layout)", images);
        goto done;
    }
    if (add_names(train, l0, images, 0, "train/0", file, err) || add_names(test, t0, images, 0, "test/0", file, err) ||
        add_names(test, t1, images, 1, "test/1", file, err))
        goto done;
    /* "unlabeled": {"0": [...], "1": [...]} (or a plain list) — counted only */
    if (json_object_object_get_ex(tr, "unlabeled", &unl)) {
        if (json_object_is_type(unl, json_type_array)) {
            d->n_unlabeled = json_object_array_length(unl);
        } else if (json_object_is_type(unl, json_type_object)) {
            json_object_object_foreach(unl, key, val) {
                (void)key;
                if (json_object_is_type(val, json_type_array)) d->n_unlabeled += json_object_array_length(val);
            }
        }
    }
    rc = 0;
done:
    if (doc) json_object_put(doc);
    free(text);
    free(dir);
    free(file);
    free(images);
    return rc;
}
