/* scores_csv.h — reads labels and scores from a CSV file for `ppad metrics`.
 *
 * The first non-empty line is a header; the columns named "label" and "score"
 * (case-insensitive, any position) are used and every other column is ignored,
 * so `ppad test --scores` output (path,label,score,p_left,...) is read as is.
 * Fields may be double-quoted ("" for a quote; commas and line breaks allowed
 * inside quotes); spaces around unquoted fields, CRLF line ends, blank lines
 * and a UTF-8 byte order mark are tolerated. Labels are 0 or 1 (1.0 and 0.0
 * accepted); scores are finite decimal numbers. */
#ifndef PPAD_PPAD_SCORES_CSV_H
#define PPAD_PPAD_SCORES_CSV_H

#include "ppad.h"

typedef struct ppad_scores {
    long n;
    int *labels;
    double *scores;
} ppad_scores;

/* Errors name the file and, for a bad row, its line number. */
int  scores_csv_read(ppad_scores *out, const char *path, ppad_err *err);
void scores_free(ppad_scores *s);

#endif
