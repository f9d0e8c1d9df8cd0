/* scores_csv.h — reads a scores CSV: labels and scores (for `ppad metrics`
 * and `ppad report`), and where present the image paths and the five
 * per-position probabilities.
 *
 * The first non-empty line is a header; the columns named "label" and "score"
 * (case-insensitive, any position) are required; "path" and the per-position
 * columns "p_left", "p_right", "p_upper", "p_lower", "p_whole" are read when
 * present, and every other column is ignored, so `ppad test --scores` output
 * (path,label,score,p_left,...) is read as is. Fields may be double-quoted
 * ("" for a quote; commas and line breaks allowed inside quotes); spaces
 * around unquoted fields, CRLF line ends, blank lines and a UTF-8 byte order
 * mark are tolerated. Labels are 0 or 1 (1.0 and 0.0 accepted); scores are
 * finite decimal numbers. A p_* field may be empty (a position that was not
 * scored, as zeroshot writes): it reads as NaN. */
#ifndef PPAD_PPAD_SCORES_CSV_H
#define PPAD_PPAD_SCORES_CSV_H

#include "ppad.h"
#include "ppad/prompts.h" /* PPAD_NPOS */

typedef struct ppad_scores {
    long n;
    int *labels;   /* (n) */
    double *scores; /* (n) */
    char **paths;  /* (n) strings, or NULL when the file has no "path" column */
    double *probs; /* (n, PPAD_NPOS) row-major, or NULL when no p_* column exists;
                      NaN for an empty field or a column the file lacks */
    int has_prob[PPAD_NPOS]; /* 1 if the file has that p_* column */
} ppad_scores;

/* The p_* column names in position order: "p_left" .. "p_whole". */
extern const char *const SCORES_PROB_COLUMNS[PPAD_NPOS];

/* Errors name the file and, for a bad row, its line number. */
int  scores_csv_read(ppad_scores *out, const char *path, ppad_err *err);
void scores_free(ppad_scores *s);

#endif
