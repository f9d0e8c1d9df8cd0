/* report_explain.c — the pictures of one explained image (spec section 10):
 *   overlay: the fused view over the gray image at the image's own size;
 *   panel:   the five positions side by side, each map drawn only over its
 *            region, captioned with the position and its probability, with
 *            the fused score, the verdict, the method and a colour bar.
 * Maps are normalised over their drawn patches, upsampled bilinearly (half-
 * pixel centres) and blended over the image with the Turbo colormap, more
 * opaque where the map is high. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "ppad/score.h"
#include "report/canvas.h"
#include "report/report.h"

/* colour weight inside the region: from ALPHA_LO at the map's minimum to
 * ALPHA_HI at its maximum, so that the anatomy stays visible where the map is low */
#define ALPHA_LO     0.2
#define ALPHA_HI     0.65
#define OUTSIDE_DIM  0.45  /* gray outside the region is darkened to this fraction */
#define TILE_H       240   /* panel tile height; width follows the image's aspect */
#define FONT_SCALE   2
#define LINE_H       (CANVAS_ROWS * FONT_SCALE + 6)

static const uint8_t BG[3] = {255, 255, 255}, INK[3] = {28, 28, 28}, GREY_INK[3] = {96, 96, 96};
static const uint8_t MARK[3] = {200, 30, 30}; /* the frame of the position that decides a max-gated score */

static const char *const LABELS[PPAD_NPOS] = {"left lung", "right lung", "upper lung", "lower lung", "whole image"};

/* rgb (h, w, 3) = img with the normalised 7x7 map blended over position's
 * region (pixels outside it dimmed gray). */
static int blend(uint8_t *rgb, const gray8 *img, const float norm[EXPLAIN_NP], int position, ppad_err *err) {
    const int w = img->w, h = img->h;
    float *up = ppad_malloc(sizeof(float) * (size_t)w * h, err);
    if (!up) return -1;
    explain_upsample(up, norm, w, h);
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            const size_t i = (size_t)y * w + x;
            const double g = img->px[i];
            uint8_t *o = rgb + i * 3;
            if (position != REGION_WHOLE && !explain_in_region(position, x, y, w, h)) {
                o[0] = o[1] = o[2] = (uint8_t)lround(g * OUTSIDE_DIM);
                continue;
            }
            uint8_t c[3];
            report_colormap_turbo(c, up[i]);
            const double t = up[i] < 0 ? 0 : up[i] > 1 ? 1 : up[i], a = ALPHA_LO + (ALPHA_HI - ALPHA_LO) * t;
            for (int ch = 0; ch < 3; ch++) o[ch] = (uint8_t)lround(g * (1 - a) + c[ch] * a);
        }
    free(up);
    return 0;
}

static int encode(report_blob *b, const rgb_canvas *c, ppad_err *err) {
    return image_encode_png(&b->data, &b->size, c->px, c->w, c->h, 3, err);
}

int report_explain_overlay(report_blob *png, const gray8 *img, const explain_result *r, ppad_err *err) {
    float fused[EXPLAIN_NP];
    int position;
    explain_fused_view(fused, &position, r);
    rgb_canvas c = {0};
    if (canvas_alloc(&c, img->w, img->h, BG, err) != 0) return -1;
    int rc = blend(c.px, img, fused, position, err);
    if (rc == 0) rc = encode(png, &c, err);
    canvas_free(&c);
    return rc;
}

/* The deciding position of a max-gated score, else -1. */
static int deciding(const explain_result *r) {
    int arg = 0;
    for (int k = 1; k < PPAD_NPOS; k++)
        if (r->probs[k] > r->probs[arg]) arg = k;
    return r->probs[arg] > SCORE_MAX_GATE ? arg : -1;
}

int report_explain_panel(report_blob *png, const gray8 *img, const explain_result *r, int method, double threshold,
                         ppad_err *err) {
    int tw = (int)lround((double)TILE_H * img->w / img->h);
    if (tw < 120) tw = 120;
    if (tw > 480) tw = 480;
    const int M = 14, GAP = 12;
    char head[160], sub[200];
    const int dk = deciding(r);
    snprintf(head, sizeof head, "%s - score %.3f (threshold %.2f)", r->fused > threshold ? "ABNORMAL" : "normal",
             r->fused, threshold);
    if (dk >= 0) snprintf(sub, sizeof sub, "score = max p = p(%s) > %.1f", LABELS[dk], SCORE_MAX_GATE);
    else snprintf(sub, sizeof sub, "score = mean of the five p (max p <= %.1f)", SCORE_MAX_GATE);
    char meth[160];
    snprintf(meth, sizeof meth, "%s map of abnormal vs normal, per position; each scaled to its region",
             method == EXPLAIN_GRADCAM ? "Grad-CAM" : "Relevance (Chefer et al.)");
    int width = 2 * M + PPAD_NPOS * tw + (PPAD_NPOS - 1) * GAP;
    const int tx = canvas_text_width(meth, FONT_SCALE) + 2 * M;
    if (tx > width) width = tx;
    const int top = M + 3 * LINE_H + 4, bar_y = top + TILE_H + 2 * LINE_H + 12;
    const int height = bar_y + 14 + LINE_H + M;
    rgb_canvas c = {0};
    gray8 small = {0};
    uint8_t *tile = NULL;
    int rc = -1;
    if (canvas_alloc(&c, width, height, BG, err) != 0) return -1;
    if (image_resize_bicubic(&small, img, tw, TILE_H, err) != 0) goto out;
    tile = ppad_malloc((size_t)tw * TILE_H * 3, err);
    if (!tile) goto out;
    canvas_text(&c, M, M, head, FONT_SCALE, r->fused > threshold ? MARK : INK);
    canvas_text(&c, M, M + LINE_H, sub, FONT_SCALE, INK);
    canvas_text(&c, M, M + 2 * LINE_H, meth, FONT_SCALE, GREY_INK);
    for (int k = 0; k < PPAD_NPOS; k++) {
        const int x = M + k * (tw + GAP);
        uint8_t drawn[EXPLAIN_NP];
        float norm[EXPLAIN_NP];
        explain_drawn(drawn, k);
        explain_normalise(norm, r->maps[k], drawn);
        if (blend(tile, &small, norm, k, err) != 0) goto out;
        if (k == dk) canvas_rect(&c, x - 4, top - 4, tw + 8, TILE_H + 8, MARK);
        canvas_blit(&c, tile, tw, TILE_H, x, top);
        char p[64];
        snprintf(p, sizeof p, "p = %.3f", r->probs[k]);
        canvas_text(&c, x, top + TILE_H + 8, LABELS[k], FONT_SCALE, INK);
        canvas_text(&c, x, top + TILE_H + 8 + LINE_H, p, FONT_SCALE, k == dk ? MARK : INK);
    }
    /* colour bar: low .. high of each map */
    const char *lo = "low", *hi = "high";
    const int bx = M + canvas_text_width(lo, FONT_SCALE) + 10, bw = 240;
    canvas_text(&c, M, bar_y, lo, FONT_SCALE, INK);
    for (int i = 0; i < bw; i++) {
        uint8_t col[3];
        report_colormap_turbo(col, (i + 0.5) / bw);
        canvas_rect(&c, bx + i, bar_y, 1, 14, col);
    }
    canvas_text(&c, bx + bw + 10, bar_y, hi, FONT_SCALE, INK);
    canvas_text(&c, bx + bw + 20 + canvas_text_width(hi, FONT_SCALE), bar_y,
                "(outside a position's region: dimmed, not drawn)", FONT_SCALE, GREY_INK);
    rc = encode(png, &c, err);
out:
    free(tile);
    gray8_free(&small);
    canvas_free(&c);
    return rc;
}

int report_explain_draw(report_visual *out, const gray8 *img, const explain_result *r, int method, double threshold,
                        ppad_err *err) {
    if (report_explain_overlay(&out->overlay, img, r, err) != 0) return -1;
    if (report_explain_panel(&out->panel, img, r, method, threshold, err) != 0) {
        report_blob_free(&out->overlay);
        return -1;
    }
    return 0;
}
