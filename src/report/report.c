/* report.c — `ppad report`: computes the numbers, writes the JSON copy and
 * the page, each atomically, after checking every output location. */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/error.h"
#include "base/fileio.h"
#include "report/report_internal.h"

void report_set(report_input *in, const char *key, const char *fmt, ...) {
    if (in->n_settings >= REPORT_MAX_SETTINGS) return;
    report_kv *kv = &in->settings[in->n_settings++];
    snprintf(kv->key, sizeof kv->key, "%s", key);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(kv->value, sizeof kv->value, fmt, ap);
    va_end(ap);
}

/* The folder part of path ("." when there is none). */
static void parent_of(char *out, size_t n, const char *path) {
    const char *s = strrchr(path, '/');
    if (!s) snprintf(out, n, ".");
    else if (s == path) snprintf(out, n, "/");
    else snprintf(out, n, "%.*s", (int)(s - path), path);
}

static int same_file(const struct stat *a, const char *path) {
    struct stat b;
    return stat(path, &b) == 0 && a->st_dev == b.st_dev && a->st_ino == b.st_ino;
}

static int check_one(const char *out, const char *other, const char *const *inputs, int n, ppad_err *err) {
    struct stat st;
    if (!*out) return ppad_fail(err, "an output path is empty");
    if (stat(out, &st) == 0) {
        if (S_ISDIR(st.st_mode)) return ppad_fail(err, "%s: is a folder, expected a file name to write", out);
        for (int i = 0; i < n; i++)
            if (inputs[i] && same_file(&st, inputs[i]))
                return ppad_fail(err, "%s: is the input %s; refusing to overwrite it", out, inputs[i]);
        if (other && same_file(&st, other)) return ppad_fail(err, "%s: given as both outputs", out);
    }
    if (other && !strcmp(out, other)) return ppad_fail(err, "%s: given as both outputs", out);
    for (int i = 0; i < n; i++)
        if (inputs[i] && !strcmp(out, inputs[i]))
            return ppad_fail(err, "%s: is an input; refusing to overwrite it", out);
    char dir[PATH_MAX];
    parent_of(dir, sizeof dir, out);
    if (!dir_exists(dir)) return ppad_fail(err, "%s: the folder %s does not exist", out, dir);
    if (access(dir, W_OK) != 0)
        return ppad_fail(err, "%s: cannot write in the folder %s: %s", out, dir, strerror(errno));
    return 0;
}

int report_check_outputs(const char *html_path, const char *json_path, const char *const *inputs, int n,
                         ppad_err *err) {
    if (check_one(html_path, json_path, inputs, n, err) != 0) return -1;
    if (json_path && check_one(json_path, html_path, inputs, n, err) != 0) return -1;
    return 0;
}

int report_prepare_dir(char *html, char *json, size_t hsize, const char *dir, ppad_err *err) {
    if (!dir || !*dir) return ppad_fail(err, "--report needs a folder");
    struct stat st;
    if (stat(dir, &st) == 0) {
        if (!S_ISDIR(st.st_mode))
            return ppad_fail(err, "%s: exists and is not a folder (--report takes a folder)", dir);
    } else {
        char parent[PATH_MAX];
        parent_of(parent, sizeof parent, dir);
        if (!dir_exists(parent))
            return ppad_fail(err, "%s: cannot create the report folder: %s does not exist", dir, parent);
        if (mkdir(dir, 0777) != 0 && errno != EEXIST)
            return ppad_fail(err, "%s: cannot create the report folder: %s", dir, strerror(errno));
    }
    if (access(dir, W_OK) != 0)
        return ppad_fail(err, "%s: cannot write in the report folder: %s", dir, strerror(errno));
    if ((size_t)snprintf(html, hsize, "%s/report.html", dir) >= hsize ||
        (size_t)snprintf(json, hsize, "%s/report.json", dir) >= hsize)
        return ppad_fail(err, "%s: path too long", dir);
    return 0;
}

static int write_text(const char *path, const char *text, size_t n, ppad_err *err) {
    atomic_file af;
    if (atomic_open(&af, path, err) != 0) return -1;
    if (fwrite(text, 1, n, af.fp) != n) {
        atomic_abort(&af);
        return ppad_fail(err, "%s: cannot write: %s", path, strerror(errno));
    }
    return atomic_commit(&af, err);
}

int report_write(const report_input *in, const char *html_path, const char *json_path, ppad_err *err) {
    report_numbers r;
    rbuf page = {0};
    char *embedded = NULL, *plain = NULL;
    int rc = -1;
    if (report_numbers_compute(&r, in, err) != 0) goto out;
    if (!(embedded = report_json(in, &r, 1, err))) goto out;
    if (json_path && !(plain = report_json(in, &r, 0, err))) goto out;
    if (report_html(&page, in, &r, embedded, err) != 0) goto out;
    if (plain && write_text(json_path, plain, strlen(plain), err) != 0) goto out;
    if (write_text(html_path, page.s, page.n, err) != 0) goto out;
    rc = 0;
out:
    report_numbers_free(&r);
    rbuf_free(&page);
    free(embedded), free(plain);
    return rc;
}
