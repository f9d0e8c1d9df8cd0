/* report.c — `ppad report`: computes the numbers, writes the JSON copy and
 * the page, each atomically, after checking every output location. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

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

int report_dir_paths(char *html, char *json, size_t size, const char *dir, ppad_err *err) {
    if (!dir || !*dir) return ppad_fail(err, "--report needs a folder");
    struct stat st;
    if (stat(dir, &st) == 0) {
        if (!S_ISDIR(st.st_mode))
            return ppad_fail(err, "%s: exists and is not a folder (--report takes a folder)", dir);
    } else if (mkdir(dir, 0777) != 0 && !(errno == EEXIST && dir_exists(dir))) {
        if (errno == ENOENT)
            return ppad_fail(err, "%s: cannot create the report folder: its parent does not exist", dir);
        return ppad_fail(err, "%s: cannot create the report folder: %s", dir, strerror(errno));
    }
    if ((size_t)snprintf(html, size, "%s/report.html", dir) >= size ||
        (size_t)snprintf(json, size, "%s/report.json", dir) >= size)
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
