/* canvas.c — a small RGB raster for the heat-map figures: fill, rectangles,
 * an RGB image blitted in, text in the project's own 5x7 bitmap font
 * (report/font.h: printable ASCII with descenders, scaled by whole pixels),
 * and the Turbo colormap. No cairo: the figures need boxes and short captions only, and a
 * bitmap font makes them identical on every machine with no font files. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "report/canvas.h"
#include "report/font.h"

int canvas_alloc(rgb_canvas *c, int w, int h, const uint8_t bg[3], ppad_err *err) {
    c->w = w, c->h = h;
    c->px = ppad_malloc((size_t)w * h * 3, err);
    if (!c->px) return -1;
    canvas_rect(c, 0, 0, w, h, bg);
    return 0;
}

void canvas_free(rgb_canvas *c) {
    free(c->px);
    memset(c, 0, sizeof *c);
}

void canvas_rect(rgb_canvas *c, int x, int y, int w, int h, const uint8_t rgb[3]) {
    int x1 = x + w > c->w ? c->w : x + w, y1 = y + h > c->h ? c->h : y + h;
    if (x < 0) x = 0;
    if (y < 0) y = 0;
    for (int yy = y; yy < y1; yy++)
        for (int xx = x; xx < x1; xx++) memcpy(c->px + ((size_t)yy * c->w + xx) * 3, rgb, 3);
}

void canvas_blit(rgb_canvas *c, const uint8_t *rgb, int w, int h, int x, int y) {
    for (int yy = 0; yy < h; yy++) {
        if (y + yy < 0 || y + yy >= c->h) continue;
        for (int xx = 0; xx < w; xx++) {
            if (x + xx < 0 || x + xx >= c->w) continue;
            memcpy(c->px + ((size_t)(y + yy) * c->w + x + xx) * 3, rgb + ((size_t)yy * w + xx) * 3, 3);
        }
    }
}

int canvas_text_width(const char *s, int scale) { return font_text_width(s, scale); }

void canvas_text(rgb_canvas *c, int x, int y, const char *s, int scale, const uint8_t rgb[3]) {
    for (; *s; s++, x += CANVAS_ADVANCE * scale) {
        const uint8_t *g = font_glyph((unsigned char)*s);
        for (int r = 0; r < FONT_ROWS; r++)
            for (int col = 0; col < 5; col++)
                if (g[r] & (0x10 >> col)) canvas_rect(c, x + col * scale, y + r * scale, scale, scale, rgb);
    }
}

/* Turbo (A. Mikhailov, Google, 2019: an improved rainbow colormap, smooth in
 * lightness, for heat maps), as 17 control points at t = i/16 in 8-bit sRGB,
 * linearly interpolated (within 8/255 of the published 256-entry table, which
 * tests/parity/test_explain.py compares with matplotlib's "turbo"). */
static const uint8_t TURBO[17][3] = {
    {48, 18, 59},    {64, 64, 162},   {70, 107, 227}, {66, 148, 255}, {40, 188, 235}, {24, 221, 194},
    {50, 242, 152},  {109, 254, 98},  {164, 252, 60}, {205, 236, 52}, {238, 207, 58}, {253, 172, 52},
    {251, 126, 33},  {235, 80, 14},   {208, 47, 5},   {169, 22, 1},   {122, 4, 3},
};

void report_colormap_turbo(uint8_t rgb[3], double t) {
    if (!(t > 0)) t = 0; /* NaN too */
    if (t > 1) t = 1;
    double f = t * 16;
    int i = (int)f;
    if (i > 15) i = 15;
    double u = f - i;
    for (int ch = 0; ch < 3; ch++) rgb[ch] = (uint8_t)lround(TURBO[i][ch] * (1 - u) + TURBO[i + 1][ch] * u);
}
