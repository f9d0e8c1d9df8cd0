/* csv.h — CSV records parsed in place from a NUL-terminated buffer (as
 * file_read_all returns): double-quoted fields with "" escapes and line breaks,
 * CRLF, blanks around unquoted fields trimmed. Used by every CSV reader of
 * ppad (scores files, step manifests). */
#ifndef PPAD_BASE_CSV_H
#define PPAD_BASE_CSV_H

#include "ppad.h"

/* One parsed record: fields point into the buffer (unquoted in place). */
typedef struct csv_record {
    char **f;
    int n, cap;
    long line; /* line on which the record starts (1-based) */
} csv_record;

/* Parses the record at *pos (up to end) in place. Returns 1 for a record, 0 at
 * the end of the data, -1 on error (err without the file name). *line counts
 * the line breaks consumed (start it at 1). */
int  csv_next(char **pos, char *end, long *line, csv_record *rec, ppad_err *err);
/* The header: skips a UTF-8 byte order mark and blank lines, parses the first
 * record into rec and looks up the n names in it (case-insensitive): cols[i]
 * is that column's index, or -1. Returns 1, 0 when there is no record at all,
 * -1 on an error (a broken record; a name present twice: "line L: the header
 * has two columns named 'x'"), err without the file name. */
int  csv_header(char **pos, char *end, long *line, csv_record *rec, const char *const *names, int n, int *cols,
                ppad_err *err);
/* 1 if the record is an empty line. */
int  csv_blank(const csv_record *rec);
void csv_record_free(csv_record *rec);

#endif
