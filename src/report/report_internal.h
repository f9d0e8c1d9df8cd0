/* report_internal.h — what the report's parts share (private to src/report):
 * the numbers computed once from the input, drawn by the page and written
 * to the JSON. */
#ifndef PPAD_REPORT_REPORT_INTERNAL_H
#define PPAD_REPORT_REPORT_INTERNAL_H

#include "ppad/bootstrap.h"
#include "ppad/curves.h"
#include "ppad/distrib.h"
#include "ppad/metrics.h"
#include "report/rbuf.h"
#include "report/report.h"

#define REPORT_BINS 20 /* score histogram bins */

enum { GAL_FP, GAL_FN, GAL_TP, GAL_GROUPS };
extern const char *const GALLERY_KEYS[GAL_GROUPS];   /* "false_positives", ... */
extern const char *const GALLERY_TITLES[GAL_GROUPS]; /* "Most confident false positives", ... */

typedef struct gallery_item {
    long row;          /* in the scores */
    report_blob thumb; /* the image itself (PNG), when --images */
    report_visual vis; /* heat maps, when available */
    char note[1100];   /* why the image is missing (empty: fine or not asked) */
} gallery_item;

typedef struct position_stats {
    int available;     /* the column exists and holds a finite value */
    long n_missing;    /* rows without a value */
    double auc;        /* NaN when one class lacks values */
    ppad_summary s[2]; /* per label */
    ppad_hist hist;    /* over [0, 1] */
} position_stats;

typedef struct report_numbers {
    ppad_metrics m;
    ppad_bootstrap ci;
    ppad_curves cv;
    ppad_cutoff youden, sens90, sens95;
    double op_fpr, op_tpr, op_precision, op_recall; /* at the threshold (precision NaN if nothing is positive) */
    ppad_hist hist;
    position_stats pos[PPAD_NPOS];
    int has_stats;
    ppad_metrics_stats stats; /* over the runs, when n_runs > 1 */
    int n_gal[GAL_GROUPS];
    gallery_item *gal[GAL_GROUPS];
    char notes[8][320]; /* shown under "Notes" and in the JSON */
    int n_notes;
    char generated[64]; /* UTC time (SOURCE_DATE_EPOCH when set) */
} report_numbers;

int report_numbers_compute(report_numbers *r, const report_input *in, ppad_err *err);
void report_numbers_free(report_numbers *r);
void report_note(report_numbers *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Pictures the page shows small are embedded small (report_fit.c): the
 * longest side of a gallery thumbnail or heat-map overlay, pixels. */
#define REPORT_THUMB_SIDE 256
/* w x h scaled down (aspect kept) so that neither side exceeds side. */
void report_fit_size(int *w, int *h, int side);
/* Replaces a PNG (gray, RGB, any depth) larger than side with an 8-bit RGB
 * PNG scaled down to it; smaller ones, and an empty blob, stay. */
int report_fit_png(report_blob *b, int side, ppad_err *err);

/* The gallery: choose the rows, load thumbnails and visuals. */
int report_gallery_build(report_numbers *r, const report_input *in, ppad_err *err);

/* The figures (report_plots.c), each one inline <svg>. */
void plot_roc(rbuf *b, const report_numbers *r, double threshold);
void plot_pr(rbuf *b, const report_numbers *r, double threshold);
void plot_histogram(rbuf *b, const report_numbers *r, double threshold);
void plot_positions(rbuf *b, const report_numbers *r);
void plot_train_loss(rbuf *b, const report_input *in);
void plot_train_lr(rbuf *b, const report_input *in);
/* The five probabilities of one image as a small bar chart. */
void plot_probs(rbuf *b, const double *probs /* (PPAD_NPOS) */, double score, double threshold);

/* The page (report_html.c) and the JSON (report_json.c). */
int report_html(rbuf *b, const report_input *in, const report_numbers *r, const char *json_text, ppad_err *err);
/* The JSON document as text (malloc'd): embedded = escaped for a <script>
 * element ('<' as \u003c). */
char *report_json(const report_input *in, const report_numbers *r, int embedded, ppad_err *err);

#endif
