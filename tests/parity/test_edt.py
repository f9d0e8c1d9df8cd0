"""test_edt.py — the exact Euclidean distance transform (src/synth/edt.c) equals
scipy.ndimage.distance_transform_edt, and the inner boundary equals
skimage.segmentation.find_boundaries(mode='inner'), on many random masks
(blobs, noise, lines, full, empty, single pixels, shapes touching the border).
Runs build/tools/edt_tool on a batch of masks."""
import os
import sys
import tempfile

import numpy as np
from scipy import ndimage
from skimage.segmentation import find_boundaries

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from check import BUILD, check, close, done, run  # noqa: E402

TOOL = os.path.join(BUILD, "tools", "edt_tool")


def masks():
    rng = np.random.default_rng(1234)
    out = []
    # edge cases
    out.append(("empty", np.zeros((9, 13), np.uint8)))
    out.append(("full", np.ones((7, 5), np.uint8)))
    out.append(("full_1x1", np.ones((1, 1), np.uint8)))
    out.append(("empty_1x1", np.zeros((1, 1), np.uint8)))
    one_bg = np.ones((11, 8), np.uint8)
    one_bg[10, 7] = 0
    out.append(("one_background_corner", one_bg))
    one_fg = np.zeros((10, 10), np.uint8)
    one_fg[0, 0] = 1
    out.append(("one_foreground_corner", one_fg))
    col_bg = np.ones((12, 12), np.uint8)
    col_bg[:, 5] = 0
    out.append(("background_column", col_bg))
    row_bg = np.ones((12, 12), np.uint8)
    row_bg[3, :] = 0
    out.append(("background_row", row_bg))
    out.append(("row_vector", (rng.random((1, 40)) < 0.7).astype(np.uint8)))
    out.append(("column_vector", (rng.random((40, 1)) < 0.7).astype(np.uint8)))
    # foreground touching the border on all sides, background only inside
    border = np.ones((30, 25), np.uint8)
    border[10:14, 8:11] = 0
    out.append(("hole_in_full", border))
    # random noise at several densities
    for k, p in enumerate([0.05, 0.3, 0.5, 0.8, 0.97, 0.999]):
        h, w = rng.integers(1, 90, size=2)
        out.append(("noise_%d" % k, (rng.random((h, w)) < p).astype(np.uint8)))
    # smooth blobs (thresholded smoothed noise), some covering most of the image
    for k in range(40):
        h, w = rng.integers(5, 160, size=2)
        f = ndimage.gaussian_filter(rng.standard_normal((h, w)), sigma=rng.uniform(1, 8))
        thr = np.quantile(f, rng.uniform(0.05, 0.95))
        out.append(("blob_%d" % k, (f > thr).astype(np.uint8)))
    # discs and rectangles touching the border, 224 x 224 as SAS uses
    for k in range(12):
        m = np.zeros((224, 224), np.uint8)
        for _ in range(rng.integers(1, 4)):
            cy, cx = rng.integers(-20, 244, size=2)
            r = rng.integers(3, 90)
            yy, xx = np.ogrid[:224, :224]
            m[(yy - cy) ** 2 + (xx - cx) ** 2 <= r * r] = 1
        t, l = rng.integers(0, 200, size=2)
        m[t:t + rng.integers(1, 60), l:l + rng.integers(1, 60)] = 1
        out.append(("discs_%d" % k, m))
    # thin lines and diagonal structures (many equidistant ties)
    for k in range(6):
        m = np.ones((64, 64), np.uint8)
        for _ in range(rng.integers(1, 4)):
            if rng.random() < 0.5:
                m[np.arange(64), (np.arange(64) + rng.integers(0, 64)) % 64] = 0
            else:
                m[rng.integers(0, 64), :] = 0
        out.append(("lines_%d" % k, m))
    return out


def main():
    cases = masks()
    with tempfile.TemporaryDirectory() as tmp:
        fin, fout = os.path.join(tmp, "in.bin"), os.path.join(tmp, "out.bin")
        with open(fin, "wb") as f:
            f.write(np.int32(len(cases)).tobytes())
            for _, m in cases:
                f.write(np.array(m.shape, np.int32).tobytes())
                f.write(np.ascontiguousarray(m, np.uint8).tobytes())
        r = run([TOOL, fin, fout])
        if not check(r.returncode == 0, "edt_tool runs", r.stderr.strip()):
            return done()
        data = open(fout, "rb").read()
    pos = 0
    worst_d, bad_d, bad_b = 0.0, [], []
    for name, m in cases:
        n = m.size
        d = np.frombuffer(data, np.float64, n, pos).reshape(m.shape)
        pos += 8 * n
        b = np.frombuffer(data, np.uint8, n, pos).reshape(m.shape)
        pos += n
        ref_d = ndimage.distance_transform_edt(m)
        ref_b = find_boundaries(m.astype(bool), mode="inner")
        diff = float(np.max(np.abs(d - ref_d))) if n else 0.0
        worst_d = max(worst_d, diff)
        if diff > 1e-12:
            bad_d.append("%s (max diff %g)" % (name, diff))
        if not np.array_equal(b.astype(bool), ref_b):
            bad_b.append("%s (%d pixels differ)" % (name, int(np.sum(b.astype(bool) != ref_b))))
        if name in ("full", "hole_in_full", "empty", "one_background_corner", "discs_0"):
            # tolerance: exact algorithm, both sides take sqrt of the same integer
            close("edt_" + name, d, ref_d, 1e-12, 0)
            check(np.array_equal(b.astype(bool), ref_b), "inner_boundary_" + name)
    check(pos == len(data), "edt_tool output size", "%d bytes read of %d" % (pos, len(data)))
    # tolerance 1e-12 absolute: same squared integer distances, same sqrt
    check(not bad_d, "edt equals scipy on %d masks (worst |diff| %g)" % (len(cases), worst_d), "; ".join(bad_d[:5]))
    check(not bad_b, "inner boundary equals skimage on %d masks" % len(cases), "; ".join(bad_b[:5]))
    done()


if __name__ == "__main__":
    main()
