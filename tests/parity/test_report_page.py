"""test_report_page.py — the page `ppad report` writes, in a browser:
headless Chromium (Debian's `chromium`, driven over the DevTools protocol by
tests/lib/browser.py) loads it with no console errors or warnings, no script
exceptions, no failed loads and no request other than the file itself and its
data: URIs; a full-page screenshot at laptop width is not blank (its pixels:
non-white share, many colours, both class colours present) and the page does
not overflow 1280 or 600 pixels sideways; print media renders too. The
detector itself is checked: a copy of the page with a <script src="http://...">
and a console.error injected must be caught. Every embedded image (data:
URI) decodes with Pillow; thumbnails are at most 256 pixels a side, heat maps
are the index's files byte for byte; the page names no external resource."""
import base64
import io
import json
import os
import re
import shutil
import sys
import tempfile
import struct
import time
import zlib

import numpy as np
from PIL import Image

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from check import PPAD, check, done, run  # noqa: E402
from browser import CHROMIUM, Browser  # noqa: E402


def make_inputs(d, rng):
    """A scored set with images, a heat-map folder (index.csv) and a log."""
    os.makedirs(os.path.join(d, "img"))
    os.makedirs(os.path.join(d, "hm"))
    n = 40
    y = np.array([0, 1] * (n // 2))
    s = np.clip(rng.normal(0.3 + 0.4 * y, 0.22), 0, 1)
    P = np.clip(s[:, None] + rng.normal(0, 0.08, (n, 5)), 0, 1)
    yy, xx = np.mgrid[:300, :260]
    with open(os.path.join(d, "s.csv"), "w") as f, open(os.path.join(d, "hm", "index.csv"), "w") as g:
        f.write("path,label,score,p_left,p_right,p_upper,p_lower,p_whole\n")
        g.write("path,overlay,panel,score,verdict,p_left,p_right,p_upper,p_lower,p_whole\n")
        for i in range(n):
            img = 90 + 90 * np.exp(-((xx - 130) ** 2 + (yy - 150) ** 2) / 9000.0) + 3 * np.sin(xx / (3 + i % 5))
            path = "img/c%02d.png" % i
            Image.fromarray(img.clip(0, 255).astype(np.uint8)).save(os.path.join(d, path), compress_level=1)
            f.write("%s,%d,%r,%s\n" % (path, y[i], s[i], ",".join(repr(v) for v in P[i])))
            if i % 4 == 0:
                continue  # no heat map for these
            heat = np.exp(-((xx - 60 - i) ** 2 + (yy - 120) ** 2) / 2000.0)[..., None]
            rgb = (img[..., None] * (1 - 0.6 * heat) + 0.6 * heat * np.array([255, 60, 0])).clip(0, 255)
            Image.fromarray(rgb.astype(np.uint8)).save(os.path.join(d, "hm", "c%02d_overlay.png" % i), compress_level=1)
            Image.fromarray(np.concatenate([rgb[::2, ::2]] * 5, 1).astype(np.uint8)).save(
                os.path.join(d, "hm", "c%02d_panel.png" % i), compress_level=1)
            g.write("%s,c%02d_overlay.png,c%02d_panel.png,%r,x,%s\n" % (path, i, i, s[i],
                                                                       ",".join(repr(v) for v in P[i])))
    with open(os.path.join(d, "log.csv"), "w") as f:
        f.write("step,epoch,lr,loss,n_abnormal,seconds\n")
        for t in range(1, 61):
            f.write("%d,%d,%.9g,%.9g,%d,%.3f\n" % (t, t, 1e-3 * (1 + np.cos(np.pi * t / 60)) / 2,
                                                 0.7 * np.exp(-t / 15) + 0.03 * rng.random(), 32, t))


def png_complete(raw):
    """Every chunk's length and CRC, through IEND, and nothing after it (Pillow
    does not check IEND's CRC)."""
    if raw[:8] != b"\x89PNG\r\n\x1a\n":
        return False
    pos = 8
    while pos + 12 <= len(raw):
        n = struct.unpack(">I", raw[pos:pos + 4])[0]
        kind, body = raw[pos + 4:pos + 8], raw[pos + 8:pos + 8 + n]
        if pos + 12 + n > len(raw) or struct.unpack(">I", raw[pos + 8 + n:pos + 12 + n])[0] != zlib.crc32(kind + body):
            return False
        pos += 12 + n
        if kind == b"IEND":
            return pos == len(raw)
    return False


def clean(name, r, page_url):
    bad_console = [c for c in r.console if c[0] in ("error", "warning", "assert")]
    bad_log = [e for e in r.log if e[0] in ("error", "warning")]
    foreign = [u for u in r.requests if u != page_url and not u.startswith("data:")]
    check(not bad_console, name + ": no console errors or warnings", str(bad_console))
    check(not r.exceptions, name + ": no script exceptions", str(r.exceptions))
    check(not bad_log, name + ": no failed loads or other browser errors", str(bad_log))
    check(not foreign, name + ": no request but the file and its data: URIs", str(foreign[:5]))


def pixels(name, path, min_height, min_nonwhite=0.08, min_colours=300, class_colours=True):
    im = np.asarray(Image.open(path).convert("RGB"))
    h, w, _ = im.shape
    sub = im[::2, ::2].astype(np.int16)  # every other pixel is plenty
    nonwhite = (sub.min(axis=2) < 235).mean()
    q = sub // 8
    colours = int(np.count_nonzero(np.bincount((q[..., 0] * 1024 + q[..., 1] * 32 + q[..., 2]).ravel(),
                                               minlength=32768)))

    def has(rgb):  # some pixels within 40 of a colour
        return (np.abs(sub - np.array(rgb, np.int16)).max(axis=2) < 40).sum() > 50
    check(h >= min_height and nonwhite > min_nonwhite and colours > min_colours,
          name + ": the screenshot is not blank (height %d, %.1f%% non-white, %d colours)" % (h, 100 * nonwhite,
                                                                                             colours),
          "height %d non-white %.3f colours %d" % (h, nonwhite, colours))
    if class_colours:
        check(has((0x00, 0x72, 0xB2)) and has((0xD5, 0x5E, 0x00)), name + ": both class colours are drawn")


def main():
    if not shutil.which(CHROMIUM):
        check(False, "chromium is installed", "no '%s' on PATH (tools/install-deps.sh installs it)" % CHROMIUM)
        done()
    d = tempfile.mkdtemp(prefix="ppad-page-")
    t0 = time.time()
    make_inputs(d, np.random.default_rng(3))
    print("# inputs: %.1f s" % (time.time() - t0))
    page = os.path.join(d, "report.html")
    r = run([PPAD, "report", "--scores", "s.csv", "--log", "log.csv", "--images", "--heatmaps", "hm",
             "--out", "report.html", "--quiet", "--bootstrap", "200"], cwd=d)
    if not check(r.returncode == 0, "ppad report with images, heat maps and a log", r.stderr):
        done()
    html = open(page, encoding="utf-8").read()

    # every embedded image decodes; thumbnails small; heat maps are the files
    uris = re.findall(r'src="data:image/png;base64,([A-Za-z0-9+/=]+)"', html)
    sizes, ok = [], True
    for u in uris:
        try:
            raw = base64.b64decode(u, validate=True)
            if not png_complete(raw):
                raise ValueError("incomplete PNG or a bad chunk CRC")
            Image.open(io.BytesIO(raw)).verify()
            im = Image.open(io.BytesIO(raw))
            im.load()
            sizes.append(im.size)
        except Exception as e:  # noqa: BLE001 - any decoding failure fails the check
            ok = False
            print("# bad image:", e)
    check(ok and len(uris) > 0, "every embedded image is a complete PNG and decodes with Pillow (%d images)" % len(uris))
    m = re.search(r'<script type="application/json" id="ppad-report">(.*?)</script>', html, re.S)
    doc = json.loads(m.group(1))
    items = [e for k in ("false_positives", "false_negatives", "true_positives") for e in doc["gallery"][k]]
    n_img = sum(e["image"] for e in items)
    n_heat = sum(e["overlay"] + e["panel"] for e in items)
    thumbs = [sz for sz in sizes if sz == (221, 256)]  # 260 x 300 -> 256 on the long side (images and overlays)
    check(n_img == len(items) >= 8 and len(thumbs) == n_img + sum(e["overlay"] for e in items),
          "a thumbnail per gallery image (%d), 260x300 shrunk to 221x256" % len(items), "sizes %s" % sorted(set(sizes)))
    # panels: the index's PNG files byte for byte; overlays (260 x 300, as explain --out writes them at the
    # image's size) embedded as thumbnails: Pillow's bicubic resize of the file to 221 x 256, pixel for pixel
    hm = os.path.join(d, "hm")
    panels = {base64.b64encode(open(os.path.join(hm, f), "rb").read()).decode()
              for f in os.listdir(hm) if f.endswith("_panel.png")}
    small = {np.asarray(Image.open(os.path.join(hm, f)).convert("RGB").resize((221, 256), Image.BICUBIC)).tobytes()
             for f in os.listdir(hm) if f.endswith("_overlay.png")}
    emb_panel = [u for u in uris if u in panels]
    emb_over = [u for u in uris if np.asarray(Image.open(io.BytesIO(base64.b64decode(u))).convert("RGB")).tobytes()
                in small]
    check(0 < n_heat == len(emb_panel) + len(emb_over) == len(uris) - n_img and len(emb_panel) == len(emb_over),
          "the heat maps embedded: the index's panels byte for byte, its overlays shrunk to 221x256 exactly as "
          "Pillow's bicubic (%d)" % n_heat, "%d panels + %d overlays of %d, %d expected"
          % (len(emb_panel), len(emb_over), len(uris), n_heat))
    check("no heat map" in html, "an image without a heat map says so")
    ext = re.findall(r'(?:src|href)\s*=\s*"(?!data:|#)[^"]*"|@import|url\((?!data:)', html)
    check(not ext, "the page names no external resource (src, href, @import, url())", str(ext[:3]))

    url = "file://" + os.path.abspath(page)
    bad = os.path.join(d, "bad.html")
    with open(bad, "w", encoding="utf-8") as f:
        f.write(html.replace("</main>", '</main><script src="http://example.invalid/ppad.js"></script>'
                                        '<script>console.error("injected error")</script>'))
    with Browser() as b:
        res = b.load(page, width=1280, screenshot=os.path.join(d, "shot.png"),
                     evaluate='JSON.parse(document.getElementById("ppad-report").textContent).metrics.auc')
        clean("laptop width", res, url)
        check(res.value == doc["metrics"]["auc"], "the browser parses the embedded JSON", str(res.value))
        check(res.size[0] <= 1280, "no sideways overflow at 1280 px", str(res.size))
        pixels("laptop width", os.path.join(d, "shot.png"), 3000)
        narrow = b.load(page, width=600)
        check(narrow.size[0] <= 600, "no sideways overflow at 600 px", str(narrow.size))
        pr = b.load(page, width=760, media="print", screenshot=os.path.join(d, "print.png"), full_page=False)
        clean("print media", pr, url)
        pixels("print media", os.path.join(d, "print.png"), 900, 0.03, 40, False)  # the first screen: title, cards
        caught = b.load(bad, width=1280)
        check(any(u.startswith("http://example.invalid") for u in caught.requests),
              "the detector catches an injected <script src=\"http://...\">", str(caught.requests[:3]))
        check(any(c == ("error", "injected error") for c in caught.console),
              "the detector catches an injected console.error", str(caught.console))
    print("# browser: %.1f s for the four loads" % (res.seconds + narrow.seconds + pr.seconds + caught.seconds))
    shutil.rmtree(d, ignore_errors=True)
    done()


if __name__ == "__main__":
    main()
