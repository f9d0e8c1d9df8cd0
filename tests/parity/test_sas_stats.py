"""test_sas_stats.py — SAS's random draws have the distributions of spec
section 6 over 2000 draws with a fixed seed (build/tools/sas_tool, which runs
the whole synthesis each time): positions uniform over 5 and weights uniform
over {-0.999, -0.99, 2, 3} (chi-square goodness of fit, p > 0.001 with
scipy.stats), patch width and height cover [45, 179) (min 45 and max 178 seen,
nothing outside), centres uniform over each region box (last row/column never
drawn), and nothing failed or changed pixels outside a lesion."""
import os
import sys

import numpy as np
from scipy import stats

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from check import BUILD, check, done, run  # noqa: E402

TOOL = os.path.join(BUILD, "tools", "sas_tool")
BOX = [(0, 0, 223, 111), (0, 112, 223, 223), (0, 0, 119, 223), (120, 0, 223, 223), (0, 0, 223, 223)]
WEIGHTS = [-0.999, -0.99, 2.0, 3.0]
N = 2000


def main():
    r = run([TOOL, "20240601", str(N)])
    if not check(r.returncode == 0, "sas_tool runs %d draws" % N, r.stderr.strip()):
        return done()
    a = np.array([[float(v) for v in line.split()] for line in r.stdout.splitlines()])
    check(a.shape == (N, 12), "one line per draw", str(a.shape))
    pos, w = a[:, 0].astype(int), a[:, 1]
    width, height, size = a[:, 2].astype(int), a[:, 3].astype(int), a[:, 4].astype(int)
    cr, cc = a[:, 5].astype(int), a[:, 6].astype(int)

    counts = np.bincount(pos, minlength=5)
    p = stats.chisquare(counts).pvalue
    check(p > 0.001 and counts.size == 5, "positions uniform over 5: counts %s, chi2 p=%.3g" % (counts.tolist(), p))
    wi = np.array([WEIGHTS.index(v) if v in WEIGHTS else -1 for v in w])
    check(np.all(wi >= 0), "weights only from {-0.999, -0.99, 2, 3}", str(sorted(set(w.tolist()))[:8]))
    wc = np.bincount(wi[wi >= 0], minlength=4)
    p = stats.chisquare(wc).pvalue
    check(p > 0.001, "weights uniform over 4: counts %s, chi2 p=%.3g" % (wc.tolist(), p))

    sizes = np.concatenate([width, height])
    check(sizes.min() == 45 and sizes.max() == 178, "patch sizes span [45, 179): min %d max %d" % (sizes.min(),
                                                                                                   sizes.max()))
    sc = np.bincount(sizes - 45, minlength=134)
    p = stats.chisquare(sc[:134]).pvalue
    check(sc.size == 134 and p > 0.001, "patch sizes uniform over 134 values: chi2 p=%.3g" % p)
    check(np.all(size == np.maximum(width, height)), "canvas S = max(width, height)")

    bad, pc = [], []
    for k, (t, l, b, rr) in enumerate(BOX):
        sel = pos == k
        if np.any((cr[sel] < t) | (cr[sel] >= b) | (cc[sel] < l) | (cc[sel] >= rr)):
            bad.append("position %d: centre outside [%d,%d)x[%d,%d)" % (k, t, b, l, rr))
        # centre rows uniform over [t, b): chi2 over 8 bins of consecutive values
        values = np.arange(t, b)
        bin_of = lambda v: (v - t) * 8 // (b - t)  # noqa: E731
        hist = np.bincount(bin_of(cr[sel]), minlength=8)
        exp = np.bincount(bin_of(values), minlength=8) / values.size * sel.sum()
        pc.append(stats.chisquare(hist, exp).pvalue)
    check(not bad, "centres inside their region box, last row/column never drawn", "; ".join(bad))
    check(min(pc) > 0.001, "centre rows uniform within each box (min chi2 p=%.3g)" % min(pc))
    check(np.all(a[:, 10] >= 3) and np.all(a[:, 11] > 0), "every lesion has a proper hull and pixels")
    done()


if __name__ == "__main__":
    main()
