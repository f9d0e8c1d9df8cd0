/* report_html.c — the report page: one self-contained HTML file (inline CSS
 * and SVG, images as data: URIs, the JSON copy in a <script
 * type="application/json">), laid out for a laptop screen and for print. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "report/report_internal.h"
#include "report/svg.h"

static const char *const POS_NAMES[PPAD_NPOS] = {"left lung", "right lung", "upper lung", "lower lung", "whole image"};

static const char CSS[] =
    ":root{--ink:#1a1a1a;--muted:#5f6368;--line:#e2e2e2;--panel:#f7f7f5;--normal:#0072B2;--abnormal:#D55E00;"
    "--accent:#009E73}\n"
    "*{box-sizing:border-box}\n"
    "html{font-family:system-ui,-apple-system,\"Segoe UI\",Roboto,\"Helvetica Neue\",Arial,\"DejaVu Sans\",sans-serif;"
    "color:var(--ink);background:#fff;font-size:15px;line-height:1.45}\n"
    "body{margin:0}\n"
    "main{max-width:1180px;margin:0 auto;padding:28px 32px 48px}\n"
    "h1{font-size:26px;margin:0 0 4px;font-weight:650;letter-spacing:-.01em}\n"
    "h2{font-size:19px;margin:34px 0 12px;padding-bottom:6px;border-bottom:1px solid var(--line);font-weight:620}\n"
    "h3{font-size:15.5px;margin:18px 0 8px;font-weight:620}\n"
    "p{margin:6px 0}\n"
    ".sub{color:var(--muted);margin:0 0 18px}\n"
    ".muted{color:var(--muted)}\n"
    ".cards{display:grid;grid-template-columns:repeat(4,1fr);gap:14px;margin:8px 0 6px}\n"
    ".card{border:1px solid var(--line);border-radius:8px;padding:12px 16px;background:var(--panel)}\n"
    ".card .name{font-size:12.5px;color:var(--muted);text-transform:uppercase;letter-spacing:.05em}\n"
    ".card .value{font-size:30px;font-weight:650;font-variant-numeric:tabular-nums;line-height:1.2}\n"
    ".card .value small{font-size:17px;font-weight:600;margin-left:2px;color:var(--muted)}\n"
    ".card .ci{font-size:13px;color:var(--muted);font-variant-numeric:tabular-nums}\n"
    ".figs{display:flex;flex-wrap:wrap;gap:18px 30px;align-items:flex-start}\n"
    "figure{margin:0;break-inside:avoid;max-width:100%}\n"
    "figcaption{font-size:13px;color:var(--muted);margin-top:2px}\n"
    "svg.plot{max-width:100%;height:auto;display:block}\n"
    "svg text{font-family:inherit}\n"
    "svg.probs{max-width:100%;height:auto;display:block}\n"
    ".tw{max-width:100%;overflow-x:auto}\n"
    ".nw{white-space:nowrap}\n"
    "table{border-collapse:collapse;font-variant-numeric:tabular-nums;font-size:14px;margin:4px 0}\n"
    "th,td{padding:5px 12px;border-bottom:1px solid var(--line);text-align:right;vertical-align:top}\n"
    "th:first-child,td:first-child{text-align:left}\n"
    "thead th{font-weight:600;border-bottom:2px solid #c9c9c9}\n"
    "tr.mean td{font-weight:600;border-top:2px solid #c9c9c9}\n"
    "table.confusion td,table.confusion th{text-align:center;min-width:104px}\n"
    "table.confusion td.tp,table.confusion td.tn{background:#e8f4ee}\n"
    "table.confusion td.fp,table.confusion td.fn{background:#fbece4}\n"
    "table.confusion .big{font-size:20px;font-weight:650;display:block}\n"
    "table.kv td{text-align:left}\n"
    "table.kv td:first-child{color:var(--muted);white-space:nowrap;padding-right:22px}\n"
    "table.kv td:last-child{word-break:break-word}\n"
    ".gallery{display:grid;grid-template-columns:repeat(3,1fr);gap:14px}\n"
    ".item{border:1px solid var(--line);border-radius:8px;padding:10px;break-inside:avoid;background:#fff}\n"
    ".item .head{display:flex;flex-wrap:wrap;justify-content:space-between;align-items:center;gap:4px 8px;"
    "margin-bottom:8px}\n"
    ".item .score{white-space:nowrap;font-size:17px;font-weight:650;font-variant-numeric:tabular-nums}\n"
    ".tag{font-size:11.5px;border-radius:10px;padding:1px 8px;color:#fff;white-space:nowrap}\n"
    ".tag.n{background:var(--normal)}.tag.a{background:var(--abnormal)}\n"
    ".pics{display:grid;grid-template-columns:1fr 1fr;gap:6px;margin-bottom:6px}\n"
    ".pics.one{grid-template-columns:1fr}\n"
    ".pics.one img{width:auto;max-width:100%;max-height:240px;margin:0 auto}\n"
    ".pics .none{aspect-ratio:1;display:flex;align-items:center;justify-content:center;border:1px dashed #c9c9c9;"
    "border-radius:4px;color:var(--muted);font-size:12px}\n"
    ".pics figure{margin:0}\n"
    ".pics img{width:100%;height:auto;display:block;border-radius:4px;background:#111}\n"
    ".pics figcaption{font-size:11.5px;text-align:center}\n"
    ".path{font-size:12px;color:var(--muted);word-break:break-all;margin-top:4px}\n"
    ".path b{color:var(--ink);font-weight:600}\n"
    ".warn{font-size:12px;color:#8a3b00}\n"
    "details summary{cursor:pointer;font-size:12.5px;color:var(--muted);margin-top:4px}\n"
    "details img{width:100%;height:auto;margin-top:6px}\n"
    ".lesions{display:grid;grid-template-columns:repeat(4,1fr);gap:12px}\n"
    ".lesions img{width:100%;height:auto;display:block;border-radius:4px}\n"
    ".lesions figcaption{font-size:12px;text-align:center;color:var(--ink)}\n"
    ".key{display:inline-block;width:11px;height:11px;border-radius:2px;vertical-align:-1px;margin:0 4px 0 2px}\n"
    "code{font-family:ui-monospace,\"DejaVu Sans Mono\",Menlo,Consolas,monospace;font-size:12.5px}\n"
    "ul.notes{margin:4px 0;padding-left:20px}\n"
    "footer{margin-top:36px;font-size:12.5px;color:var(--muted);border-top:1px solid var(--line);padding-top:10px}\n"
    "@media (max-width:980px){.gallery{grid-template-columns:repeat(2,1fr)}}\n"
    "@media (max-width:820px){.cards{grid-template-columns:repeat(2,1fr)}main{padding:18px 16px 36px}}\n"
    "@media (max-width:560px){.gallery{grid-template-columns:1fr}}\n"
    "@media print{@page{size:A4;margin:13mm}html{font-size:10pt}main{max-width:none;padding:0}"
    ".cards{grid-template-columns:repeat(4,1fr);gap:8px}.figs{gap:10px 16px}"
    ".figs.pair{flex-wrap:nowrap}.figs.pair>figure{width:49%!important}"
    "h1{font-size:20pt}h2{font-size:13.5pt;margin-top:18pt;break-after:avoid}h3{break-after:avoid}"
    ".card{background:none;padding:6px 10px}.card .value{font-size:19pt}"
    ".card,.item,figure,table,tr,.lesions figure{break-inside:avoid}"
    ".gallery{grid-template-columns:repeat(3,1fr);gap:8px}.lesions{grid-template-columns:repeat(4,1fr)}"
    "details summary{display:none}section{break-inside:auto}"
    "table.confusion td.tp,table.confusion td.tn,table.confusion td.fp,table.confusion td.fn,.tag,.key{"
    "-webkit-print-color-adjust:exact;print-color-adjust:exact}}\n";

static void pct1(char *buf, size_t n, double v) {
    if (isfinite(v)) snprintf(buf, n, "%.1f", 100 * v);
    else snprintf(buf, n, "—");
}

/* "87.3%", or "—" (with no sign) when undefined */
static void pct_sign(char *buf, size_t n, double v) {
    if (isfinite(v)) snprintf(buf, n, "%.1f%%", 100 * v);
    else snprintf(buf, n, "—");
}

static void h2(rbuf *b, const char *id, const char *title) {
    rbuf_printf(b, "<h2 id=\"%s\">", id);
    rbuf_esc(b, title);
    rbuf_put(b, "</h2>\n");
}

static void data_img(rbuf *b, const report_blob *png, const char *alt) {
    rbuf_put(b, "<img alt=\"");
    rbuf_esc(b, alt);
    rbuf_put(b, "\" src=\"data:image/png;base64,");
    rbuf_base64(b, png->data, png->size);
    rbuf_put(b, "\">");
}

static void section_header(rbuf *b, const report_input *in, const report_numbers *r) {
    rbuf_put(b, "<h1>");
    rbuf_esc(b, in->title ? in->title : "ppad evaluation report");
    rbuf_put(b, "</h1>\n<p class=\"sub\">");
    if (in->source) {
        rbuf_esc(b, in->source);
        rbuf_put(b, " · ");
    }
    rbuf_printf(b, "%ld images (%ld abnormal, %ld normal) · abnormal iff score &gt; %g · generated %s by ppad %s</p>\n",
                r->m.n, r->m.n_pos, r->m.n - r->m.n_pos, in->threshold, r->generated, PPAD_VERSION);
}

static void section_metrics(rbuf *b, const report_input *in, const report_numbers *r) {
    static const char *const DEF[METRICS_N] = {"accuracy at the threshold", "area under the ROC curve",
                                               "F1 of the abnormal class", "average precision"};
    (void)in;
    h2(b, "metrics", "Metrics");
    rbuf_put(b, "<div class=\"cards\">\n");
    for (int k = 0; k < METRICS_N; k++) {
        char v[32], lo[32], hi[32];
        pct1(v, sizeof v, metrics_value(&r->m, k));
        pct1(lo, sizeof lo, r->ci.lo[k]);
        pct1(hi, sizeof hi, r->ci.hi[k]);
        rbuf_printf(b,
                    "<div class=\"card\"><div class=\"name\">%s</div><div class=\"value\">%s<small>%%</small></div>"
                    "<div class=\"ci\">95%% CI %s – %s %%</div><div class=\"ci\">%s</div></div>\n",
                    METRICS_LABELS[k], v, lo, hi, DEF[k]);
    }
    rbuf_put(b, "</div>\n");
    rbuf_printf(b,
                "<p class=\"muted\">Percent. Intervals: percentile bootstrap, B = %d resamples of the %ld images "
                "(seed %llu%s), 2.5th and 97.5th percentiles. Definitions are scikit-learn's "
                "(<code>accuracy_score</code>, <code>roc_auc_score</code>, <code>f1_score</code>, "
                "<code>average_precision_score</code>).</p>\n",
                r->ci.B, r->m.n, r->ci.seed, r->ci.used < r->ci.B ? "; see the notes" : "");
}

static void section_curves(rbuf *b, const report_input *in, const report_numbers *r) {
    char a[32], c[32];
    h2(b, "curves", "ROC and precision–recall curves");
    rbuf_put(b, "<div class=\"figs pair\"><figure style=\"width:440px\">");
    plot_roc(b, r, in->threshold);
    pct1(a, sizeof a, r->ci.lo[METRICS_AUC]);
    pct1(c, sizeof c, r->ci.hi[METRICS_AUC]);
    rbuf_printf(b,
                "<figcaption>All %ld points of <code>roc_curve(drop_intermediate=False)</code>. AUC %.3f "
                "(95%% CI %s – %s %%). Green: the operating point at score &gt; %g; purple: Youden's J.</figcaption>"
                "</figure>\n<figure style=\"width:440px\">",
                r->cv.n_roc, r->m.auc, a, c, in->threshold);
    plot_pr(b, r, in->threshold);
    pct1(a, sizeof a, r->ci.lo[METRICS_AP]);
    pct1(c, sizeof c, r->ci.hi[METRICS_AP]);
    rbuf_printf(b,
                "<figcaption>All %ld points of <code>precision_recall_curve</code>, drawn as steps (the sum AP is). "
                "AP %.3f (95%% CI %s – %s %%). Dashed: the prevalence, what a random ranking gives.</figcaption>"
                "</figure></div>\n",
                r->cv.n_pr, r->m.ap, a, c);
}

static void section_scores(rbuf *b, const report_input *in, const report_numbers *r) {
    const ppad_metrics *m = &r->m;
    char sens[32], spec[32], ppv[32], npv[32];
    pct_sign(sens, sizeof sens, (double)m->tp / (double)m->n_pos);
    pct_sign(spec, sizeof spec, (double)m->tn / (double)(m->n - m->n_pos));
    pct_sign(ppv, sizeof ppv, m->tp + m->fp ? (double)m->tp / (double)(m->tp + m->fp) : NAN);
    pct_sign(npv, sizeof npv, m->tn + m->fn ? (double)m->tn / (double)(m->tn + m->fn) : NAN);
    h2(b, "scores", "Scores and the confusion matrix");
    rbuf_put(b, "<div class=\"figs\"><figure style=\"width:560px\">");
    plot_histogram(b, r, in->threshold);
    rbuf_printf(b,
                "<figcaption>Fused scores per class in %d bins over [%g, %g] "
                "(<code>numpy.histogram</code>); dashed: the threshold.</figcaption></figure>\n",
                r->hist.bins, r->hist.edges[0], r->hist.edges[r->hist.bins]);
    rbuf_printf(b,
                "<div><h3>At the threshold (score &gt; %g)</h3>\n<div class=\"tw\"><table "
                "class=\"confusion\"><thead><tr><th></th>"
                "<th>predicted abnormal</th><th>predicted normal</th></tr></thead><tbody>\n"
                "<tr><th>abnormal (%ld)</th><td class=\"tp\"><span class=\"big\">%ld</span>TP</td>"
                "<td class=\"fn\"><span class=\"big\">%ld</span>FN</td></tr>\n"
                "<tr><th>normal (%ld)</th><td class=\"fp\"><span class=\"big\">%ld</span>FP</td>"
                "<td class=\"tn\"><span class=\"big\">%ld</span>TN</td></tr>\n</tbody></table></div>\n"
                "<div class=\"tw\"><table><tbody><tr><td>sensitivity (recall)</td><td>%s</td></tr>"
                "<tr><td>specificity</td><td>%s</td></tr><tr><td>precision (PPV)</td><td>%s</td></tr>"
                "<tr><td>negative predictive value</td><td>%s</td></tr></tbody></table></div></div></div>\n",
                in->threshold, m->n_pos, m->tp, m->fn, m->n - m->n_pos, m->fp, m->tn, sens, spec, ppv, npv);
}

static void cutoff_row(rbuf *b, const char *name, const char *rule, const ppad_cutoff *c) {
    char s1[32], s2[32];
    pct1(s1, sizeof s1, c->sensitivity);
    pct1(s2, sizeof s2, c->specificity);
    rbuf_printf(
        b,
        "<tr><td>%s</td><td class=\"nw\">%s</td><td>%s</td><td>%s</td><td>%.3f</td><td>%ld</td><td>%ld</td><td>%ld</td>"
        "<td>%ld</td></tr>\n",
        name, rule, s1, s2, c->youden_j, c->tp, c->fp, c->tn, c->fn);
}

static void section_cutoffs(rbuf *b, const report_input *in, const report_numbers *r) {
    const ppad_metrics *m = &r->m;
    h2(b, "cutoffs", "Cut-offs");
    rbuf_put(b,
             "<div class=\"tw\"><table><thead><tr><th>cut-off</th><th>rule</th><th>sensitivity</th><th>specificity</th>"
             "<th>Youden's J</th><th>TP</th><th>FP</th><th>TN</th><th>FN</th></tr></thead><tbody>\n");
    ppad_cutoff cur = {.sensitivity = (double)m->tp / (double)m->n_pos,
                       .specificity = (double)m->tn / (double)(m->n - m->n_pos),
                       .tp = m->tp,
                       .fp = m->fp,
                       .tn = m->tn,
                       .fn = m->fn};
    cur.youden_j = cur.sensitivity - (1 - cur.specificity);
    char rule[96];
    snprintf(rule, sizeof rule, "score &gt; %g", in->threshold);
    cutoff_row(b, "the threshold used", rule, &cur);
    const ppad_cutoff *cs[3] = {&r->youden, &r->sens90, &r->sens95};
    const char *names[3] = {"Youden's J maximum", "90% sensitivity", "95% sensitivity"};
    for (int i = 0; i < 3; i++) {
        snprintf(rule, sizeof rule, "score ≥ %.6g", cs[i]->threshold);
        cutoff_row(b, names[i], rule, cs[i]);
    }
    rbuf_put(b,
             "</tbody></table></div>\n<p class=\"muted\">Each cut-off is a point of the ROC curve: the first (highest) "
             "threshold with the largest J = sensitivity + specificity − 1, or reaching at least 90% / 95% "
             "sensitivity. Its rule counts score ≥ cut-off as abnormal; <code>--threshold</code> with the largest "
             "number below it (in the JSON as <code>ppad_threshold</code>) gives the same decisions in ppad's "
             "strict rule.</p>\n");
}

static void section_positions(rbuf *b, const report_numbers *r) {
    int any = 0;
    for (int k = 0; k < PPAD_NPOS; k++) any |= r->pos[k].available;
    if (!any) return;
    h2(b, "positions", "Per-position probabilities");
    rbuf_put(b, "<figure style=\"width:640px\">");
    plot_positions(b, r);
    rbuf_put(b,
             "<figcaption>Each position's probability of abnormal p<sub>k</sub> (its region with the image prompt, "
             "its two text prompts) per class: <span class=\"key\" style=\"background:var(--normal)\"></span>normal, "
             "<span class=\"key\" style=\"background:var(--abnormal)\"></span>abnormal. Box: quartiles, bar: "
             "median, whiskers: minimum to maximum. Right: the AUC of p<sub>k</sub> alone. The fused score is "
             "max p<sub>k</sub> if above 0.8, else their mean.</figcaption></figure>\n");
    rbuf_put(b, "<div class=\"tw\"><table><thead><tr><th>position</th><th>median normal</th><th>median "
                "abnormal</th><th>AUC</th>"
                "<th>images without a value</th></tr></thead><tbody>\n");
    for (int k = 0; k < PPAD_NPOS; k++) {
        const position_stats *ps = &r->pos[k];
        if (!ps->available) {
            rbuf_printf(b, "<tr><td>%s</td><td colspan=\"4\" class=\"muted\">not in the scores</td></tr>\n",
                        POS_NAMES[k]);
            continue;
        }
        char a[32] = "—", c[32] = "—", d[32] = "—";
        if (ps->s[0].n) snprintf(a, sizeof a, "%.3f", ps->s[0].median);
        if (ps->s[1].n) snprintf(c, sizeof c, "%.3f", ps->s[1].median);
        if (isfinite(ps->auc)) snprintf(d, sizeof d, "%.3f", ps->auc);
        rbuf_printf(b, "<tr><td>%s</td><td>%s</td><td>%s</td><td>%s</td><td>%ld</td></tr>\n", POS_NAMES[k], a, c, d,
                    ps->n_missing);
    }
    rbuf_put(b, "</tbody></table></div>\n");
}

static void section_training(rbuf *b, const report_input *in) {
    if (in->n_logs < 1) return;
    h2(b, "training", "Training");
    rbuf_put(b, "<div class=\"figs pair\"><figure style=\"width:540px\">");
    plot_train_loss(b, in);
    rbuf_put(b, "<figcaption>Loss of each SGD step: binary cross-entropy of each sample's two logits (its "
                "position's normal and abnormal prompts) against its one-hot label, averaged over the batch."
                "</figcaption></figure>\n<figure style=\"width:540px\">");
    plot_train_lr(b, in);
    rbuf_put(b, "<figcaption>Learning rate per step (cosine schedule).</figcaption></figure></div>\n");
    long steps = 0;
    for (int i = 0; i < in->n_logs; i++) steps += in->logs[i].n;
    rbuf_printf(b, "<p class=\"muted\">%d log%s, %ld steps in all.</p>\n", in->n_logs, in->n_logs == 1 ? "" : "s",
                steps);
}

static void section_runs(rbuf *b, const report_input *in, const report_numbers *r) {
    if (!r->has_stats) return;
    h2(b, "runs", "Runs");
    rbuf_put(b, "<div class=\"tw\"><table><thead><tr><th>run</th><th>seed</th>");
    for (int k = 0; k < METRICS_N; k++) rbuf_printf(b, "<th>%s</th>", METRICS_LABELS[k]);
    rbuf_put(b, "</tr></thead><tbody>\n");
    for (int i = 0; i < in->n_runs; i++) {
        rbuf_put(b, "<tr><td>");
        if (in->run_names) rbuf_esc(b, in->run_names[i]);
        else rbuf_printf(b, "run %d", i + 1);
        rbuf_put(b, "</td><td>");
        if (in->run_seeds) rbuf_printf(b, "%llu", in->run_seeds[i]);
        else rbuf_put(b, "—");
        rbuf_put(b, "</td>");
        for (int k = 0; k < METRICS_N; k++) {
            char v[32];
            pct1(v, sizeof v, metrics_value(&in->runs[i], k));
            rbuf_printf(b, "<td>%s</td>", v);
        }
        rbuf_put(b, "</tr>\n");
    }
    rbuf_put(b, "<tr class=\"mean\"><td>mean ± sd</td><td></td>");
    for (int k = 0; k < METRICS_N; k++)
        rbuf_printf(b, "<td>%.1f ± %.1f</td>", 100 * r->stats.mean[k], 100 * r->stats.sd[k]);
    rbuf_printf(
        b,
        "</tr>\n</tbody></table></div>\n<p class=\"muted\">Percent; sd is the sample standard deviation (ddof = 1) "
        "over the %d runs, as in the paper's tables. The figures above show %s.</p>\n",
        in->n_runs, in->source ? in->source : "the last run");
}

static void section_lesions(rbuf *b, const report_input *in) {
    if (in->n_lesions < 1) return;
    h2(b, "lesions", "Synthetic lesions");
    if (in->lesions_note) {
        rbuf_put(b, "<p class=\"muted\">");
        rbuf_esc(b, in->lesions_note);
        rbuf_put(b, "</p>\n");
    }
    rbuf_put(b, "<div class=\"lesions\">\n");
    for (int i = 0; i < in->n_lesions; i++) {
        const report_lesion *l = &in->lesions[i];
        rbuf_put(b, "<figure>");
        if (l->png.data) data_img(b, &l->png, l->caption);
        rbuf_put(b, "<figcaption>");
        rbuf_esc(b, l->caption);
        rbuf_put(b, "</figcaption></figure>\n");
    }
    rbuf_put(b, "</div>\n");
}

static const char *base_name(const char *p) {
    const char *s = strrchr(p, '/');
    return s ? s + 1 : p;
}

static void gallery_card(rbuf *b, const report_input *in, const gallery_item *it, int rank) {
    const ppad_scores *s = in->scores;
    long i = it->row;
    int y = s->labels[i], pred = s->scores[i] > in->threshold;
    rbuf_printf(b,
                "<div class=\"item\"><div class=\"head\"><span class=\"score\">#%d · %.3f</span><span>"
                "<span class=\"tag %s\">label %s</span> <span class=\"tag %s\">called %s</span></span></div>\n",
                rank, s->scores[i], y ? "a" : "n", y ? "abnormal" : "normal", pred ? "a" : "n",
                pred ? "abnormal" : "normal");
    /* image and heat map side by side (a placeholder where a heat map was
     * looked for but is missing), the bars below */
    const double *probs = s->probs ? s->probs + (size_t)i * PPAD_NPOS : NULL;
    int want_vis = in->visuals != NULL;
    int cells = (it->thumb.data != NULL) + (it->vis.overlay.data != NULL || want_vis);
    if (cells) {
        rbuf_printf(b, "<div class=\"pics%s\">", cells == 1 ? " one" : "");
        if (it->thumb.data) {
            rbuf_put(b, "<figure>");
            data_img(b, &it->thumb, "image");
            rbuf_put(b, "<figcaption class=\"muted\">image</figcaption></figure>");
        }
        if (it->vis.overlay.data) {
            rbuf_put(b, "<figure>");
            data_img(b, &it->vis.overlay, "heat-map overlay");
            rbuf_put(b, "<figcaption class=\"muted\">heat map</figcaption></figure>");
        } else if (want_vis) {
            rbuf_put(b, "<figure><div class=\"none\">no heat map</div></figure>");
        }
        rbuf_put(b, "</div>\n");
    }
    plot_probs(b, probs, s->scores[i], in->threshold);
    if (it->vis.panel.data) {
        rbuf_put(b, "<details><summary>the five positions</summary>");
        data_img(b, &it->vis.panel, "per-position heat maps");
        rbuf_put(b, "</details>\n");
    }
    rbuf_put(b, "<div class=\"path\">");
    if (s->paths) {
        rbuf_put(b, "<b>");
        rbuf_esc(b, base_name(s->paths[i]));
        rbuf_put(b, "</b><br>");
        rbuf_esc(b, s->paths[i]);
    } else {
        rbuf_printf(b, "row %ld of the scores", i + 1);
    }
    rbuf_put(b, "</div>\n");
    if (it->note[0]) {
        rbuf_put(b, "<div class=\"warn\">");
        rbuf_esc(b, it->note);
        rbuf_put(b, "</div>\n");
    }
    rbuf_put(b, "</div>\n");
}

static void section_gallery(rbuf *b, const report_input *in, const report_numbers *r) {
    if (in->gallery < 0) return;
    h2(b, "gallery", "Gallery");
    rbuf_printf(b,
                "<p class=\"muted\">Up to %d images per group, by confidence: false positives with the highest "
                "scores, false negatives with the lowest, true positives with the highest. Bars: the five "
                "per-position probabilities (dashed: the threshold %g; dotted: 0.8, above which the maximum "
                "is the score).</p>\n",
                in->gallery ? in->gallery : REPORT_DEFAULT_GALLERY, in->threshold);
    for (int g = 0; g < GAL_GROUPS; g++) {
        rbuf_printf(b, "<h3>%s</h3>\n", GALLERY_TITLES[g]);
        if (r->n_gal[g] == 0) {
            rbuf_put(b, "<p class=\"muted\">None.</p>\n");
            continue;
        }
        rbuf_put(b, "<div class=\"gallery\">\n");
        for (int i = 0; i < r->n_gal[g]; i++) gallery_card(b, in, &r->gal[g][i], i + 1);
        rbuf_put(b, "</div>\n");
    }
}

static void kv_row(rbuf *b, const char *k, const char *v) {
    rbuf_put(b, "<tr><td>");
    rbuf_esc(b, k);
    rbuf_put(b, "</td><td>");
    rbuf_esc(b, v);
    rbuf_put(b, "</td></tr>\n");
}

static void section_settings(rbuf *b, const report_input *in, const report_numbers *r) {
    h2(b, "settings", "Settings and provenance");
    rbuf_put(b, "<div class=\"tw\"><table class=\"kv\"><tbody>\n");
    for (int i = 0; i < in->n_settings; i++) kv_row(b, in->settings[i].key, in->settings[i].value);
    char v[160];
    snprintf(v, sizeof v, "score > %.17g", in->threshold);
    kv_row(b, "decision", v);
    snprintf(v, sizeof v, "percentile, B = %d, seed %llu, %d used", r->ci.B, r->ci.seed, r->ci.used);
    kv_row(b, "bootstrap", v);
    kv_row(b, "generated", r->generated);
    kv_row(b, "ppad", PPAD_VERSION);
    rbuf_put(b, "</tbody></table></div>\n");
    if (r->n_notes) {
        rbuf_put(b, "<h3>Notes</h3><ul class=\"notes\">\n");
        for (int i = 0; i < r->n_notes; i++) {
            rbuf_put(b, "<li>");
            rbuf_esc(b, r->notes[i]);
            rbuf_put(b, "</li>\n");
        }
        rbuf_put(b, "</ul>\n");
    }
}

int report_html(rbuf *b, const report_input *in, const report_numbers *r, const char *json_text, ppad_err *err) {
    rbuf_put(b, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
                "<meta name=\"generator\" content=\"ppad " PPAD_VERSION "\">\n<title>");
    rbuf_esc(b, in->title ? in->title : "ppad evaluation report");
    rbuf_put(b, "</title>\n<style>\n");
    rbuf_put(b, CSS);
    rbuf_put(b, "</style>\n</head>\n<body>\n<main>\n");
    section_header(b, in, r);
    section_metrics(b, in, r);
    section_curves(b, in, r);
    section_scores(b, in, r);
    section_cutoffs(b, in, r);
    section_positions(b, r);
    section_training(b, in);
    section_runs(b, in, r);
    section_lesions(b, in);
    section_gallery(b, in, r);
    section_settings(b, in, r);
    rbuf_put(b, "<footer>Every number on this page, at full precision, is in the JSON element "
                "<code>script#ppad-report</code> of this file.</footer>\n</main>\n"
                "<script type=\"application/json\" id=\"ppad-report\">");
    rbuf_put(b, json_text);
    rbuf_put(b, "</script>\n<script>addEventListener(\"beforeprint\",function(){"
                "document.querySelectorAll(\"details\").forEach(function(d){d.open=true})});</script>\n"
                "</body>\n</html>\n");
    return rbuf_check(b, err);
}
