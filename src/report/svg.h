/* svg.h — a small SVG writer for the report's plots: a plot area mapping data
 * to pixels, axes with "nice" ticks and grid, polylines (straight or steps),
 * bars, markers, text and a legend. Writes inline <svg> elements (text takes
 * the page's font) into an rbuf. Coordinates are written with two decimals;
 * polylines skip points that fall within a quarter pixel of the previous one
 * (the figure is the same, the data stay in the page's JSON).
 *
 * Why our own and not cairo: the report wants vector figures inside an HTML
 * page (sharp at any zoom and in print, text selectable and in the page's
 * font, hover titles, a few kilobytes each); cairo would either rasterise
 * them (blurry when printed, larger, text not selectable) or write SVG
 * documents of glyph outlines that we would then embed as images. Axes,
 * lines, bars and text are a few hundred lines with no dependency and no
 * font or locale state; the raster work (thumbnails, lesion outlines) is
 * libpng's through image/. */
#ifndef PPAD_REPORT_SVG_H
#define PPAD_REPORT_SVG_H

#include "report/rbuf.h"

/* Colours: Okabe-Ito (distinguishable with the common colour-vision deficiencies). */
#define SVG_NORMAL   "#0072B2" /* blue: label 0 */
#define SVG_ABNORMAL "#D55E00" /* vermilion: label 1 */
#define SVG_INK      "#1a1a1a"
#define SVG_MUTED    "#6b6b6b"
#define SVG_GRID     "#e3e3e3"
#define SVG_ACCENT   "#009E73" /* bluish green: operating points, second series */
#define SVG_PURPLE   "#CC79A7"

typedef struct svg_plot {
    rbuf *b;
    double left, top, width, height; /* plot area in pixels */
    double xlo, xhi, ylo, yhi;       /* data range shown */
} svg_plot;

/* <svg width w height h viewBox> with an accessible title; svg_close ends it.
 * The figure scales down with the page (max-width: 100%). */
void svg_open(rbuf *b, int w, int h, const char *title);
void svg_close(rbuf *b);

void svg_plot_init(svg_plot *p, rbuf *b, double left, double top, double width, double height, double xlo, double xhi,
                   double ylo, double yhi);
double svg_x(const svg_plot *p, double x);
double svg_y(const svg_plot *p, double y);

/* Ticks of a nice step (1, 2 or 5 times a power of ten) covering [lo, hi]
 * with at most max_ticks of them: the first tick and the step. */
void svg_nice_ticks(double lo, double hi, int max_ticks, double *first, double *step);

/* Frame, grid lines at the ticks, tick labels and axis titles (NULL: none).
 * xticks, yticks: at most that many ticks (0: none on that axis). pct: tick
 * labels of that axis as percentages (0.25 -> "25%"). */
void svg_axes(const svg_plot *p, const char *xlabel, const char *ylabel, int xticks, int yticks, int xpct, int ypct);

enum { SVG_LINE = 0, SVG_STEPS_POST = 1 };
/* n points x[i*stride], y[i*stride]; non-finite points break the line. dash: NULL or "4 3". */
void svg_polyline(const svg_plot *p, const double *x, const double *y, long n, long stride, int mode,
                  const char *colour, double width, const char *dash);
/* Filled rectangle between data corners; title (may be NULL) shows on hover. */
void svg_rect(const svg_plot *p, double x0, double y0, double x1, double y1, const char *fill, double opacity,
              const char *title);
/* A marker (circle) at a data point, with an optional hover title. */
void svg_point(const svg_plot *p, double x, double y, double r, const char *fill, const char *title);
/* A vertical line across the plot at data x, with a label at its top (may be NULL). */
void svg_vline(const svg_plot *p, double x, const char *colour, const char *dash, const char *label);
/* Text at pixel (x, y); anchor "start", "middle" or "end"; size in px; weight 400/600. */
void svg_text(rbuf *b, double x, double y, const char *anchor, double size, int weight, const char *colour,
              const char *text);

typedef struct svg_legend_item {
    const char *label;
    const char *colour;
    int kind; /* SVG_KEY_LINE, SVG_KEY_BOX, SVG_KEY_DOT, SVG_KEY_DASH */
} svg_legend_item;
enum { SVG_KEY_LINE, SVG_KEY_BOX, SVG_KEY_DOT, SVG_KEY_DASH };
/* A boxed legend inside the plot at a corner: 0 top-left, 1 top-right,
 * 2 bottom-right, 3 bottom-left. */
void svg_legend(const svg_plot *p, const svg_legend_item *items, int n, int corner);

#endif
