/* csv.c — the one CSV record parser of ppad (RFC 4180 quoting, in place). */
#include "base/csv.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/error.h"

static int record_push(csv_record *rec, char *field, ppad_err *err) {
    if (rec->n == rec->cap) {
        int cap = rec->cap ? 2 * rec->cap : 16;
        char **f = realloc(rec->f, sizeof(char *) * (size_t)cap);
        if (!f) return ppad_fail(err, "out of memory");
        rec->f = f;
        rec->cap = cap;
    }
    rec->f[rec->n++] = field;
    return 0;
}

static int is_blank(char c) { return c == ' ' || c == '\t' || c == '\r'; }

int csv_next(char **pos, char *end, long *line, csv_record *rec, ppad_err *err) {
    char *r = *pos;
    if (r >= end) return 0;
    rec->n = 0;
    rec->line = *line;
    for (;;) {
        while (r < end && (*r == ' ' || *r == '\t')) r++;
        char *field = r, *w = r, *kept = r; /* kept: end of quoted content (not trimmed) */
        if (r < end && *r == '"') {
            r++;
            for (;;) {
                if (r >= end) return ppad_fail(err, "line %ld: unterminated quoted field", rec->line);
                if (*r == '"') {
                    if (r + 1 < end && r[1] == '"') {
                        *w++ = '"';
                        r += 2;
                        continue;
                    }
                    r++;
                    break;
                }
                if (*r == '\n') (*line)++;
                *w++ = *r++;
            }
            kept = w;
        }
        while (r < end && *r != ',' && *r != '\n') *w++ = *r++;
        while (w > kept && is_blank(w[-1])) w--;
        char delim = r < end ? *r : 0;
        *w = 0; /* w <= r, and the buffer has a NUL after its end */
        if (record_push(rec, field, err) != 0) return -1;
        if (r < end) r++;
        if (delim == '\n') {
            (*line)++;
            break;
        }
        if (delim != ',') break;
    }
    *pos = r;
    return 1;
}

int csv_header(char **pos, char *end, long *line, csv_record *rec, const char *const *names, int n, int *cols,
               ppad_err *err) {
    if (end - *pos >= 3 && memcmp(*pos, "\xEF\xBB\xBF", 3) == 0) *pos += 3;
    int got;
    while ((got = csv_next(pos, end, line, rec, err)) == 1 && csv_blank(rec)) {
    }
    if (got != 1) return got;
    for (int j = 0; j < n; j++) cols[j] = -1;
    for (int i = 0; i < rec->n; i++)
        for (int j = 0; j < n; j++) {
            if (strcasecmp(rec->f[i], names[j]) != 0) continue;
            if (cols[j] >= 0)
                return ppad_fail(err, "line %ld: the header has two columns named '%s'", rec->line, rec->f[i]);
            cols[j] = i;
        }
    return 1;
}

int csv_blank(const csv_record *rec) { return rec->n == 1 && rec->f[0][0] == 0; }

void csv_record_free(csv_record *rec) {
    free(rec->f);
    rec->f = NULL;
    rec->n = rec->cap = 0;
}
