/* svg.c — the report's SVG writer. */
#include "report/svg.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

void svg_open(rbuf *b, int w, int h, const char *title) {
    rbuf_printf(b,
                "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"plot\" width=\"%d\" height=\"%d\" "
                "viewBox=\"0 0 %d %d\" role=\"img\" aria-label=\"",
                w, h, w, h);
    rbuf_esc(b, title);
    rbuf_put(b, "\"><title>");
    rbuf_esc(b, title);
    rbuf_put(b, "</title>\n");
}

void svg_close(rbuf *b) { rbuf_put(b, "</svg>\n"); }

void svg_plot_init(svg_plot *p, rbuf *b, double left, double top, double width, double height, double xlo, double xhi,
                   double ylo, double yhi) {
    p->b = b;
    p->left = left, p->top = top, p->width = width, p->height = height;
    p->xlo = xlo, p->xhi = xhi > xlo ? xhi : xlo + 1;
    p->ylo = ylo, p->yhi = yhi > ylo ? yhi : ylo + 1;
}

double svg_x(const svg_plot *p, double x) { return p->left + (x - p->xlo) / (p->xhi - p->xlo) * p->width; }
double svg_y(const svg_plot *p, double y) { return p->top + p->height - (y - p->ylo) / (p->yhi - p->ylo) * p->height; }

void svg_nice_ticks(double lo, double hi, int max_ticks, double *first, double *step) {
    if (max_ticks < 2) max_ticks = 2;
    double raw = (hi - lo) / (max_ticks - 1);
    if (!(raw > 0) || !isfinite(raw)) raw = 1;
    double mag = pow(10, floor(log10(raw))), s = mag;
    for (int i = 0; i < 4; i++) {
        static const double M[4] = {1, 2, 5, 10};
        s = M[i] * mag;
        if (s >= raw * (1 - 1e-9)) break;
    }
    *step = s;
    *first = ceil(lo / s - 1e-9) * s;
}

/* Tick label: as many decimals as the step needs. */
static void tick_label(char *buf, size_t n, double v, double step, int pct) {
    if (pct) v *= 100, step *= 100;
    int dec = step >= 1 ? 0 : (int)ceil(-log10(step) - 1e-9);
    if (dec > 6) dec = 6;
    if (fabs(v) < step * 1e-6) v = 0; /* no "-0" */
    if (fabs(v) >= 1e5 || (fabs(v) < 1e-4 && v != 0)) snprintf(buf, n, "%.2g%s", v, pct ? "%" : "");
    else snprintf(buf, n, "%.*f%s", dec, v, pct ? "%" : "");
}

void svg_text(rbuf *b, double x, double y, const char *anchor, double size, int weight, const char *colour,
              const char *text) {
    rbuf_printf(b, "<text x=\"%.2f\" y=\"%.2f\" text-anchor=\"%s\" font-size=\"%.1f\"%s fill=\"%s\">", x, y, anchor,
                size, weight > 400 ? " font-weight=\"600\"" : "", colour);
    rbuf_esc(b, text);
    rbuf_put(b, "</text>\n");
}

static void line(rbuf *b, double x1, double y1, double x2, double y2, const char *colour) {
    rbuf_printf(b, "<line x1=\"%.2f\" y1=\"%.2f\" x2=\"%.2f\" y2=\"%.2f\" stroke=\"%s\" stroke-width=\"1\"/>\n", x1, y1,
                x2, y2, colour);
}

/* Grid lines, tick marks and labels of one axis (vertical: the y axis). */
static void axis_ticks(const svg_plot *p, int vertical, int max_ticks, int pct) {
    if (max_ticks <= 0) return;
    const double lo = vertical ? p->ylo : p->xlo, hi = vertical ? p->yhi : p->xhi;
    const double x0 = p->left, x1 = p->left + p->width, y0 = p->top, y1 = p->top + p->height;
    double first, step;
    char lab[48];
    svg_nice_ticks(lo, hi, max_ticks, &first, &step);
    for (int i = 0; i < 100; i++) {
        double v = first + i * step;
        if (v > hi + step * 1e-9) break;
        tick_label(lab, sizeof lab, v, step, pct);
        if (vertical) {
            double y = svg_y(p, v);
            line(p->b, x0, y, x1, y, SVG_GRID);
            line(p->b, x0 - 4, y, x0, y, SVG_MUTED);
            svg_text(p->b, x0 - 7, y + 4, "end", 11, 400, SVG_MUTED, lab);
        } else {
            double x = svg_x(p, v);
            line(p->b, x, y0, x, y1, SVG_GRID);
            line(p->b, x, y1, x, y1 + 4, SVG_MUTED);
            svg_text(p->b, x, y1 + 16, "middle", 11, 400, SVG_MUTED, lab);
        }
    }
}

void svg_axes(const svg_plot *p, const char *xlabel, const char *ylabel, int xticks, int yticks, int xpct, int ypct) {
    rbuf *b = p->b;
    const double x0 = p->left, x1 = p->left + p->width, y0 = p->top, y1 = p->top + p->height;
    rbuf_put(b, "<g class=\"axes\">\n");
    axis_ticks(p, 0, xticks, xpct);
    axis_ticks(p, 1, yticks, ypct);
    rbuf_printf(b,
                "<rect x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\" fill=\"none\" stroke=\"%s\" "
                "stroke-width=\"1\"/>\n",
                x0, y0, p->width, p->height, SVG_MUTED);
    if (xlabel && *xlabel) svg_text(b, (x0 + x1) / 2, y1 + 36, "middle", 12.5, 400, SVG_INK, xlabel);
    if (ylabel && *ylabel) {
        rbuf_printf(b, "<g transform=\"translate(%.2f %.2f) rotate(-90)\">", p->left > 66 ? x0 - 56 : x0 - 46,
                    (y0 + y1) / 2);
        svg_text(b, 0, 0, "middle", 12.5, 400, SVG_INK, ylabel);
        rbuf_put(b, "</g>\n");
    }
    rbuf_put(b, "</g>\n");
}

void svg_polyline(const svg_plot *p, const double *x, const double *y, long n, long stride, int mode,
                  const char *colour, double width, const char *dash) {
    rbuf *b = p->b;
    int open = 0;
    double lx = 0, ly = 0;
    for (long i = 0; i < n; i++) {
        double xv = x[i * stride], yv = y[i * stride];
        if (!isfinite(xv) || !isfinite(yv)) {
            if (open) rbuf_put(b, "\"/>\n");
            open = 0;
            continue;
        }
        double px = svg_x(p, xv), py = svg_y(p, yv);
        if (!open) {
            rbuf_printf(b,
                        "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"%.2f\" stroke-linejoin=\"round\"%s%s%s "
                        "points=\"%.2f,%.2f",
                        colour, width, dash ? " stroke-dasharray=\"" : "", dash ? dash : "", dash ? "\"" : "", px, py);
            open = 1;
            lx = px, ly = py;
            continue;
        }
        int last = i == n - 1 || !isfinite(x[(i + 1) * stride]) || !isfinite(y[(i + 1) * stride]);
        if (mode == SVG_STEPS_POST) {
            if (fabs(px - lx) >= 0.25 || last) { /* horizontal at the previous y, then vertical */
                rbuf_printf(b, " %.2f,%.2f", px, ly);
                lx = px;
            }
            if (fabs(py - ly) >= 0.25 || last) {
                rbuf_printf(b, " %.2f,%.2f", lx, py);
                ly = py;
            }
        } else if (fabs(px - lx) >= 0.25 || fabs(py - ly) >= 0.25 || last) {
            rbuf_printf(b, " %.2f,%.2f", px, py);
            lx = px, ly = py;
        }
    }
    if (open) rbuf_put(b, "\"/>\n");
}

static void title_tag(rbuf *b, const char *title) {
    if (!title) return;
    rbuf_put(b, "<title>");
    rbuf_esc(b, title);
    rbuf_put(b, "</title>");
}

void svg_rect(const svg_plot *p, double x0, double y0, double x1, double y1, const char *fill, double opacity,
              const char *title) {
    double a = svg_x(p, x0), c = svg_x(p, x1), d = svg_y(p, y0), e = svg_y(p, y1);
    double left = a < c ? a : c, top = d < e ? d : e;
    rbuf_printf(p->b, "<rect x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\" fill=\"%s\" fill-opacity=\"%.2f\">",
                left, top, fabs(c - a), fabs(e - d), fill, opacity);
    title_tag(p->b, title);
    rbuf_put(p->b, "</rect>\n");
}

void svg_point(const svg_plot *p, double x, double y, double r, const char *fill, const char *title) {
    rbuf_printf(p->b, "<circle cx=\"%.2f\" cy=\"%.2f\" r=\"%.2f\" fill=\"%s\" stroke=\"#ffffff\" stroke-width=\"1.5\">",
                svg_x(p, x), svg_y(p, y), r, fill);
    title_tag(p->b, title);
    rbuf_put(p->b, "</circle>\n");
}

void svg_vline(const svg_plot *p, double x, const char *colour, const char *dash, const char *label) {
    double px = svg_x(p, x);
    rbuf_printf(
        p->b, "<line x1=\"%.2f\" y1=\"%.2f\" x2=\"%.2f\" y2=\"%.2f\" stroke=\"%s\" stroke-width=\"1.5\"%s%s%s/>\n", px,
        p->top, px, p->top + p->height, colour, dash ? " stroke-dasharray=\"" : "", dash ? dash : "", dash ? "\"" : "");
    if (label) svg_text(p->b, px + 4, p->top + 12, "start", 11, 400, colour, label);
}

/* Characters (code points) of a UTF-8 string. */
static long utf8_chars(const char *s) {
    long n = 0;
    for (; *s; s++) n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

void svg_legend(const svg_plot *p, const svg_legend_item *items, int n, int corner) {
    if (n < 1) return;
    double maxw = 0;
    for (int i = 0; i < n; i++) {
        double w = 6.6 * (double)utf8_chars(items[i].label); /* ~ average glyph width at 11.5 px (DejaVu Sans) */
        if (w > maxw) maxw = w;
    }
    const double row = 17, w = maxw + 40, h = n * row + 8;
    double x = corner == 1 || corner == 2 ? p->left + p->width - w - 8 : p->left + 8;
    double y = corner >= 2 ? p->top + p->height - h - 8 : p->top + 8;
    rbuf *b = p->b;
    rbuf_printf(b,
                "<g class=\"legend\"><rect x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\" rx=\"3\" "
                "fill=\"#ffffff\" fill-opacity=\"0.92\" stroke=\"%s\"/>\n",
                x, y, w, h, SVG_GRID);
    for (int i = 0; i < n; i++) {
        double cy = y + 4 + row * i + row / 2;
        const char *c = items[i].colour;
        switch (items[i].kind) {
        case SVG_KEY_BOX:
            rbuf_printf(b,
                        "<rect x=\"%.2f\" y=\"%.2f\" width=\"16\" height=\"10\" fill=\"%s\" fill-opacity=\"0.55\" "
                        "stroke=\"%s\"/>\n",
                        x + 8, cy - 5, c, c);
            break;
        case SVG_KEY_DOT:
            rbuf_printf(b, "<circle cx=\"%.2f\" cy=\"%.2f\" r=\"4.5\" fill=\"%s\"/>\n", x + 16, cy, c);
            break;
        default:
            rbuf_printf(b,
                        "<line x1=\"%.2f\" y1=\"%.2f\" x2=\"%.2f\" y2=\"%.2f\" stroke=\"%s\" stroke-width=\"2\"%s/>\n",
                        x + 6, cy, x + 26, cy, c, items[i].kind == SVG_KEY_DASH ? " stroke-dasharray=\"4 3\"" : "");
        }
        svg_text(b, x + 32, cy + 4, "start", 11.5, 400, SVG_INK, items[i].label);
    }
    rbuf_put(b, "</g>\n");
}
