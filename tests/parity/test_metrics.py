"""test_metrics.py — `ppad metrics` (src/ppad/metrics.c, src/ppad/scores_csv.c)
against scikit-learn 1.2: accuracy_score and f1_score of (score > threshold),
roc_auc_score and average_precision_score, on random score sets of sizes 2..2000
with heavy ties (scores rounded to 1-2 decimals, all equal, many exactly at the
threshold 0.5 or one ulp from it), imbalanced classes, perfect and inverted
rankings, no predicted positives (sklearn's zero_division -> 0), other
thresholds, extra columns in any order, quoted fields and CRLF. Also: the JSON
output equals the text output, and every error (one class only, missing file,
missing column, bad number, bad label, NaN, empty file...) exits non-zero with
one line naming the file (and the line)."""
import json
import os
import sys
import tempfile
import warnings

import numpy as np
from sklearn.metrics import (accuracy_score, auc, average_precision_score, f1_score, roc_auc_score,
                             roc_curve)

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from check import PPAD, check, done, run  # noqa: E402

warnings.simplefilter("ignore")  # sklearn warns on zero_division; that is one of the cases
TOL = 1e-12  # absolute, on values in [0, 1]: the sums are numpy's, so a few ulps at most
NAMES = ["acc", "auc", "f1", "ap"]


def reference(y, s, t):
    p = (s > t).astype(int)
    return {"acc": accuracy_score(y, p), "auc": roc_auc_score(y, s), "f1": f1_score(y, p),
            "ap": average_precision_score(y, s), "n": len(y), "n_pos": int(y.sum()),
            "tp": int(((p == 1) & (y == 1)).sum()), "fp": int(((p == 1) & (y == 0)).sum()),
            "tn": int(((p == 0) & (y == 0)).sum()), "fn": int(((p == 0) & (y == 1)).sum())}


def write_csv(path, y, s, layout, rng):
    """layout: 'plain' (label,score), 'test' (ppad test --scores columns),
    'permuted' (extra columns, random order, quoted fields, CRLF)."""
    n = len(y)
    cols = {"label": [str(int(v)) for v in y], "score": [repr(float(v)) for v in s]}
    eol = "\n"
    if layout == "plain":
        order = ["label", "score"]
    elif layout == "test":
        cols["path"] = ["img/%05d.png" % i for i in range(n)]
        for k in ("p_left", "p_right", "p_upper", "p_lower", "p_whole"):
            cols[k] = [repr(float(v)) for v in rng.random(n)]
        order = ["path", "label", "score", "p_left", "p_right", "p_upper", "p_lower", "p_whole"]
    else:
        cols["path"] = ['"dir, with comma/%d ""x"".png"' % i for i in range(n)]
        cols["verdict"] = ["abnormal" if v > 0.5 else "normal" for v in s]
        cols["score"] = ['"%s"' % v if i % 3 == 0 else " %s " % v for i, v in enumerate(cols["score"])]
        order = list(cols)
        rng.shuffle(order)
        eol = "\r\n"
    with open(path, "w", newline="") as f:
        f.write(",".join(order) + eol)
        for i in range(n):
            f.write(",".join(cols[c][i] for c in order) + eol)


def ppad_metrics(path, threshold=None, as_json=False):
    args = [PPAD, "metrics", "--scores", path]
    if threshold is not None:
        args += ["--threshold", repr(threshold)]
    if as_json:
        args.append("--json")
    return run(args)


def parse_text(out):
    vals = {}
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 2:
            vals[parts[0]] = float(parts[1]) if parts[0] in NAMES + ["threshold"] else int(parts[1])
    return vals


def make_cases(rng):
    """(name, labels, scores, threshold or None, layout)"""
    cases = []
    sizes = [2, 3, 4, 5, 7, 10, 17, 33, 64, 100, 129, 257, 500, 1000, 2000]
    kinds = ["uniform", "round1", "round2", "normal", "logit"]
    for i, n in enumerate(sizes):
        for kind in kinds:
            pos_frac = rng.choice([0.5, 0.1, 0.9, 0.02, 0.3])
            y = (rng.random(n) < pos_frac).astype(int)
            a, b = rng.choice(n, 2, replace=False)
            y[a], y[b] = 1, 0  # both classes present
            sep = rng.random() * 2
            base = rng.random(n) if kind != "normal" else rng.normal(0.5, 0.2, n)
            s = base + sep * (y - 0.5) * 0.3
            if kind == "round1":
                s = np.round(np.clip(s, 0, 1), 1)
            elif kind == "round2":
                s = np.round(np.clip(s, 0, 1), 2)
            elif kind == "logit":
                s = rng.normal(0, 3, n) + 2 * y  # threshold 0.5 on raw logits
            layout = ["plain", "test", "permuted"][(i + len(cases)) % 3]
            thr = None if (i + len(cases)) % 4 else float(rng.choice([0.3, 0.7, 0.0, 0.55]))
            cases.append(("n%d_%s" % (n, kind), y, s, thr, layout))
    # heavy ties and the threshold itself
    for n in (2, 6, 50, 300):
        y = np.array([0, 1] * (n // 2))
        rng.shuffle(y)
        cases.append(("all_equal_half_n%d" % n, y, np.full(n, 0.5), None, "plain"))
        cases.append(("all_equal_0.8_n%d" % n, y, np.full(n, 0.8), None, "test"))
        s = rng.choice([0.5, np.nextafter(0.5, 1), np.nextafter(0.5, 0), 0.25, 0.75], n)
        cases.append(("at_threshold_n%d" % n, y, s, None, "permuted"))
        s = np.where(rng.random(n) < 0.6, 0.5, rng.random(n))
        cases.append(("mostly_half_n%d" % n, y, s, None, "plain"))
    # perfect, inverted, no predicted positives, everything predicted positive
    for n in (2, 9, 400):
        y = np.zeros(n, int)
        y[: max(1, n // 3)] = 1
        s = rng.random(n) * 0.4 + 0.55 * y
        cases.append(("perfect_n%d" % n, y, s, None, "plain"))
        cases.append(("inverted_n%d" % n, y, 1 - s, None, "test"))
        cases.append(("no_pred_pos_n%d" % n, y, rng.random(n) * 0.5, None, "plain"))
        cases.append(("all_pred_pos_n%d" % n, y, 0.5 + 0.5 * rng.random(n) + 1e-9, None, "plain"))
    # extreme imbalance
    for n, npos in ((2000, 1), (2000, 1999), (1000, 3), (50, 49)):
        y = np.zeros(n, int)
        y[rng.choice(n, npos, replace=False)] = 1
        s = np.round(rng.random(n) * 0.7 + 0.3 * y, 2)
        cases.append(("imbalanced_%d_of_%d" % (npos, n), y, s, None, "permuted"))
    return cases


def main():
    rng = np.random.default_rng(20240605)
    cases = make_cases(rng)
    worst = {k: 0.0 for k in NAMES}
    bitexact = {k: 0 for k in NAMES}
    drop_diff = 0.0
    n_ok = 0
    with tempfile.TemporaryDirectory() as tmp:
        for ci, (name, y, s, thr, layout) in enumerate(cases):
            path = os.path.join(tmp, "case%03d.csv" % ci)
            write_csv(path, y, s, layout, rng)
            r = ppad_metrics(path, thr)
            if not check(r.returncode == 0, "metrics_runs_%s" % name, r.stderr.strip()):
                continue
            got = parse_text(r.stdout)
            ref = reference(y, s, 0.5 if thr is None else thr)
            bad = []
            for k in NAMES:
                if k not in got:
                    bad.append("%s missing" % k)
                    continue
                d = abs(got[k] - ref[k])
                worst[k] = max(worst[k], d)
                bitexact[k] += got[k] == ref[k]
                if not d <= TOL:
                    bad.append("%s %.17g vs sklearn %.17g" % (k, got[k], ref[k]))
            for k in ("n", "n_pos", "tp", "fp", "tn", "fn"):
                if got.get(k) != ref[k]:
                    bad.append("%s %s vs %s" % (k, got.get(k), ref[k]))
            if got.get("n_neg") != ref["n"] - ref["n_pos"]:
                bad.append("n_neg %s" % got.get("n_neg"))
            if got.get("threshold") != (0.5 if thr is None else thr):
                bad.append("threshold %s" % got.get("threshold"))
            n_ok += not bad
            if bad:
                check(False, "metrics_sklearn_%s" % name, "%s (%s)" % ("; ".join(bad), layout))
            # sklearn's own AUC without drop_intermediate: same area up to rounding
            fpr, tpr, _ = roc_curve(y, s, drop_intermediate=False)
            drop_diff = max(drop_diff, abs(auc(fpr, tpr) - ref["auc"]))
            if ci % 10 == 0:  # JSON equals text
                rj = ppad_metrics(path, thr, as_json=True)
                try:
                    js = json.loads(rj.stdout)
                except ValueError as e:
                    js = {"error": str(e)}
                check(rj.returncode == 0 and js == got, "metrics_json_equals_text_%s" % name,
                      "json %s text %s" % (js, got))
        check(n_ok == len(cases) and len(cases) >= 50, "metrics_sklearn_all_%d_cases" % len(cases),
              "%d of %d agree" % (n_ok, len(cases)))
        print("# worst |ppad - sklearn|: %s; bit-identical: %s of %d; drop_intermediate changes sklearn's AUC "
              "by at most %.3g" % (", ".join("%s %.3g" % (k, worst[k]) for k in NAMES),
                                   ", ".join("%s %d" % (k, bitexact[k]) for k in NAMES), len(cases), drop_diff))

        # the summary line, in percent as in the paper
        path = os.path.join(tmp, "summary.csv")
        write_csv(path, np.array([1, 0, 0, 1, 1]), np.array([0.9, 0.4, 0.6, 0.5, 0.8]), "plain", rng)
        r = ppad_metrics(path)
        line = r.stdout.splitlines()[-1] if r.stdout else ""
        check(line.startswith("ACC 60.0 AUC 83.3 F1 66.7 AP 91.7"), "metrics_summary_line", repr(line))

        # all one class: AUC undefined -> a clear error
        for label in (0, 1):
            path = os.path.join(tmp, "one_class_%d.csv" % label)
            write_csv(path, np.full(20, label), rng.random(20), "test", rng)
            for as_json in (False, True):
                r = ppad_metrics(path, as_json=as_json)
                err = r.stderr.strip()
                check(r.returncode != 0 and r.stdout == "" and len(err.splitlines()) == 1 and path in err
                      and "both" in err and ("normal" if label == 0 else "abnormal") in err,
                      "metrics_one_class_%d%s" % (label, "_json" if as_json else ""),
                      "rc %d stdout %r stderr %r" % (r.returncode, r.stdout[:80], err))

        # malformed inputs: one line naming the file (and the line), non-zero exit
        bad_files = {
            "missing": (None, None),
            "empty": ("", None),
            "blank": ("\n\n", None),
            "header_only": ("label,score\n", None),
            "no_label": ("path,score\na,0.5\nb,0.7\n", "label"),
            "no_score": ("path,label,prob\na,0,0.5\nb,1,0.7\n", "score"),
            "bad_number": ("label,score\n0,0.1\n1,0.9\n1,0.x5\n", "line 4"),
            "empty_score": ("label,score\n0,0.1\n1,\n", "line 3"),
            "nan_score": ("label,score\n0,0.1\n1,nan\n", "line 3"),
            "inf_score": ("label,score\n0,0.1\n1,inf\n0,0.3\n", "line 3"),
            "label_2": ("score,label\n0.1,0\n0.3,2\n", "line 3"),
            "label_text": ("score,label\n0.1,0\n0.3,yes\n", "line 3"),
            "few_fields": ("path,label,score\na,0,0.1\nb,1\n", "line 3"),
            "unterminated": ('path,label,score\na,0,0.1\n"b,1,0.2\n', "line 3"),
            "duplicate_col": ("label,score,score\n0,0.1,0.2\n", "score"),
        }
        for name, (content, needle) in bad_files.items():
            path = os.path.join(tmp, "bad_%s.csv" % name)
            if content is not None:
                with open(path, "w") as f:
                    f.write(content)
            r = ppad_metrics(path)
            err = r.stderr.strip()
            check(r.returncode != 0 and r.stdout == "" and len(err.splitlines()) == 1 and path in err
                  and (needle is None or needle in err), "metrics_error_%s" % name,
                  "rc %d stdout %r stderr %r" % (r.returncode, r.stdout[:80], err))
        r = run([PPAD, "metrics", "--scores", os.path.join(tmp, "case000.csv"), "--threshold", "abc"])
        check(r.returncode != 0 and len(r.stderr.strip().splitlines()) == 1 and "--threshold" in r.stderr,
              "metrics_error_bad_threshold", r.stderr)
        r = run([PPAD, "metrics"])
        check(r.returncode != 0 and len(r.stderr.strip().splitlines()) == 1, "metrics_error_no_scores", r.stderr)
        r = run([PPAD, "metrics", "--help"])
        check(r.returncode == 0 and "--scores" in r.stdout, "metrics_help", r.stderr)

        # blank lines, BOM, labels written as 1.0 and an uppercase header are read
        path = os.path.join(tmp, "lenient.csv")
        with open(path, "w") as f:
            f.write("\ufeffLabel,Score\n\n1.0,0.9\n0.0,0.2\n\n1,0.4\n0,0.6\n")
        r = ppad_metrics(path)
        got = parse_text(r.stdout)
        ref = reference(np.array([1, 0, 1, 0]), np.array([0.9, 0.2, 0.4, 0.6]), 0.5)
        check(r.returncode == 0 and all(abs(got[k] - ref[k]) <= TOL for k in NAMES) and got["n"] == 4,
              "metrics_lenient_csv", "%s %s" % (r.stderr.strip(), got))
    done()


if __name__ == "__main__":
    main()
