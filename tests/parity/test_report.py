"""test_report.py — the numbers of `ppad report` (src/ppad/curves.c,
bootstrap.c, distrib.c, trainlog_csv.c, the JSON of src/report) against
scikit-learn 1.2 and numpy:
  roc.fpr/tpr/thresholds == roc_curve(y, s, drop_intermediate=False),
  pr.precision/recall/thresholds == precision_recall_curve(y, s),
  same lengths, order and endpoints, on random scores of sizes 2..3000 with
  heavy ties (rounded scores, all equal, many at the threshold), imbalance,
  perfect and inverted rankings; metrics == sklearn; histograms ==
  numpy.histogram; per-position summaries == numpy.percentile / mean and
  per-position AUC == roc_auc_score on the rows with a value; cut-offs ==
  numpy.argmax over sklearn's curve; runs mean/sd == numpy (ddof=1); the
  training log round trip. Bootstrap: replicates redone with sklearn on the
  resampled rows (bootstrap_tool), intervals == numpy.percentile of the
  replicates, the same seed gives the same intervals whatever the thread
  count, another seed other ones, and the intervals bracket the point
  estimates. JSON: the required keys, no NaN/Infinity tokens, the embedded
  copy equals --json. Errors: one class only, an output that is an input,
  --json == --out, a missing folder: one line, nothing written."""
import json
import os
import re
import shutil
import sys
import tempfile
import warnings

import numpy as np
from sklearn.metrics import (accuracy_score, average_precision_score, f1_score, precision_recall_curve,
                             roc_auc_score, roc_curve)

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from check import BUILD, PPAD, check, close, done, run  # noqa: E402

warnings.simplefilter("ignore")
TOOL = os.path.join(BUILD, "tools", "bootstrap_tool")
# Curve points are ratios of integer counts computed with the same single
# division as numpy's; metrics use numpy's pairwise sums. Values in [0, 1]:
# 1e-12 absolute is far below anything visible and above a few ulps.
TOL = 1e-12
POS = ["left", "right", "upper", "lower", "whole"]
PCOLS = ["p_" + k for k in POS]


def no_nan(text):
    def bad(tok):
        raise ValueError("non-JSON number token " + tok)
    return json.loads(text, parse_constant=bad)


def write_scores(path, y, s, probs=None, paths=True, missing=None):
    cols = (["path"] if paths else []) + ["label", "score"] + (PCOLS if probs is not None else [])
    with open(path, "w") as f:
        f.write(",".join(cols) + "\n")
        for i in range(len(y)):
            row = (["img/%05d.png" % i] if paths else []) + [str(int(y[i])), repr(float(s[i]))]
            if probs is not None:
                row += ["" if (missing is not None and missing[i, k]) else repr(float(probs[i, k])) for k in range(5)]
            f.write(",".join(row) + "\n")


def report(d, csv, extra=(), name="r"):
    html, js = os.path.join(d, name + ".html"), os.path.join(d, name + ".json")
    r = run([PPAD, "report", "--scores", csv, "--out", html, "--json", js, "--quiet"] + list(extra))
    if r.returncode != 0:
        return None, r
    with open(js) as f:
        return no_nan(f.read()), r


def cases(rng):
    out = []
    for n in (2, 3, 5, 17, 100, 624, 3000):
        for kind in ("random", "ties1", "ties2", "imbalanced"):
            y = (rng.random(n) < (0.1 if kind == "imbalanced" else 0.5)).astype(int)
            y[0], y[-1] = 0, 1  # both classes
            s = rng.random(n)
            if kind == "ties1":
                s = np.round(s, 1)
            elif kind == "ties2":
                s = np.round(s * 4) / 8 + 0.25  # many exactly at 0.5
            out.append(("%s n=%d" % (kind, n), y, s))
    y = np.array([0, 1] * 20)
    out.append(("all scores equal", y, np.full(40, 0.5)))
    out.append(("perfect ranking", y, y * 0.5 + 0.25))
    out.append(("inverted ranking", y, (1 - y) * 0.5 + 0.25))
    out.append(("two samples", np.array([1, 0]), np.array([0.3, 0.3])))
    return out


def check_curves(name, doc, y, s):
    fpr, tpr, thr = roc_curve(y, s, drop_intermediate=False)
    ok = (len(doc["roc"]["fpr"]) == len(fpr) and len(doc["roc"]["thresholds"]) == len(thr))
    check(ok, "%s: roc has sklearn's %d points" % (name, len(fpr)), "got %d" % len(doc["roc"]["fpr"]))
    if ok:
        close("%s: roc fpr" % name, doc["roc"]["fpr"], fpr, TOL, 0)
        close("%s: roc tpr" % name, doc["roc"]["tpr"], tpr, TOL, 0)
        close("%s: roc thresholds" % name, doc["roc"]["thresholds"], thr, 0, 1e-15)
    p, r, t = precision_recall_curve(y, s)
    ok = len(doc["pr"]["precision"]) == len(p) and len(doc["pr"]["thresholds"]) == len(t)
    check(ok, "%s: pr has sklearn's %d points" % (name, len(p)), "got %d" % len(doc["pr"]["precision"]))
    if ok:
        close("%s: pr precision" % name, doc["pr"]["precision"], p, TOL, 0)
        close("%s: pr recall" % name, doc["pr"]["recall"], r, TOL, 0)
        close("%s: pr thresholds" % name, doc["pr"]["thresholds"], t, 0, 0)
    m = doc["metrics"]
    pred = (s > 0.5).astype(int)
    ref = [accuracy_score(y, pred), roc_auc_score(y, s), f1_score(y, pred), average_precision_score(y, s)]
    close("%s: acc auc f1 ap" % name, [m["acc"], m["auc"], m["f1"], m["ap"]], ref, TOL, 0)
    # cut-offs: np.argmax over sklearn's full curve
    j = int(np.argmax(tpr - fpr))
    i90, i95 = int(np.argmax(tpr >= 0.9)), int(np.argmax(tpr >= 0.95))
    cut = {c["name"]: c for c in doc["cutoffs"]}
    got = [cut["youden"]["roc_index"], cut["sensitivity_90"]["roc_index"], cut["sensitivity_95"]["roc_index"]]
    check(got == [j, i90, i95], "%s: cut-offs at sklearn's points (Youden, 90%%, 95%%)" % name,
          "got %s expected %s" % (got, [j, i90, i95]))
    c = cut["youden"]
    pos = s >= c["threshold"]
    cm = [int((pos & (y == 1)).sum()), int((pos & (y == 0)).sum())]
    check(cm == [c["tp"], c["fp"]] and np.array_equal(s > c["ppad_threshold"], pos),
          "%s: Youden cut-off counts, and ppad_threshold gives the same decisions" % name, str(c))


def main():
    rng = np.random.default_rng(12)
    d = tempfile.mkdtemp(prefix="ppad-report-")
    csv = os.path.join(d, "s.csv")
    for name, y, s in cases(rng):
        write_scores(csv, y, s)
        doc, r = report(d, csv, ["--bootstrap", "50", "--gallery", "0"])
        if not check(doc is not None, "%s: report runs" % name, r.stderr if r else ""):
            continue
        check_curves(name, doc, y, s)
        h = doc["histogram"]
        lo, hi = (0.0, 1.0) if (s.min() >= 0 and s.max() <= 1) else (s.min(), s.max())
        ref0, edges = np.histogram(s[y == 0], bins=20, range=(lo, hi))
        ref1, _ = np.histogram(s[y == 1], bins=20, range=(lo, hi))
        check(h["normal"] == ref0.tolist() and h["abnormal"] == ref1.tolist() and np.array_equal(h["edges"], edges),
              "%s: histograms == numpy.histogram" % name, "%s %s vs %s %s" % (h["normal"], h["abnormal"], ref0, ref1))

    # per-position summaries, missing values, scores outside [0, 1]
    n = 300
    y = (rng.random(n) < 0.4).astype(int)
    y[:2] = [0, 1]
    P = np.clip(rng.normal(0.3 + 0.4 * y[:, None], 0.2, (n, 5)), 0, 1)
    P[:, 2] = np.round(P[:, 2], 2)
    miss = np.zeros((n, 5), bool)
    miss[::7, 1] = True
    miss[:, 3] = True  # a column with no values at all
    s = 3 * rng.standard_normal(n)  # not probabilities: the histogram spans [min, max]
    write_scores(csv, y, s, P, missing=miss)
    doc, r = report(d, csv, ["--bootstrap", "20", "--gallery", "2"])
    if check(doc is not None, "positions: report runs", r.stderr if r else ""):
        _, edges = np.histogram(s, bins=20, range=(s.min(), s.max()))
        check(np.array_equal(doc["histogram"]["edges"], edges), "scores outside [0, 1]: bins over [min, max]")
        for k, key in enumerate(POS):
            pk = doc["positions"][key]
            if k == 3:
                check(pk == {"available": False}, "position with an empty column: not available", str(pk))
                continue
            have = ~miss[:, k]
            check(pk["available"] and pk["missing"] == int((~have).sum()), "%s: available, missing counted" % key)
            for lab, cls in ((0, "normal"), (1, "abnormal")):
                v = P[have & (y == lab), k]
                ref = [len(v), v.min(), np.percentile(v, 25), np.median(v), np.percentile(v, 75), v.max(), v.mean()]
                got = [pk[cls][q] for q in ("n", "min", "q1", "median", "q3", "max", "mean")]
                close("%s %s: n, min, quartiles, max, mean == numpy" % (key, cls), got, ref, 0, 1e-15)
                hh, _ = np.histogram(v, bins=20, range=(0, 1))
                check(pk["histogram"][cls] == hh.tolist(), "%s %s: histogram == numpy" % (key, cls))
            close("%s: AUC of p_%s alone" % (key, key), [pk["auc"]], [roc_auc_score(y[have], P[have, k])], TOL, 0)
        g = doc["gallery"]
        fp = sorted([i for i in range(n) if y[i] == 0 and s[i] > 0.5], key=lambda i: -s[i])[:2]
        fn = sorted([i for i in range(n) if y[i] == 1 and s[i] <= 0.5], key=lambda i: s[i])[:2]
        tp = sorted([i for i in range(n) if y[i] == 1 and s[i] > 0.5], key=lambda i: -s[i])[:2]
        got = [[e["row"] - 1 for e in g[k]] for k in ("false_positives", "false_negatives", "true_positives")]
        check(got == [fp, fn, tp], "gallery: the most confident FP, FN and top TP", "%s vs %s" % (got, [fp, fn, tp]))
        e = g["false_positives"][0]
        check(e["p"]["lower"] is None and abs(e["p"]["left"] - P[fp[0], 0]) == 0 and e["image"] is False,
              "gallery entry: five probabilities (null where missing), no image without --images", str(e))

    # no p_* and no path columns: a valid page without those parts
    write_scores(csv, y, np.clip(rng.random(n), 0, 1), paths=False)
    doc, r = report(d, csv, ["--bootstrap", "20", "--images"])
    check(doc is not None and not any(doc["positions"][k]["available"] for k in POS)
          and all(e["path"] is None for e in doc["gallery"]["true_positives"]) and doc["notes"],
          "label,score only: no positions, gallery by row, a note", r.stderr if r else "")

    # --images: paths relative to the CSV's folder, run from elsewhere; a missing image is a warning
    from PIL import Image
    sub = os.path.join(d, "set")
    os.makedirs(os.path.join(sub, "img"))
    n = 12
    y = np.array([0, 1] * 6)
    s = np.linspace(0.05, 0.95, n)[rng.permutation(n)]
    for i in range(n):
        if i != 3:
            Image.fromarray((np.arange(40 * 30).reshape(30, 40) % 251).astype(np.uint8)).save(
                os.path.join(sub, "img", "%05d.png" % i))
    write_scores(os.path.join(sub, "s.csv"), y, s)
    doc, r = report(d, os.path.join(sub, "s.csv"), ["--images", "--gallery", "20", "--bootstrap", "20"], name="img")
    if check(doc is not None, "--images with a missing image still writes the page", r.stderr if r else ""):
        items = {e["row"] - 1: e for g in doc["gallery"].values() for e in g}
        check(all(e["image"] == (i != 3) for i, e in items.items()) and 3 in items and "note" in items[3],
              "--images: paths found relative to the CSV's folder; the missing one noted on its card", str(items.get(3)))
        warn = [l for l in r.stderr.splitlines() if "warning" in l]
        check(len(warn) == 1 and "00003.png" in warn[0], "one warning line names the missing image", r.stderr)

    # bootstrap: replicates == sklearn on the resample, CI == numpy.percentile
    n = 150
    y = (rng.random(n) < 0.5).astype(int)
    s = np.clip(rng.normal(0.35 + 0.3 * y, 0.2), 0, 1)
    s[::5] = np.round(s[::5], 1)
    write_scores(csv, y, s)
    r = run([TOOL, csv, "300", "7", "0.5", "5"])
    if check(r.returncode == 0, "bootstrap_tool runs", r.stderr):
        bt = json.loads(r.stdout)
        V = np.array([[np.nan if v is None else v for v in row] for row in bt["values"]])
        for b, cnt in enumerate(bt["counts"]):
            idx = np.repeat(np.arange(n), cnt)
            yy, ss = y[idx], s[idx]
            pred = (ss > 0.5).astype(int)
            ref = [accuracy_score(yy, pred), roc_auc_score(yy, ss), f1_score(yy, pred), average_precision_score(yy, ss)]
            close("bootstrap replicate %d == sklearn on the resampled rows" % b, V[b], ref, TOL, 0)
        used = ~np.isnan(V).any(axis=1)
        close("bootstrap lo == numpy.percentile(2.5)", bt["lo"], np.percentile(V[used], 2.5, axis=0), TOL, 0)
        close("bootstrap hi == numpy.percentile(97.5)", bt["hi"], np.percentile(V[used], 97.5, axis=0), TOL, 0)
        check(bt["used"] == int(used.sum()) == 300, "all 300 replicates used (both classes)", str(bt["used"]))
    env1 = dict(os.environ, OMP_NUM_THREADS="1")
    r1 = run([PPAD, "report", "--scores", csv, "--out", os.path.join(d, "a.html"), "--json", os.path.join(d, "a.json"),
              "--seed", "3", "--quiet"], env=env1)
    r2 = run([PPAD, "report", "--scores", csv, "--out", os.path.join(d, "b.html"), "--json", os.path.join(d, "b.json"),
              "--seed", "3", "--quiet"], env=dict(os.environ, OMP_NUM_THREADS="2"))
    r3 = run([PPAD, "report", "--scores", csv, "--out", os.path.join(d, "c.html"), "--json", os.path.join(d, "c.json"),
              "--seed", "4", "--quiet"])
    if check(r1.returncode == r2.returncode == r3.returncode == 0, "three seeded reports", r1.stderr + r2.stderr):
        a, b, c = (no_nan(open(os.path.join(d, x + ".json")).read())["metrics"] for x in "abc")
        check(a["ci"] == b["ci"] and a["bootstrap"]["B"] == 1000 and a["bootstrap"]["seed"] == 3,
              "same seed, 1 or 2 threads: identical intervals (B = 1000 stated)", "%s vs %s" % (a["ci"], b["ci"]))
        check(a["ci"] != c["ci"], "another seed: other intervals")
        check(all(a["ci"][k][0] <= a[k] <= a["ci"][k][1] for k in ("acc", "auc", "f1", "ap")),
              "the intervals bracket the point estimates", str(a))
        page = open(os.path.join(d, "a.html")).read()
        m = re.search(r'<script type="application/json" id="ppad-report">(.*?)</script>', page, re.S)
        emb = no_nan(m.group(1)) if m else None
        full = no_nan(open(os.path.join(d, "a.json")).read())
        check(emb == full, "the embedded JSON equals --json")
        need = {"metrics": ["acc", "auc", "f1", "ap", "ci", "bootstrap"], "roc": ["fpr", "tpr", "thresholds"],
                "pr": ["precision", "recall", "thresholds"], "histogram": ["edges", "normal", "abnormal"],
                "settings": [], "confusion": ["tp", "fp", "tn", "fn"], "cutoffs": [], "positions": POS,
                "gallery": ["false_positives", "false_negatives", "true_positives"]}
        miss = [k + "." + q for k, qs in need.items() for q in ([""] + qs) if k not in full or (q and q not in full[k])]
        check(not miss, "the JSON holds the required keys", "missing %s" % miss)
        check("B = 1000" in page and "seed 3" in page, "the page states B and the seed")

    # runs: several --scores; a training log
    paths = []
    for k in range(3):
        p = os.path.join(d, "run%d.csv" % k)
        write_scores(p, y, np.clip(s + 0.1 * rng.standard_normal(n), 0, 1))
        paths.append(p)
    log = os.path.join(d, "log.csv")
    L = np.array([[t, 1 + t // 4, 1e-3 * (1 + np.cos(np.pi * t / 20)) / 2, 0.7 * np.exp(-t / 9), t % 3, 0.5 * t]
                  for t in range(1, 21)])
    with open(log, "w") as f:
        f.write("step,epoch,lr,loss,n_abnormal,seconds\n")
        for row in L:
            f.write("%d,%d,%.9g,%.9g,%d,%.3f\n" % tuple(row))
    r = run([PPAD, "report", "--out", os.path.join(d, "runs.html"), "--json", os.path.join(d, "runs.json"), "--quiet",
             "--log", log, "--bootstrap", "20", "--scores"] + paths)
    if check(r.returncode == 0, "report of 3 runs with a log", r.stderr):
        doc = no_nan(open(os.path.join(d, "runs.json")).read())
        per = np.array([[m[k] for k in ("acc", "auc", "f1", "ap")] for m in doc["runs"]["per_run"]])
        close("runs: mean == numpy", [doc["runs"]["mean"][k] for k in ("acc", "auc", "f1", "ap")], per.mean(0), TOL, 0)
        close("runs: sd == numpy (ddof=1)", [doc["runs"]["sd"][k] for k in ("acc", "auc", "f1", "ap")],
              per.std(0, ddof=1), TOL, 0)
        last = np.loadtxt(paths[-1], delimiter=",", skiprows=1, usecols=(1, 2))
        close("runs: the figures show the last run", [doc["metrics"]["auc"]], [roc_auc_score(last[:, 0], last[:, 1])],
              TOL, 0)
        tl = doc["train_log"][0]
        got = np.array([tl[c] for c in ("step", "epoch", "lr", "loss", "n_abnormal", "seconds")]).T
        close("training log read back exactly", got, np.loadtxt(log, delimiter=",", skiprows=1), 0, 0)

    # errors: one line, nothing written, the input untouched
    def one_line_error(name, r, text, forbidden=()):
        lines = r.stderr.strip().splitlines()
        ok = r.returncode not in (0,) and r.returncode < 128 and len(lines) == 1 and text in r.stderr
        ok = ok and not any(os.path.exists(f) for f in forbidden)
        check(ok, name, "rc %d: %s" % (r.returncode, r.stderr.strip()))

    before = open(csv).read()
    one_line_error("--out equal to --scores refused", run([PPAD, "report", "--scores", csv, "--out", csv]), "refusing")
    check(open(csv).read() == before, "the scores file is untouched")
    link = os.path.join(d, "link.csv")
    os.symlink(csv, link)
    one_line_error("--out the same file as --scores (a link) refused", run([PPAD, "report", "--scores", csv, "--out", link]),
                   "refusing")
    one_line_error("--json equal to --out refused", run([PPAD, "report", "--scores", csv, "--out",
                                                         os.path.join(d, "x.html"), "--json", os.path.join(d, "x.html")]),
                   "name the same file", [os.path.join(d, "x.html")])
    one_line_error("--out into a missing folder", run([PPAD, "report", "--scores", csv, "--out",
                                                       os.path.join(d, "no", "x.html")]), "does not exist")
    one_line_error("--json into a missing folder: the page is not written either",
                   run([PPAD, "report", "--scores", csv, "--out", os.path.join(d, "y.html"), "--json",
                        os.path.join(d, "no", "y.json")]), "does not exist", [os.path.join(d, "y.html")])
    write_scores(csv, np.zeros(10, int), rng.random(10))
    one_line_error("one class only: a clear error", run([PPAD, "report", "--scores", csv, "--out",
                                                         os.path.join(d, "z.html")]), "need both normal",
                   [os.path.join(d, "z.html")])
    one_line_error("missing scores file", run([PPAD, "report", "--scores", os.path.join(d, "none.csv"), "--out",
                                               os.path.join(d, "z.html")]), "none.csv")
    r = run([PPAD, "report", "--out", os.path.join(d, "z.html")])
    check(r.returncode == 2 and "--scores" in r.stderr, "no --scores: usage error, exit 2", r.stderr)
    with open(log, "w") as f:
        f.write("step,loss\n1,0.5\n")
    write_scores(csv, y, s)
    one_line_error("a log without lr", run([PPAD, "report", "--scores", csv, "--log", log, "--out",
                                            os.path.join(d, "z.html")]), "'lr'")
    check(not [f for f in os.listdir(d) if ".tmp." in f], "no temporary files left", str(os.listdir(d)))
    shutil.rmtree(d, ignore_errors=True)
    done()


if __name__ == "__main__":
    main()
