/* progress.h — a one-line progress bar with rate and ETA on stderr.
 * Redraws in place on a terminal; on a pipe/file prints a line every ~10%. */
#ifndef PPAD_BASE_PROGRESS_H
#define PPAD_BASE_PROGRESS_H

typedef struct ppad_progress {
    const char *label;
    long total, done;
    double t0, last_print;
    int tty, quiet, last_decile;
} ppad_progress;

void progress_begin(ppad_progress *p, const char *label, long total, int quiet);
/* extra: optional text shown after the bar (e.g. "loss=0.6931"), may be NULL. */
void progress_update(ppad_progress *p, long done, const char *extra);
void progress_end(ppad_progress *p, const char *extra);
double ppad_now(void); /* monotonic seconds */

#endif
