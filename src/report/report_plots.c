/* report_plots.c — the report's figures, drawn with svg.h from the numbers
 * of report_numbers. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/report_internal.h"
#include "report/svg.h"

static const char *const POS_NAMES[PPAD_NPOS] = {"left lung", "right lung", "upper lung", "lower lung", "whole image"};
static const char *const RUN_COLOURS[] = {SVG_NORMAL, SVG_ABNORMAL, SVG_ACCENT, SVG_PURPLE,
                                          "#E69F00",  "#56B4E9",    "#000000",  "#F0E442"};
#define N_RUN_COLOURS (int)(sizeof RUN_COLOURS / sizeof RUN_COLOURS[0])

/* Plot areas: margins left, top, right, bottom. */
#define ML 62
#define MT 14
#define MR 16
#define MB 50

static void pct(char *buf, size_t n, double v) {
    if (isfinite(v)) snprintf(buf, n, "%.1f%%", 100 * v);
    else snprintf(buf, n, "—");
}

/* A 440 x 400 figure with a [0, 1] x [0, 1] plot area and its axes. */
static void unit_square(svg_plot *p, rbuf *b, const char *title, const char *xlabel, const char *ylabel) {
    const int W = 440, H = 400;
    svg_open(b, W, H, title);
    svg_plot_init(p, b, ML, MT, W - ML - MR, H - MT - MB, 0, 1, 0, 1);
    svg_axes(p, xlabel, ylabel, 6, 6, 0, 0);
}

void plot_roc(rbuf *b, const report_numbers *r, double threshold) {
    svg_plot p;
    unit_square(&p, b, "ROC curve", "False positive rate (1 − specificity)", "True positive rate (sensitivity)");
    static const double diag[2] = {0, 1};
    svg_polyline(&p, diag, diag, 2, 1, SVG_LINE, SVG_MUTED, 1, "4 3");
    svg_polyline(&p, r->cv.fpr, r->cv.tpr, r->cv.n_roc, 1, SVG_LINE, SVG_INK, 2, NULL);
    char t[256], a[32], c[32];
    pct(a, sizeof a, r->youden.sensitivity);
    pct(c, sizeof c, r->youden.specificity);
    snprintf(t, sizeof t, "Youden's J max: score ≥ %.4g, sensitivity %s, specificity %s", r->youden.threshold, a, c);
    svg_point(&p, 1 - r->youden.specificity, r->youden.sensitivity, 4.5, SVG_PURPLE, t);
    pct(a, sizeof a, r->op_tpr);
    pct(c, sizeof c, 1 - r->op_fpr);
    snprintf(t, sizeof t, "score > %g: sensitivity %s, specificity %s", threshold, a, c);
    svg_point(&p, r->op_fpr, r->op_tpr, 5.5, SVG_ACCENT, t);
    char l0[96], l2[48];
    snprintf(l0, sizeof l0, "ROC, AUC %.3f", r->m.auc);
    snprintf(l2, sizeof l2, "threshold: score > %g", threshold);
    svg_legend_item items[] = {{l0, SVG_INK, SVG_KEY_LINE},
                               {"chance", SVG_MUTED, SVG_KEY_DASH},
                               {l2, SVG_ACCENT, SVG_KEY_DOT},
                               {"Youden's J max", SVG_PURPLE, SVG_KEY_DOT}};
    svg_legend(&p, items, 4, 2);
    svg_close(b);
}

void plot_pr(rbuf *b, const report_numbers *r, double threshold) {
    svg_plot p;
    unit_square(&p, b, "Precision-recall curve", "Recall (sensitivity)", "Precision (positive predictive value)");
    double prev = (double)r->m.n_pos / (double)r->m.n;
    const double bx[2] = {0, 1}, by[2] = {prev, prev};
    svg_polyline(&p, bx, by, 2, 1, SVG_LINE, SVG_MUTED, 1, "4 3");
    svg_polyline(&p, r->cv.recall, r->cv.precision, r->cv.n_pr, 1, SVG_STEPS_POST, SVG_INK, 2, NULL);
    char t[256], a[32], c[32];
    if (isfinite(r->op_precision)) {
        pct(a, sizeof a, r->op_recall);
        pct(c, sizeof c, r->op_precision);
        snprintf(t, sizeof t, "score > %g: recall %s, precision %s", threshold, a, c);
        svg_point(&p, r->op_recall, r->op_precision, 5.5, SVG_ACCENT, t);
    }
    char l0[96], l1[64], l2[48];
    snprintf(l0, sizeof l0, "PR, AP %.3f", r->m.ap);
    snprintf(l1, sizeof l1, "prevalence %.3f", prev);
    snprintf(l2, sizeof l2, "threshold: score > %g", threshold);
    svg_legend_item items[] = {
        {l0, SVG_INK, SVG_KEY_LINE}, {l1, SVG_MUTED, SVG_KEY_DASH}, {l2, SVG_ACCENT, SVG_KEY_DOT}};
    svg_legend(&p, items, isfinite(r->op_precision) ? 3 : 2, 3);
    svg_close(b);
}

void plot_histogram(rbuf *b, const report_numbers *r, double threshold) {
    const int W = 560, H = 330;
    const ppad_hist *h = &r->hist;
    long top = 1;
    for (int y = 0; y < 2; y++)
        for (int i = 0; i < h->bins; i++)
            if (h->count[y][i] > top) top = h->count[y][i];
    svg_plot p;
    svg_open(b, W, H, "Score histogram per class");
    svg_plot_init(&p, b, ML, MT + 6, W - ML - MR, H - MT - 6 - MB, h->edges[0], h->edges[h->bins], 0,
                  (double)top * 1.08);
    svg_axes(&p, "Score (fused probability of abnormal)", "Images", 11, 6, 0, 0);
    for (int i = 0; i < h->bins; i++) {
        double x0 = h->edges[i], x1 = h->edges[i + 1], w = x1 - x0, gap = w * 0.08;
        for (int y = 0; y < 2; y++) {
            if (!h->count[y][i]) continue;
            char t[160];
            snprintf(t, sizeof t, "%s: %ld image%s with score in [%.4g, %.4g%s", y ? "abnormal" : "normal",
                     h->count[y][i], h->count[y][i] == 1 ? "" : "s", x0, x1, i == h->bins - 1 ? "]" : ")");
            double a = x0 + gap + y * (w - 2 * gap) / 2, c = a + (w - 2 * gap) / 2;
            svg_rect(&p, a, 0, c, (double)h->count[y][i], y ? SVG_ABNORMAL : SVG_NORMAL, 0.85, t);
        }
    }
    if (threshold >= p.xlo && threshold <= p.xhi) {
        char lab[48];
        snprintf(lab, sizeof lab, "threshold %g", threshold);
        svg_vline(&p, threshold, SVG_INK, "5 3", lab);
    }
    char l0[64], l1[64];
    snprintf(l0, sizeof l0, "normal (n = %ld)", r->m.n - r->m.n_pos);
    snprintf(l1, sizeof l1, "abnormal (n = %ld)", r->m.n_pos);
    svg_legend_item items[] = {{l0, SVG_NORMAL, SVG_KEY_BOX}, {l1, SVG_ABNORMAL, SVG_KEY_BOX}};
    /* the legend goes where the bars are low: left half or right half */
    long left = 0, right = 0;
    for (int i = 0; i < h->bins; i++) {
        long c = h->count[0][i] > h->count[1][i] ? h->count[0][i] : h->count[1][i];
        if (i < h->bins / 2) left = c > left ? c : left;
        else right = c > right ? c : right;
    }
    svg_legend(&p, items, 2, right <= left ? 1 : 0);
    svg_close(b);
}

void plot_positions(rbuf *b, const report_numbers *r) {
    const int row = 58, W = 640, H = MT + PPAD_NPOS * row + MB;
    const int left = 104, right = 96;
    svg_plot p;
    svg_open(b, W, H, "Per-position probability of abnormal, by class");
    svg_plot_init(&p, b, left, MT, W - left - right, PPAD_NPOS * row, 0, 1, 0, PPAD_NPOS * row);
    svg_axes(&p, "Probability of abnormal (p_k)", NULL, 11, 0, 0, 0);
    for (int k = 0; k < PPAD_NPOS; k++) {
        const position_stats *ps = &r->pos[k];
        double yc = MT + k * row + row / 2.0; /* pixel centre of the row */
        svg_text(b, left - 10, yc + 4, "end", 12, 600, SVG_INK, POS_NAMES[k]);
        if (k > 0)
            rbuf_printf(b, "<line x1=\"%d\" y1=\"%.2f\" x2=\"%d\" y2=\"%.2f\" stroke=\"%s\"/>\n", left,
                        MT + k * row * 1.0, W - right, MT + k * row * 1.0, SVG_GRID);
        if (!ps->available) {
            svg_text(b, left + 10, yc + 4, "start", 11.5, 400, SVG_MUTED, "not in the scores");
            continue;
        }
        for (int y = 0; y < 2; y++) {
            const ppad_summary *s = &ps->s[y];
            if (s->n == 0) continue;
            const char *col = y ? SVG_ABNORMAL : SVG_NORMAL;
            double cy = yc + (y ? 10 : -10), bh = 14;
            double xmin = svg_x(&p, s->min), xmax = svg_x(&p, s->max), x1 = svg_x(&p, s->q1), x3 = svg_x(&p, s->q3),
                   xm = svg_x(&p, s->median);
            rbuf_printf(b,
                        "<g><title>%s, %s (n = %ld): min %.3f, quartiles %.3f / %.3f / %.3f, max %.3f, mean %.3f"
                        "</title>\n",
                        POS_NAMES[k], y ? "abnormal" : "normal", s->n, s->min, s->q1, s->median, s->q3, s->max,
                        s->mean);
            rbuf_printf(b,
                        "<line x1=\"%.2f\" y1=\"%.2f\" x2=\"%.2f\" y2=\"%.2f\" stroke=\"%s\" stroke-width=\"1.3\"/>\n",
                        xmin, cy, xmax, cy, col);
            rbuf_printf(b,
                        "<line x1=\"%.2f\" y1=\"%.2f\" x2=\"%.2f\" y2=\"%.2f\" stroke=\"%s\" stroke-width=\"1.3\"/>\n"
                        "<line x1=\"%.2f\" y1=\"%.2f\" x2=\"%.2f\" y2=\"%.2f\" stroke=\"%s\" stroke-width=\"1.3\"/>\n",
                        xmin, cy - 4, xmin, cy + 4, col, xmax, cy - 4, xmax, cy + 4, col);
            rbuf_printf(b,
                        "<rect x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\" fill=\"%s\" fill-opacity=\"0.35\" "
                        "stroke=\"%s\" stroke-width=\"1.3\"/>\n",
                        x1, cy - bh / 2, x3 - x1 > 0.5 ? x3 - x1 : 0.5, bh, col, col);
            rbuf_printf(b,
                        "<line x1=\"%.2f\" y1=\"%.2f\" x2=\"%.2f\" y2=\"%.2f\" stroke=\"%s\" stroke-width=\"2.5\"/>"
                        "</g>\n",
                        xm, cy - bh / 2, xm, cy + bh / 2, col);
        }
        char a[48];
        if (isfinite(ps->auc)) snprintf(a, sizeof a, "AUC %.3f", ps->auc);
        else snprintf(a, sizeof a, "AUC —");
        svg_text(b, W - right + 10, yc + 4, "start", 11.5, 400, SVG_INK, a);
    }
    svg_close(b);
}

/* Moving average over a centred window of w steps (shorter at the ends). */
static void smooth(double *out, const double *v, long n, long w) {
    long h = w / 2;
    for (long i = 0; i < n; i++) {
        long a = i - h < 0 ? 0 : i - h, c = i + h >= n ? n - 1 : i + h;
        double s = 0;
        long m = 0;
        for (long j = a; j <= c; j++)
            if (isfinite(v[j])) s += v[j], m++;
        out[i] = m ? s / (double)m : NAN;
    }
}

static void train_plot(rbuf *b, const report_input *in, int col, const char *title, const char *ylabel) {
    const int W = 540, H = 290;
    double xmin = INFINITY, xmax = -INFINITY, ymax = 0;
    for (int r = 0; r < in->n_logs; r++) {
        const ppad_train_log *l = &in->logs[r];
        for (long i = 0; i < l->n; i++) {
            double x = l->col[TRAINLOG_STEP][i], y = l->col[col][i];
            if (isfinite(x) && x > xmax) xmax = x;
            if (isfinite(x) && x < xmin) xmin = x;
            if (isfinite(y) && y > ymax) ymax = y;
        }
    }
    if (!(ymax > 0)) ymax = 1;
    if (!(xmin < xmax)) { /* one step, or none */
        xmin = isfinite(xmin) ? xmin - 1 : 0;
        xmax = xmin + 2;
    }
    svg_plot p;
    svg_open(b, W, H, title);
    svg_plot_init(&p, b, ML + 12, MT, W - ML - 12 - MR, H - MT - MB, xmin, xmax, 0, ymax * 1.05);
    svg_axes(&p, "Step", ylabel, 8, 6, 0, 0);
    svg_legend_item items[N_RUN_COLOURS + 1];
    char labels[N_RUN_COLOURS][64];
    int n_items = 0;
    for (int r = 0; r < in->n_logs; r++) {
        const ppad_train_log *l = &in->logs[r];
        const char *c = in->n_logs == 1 ? SVG_NORMAL : RUN_COLOURS[r % N_RUN_COLOURS];
        if (col == TRAINLOG_LOSS) {
            double *sm = malloc(sizeof(double) * (size_t)(l->n > 0 ? l->n : 1));
            if (!sm) {
                b->oom = 1;
                break;
            }
            long w = l->n / 40 > 1 ? l->n / 40 : 1;
            smooth(sm, l->col[col], l->n, 2 * (w / 2) + 1);
            if (in->n_logs == 1)
                svg_polyline(&p, l->col[TRAINLOG_STEP], l->col[col], l->n, 1, SVG_LINE, "#9dc3e0", 1, NULL);
            svg_polyline(&p, l->col[TRAINLOG_STEP], sm, l->n, 1, SVG_LINE, c, 2, NULL);
            free(sm);
            if (in->n_logs == 1 && n_items == 0) {
                items[n_items++] = (svg_legend_item){"loss per step", "#9dc3e0", SVG_KEY_LINE};
                snprintf(labels[0], sizeof labels[0], "moving average (%ld steps)", 2 * (w / 2) + 1);
                items[n_items++] = (svg_legend_item){labels[0], c, SVG_KEY_LINE};
            }
        } else {
            svg_polyline(&p, l->col[TRAINLOG_STEP], l->col[col], l->n, 1, SVG_LINE, c, 2, NULL);
        }
        if (in->n_logs > 1 && r < N_RUN_COLOURS) {
            snprintf(labels[r], sizeof labels[r], "%s", in->run_names && r < in->n_runs ? in->run_names[r] : "");
            if (!labels[r][0]) snprintf(labels[r], sizeof labels[r], "run %d", r + 1);
            items[n_items++] = (svg_legend_item){labels[r], c, SVG_KEY_LINE};
        }
    }
    if (n_items) svg_legend(&p, items, n_items, 1);
    svg_close(b);
}

void plot_train_loss(rbuf *b, const report_input *in) {
    train_plot(b, in, TRAINLOG_LOSS, "Training loss", "Loss (BCE)");
}
void plot_train_lr(rbuf *b, const report_input *in) {
    train_plot(b, in, TRAINLOG_LR, "Learning rate", "Learning rate");
}

void plot_probs(rbuf *b, const double *probs, double score, double threshold) {
    static const char *const SHORT[PPAD_NPOS] = {"left", "right", "upper", "lower", "whole"};
    const int W = 230, row = 15, H = PPAD_NPOS * row + 22, left = 44, right = 40;
    svg_plot p;
    char title[160];
    snprintf(title, sizeof title, "Per-position probabilities; fused score %.3f", score);
    rbuf_printf(
        b,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"probs\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
        "role=\"img\" aria-label=\"",
        W, H, W, H);
    rbuf_esc(b, title);
    rbuf_put(b, "\">");
    svg_plot_init(&p, b, left, 2, W - left - right, PPAD_NPOS * row, 0, 1, 0, PPAD_NPOS * row);
    for (int k = 0; k < PPAD_NPOS; k++) {
        double y0 = 2 + k * row;
        svg_text(b, left - 5, y0 + 11, "end", 10.5, 400, SVG_INK, SHORT[k]);
        rbuf_printf(b, "<rect x=\"%d\" y=\"%.1f\" width=\"%d\" height=\"10\" fill=\"#f0f0f0\"/>\n", left, y0 + 2.5,
                    W - left - right);
        char v[32];
        if (probs && isfinite(probs[k])) {
            double w = probs[k] * (W - left - right);
            rbuf_printf(b, "<rect x=\"%d\" y=\"%.1f\" width=\"%.2f\" height=\"10\" fill=\"%s\"/>\n", left, y0 + 2.5, w,
                        probs[k] > threshold ? SVG_ABNORMAL : SVG_NORMAL);
            snprintf(v, sizeof v, "%.3f", probs[k]);
        } else {
            snprintf(v, sizeof v, "—");
        }
        svg_text(b, W - right + 4, y0 + 11, "start", 10.5, 400, SVG_INK, v);
    }
    /* the fusion rule's two marks: the threshold and max-fusion's 0.8 */
    double xt = svg_x(&p, threshold >= 0 && threshold <= 1 ? threshold : 0.5), x8 = svg_x(&p, 0.8);
    rbuf_printf(b, "<line x1=\"%.2f\" y1=\"2\" x2=\"%.2f\" y2=\"%d\" stroke=\"%s\" stroke-dasharray=\"3 2\"/>\n", xt,
                xt, 2 + PPAD_NPOS * row, SVG_INK);
    rbuf_printf(b, "<line x1=\"%.2f\" y1=\"2\" x2=\"%.2f\" y2=\"%d\" stroke=\"%s\" stroke-dasharray=\"1 2\"/>\n", x8,
                x8, 2 + PPAD_NPOS * row, SVG_MUTED);
    char lab[32];
    snprintf(lab, sizeof lab, "%g", threshold);
    svg_text(b, xt, H - 4, "middle", 9.5, 400, SVG_INK, lab);
    svg_text(b, x8, H - 4, "middle", 9.5, 400, SVG_MUTED, "0.8");
    rbuf_put(b, "</svg>");
}
