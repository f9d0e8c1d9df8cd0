/* font.h — a 5x7 bitmap font for captions on raster images (the contact sheets
 * of `ppad synth --sheet`, where lower case is drawn upper case; the heat-map
 * figures through report/canvas.h): printable ASCII with descenders; anything
 * else draws as '?'. */
#ifndef PPAD_REPORT_FONT_H
#define PPAD_REPORT_FONT_H

#include <stdint.h>

#include "image/image.h"

#define FONT_W 5       /* glyph width, pixels at scale 1 */
#define FONT_H 7       /* glyph height */
#define FONT_ADVANCE 6 /* glyph width plus one column of space */
#define FONT_ROWS 9    /* rows of a glyph: FONT_H above the baseline, 2 for descenders */

/* The glyph of c (printable ASCII; anything else is '?'): FONT_ROWS rows of
 * FONT_W bits, bit FONT_W - 1 the leftmost column. */
const uint8_t *font_glyph(unsigned char c);

/* Width in pixels of text at scale (no trailing space). */
int  font_text_width(const char *text, int scale);
/* Draws text with its top-left corner at (x, y), each font pixel a scale x scale
 * square of value; glyphs that would pass x + max_w (or the image's edges) are
 * left out whole. */
void font_draw(gray8 *img, int x, int y, int scale, int max_w, uint8_t value, const char *text);

#endif
