/* names.c — --classes / --positions options shared by the PPAD verbs. */
#include <stdio.h>
#include <string.h>

#include "base/error.h"
#include "cli/cli.h"

/* Splits a comma list into exactly n names (empty names allowed). */
int cli_name_list(char out[][PPAD_MAXNAME], int n, const char *list, const char *opt, ppad_err *err) {
    const char *s = list;
    for (int i = 0; i < n; i++) {
        const char *c = strchr(s, ',');
        size_t len = c ? (size_t)(c - s) : strlen(s);
        if (i < n - 1 && !c) return ppad_fail(err, "%s: expected %d comma-separated names, got %d", opt, n, i + 1);
        if (i == n - 1 && c) return ppad_fail(err, "%s: expected %d comma-separated names, got more", opt, n);
        if (len >= PPAD_MAXNAME) return ppad_fail(err, "%s: name %d is too long", opt, i + 1);
        memcpy(out[i], s, len);
        out[i][len] = 0;
        s = c ? c + 1 : s + len;
    }
    return 0;
}

int cli_names(ppad_names *names, const char *classes, const char *positions, ppad_err *err) {
    names_default(names);
    if (classes && cli_name_list(names->cls, PPAD_NCLS, classes, "--classes", err) != 0) return -1;
    if (positions && cli_name_list(names->position, PPAD_NPOS, positions, "--positions", err) != 0) return -1;
    return 0;
}
