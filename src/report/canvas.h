/* canvas.h — an RGB raster (h, w, 3), text in a built-in 5x7 bitmap font, and
 * the Turbo colormap (report_colormap_turbo, report.h), for the heat-map
 * figures (private to src/report). */
#ifndef PPAD_REPORT_CANVAS_H
#define PPAD_REPORT_CANVAS_H

#include <stdint.h>

#include "ppad.h"

#include "report/font.h"

#define CANVAS_ADVANCE FONT_ADVANCE /* glyph advance at scale 1 (5 columns + 1 space) */
#define CANVAS_ROWS    FONT_ROWS    /* glyph rows: 7 above the baseline, 2 descending */

typedef struct rgb_canvas {
    int w, h;
    uint8_t *px; /* (h, w, 3) */
} rgb_canvas;

int  canvas_alloc(rgb_canvas *c, int w, int h, const uint8_t bg[3], ppad_err *err);
void canvas_free(rgb_canvas *c);
/* Clipped to the canvas. */
void canvas_rect(rgb_canvas *c, int x, int y, int w, int h, const uint8_t rgb[3]);
/* Copies an RGB image (h, w, 3) with its top-left corner at (x, y), clipped. */
void canvas_blit(rgb_canvas *c, const uint8_t *rgb, int w, int h, int x, int y);
/* Text with its top-left corner at (x, y); each font pixel is scale x scale.
 * Characters outside printable ASCII are drawn as '?'. */
void canvas_text(rgb_canvas *c, int x, int y, const char *s, int scale, const uint8_t rgb[3]);
int  canvas_text_width(const char *s, int scale);

#endif
