/* test_metrics.c — src/ppad/metrics.c beyond the sklearn parity test
 * (tests/parity/test_metrics.py): hand-computed small cases, input errors,
 * metrics_mean_sd (sample sd, ddof = 1) and the text/JSON printers. */
#include <json.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "ppad/metrics.h"

static int near(double a, double b) { return fabs(a - b) <= 1e-15; }

/* Runs a printer into a string (caller frees). */
static char *capture(void (*print)(FILE *, const ppad_metrics *), const ppad_metrics *m) {
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f) return NULL;
    print(f, m);
    fclose(f);
    return buf;
}

int main(void) {
    ppad_err err = {{0}};
    ppad_metrics m;

    /* y = 1 0 0 1, s = .9 .4 .6 .5, sorted: .9(1) .6(0) .5(1) .4(0); AUC = 3 of 4 pairs
     * ordered. (P, R) per threshold: (1, .5) (1/2, .5) (2/3, 1) (2/4, 1), so
     * AP = .5*1 + .5*(2/3) = 5/6. Predictions > .5: 1 0 1 0 -> TP 1 FP 1 TN 1 FN 1. */
    int y1[] = {1, 0, 0, 1};
    double s1[] = {0.9, 0.4, 0.6, 0.5};
    CHECK(metrics_compute(&m, y1, s1, 4, 0.5, &err) == 0, "metrics_small_ok");
    CHECK(near(m.auc, 0.75) && near(m.ap, 5.0 / 6) && near(m.acc, 0.5) && near(m.f1, 0.5), "metrics_small_values");
    CHECK(m.tp == 1 && m.fp == 1 && m.tn == 1 && m.fn == 1 && m.n == 4 && m.n_pos == 2, "metrics_small_counts");

    /* all scores tied: AUC 0.5 (ties count half), AP = prevalence; 0.5 is not > 0.5 */
    int y2[] = {1, 0, 0, 0};
    double s2[] = {0.5, 0.5, 0.5, 0.5};
    CHECK(metrics_compute(&m, y2, s2, 4, 0.5, &err) == 0 && near(m.auc, 0.5) && near(m.ap, 0.25) &&
              m.tp == 0 && m.fp == 0 && near(m.f1, 0) && near(m.acc, 0.75),
          "metrics_all_tied");
    CHECK(metrics_compute(&m, y2, s2, 4, 0.4, &err) == 0 && m.tp == 1 && m.fp == 3 && near(m.f1, 0.4),
          "metrics_threshold_below_ties");

    /* errors */
    int y3[] = {0, 0, 0};
    double s3[] = {0.1, 0.2, 0.3};
    CHECK(metrics_compute(&m, y3, s3, 3, 0.5, &err) == -1 && strstr(err.msg, "normal") && strstr(err.msg, "both"),
          "metrics_error_only_normal");
    int y4[] = {1, 1};
    CHECK(metrics_compute(&m, y4, s3, 2, 0.5, &err) == -1 && strstr(err.msg, "abnormal"),
          "metrics_error_only_abnormal");
    CHECK(metrics_compute(&m, y1, s1, 0, 0.5, &err) == -1, "metrics_error_empty");
    double s5[] = {0.1, NAN, 0.3, 0.4};
    CHECK(metrics_compute(&m, y1, s5, 4, 0.5, &err) == -1 && strstr(err.msg, "sample 2"), "metrics_error_nan");
    double s6[] = {0.1, 0.2, INFINITY, 0.4};
    CHECK(metrics_compute(&m, y1, s6, 4, 0.5, &err) == -1 && strstr(err.msg, "sample 3"), "metrics_error_inf");
    int y7[] = {0, 1, 2, 1};
    CHECK(metrics_compute(&m, y7, s1, 4, 0.5, &err) == -1 && strstr(err.msg, "label 2"), "metrics_error_label");
    CHECK(metrics_compute(&m, y1, s1, 4, NAN, &err) == -1, "metrics_error_threshold");

    /* mean and sample sd (ddof = 1): acc .8 .9 1.0 -> mean .9, sd .1 */
    ppad_metrics runs[3] = {{.acc = 0.8, .auc = 0.5, .f1 = 0.2, .ap = 1},
                            {.acc = 0.9, .auc = 0.5, .f1 = 0.4, .ap = 1},
                            {.acc = 1.0, .auc = 0.5, .f1 = 0.9, .ap = 1}};
    ppad_metrics_stats st;
    CHECK(metrics_mean_sd(&st, runs, 3, &err) == 0 && st.runs == 3, "metrics_mean_sd_ok");
    /* numpy: np.std([.2,.4,.9], ddof=1) = 0.36055512754639896 */
    CHECK(fabs(st.mean[METRICS_ACC] - 0.9) < 1e-15 && fabs(st.sd[METRICS_ACC] - 0.1) < 1e-15 &&
              st.sd[METRICS_AUC] == 0 && fabs(st.mean[METRICS_F1] - 0.5) < 1e-15 &&
              fabs(st.sd[METRICS_F1] - 0.36055512754639896) < 1e-15 && st.mean[METRICS_AP] == 1,
          "metrics_mean_sd_values");
    CHECK(metrics_mean_sd(&st, runs, 1, &err) == 0 && st.sd[METRICS_F1] == 0 && st.mean[METRICS_F1] == 0.2,
          "metrics_mean_sd_one_run");
    CHECK(metrics_mean_sd(&st, runs, 0, &err) == -1, "metrics_mean_sd_no_runs");

    /* printers */
    metrics_compute(&m, y1, s1, 4, 0.5, &err);
    char *text = capture(metrics_print_text, &m);
    CHECK(text && strncmp(text, "ACC 50.0 AUC 75.0 F1 50.0 AP 83.3 (", 35) == 0 && strchr(text, '\n'),
          "metrics_print_text");
    char *vals = capture(metrics_print_values, &m);
    CHECK(vals && strstr(vals, "ap 0.83333333333333326\n") == NULL && strstr(vals, "ap 0.8333333333333333\n") &&
              strstr(vals, "\ntp 1\n") && strstr(vals, "threshold 0.5\n"),
          "metrics_print_values_exact");
    char *js = capture(metrics_print_json, &m);
    json_object *o = js ? json_tokener_parse(js) : NULL, *v;
    CHECK(o && json_object_object_get_ex(o, "ap", &v) && json_object_get_double(v) == m.ap &&
              json_object_object_get_ex(o, "fn", &v) && json_object_get_int64(v) == 1 &&
              json_object_object_get_ex(o, "acc", &v) && json_object_get_double(v) == 0.5,
          "metrics_print_json_round_trip");
    json_object_put(o);
    free(text);
    free(vals);
    free(js);

    metrics_mean_sd(&st, runs, 3, &err);
    char *sbuf = NULL;
    size_t slen = 0;
    FILE *f = open_memstream(&sbuf, &slen);
    metrics_stats_print_text(f, &st);
    fclose(f);
    const char *want = "ACC 90.0 \u00b1 10.0 AUC 50.0 \u00b1 0.0 F1 50.0 \u00b1 36.1 AP 100.0 \u00b1 0.0 (3 runs";
    CHECK(sbuf && strncmp(sbuf, want, strlen(want)) == 0,
          "metrics_stats_print_text");
    free(sbuf);
    json_object *so = metrics_stats_to_json(&st), *mean, *sd;
    CHECK(so && json_object_object_get_ex(so, "mean", &mean) && json_object_object_get_ex(so, "sd", &sd) &&
              json_object_object_get_ex(sd, "f1", &v) && json_object_get_double(v) == st.sd[METRICS_F1] &&
              json_object_object_get_ex(so, "runs", &v) && json_object_get_int(v) == 3,
          "metrics_stats_json");
    json_object_put(so);
    return check_done();
}
