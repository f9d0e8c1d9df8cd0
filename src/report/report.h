/* report.h — `ppad report`: one self-contained HTML page (inline CSS and SVG,
 * images as base64 data: URIs, no network, no external scripts or fonts;
 * printable) that shows an evaluation, and a JSON copy of every number it
 * draws (embedded as <script type="application/json" id="ppad-report"> and
 * optionally written beside it).
 *
 * The numbers come from the ppad layer (metrics.h, curves.h, bootstrap.h,
 * distrib.h); this layer selects, draws and writes. */
#ifndef PPAD_REPORT_REPORT_H
#define PPAD_REPORT_REPORT_H

#include <stddef.h>

#include "data/data.h"
#include "image/image.h"
#include "ppad.h"
#include "ppad/explain.h"
#include "ppad/scores_csv.h"
#include "ppad/trainlog_csv.h"

#define REPORT_MAX_SETTINGS    64
#define REPORT_DEFAULT_GALLERY 6

/* PNG bytes (malloc'd; data NULL when there is none). */
typedef struct report_blob {
    unsigned char *data;
    size_t size;
} report_blob;
void report_blob_free(report_blob *b);

/* What the gallery shows of one image besides the image itself: the fused
 * heat-map overlay and the five-position panel (`ppad explain` figures). */
typedef struct report_visual {
    report_blob overlay, panel;
} report_visual;

/* The gallery's heat-map hook: for the n gallery images (their paths as in
 * the scores), fill out[i] (zeroed by the caller) with what is available;
 * leave a blob empty when there is none. Returns 0, or -1 to fail the report. */
typedef int (*report_visual_fn)(void *ctx, report_visual *out, const char *const *paths, int n, ppad_err *err);
/* Loads an image of the scores for a thumbnail (8-bit gray). */
typedef int (*report_image_fn)(void *ctx, gray8 *out, const char *path, ppad_err *err);

/* ---- heat-map pictures of one explained image (report_explain.c) ----
 * img is the image at its original size (8-bit gray). Turbo colormap, the
 * map blended over its region (20% opaque at its minimum to 65% at its
 * maximum), the rest dimmed. */
/* The Turbo colormap (Mikhailov 2019): t in [0, 1] (clamped; NaN as 0) to 8-bit sRGB. */
void report_colormap_turbo(uint8_t rgb[3], double t);
/* The fused view (explain_fused_view) over the image: RGB PNG of img's size. */
int report_explain_overlay(report_blob *png, const gray8 *img, const explain_result *r, ppad_err *err);
/* The five positions side by side, captioned (position, p), with the fused
 * score, the verdict at threshold, the method and a colour bar. */
int report_explain_panel(report_blob *png, const gray8 *img, const explain_result *r, int method, double threshold,
                         ppad_err *err);
/* Both into out (overlay and panel). */
int report_explain_draw(report_visual *out, const gray8 *img, const explain_result *r, int method, double threshold,
                        ppad_err *err);

/* A sample of the synthetic lesions a run trained on (report_lesions.c). */
typedef struct report_lesion {
    report_blob png;   /* the image with the lesion, its outline drawn */
    char caption[160]; /* "SAS · left lung · weight −0.99" */
    char method[8];    /* "sas", "fpi" */
    int position;      /* REGION_* */
    double param;      /* SAS weight or FPI alpha */
    char source[512];  /* the normal image it was drawn on */
} report_lesion;

typedef struct report_kv {
    char key[64];
    char value[1024];
} report_kv;

typedef struct report_input {
    const char *title;          /* NULL: "ppad evaluation report" */
    const char *source;         /* one line: where the scores came from */
    const ppad_scores *scores;  /* the evaluation drawn (required; both classes) */
    double threshold;           /* abnormal iff score > threshold */
    int bootstrap;              /* resamples B for the confidence intervals (0: BOOTSTRAP_DEFAULT_B) */
    unsigned long long seed;    /* of the bootstrap */
    const ppad_train_log *logs; /* one training log per run (n_logs may be 0) */
    int n_logs;
    const ppad_metrics *runs;            /* per-run metrics; a table with mean ± sd when n_runs > 1 */
    const unsigned long long *run_seeds; /* (n_runs) or NULL */
    const char *const *run_names;        /* (n_runs) or NULL: "run 1", ... */
    int n_runs;
    report_kv settings[REPORT_MAX_SETTINGS]; /* settings and provenance, in order */
    int n_settings;
    int gallery;                /* images per gallery group (0: REPORT_DEFAULT_GALLERY; < 0: none) */
    int images;                 /* embed thumbnails of the gallery's images */
    report_image_fn load_image; /* NULL: image_load_gray of the path, else relative to image_base */
    void *load_ctx;
    const char *image_base;   /* folder a relative image path is also tried in (NULL: none) */
    report_visual_fn visuals; /* heat maps of the gallery (NULL: none) */
    void *visuals_ctx;
    const report_lesion *lesions; /* synthetic lesions a training run used (may be NULL) */
    int n_lesions;
    const char *lesions_note; /* how they were drawn */
    /* Called with one line for what the page notes but does not fail on
     * (an image that could not be read); NULL: only the page says it. */
    void (*warn)(void *ctx, const char *msg);
    void *warn_ctx;
} report_input;

/* Appends a setting (key, printf-formatted value); silently ignores more
 * than REPORT_MAX_SETTINGS. */
void report_set(report_input *in, const char *key, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* For `--report DIR`: creates DIR when it does not exist (its parent must)
 * and fills html (DIR/report.html) and json (DIR/report.json), buffers of
 * size bytes. The caller checks those two outputs as it checks its others. */
int report_dir_paths(char *html, char *json, size_t size, const char *dir, ppad_err *err);

/* The rows of in->scores the gallery shows (in->gallery, in->threshold), in
 * the order its visuals hook gets their paths: *rows (*n, malloc'd). */
int report_gallery_rows(long **rows, int *n, const report_input *in, ppad_err *err);

/* Computes, draws and writes the page to html_path (and the JSON to
 * json_path unless NULL), each atomically. The caller has checked that both
 * can be written and name no input. */
int report_write(const report_input *in, const char *html_path, const char *json_path, ppad_err *err);

/* A `ppad explain --out DIR` / `predict --heatmaps DIR` folder as a visual
 * hook: DIR/index.csv with columns path,overlay,panel,... (overlay and panel
 * are file names relative to DIR; either may be empty). Rows are matched to
 * gallery images by path (exactly, else by the same file on disk). */
typedef struct report_heatmaps {
    char *dir;
    long n;
    char **path, **overlay, **panel; /* (n) each */
} report_heatmaps;
int report_heatmaps_open(report_heatmaps *h, const char *dir, ppad_err *err);
void report_heatmaps_free(report_heatmaps *h);
/* report_visual_fn over a report_heatmaps (ctx). A listed file that is
 * missing or not a PNG fails the report. */
int report_heatmaps_visuals(void *ctx, report_visual *out, const char *const *paths, int n, ppad_err *err);

/* Draws n example lesions with a run's synthesis settings (method
 * "sas"/"fpi", seed, whole-image-only when no_position) on normals of a
 * training set, each at the dataset's base size with its outline. images:
 * paths of normal images (n_images >= 1; FPI takes its patch from another
 * one). Fills out[0..n). */
int report_lesions_draw(report_lesion *out, int n, const char *const *images, int n_images,
                        int (*load)(void *ctx, gray8 *out, const char *path, ppad_err *err), void *load_ctx,
                        const char *method, unsigned long long seed, int no_position, ppad_err *err);
void report_lesions_free(report_lesion *l, int n);

/* For `test/train/zeroshot --report DIR` (report_dataset.c). */
/* The scores of d's test split (fused (n_test), probs (n_test, PPAD_NPOS) or
 * NULL; NaN entries mark positions not scored) as a ppad_scores. */
int report_scores_from_dataset(ppad_scores *out, const dataset *d, const double *fused, const double *probs,
                               ppad_err *err);
/* report_image_fn for d's images (ctx: the dataset): full size, d's decode options. */
int report_dataset_image(void *ctx, gray8 *out, const char *path, ppad_err *err);
/* n lesions on d's training normals at its base size (report_lesions_draw). */
int report_dataset_lesions(report_lesion *out, int n, const dataset *d, const char *method, unsigned long long seed,
                           int no_position, ppad_err *err);

/* What a training run adds to its report: its settings, the lesion sample
 * (method and position rule of opts, seed `seed` set by the caller: the first
 * run's) and, with several runs, the line saying the figures are the last
 * run's. x holds what in points to; free x->lesions with report_lesions_free. */
#define REPORT_LESIONS 8
typedef struct report_train_extra {
    unsigned long long seed;
    report_lesion lesions[REPORT_LESIONS];
    int n_lesions;
    char note[400], source[128];
} report_train_extra;
struct ppad_train_opts;
int report_add_training(report_input *in, report_train_extra *x, const struct ppad_train_opts *opts, const dataset *d,
                        int runs, ppad_err *err);

#endif
