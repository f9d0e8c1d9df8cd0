"""test_shape.py — the SAS lesion shape (src/synth/shape.c) rebuilt independently
in Python from the same random draws: the hull equals scipy.spatial.ConvexHull
(same vertices, same counter-clockwise cycle), the curves are the cubic Beziers
of the printed control points, and the mask equals
dilate5x5(H xor B) where H and B are filled with matplotlib's
Path.contains_points — the reference's own fill rule — and the dilation is
scipy's binary_dilation (cv2.dilate semantics: outside the canvas is empty).
Also: tiny patches (many degenerate, collinear draws) are retried, never crash."""
import json
import os
import sys

import numpy as np
from matplotlib.path import Path
from scipy import ndimage
from scipy.spatial import ConvexHull

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from check import BUILD, check, close, done, run  # noqa: E402

TOOL = os.path.join(BUILD, "tools", "shape_tool")


def shapes(seed, count, *size):
    r = run([TOOL, str(seed), str(count)] + [str(s) for s in size])
    if r.returncode != 0:
        return None, r.stderr.strip()
    return [json.loads(line) for line in r.stdout.splitlines()], ""


def fill(poly, S):
    """matplotlib's crossing test for pixel (row i, col j) = point (x=j, y=i)."""
    x, y = np.meshgrid(np.arange(S), np.arange(S))
    pts = np.vstack((x.ravel(), y.ravel())).T
    return Path(poly).contains_points(pts).reshape(S, S)


def rebuild(s):
    S = s["S"]
    pts = np.array(s["pts"], float)
    hull = [pts[i] for i in s["hull"]]
    H = fill(np.array(hull), S)
    B = np.zeros((S, S), bool)
    t = np.linspace(0, 1, 100)
    curve_err = 0.0
    for k, (curve, cp) in enumerate(zip(s["curves"], s["ctrl"])):
        c = np.array(curve).reshape(100, 2)
        p0, p1 = hull[k], hull[(k + 1) % len(hull)]
        c1, c2 = np.array(cp[:2]), np.array(cp[2:])
        ref = (np.outer((1 - t) ** 3, p0) + np.outer(3 * (1 - t) ** 2 * t, c1) +
               np.outer(3 * (1 - t) * t ** 2, c2) + np.outer(t ** 3, p1))
        curve_err = max(curve_err, float(np.max(np.abs(c - ref))))
        B |= fill(c, S)  # the printed (C) curve points: the fill itself must match bit for bit
    M = ndimage.binary_dilation(H ^ B, structure=np.ones((5, 5), bool))
    return M, curve_err


def fill_polygons():
    """Polygons that exercise the edge cases of the fill rule: integer vertices
    (pixels exactly on edges and vertices), both orientations, horizontal and
    vertical edges, float vertices, self-intersecting curves, parts outside."""
    rng = np.random.default_rng(99)
    polys = []
    for _ in range(40):
        S = int(rng.integers(3, 60))
        pts = rng.integers(-2, S + 2, size=(10, 2)).astype(float)
        try:
            hull = ConvexHull(pts)
        except Exception:
            continue
        v = pts[hull.vertices]
        polys.append((S, v))          # counter-clockwise, as the reference
        polys.append((S, v[::-1]))    # clockwise: on-edge pixels differ
    for _ in range(30):
        S = int(rng.integers(3, 60))
        n = int(rng.integers(3, 120))
        polys.append((S, rng.uniform(-5, S + 5, size=(n, 2))))  # self-intersecting
    for _ in range(20):
        S = int(rng.integers(3, 40))
        n = int(rng.integers(3, 12))
        v = rng.integers(0, S, size=(n, 2)).astype(float)
        v[:, rng.integers(0, 2)] = np.round(v[:, 0] * 0.5)  # many axis-parallel edges and collinear runs
        polys.append((S, v))
    polys.append((10, np.array([[2.0, 2.0], [7.0, 2.0], [7.0, 7.0], [2.0, 7.0]])))  # a square on pixel centres
    polys.append((10, np.array([[2.0, 2.0], [2.0, 7.0], [7.0, 7.0], [7.0, 2.0]])))  # the same, clockwise
    return polys


def check_fill_rule():
    polys = fill_polygons()
    text = "".join("%d %d %s\n" % (S, len(v), " ".join("%.17g" % c for c in v.ravel())) for S, v in polys)
    r = run([TOOL, "--fill"], input=text)
    lines = r.stdout.splitlines()
    if not check(r.returncode == 0 and len(lines) == len(polys), "shape_tool --fill runs", r.stderr.strip()):
        return
    bad, edge_pixels = [], 0
    for k, ((S, v), line) in enumerate(zip(polys, lines)):
        got = np.array([c == "1" for c in line]).reshape(S, S)
        ref = fill(v, S)
        if not np.array_equal(got, ref):
            bad.append("polygon %d (S=%d, n=%d): %d pixels differ" % (k, S, len(v), int(np.sum(got != ref))))
        # count pixels where orientation matters (shows the test sees edge cases)
        if k < 80 and k % 2 == 0:
            edge_pixels += int(np.sum(ref != fill(v[::-1], S)))
    check(not bad, "polygon fill equals matplotlib contains_points on %d polygons (%d orientation-dependent "
          "edge pixels among them)" % (len(polys), edge_pixels), "; ".join(bad[:4]))


def main():
    check_fill_rule()
    ss, msg = shapes(7, 60)
    if not check(ss is not None, "shape_tool runs", msg):
        return done()
    hull_bad, order_bad, mask_bad, ctrl_bad, worst_curve, other = [], [], [], [], 0.0, []
    for n, s in enumerate(ss):
        if "error" in s:
            other.append("shape %d: %s" % (n, s["error"]))
            continue
        pts = np.array(s["pts"], float)
        if np.any(pts[:, 0] >= s["w"]) or np.any(pts[:, 1] >= s["h"]) or np.any(pts < 0):
            other.append("shape %d: points outside [0,w)x[0,h)" % n)
        ref = ConvexHull(pts)
        ref_v = [tuple(pts[i]) for i in ref.vertices]
        got_v = [tuple(pts[i]) for i in s["hull"]]
        if sorted(ref_v) != sorted(got_v):
            hull_bad.append("shape %d: %s vs scipy %s" % (n, got_v, ref_v))
        else:
            k = ref_v.index(got_v[0])
            if ref_v[k:] + ref_v[:k] != got_v:
                order_bad.append("shape %d" % n)
        # control points: (p+q)/2 + N(0, 8^2) — collect offsets for a loose sanity check
        hv = [pts[i] for i in s["hull"]]
        for k, cp in enumerate(s["ctrl"]):
            mid = (hv[k] + hv[(k + 1) % len(hv)]) / 2
            ctrl_bad.extend(list(np.array(cp[:2]) - mid) + list(np.array(cp[2:]) - mid))
        M, ce = rebuild(s)
        worst_curve = max(worst_curve, ce)
        got = np.array([c == "1" for c in s["mask"]]).reshape(s["S"], s["S"])
        if not np.array_equal(got, M):
            mask_bad.append("shape %d (S=%d): %d pixels differ" % (n, s["S"], int(np.sum(got != M))))
        if int(got.sum()) != s["pixels"]:
            other.append("shape %d: pixel count %d vs printed %d" % (n, int(got.sum()), s["pixels"]))
    check(not other, "shapes well formed", "; ".join(other[:4]))
    check(not hull_bad, "hull vertices equal scipy ConvexHull (%d shapes)" % len(ss), "; ".join(hull_bad[:3]))
    check(not order_bad, "hull order counter-clockwise as scipy lists it", "; ".join(order_bad[:5]))
    # tolerance: the C curve evaluates the same polynomial in a different order
    check(worst_curve <= 1e-9, "Bezier curves equal numpy's formula (worst %g)" % worst_curve)
    offs = np.array(ctrl_bad)
    # sd 8 from ~%d samples: a loose 15%% band, mean within 1
    check(abs(offs.std() - 8.0) < 1.2 and abs(offs.mean()) < 1.0,
          "control point offsets ~ N(0, 8^2) (sd %.3f, mean %.3f, n=%d)" % (offs.std(), offs.mean(), offs.size))
    check(not mask_bad, "mask equals dilate5(H xor B) with matplotlib fills (%d shapes)" % len(ss),
          "; ".join(mask_bad[:3]))

    # degenerate draws: tiny patches give collinear points or an empty XOR now and then
    total_retries, bad = 0, []
    for w, h in [(2, 2), (3, 2), (2, 5)]:
        ts, msg = shapes(11, 200, w, h)
        if ts is None:
            bad.append("%dx%d: %s" % (w, h, msg))
            continue
        bad += ["%dx%d: %s" % (w, h, t["error"]) for t in ts if "error" in t]
        bad += ["%dx%d: hull %s pixels %d" % (w, h, t["hull"], t["pixels"]) for t in ts
                if "error" not in t and (len(t["hull"]) < 3 or t["pixels"] <= 0)]
        total_retries += sum(t.get("retries", 0) for t in ts)
    check(not bad and total_retries > 0, "degenerate shapes retried on 2x2, 3x2, 2x5 patches (%d retries over 600 "
          "shapes), never fail" % total_retries, "; ".join(bad[:3]))
    ts, msg = shapes(3, 3, 1, 50)
    check(ts is not None and all("error" in t and "degenerate" in t["error"] for t in ts),
          "width 1 (always collinear) fails cleanly", msg or str(ts)[:300])
    done()


if __name__ == "__main__":
    main()
