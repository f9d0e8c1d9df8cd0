/* inputs.c — the images a scoring verb works on: arguments that are files or
 * folders (a folder stands for its images, as the dataset layouts list them),
 * and the lines of a list file (--list FILE, or - for standard input). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/error.h"
#include "base/fileio.h"
#include "cli/cli.h"

static int add(cli_inputs *in, char *path, ppad_err *err) {
    if (!path) return -1;
    if (in->n == in->cap) {
        size_t cap = in->cap ? 2 * in->cap : 64;
        char **p = realloc(in->paths, sizeof(char *) * cap);
        if (!p) {
            free(path);
            return ppad_fail(err, "out of memory listing the inputs");
        }
        in->paths = p;
        in->cap = cap;
    }
    in->paths[in->n++] = path;
    return 0;
}

/* A file stays itself; a folder adds its images. */
static int add_arg(cli_inputs *in, const char *arg, ppad_err *err) {
    struct stat st;
    if (stat(arg, &st) == 0 && S_ISDIR(st.st_mode)) {
        char **paths;
        size_t n;
        if (data_list_folder(&paths, &n, arg, err) != 0) return -1;
        int rc = 0;
        for (size_t i = 0; i < n; i++) {
            if (rc == 0) rc = add(in, paths[i], err);
            else free(paths[i]);
        }
        free(paths);
        return rc;
    }
    return add(in, ppad_strdup(arg, err), err);
}

/* Lines of a list file: one path each; blank lines and '#' comments skipped;
 * relative paths start at the list's folder (standard input: the current one). */
static int add_list(cli_inputs *in, const char *list, ppad_err *err) {
    int from_stdin = !strcmp(list, "-");
    if (!from_stdin && file_check_input(list, err) != 0) return -1;
    FILE *f = from_stdin ? stdin : fopen(list, "r");
    if (!f) return ppad_fail(err, "%s: cannot open the list: %s", list, strerror(errno));
    const char *slash = from_stdin ? NULL : strrchr(list, '/');
    size_t dlen = slash ? (size_t)(slash - list) + 1 : 0;
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    long lineno = 0;
    int rc = 0;
    errno = 0;
    while (rc == 0 && (len = getline(&line, &cap, f)) >= 0) {
        lineno++;
        while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r')) line[--len] = 0;
        if (len == 0 || line[0] == '#') continue;
        if (memchr(line, 0, (size_t)len)) {
            rc = ppad_fail(err, "%s: line %ld holds a NUL byte; not a list of paths", list, lineno);
            break;
        }
        size_t need = (line[0] == '/' ? 0 : dlen) + (size_t)len + 1;
        char *p = ppad_malloc(need, err);
        if (!p) { rc = -1; break; }
        snprintf(p, need, "%.*s%s", line[0] == '/' ? 0 : (int)dlen, list, line);
        rc = add_arg(in, p, err);
        free(p);
    }
    if (rc == 0 && ferror(f)) rc = ppad_fail(err, "%s: read error: %s", list, strerror(errno));
    free(line);
    if (!from_stdin) fclose(f);
    return rc;
}

int cli_inputs_gather(cli_inputs *in, const cli_list *args, const char *list, ppad_err *err) {
    memset(in, 0, sizeof *in);
    for (int i = 0; args && i < args->n; i++)
        if (add_arg(in, args->v[i], err) != 0) goto fail;
    if (list && add_list(in, list, err) != 0) goto fail;
    if (in->n == 0) {
        ppad_fail(err, "%s: lists no images", list ? list : "the arguments");
        goto fail;
    }
    if (in->n > 0x7fffffff) {
        ppad_fail(err, "more than 2^31 images; split the run");
        goto fail;
    }
    return 0;
fail:
    cli_inputs_free(in);
    return -1;
}

void cli_inputs_free(cli_inputs *in) {
    for (size_t i = 0; i < in->n; i++) free(in->paths[i]);
    free(in->paths);
    memset(in, 0, sizeof *in);
}
