/* progress.c — progress bar with ETA on stderr. */
#include "base/progress.h"

#include <stdio.h>
#include <time.h>
#include <unistd.h>

double ppad_now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

void progress_begin(ppad_progress *p, const char *label, long total, int quiet) {
    p->label = label;
    p->total = total > 0 ? total : 1;
    p->done = 0;
    p->t0 = ppad_now();
    p->last_print = 0;
    p->tty = isatty(2);
    p->quiet = quiet;
    p->last_decile = -1;
}

static void fmt_time(char *buf, size_t n, double s) {
    if (s < 0) s = 0;
    long t = (long)(s + 0.5);
    if (t >= 3600) snprintf(buf, n, "%ldh%02ldm", t / 3600, (t / 60) % 60);
    else snprintf(buf, n, "%ldm%02lds", t / 60, t % 60);
}

static void draw(ppad_progress *p, const char *extra, int final) {
    double el = ppad_now() - p->t0;
    double frac = (double)p->done / (double)p->total;
    double eta = p->done > 0 ? el * (double)(p->total - p->done) / (double)p->done : 0;
    char e1[32], e2[32];
    fmt_time(e1, sizeof e1, el);
    fmt_time(e2, sizeof e2, eta);
    char bar[31];
    int fill = (int)(frac * 30);
    for (int i = 0; i < 30; i++) bar[i] = i < fill ? '#' : '.';
    bar[30] = 0;
    fprintf(stderr, "%s%s [%s] %ld/%ld %3.0f%% elapsed %s eta %s%s%s%s", p->tty ? "\r" : "", p->label, bar,
            p->done, p->total, 100 * frac, e1, e2, extra ? "  " : "", extra ? extra : "",
            p->tty ? "\033[K" : "");
    if (!p->tty || final) fputc('\n', stderr);
    fflush(stderr);
}

void progress_update(ppad_progress *p, long done, const char *extra) {
    p->done = done;
    if (p->quiet) return;
    double now = ppad_now();
    if (p->tty) {
        if (now - p->last_print < 0.2 && done < p->total) return;
        p->last_print = now;
        draw(p, extra, 0);
    } else {
        int dec = (int)(10 * done / p->total);
        if (dec == p->last_decile) return;
        p->last_decile = dec;
        draw(p, extra, 0);
    }
}

void progress_end(ppad_progress *p, const char *extra) {
    if (p->quiet) return;
    p->done = p->total;
    if (p->tty || p->last_decile != 10) draw(p, extra, 1);
}
