/* report_json.c — the machine-readable copy of every number the page draws.
 * Numbers print as their shortest exact decimal (they read back as the same
 * doubles); values that are not finite are null, with the reason in "notes"
 * or next to them. */
#include <json.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "ppad/metrics.h"
#include "report/report_internal.h"

static const char *const POS_KEYS[PPAD_NPOS] = {"left", "right", "upper", "lower", "whole"};

typedef struct jctx {
    int oom;
} jctx;

static json_object *num(jctx *c, double v) {
    json_object *o = metrics_json_exact(v);
    if (!o && isfinite(v)) c->oom = 1;
    return o; /* NULL is JSON null */
}

static void put(jctx *c, json_object *o, const char *key, json_object *v) {
    if (!o || json_object_object_add(o, key, v) != 0) {
        json_object_put(v);
        c->oom = 1;
    }
}

static json_object *obj(jctx *c) {
    json_object *o = json_object_new_object();
    if (!o) c->oom = 1;
    return o;
}

static json_object *str(jctx *c, const char *s) {
    json_object *o = json_object_new_string(s);
    if (!o) c->oom = 1;
    return o;
}

static json_object *integer(jctx *c, long long v) {
    json_object *o = json_object_new_int64(v);
    if (!o) c->oom = 1;
    return o;
}

static json_object *array(jctx *c, long n) {
    json_object *a = json_object_new_array_ext((int)(n > 0 ? n : 1));
    if (!a) c->oom = 1;
    return a;
}

/* Appends v to the array a (dropping v when a is NULL). */
static void push(jctx *c, json_object *a, json_object *v) {
    if (!a || json_object_array_add(a, v) != 0) {
        json_object_put(v);
        c->oom = 1;
    }
}

static json_object *arr(jctx *c, const double *v, long n, long stride) {
    json_object *a = array(c, n);
    for (long i = 0; a && i < n; i++) push(c, a, num(c, v[i * stride]));
    return a;
}

static json_object *arr_long(jctx *c, const long *v, long n) {
    json_object *a = array(c, n);
    for (long i = 0; a && i < n; i++) push(c, a, integer(c, v[i]));
    return a;
}

static json_object *hist_json(jctx *c, const ppad_hist *h) {
    json_object *o = obj(c);
    put(c, o, "edges", arr(c, h->edges, h->bins + 1, 1));
    put(c, o, "normal", arr_long(c, h->count[0], h->bins));
    put(c, o, "abnormal", arr_long(c, h->count[1], h->bins));
    return o;
}

static json_object *summary_json(jctx *c, const ppad_summary *s) {
    json_object *o = obj(c);
    put(c, o, "n", integer(c, s->n));
    put(c, o, "min", num(c, s->min));
    put(c, o, "q1", num(c, s->q1));
    put(c, o, "median", num(c, s->median));
    put(c, o, "q3", num(c, s->q3));
    put(c, o, "max", num(c, s->max));
    put(c, o, "mean", num(c, s->mean));
    return o;
}

static json_object *cutoff_json(jctx *c, const char *name, const ppad_cutoff *k) {
    json_object *o = obj(c);
    put(c, o, "name", str(c, name));
    put(c, o, "threshold", num(c, k->threshold));
    put(c, o, "rule", str(c, "score >= threshold"));
    put(c, o, "ppad_threshold", num(c, k->ppad_threshold));
    put(c, o, "sensitivity", num(c, k->sensitivity));
    put(c, o, "specificity", num(c, k->specificity));
    put(c, o, "youden_j", num(c, k->youden_j));
    put(c, o, "tp", integer(c, k->tp));
    put(c, o, "fp", integer(c, k->fp));
    put(c, o, "tn", integer(c, k->tn));
    put(c, o, "fn", integer(c, k->fn));
    put(c, o, "roc_index", integer(c, k->index));
    return o;
}

static json_object *metrics_block(jctx *c, const report_numbers *r) {
    json_object *m = metrics_to_json(&r->m);
    if (!m) {
        c->oom = 1;
        return NULL;
    }
    json_object *ci = obj(c);
    for (int k = 0; k < METRICS_N; k++) {
        const double pair[2] = {r->ci.lo[k], r->ci.hi[k]};
        put(c, ci, METRICS_NAMES[k], arr(c, pair, 2, 1));
    }
    put(c, m, "ci", ci);
    json_object *bs = obj(c);
    put(c, bs, "method", str(c, "percentile bootstrap: numpy.percentile(replicates, [2.5, 97.5]), linear"));
    put(c, bs, "level", num(c, r->ci.level));
    put(c, bs, "B", integer(c, r->ci.B));
    put(c, bs, "used", integer(c, r->ci.used));
    put(c, bs, "seed", integer(c, (long long)r->ci.seed));
    put(c, m, "bootstrap", bs);
    return m;
}

static json_object *gallery_json(jctx *c, const report_input *in, const report_numbers *r) {
    json_object *g = obj(c);
    const ppad_scores *s = in->scores;
    for (int k = 0; k < GAL_GROUPS; k++) {
        json_object *a = array(c, r->n_gal[k]);
        for (int i = 0; a && i < r->n_gal[k]; i++) {
            const gallery_item *it = &r->gal[k][i];
            json_object *o = obj(c);
            put(c, o, "row", integer(c, it->row + 1));
            put(c, o, "path", s->paths ? str(c, s->paths[it->row]) : NULL);
            put(c, o, "label", integer(c, s->labels[it->row]));
            put(c, o, "score", num(c, s->scores[it->row]));
            json_object *p = obj(c);
            for (int q = 0; q < PPAD_NPOS; q++)
                put(c, p, POS_KEYS[q], s->probs ? num(c, s->probs[(size_t)it->row * PPAD_NPOS + q]) : NULL);
            put(c, o, "p", p);
            put(c, o, "image", json_object_new_boolean(it->thumb.data != NULL));
            put(c, o, "overlay", json_object_new_boolean(it->vis.overlay.data != NULL));
            put(c, o, "panel", json_object_new_boolean(it->vis.panel.data != NULL));
            if (it->note[0]) put(c, o, "note", str(c, it->note));
            push(c, a, o);
        }
        put(c, g, GALLERY_KEYS[k], a);
    }
    return g;
}

static json_object *positions_json(jctx *c, const report_numbers *r) {
    json_object *o = obj(c);
    for (int k = 0; k < PPAD_NPOS; k++) {
        const position_stats *ps = &r->pos[k];
        json_object *p = obj(c);
        put(c, p, "available", json_object_new_boolean(ps->available));
        if (ps->available) {
            put(c, p, "missing", integer(c, ps->n_missing));
            put(c, p, "auc", num(c, ps->auc));
            put(c, p, "normal", summary_json(c, &ps->s[0]));
            put(c, p, "abnormal", summary_json(c, &ps->s[1]));
            put(c, p, "histogram", hist_json(c, &ps->hist));
        }
        put(c, o, POS_KEYS[k], p);
    }
    return o;
}

static json_object *train_json(jctx *c, const report_input *in) {
    json_object *a = array(c, in->n_logs);
    for (int r = 0; a && r < in->n_logs; r++) {
        const ppad_train_log *l = &in->logs[r];
        json_object *o = obj(c);
        put(c, o, "run", integer(c, r + 1));
        for (int k = 0; k < TRAINLOG_NCOL; k++) put(c, o, TRAINLOG_COLUMNS[k], arr(c, l->col[k], l->n, 1));
        push(c, a, o);
    }
    return a;
}

static json_object *runs_json(jctx *c, const report_input *in, const report_numbers *r) {
    json_object *o = metrics_stats_to_json(&r->stats);
    if (!o) {
        c->oom = 1;
        return NULL;
    }
    json_object *a = array(c, in->n_runs);
    for (int i = 0; a && i < in->n_runs; i++) {
        json_object *m = metrics_to_json(&in->runs[i]);
        if (!m) c->oom = 1;
        if (m && in->run_seeds) put(c, m, "seed", integer(c, (long long)in->run_seeds[i]));
        if (m && in->run_names) put(c, m, "name", str(c, in->run_names[i]));
        push(c, a, m);
    }
    put(c, o, "per_run", a);
    return o;
}

static json_object *lesions_json(jctx *c, const report_input *in) {
    json_object *a = array(c, in->n_lesions);
    for (int i = 0; a && i < in->n_lesions; i++) {
        const report_lesion *l = &in->lesions[i];
        json_object *o = obj(c);
        put(c, o, "method", str(c, l->method));
        put(c, o, "position", str(c, POS_KEYS[l->position >= 0 && l->position < PPAD_NPOS ? l->position : 4]));
        put(c, o, !strcmp(l->method, "fpi") ? "alpha" : "weight", num(c, l->param));
        put(c, o, "source", str(c, l->source));
        put(c, o, "caption", str(c, l->caption));
        push(c, a, o);
    }
    return a;
}

char *report_json(const report_input *in, const report_numbers *r, int embedded, ppad_err *err) {
    jctx c = {0};
    json_object *root = obj(&c);
    put(&c, root, "format", str(&c, "ppad-report"));
    put(&c, root, "version", integer(&c, 1));
    put(&c, root, "generated", str(&c, r->generated));
    put(&c, root, "ppad", str(&c, PPAD_VERSION));
    put(&c, root, "source", in->source ? str(&c, in->source) : NULL);
    json_object *set = obj(&c);
    for (int i = 0; i < in->n_settings; i++) put(&c, set, in->settings[i].key, str(&c, in->settings[i].value));
    put(&c, root, "settings", set);
    put(&c, root, "threshold", num(&c, in->threshold));
    put(&c, root, "decision", str(&c, "abnormal iff score > threshold"));
    put(&c, root, "metrics", metrics_block(&c, r));
    json_object *conf = obj(&c);
    put(&c, conf, "tp", integer(&c, r->m.tp));
    put(&c, conf, "fp", integer(&c, r->m.fp));
    put(&c, conf, "tn", integer(&c, r->m.tn));
    put(&c, conf, "fn", integer(&c, r->m.fn));
    put(&c, conf, "threshold", num(&c, in->threshold));
    put(&c, root, "confusion", conf);
    json_object *roc = obj(&c);
    put(&c, roc, "fpr", arr(&c, r->cv.fpr, r->cv.n_roc, 1));
    put(&c, roc, "tpr", arr(&c, r->cv.tpr, r->cv.n_roc, 1));
    put(&c, roc, "thresholds", arr(&c, r->cv.roc_thr, r->cv.n_roc, 1));
    put(&c, roc, "definition",
        str(&c, "sklearn.metrics.roc_curve(label, score, drop_intermediate=False) of "
                "scikit-learn 1.2 (first threshold = highest score + 1)"));
    json_object *op = obj(&c);
    put(&c, op, "fpr", num(&c, r->op_fpr));
    put(&c, op, "tpr", num(&c, r->op_tpr));
    put(&c, roc, "operating_point", op);
    put(&c, root, "roc", roc);
    json_object *pr = obj(&c);
    put(&c, pr, "precision", arr(&c, r->cv.precision, r->cv.n_pr, 1));
    put(&c, pr, "recall", arr(&c, r->cv.recall, r->cv.n_pr, 1));
    put(&c, pr, "thresholds", arr(&c, r->cv.pr_thr, r->cv.n_pr - 1, 1));
    put(&c, pr, "definition", str(&c, "sklearn.metrics.precision_recall_curve(label, score)"));
    json_object *op2 = obj(&c);
    put(&c, op2, "recall", num(&c, r->op_recall));
    put(&c, op2, "precision", num(&c, r->op_precision)); /* null when nothing is called abnormal */
    put(&c, pr, "operating_point", op2);
    put(&c, pr, "prevalence", num(&c, (double)r->m.n_pos / (double)r->m.n));
    put(&c, root, "pr", pr);
    put(&c, root, "histogram", hist_json(&c, &r->hist));
    json_object *cut = array(&c, 3);
    push(&c, cut, cutoff_json(&c, "youden", &r->youden));
    push(&c, cut, cutoff_json(&c, "sensitivity_90", &r->sens90));
    push(&c, cut, cutoff_json(&c, "sensitivity_95", &r->sens95));
    put(&c, root, "cutoffs", cut);
    put(&c, root, "positions", positions_json(&c, r));
    if (in->n_logs > 0) put(&c, root, "train_log", train_json(&c, in));
    if (r->has_stats) put(&c, root, "runs", runs_json(&c, in, r));
    if (in->n_lesions > 0) put(&c, root, "lesions", lesions_json(&c, in));
    put(&c, root, "gallery", gallery_json(&c, in, r));
    json_object *notes = array(&c, r->n_notes);
    for (int i = 0; notes && i < r->n_notes; i++) push(&c, notes, str(&c, r->notes[i]));
    put(&c, root, "notes", notes);
    char *out = NULL;
    if (!c.oom) {
        int flags = JSON_C_TO_STRING_SPACED | (embedded ? 0 : JSON_C_TO_STRING_NOSLASHESCAPE);
        const char *s = json_object_to_json_string_ext(root, flags);
        if (s) {
            size_t n = strlen(s), lt = 0;
            for (size_t i = 0; i < n; i++) lt += s[i] == '<';
            out = malloc(n + 5 * (embedded ? lt : 0) + 2);
            if (out) {
                char *w = out;
                for (size_t i = 0; i < n; i++) {
                    if (embedded && s[i] == '<') memcpy(w, "\\u003c", 6), w += 6; /* no "</script>" inside */
                    else *w++ = s[i];
                }
                if (!embedded) *w++ = '\n';
                *w = 0;
            }
        }
    }
    json_object_put(root);
    if (!out) ppad_fail(err, "out of memory");
    return out;
}
