/* trainlog_csv.h — reads the per-step training log that `ppad train --log`
 * writes: a CSV with header step,epoch,lr,loss,n_abnormal,seconds. Columns
 * are found by name (any order, case-insensitive); step, lr and loss are
 * required, epoch, n_abnormal and seconds optional (NaN when absent); other
 * columns are ignored. Same CSV rules as scores_csv.h. */
#ifndef PPAD_PPAD_TRAINLOG_CSV_H
#define PPAD_PPAD_TRAINLOG_CSV_H

#include <stddef.h>

#include "ppad.h"

enum { TRAINLOG_STEP, TRAINLOG_EPOCH, TRAINLOG_LR, TRAINLOG_LOSS, TRAINLOG_NABN, TRAINLOG_SECONDS, TRAINLOG_NCOL };
extern const char *const TRAINLOG_COLUMNS[TRAINLOG_NCOL]; /* "step", "epoch", ... */

typedef struct ppad_train_log {
    long n;                     /* rows (steps) */
    double *col[TRAINLOG_NCOL]; /* (n) each, indexed by TRAINLOG_*; NaN when absent */
} ppad_train_log;

/* name: used in messages (a file name). data need not be NUL-terminated. */
int trainlog_parse(ppad_train_log *out, const char *data, size_t size, const char *name, ppad_err *err);
int trainlog_read(ppad_train_log *out, const char *path, ppad_err *err);
void trainlog_free(ppad_train_log *l);

#endif
