"""test_dicom.py — DICOM input (spec section 11) against pydicom + numpy.

Files are written by Debian's pydicom (MONOCHROME1/2; 8, 10, 12, 14, 16 bits
stored; signed and unsigned; rescale slope/intercept; windows, LINEAR_EXACT; a
VOI LUT Sequence; a Modality LUT Sequence; RGB interleaved and planar,
YBR_FULL), and
copies are made with DCMTK's own tools (dcmcjpeg lossless, extended and
baseline; dcmcjpls; dcmcrle; dcmconv to deflate, big endian and implicit VR).
ppad's 8-bit image must equal section 11 computed with pydicom's
apply_modality_lut / apply_voi_lut and numpy exactly (0 mismatching pixels) for
every lossless file; lossy JPEG copies must equal section 11 of what DCMTK's
dcmdjpeg decodes (read back with pydicom), also exactly. preprocess's 224
output must equal Pillow's bicubic resize of the reference 8-bit image (0
mismatches). Each refusal gives one stderr line naming the file, a non-zero
exit and no output file. DICOM datasets in the ZhangLab folder layout (.dcm,
.dicom, extension-less and UID-named files) and in a CSV open, check, train and
test end to end on the tiny random fixture."""
import json
import glob
import os
import warnings
import shutil
import subprocess
import sys
import tempfile

import numpy as np
import pydicom
from PIL import Image
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.encaps import encapsulate
from pydicom.pixel_data_handlers.util import apply_modality_lut, apply_voi_lut
from pydicom.uid import ExplicitVRLittleEndian, generate_uid

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from check import BUILD, FIX, PPAD, check, done, run  # noqa: E402

TOOL = os.path.join(BUILD, "tools", "image_tool")
CR = "1.2.840.10008.5.1.4.1.1.1"
rng = np.random.default_rng(20241202)
T = tempfile.mkdtemp(prefix="ppad_dicom_")
warnings.filterwarnings("ignore", module="pydicom")  # it warns about the deliberately bad values written below


def path(name):
    return os.path.join(T, name)


def lut_item(n, first, data, first_vr="US"):
    it = Dataset()
    it.add_new(0x00283002, first_vr, [n if n < 65536 else 0, first, 16])
    it.add_new(0x00283006, "OW", np.asarray(data, "<u2").tobytes())
    return it


def make(name, arr, photometric="MONOCHROME2", bits_stored=12, signed=False, sop=CR, samples=1, planar=0,
         no_pixels=False, **attrs):
    """Writes arr ((rows, cols) or (rows, cols, 3)) as an uncompressed explicit VR little endian file."""
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = sop
    meta.MediaStorageSOPInstanceUID = generate_uid()
    meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds = Dataset()
    ds.file_meta = meta
    ds.SOPClassUID, ds.SOPInstanceUID = sop, meta.MediaStorageSOPInstanceUID
    ds.Modality = "CR"
    ds.Rows, ds.Columns = arr.shape[:2]
    ds.SamplesPerPixel = samples
    ds.PhotometricInterpretation = photometric
    ds.BitsAllocated = 16 if bits_stored > 8 else 8
    ds.BitsStored, ds.HighBit = bits_stored, bits_stored - 1
    ds.PixelRepresentation = 1 if signed else 0
    if samples == 3:
        ds.PlanarConfiguration = planar
        if planar:
            arr = np.ascontiguousarray(np.moveaxis(arr, 2, 0))
    for k, v in attrs.items():
        setattr(ds, k, v)
    if not no_pixels:
        ds.PixelData = arr.astype(("<i" if signed else "<u") + str(ds.BitsAllocated // 8)).tobytes()
    ds.is_little_endian, ds.is_implicit_VR = True, False
    ds.save_as(path(name), write_like_original=False)
    return path(name)


def sec11(f, index=0, voi=True):
    """Spec section 11 with pydicom + numpy (float64 throughout)."""
    ds = pydicom.dcmread(f)
    a = ds.pixel_array
    if ds.SamplesPerPixel == 3:  # section 1: PIL's convert('L') of the colour image
        mode = "YCbCr" if ds.PhotometricInterpretation == "YBR_FULL" else "RGB"
        return np.asarray(Image.fromarray(a.astype(np.uint8), mode).convert("L"))
    a = apply_modality_lut(a, ds)
    if voi:
        a = apply_voi_lut(a, ds, index=index)
    if ds.PhotometricInterpretation == "MONOCHROME1":
        a = a.max() - a
    a = (a - a.min()) / (a.max() - a.min())
    return (a * 255).astype(np.uint8)


def ppad_gray(f, *opts):
    out = path("out_%d.png" % rng.integers(1 << 40))
    r = run([PPAD, "preprocess", "--image", f, "--size", "0", "--out", out] + list(opts))
    if r.returncode != 0:
        return None, r.stderr.strip()
    g = np.asarray(Image.open(out))
    os.remove(out)
    return g, ""


def same(name, f, ref, *opts):
    g, e = ppad_gray(f, *opts)
    if g is None:
        return check(False, name, e)
    if g.shape != ref.shape:
        return check(False, name, "shape %s vs %s" % (g.shape, ref.shape))
    bad = int((g != ref).sum())
    return check(bad == 0, name, "%d of %d pixels differ (max |d| %d)" % (bad, g.size, int(np.abs(
        g.astype(int) - ref).max())))


def dcmtk(tool, *args):
    r = subprocess.run([tool] + list(args), capture_output=True, text=True)
    if r.returncode != 0:
        check(False, "%s %s" % (tool, " ".join(args[:-2])), r.stderr.strip()[-300:])
        return False
    return True


def xray(h, w, bits, signed=False):
    """A smooth ramp with noise over the stored range (compresses like an X-ray)."""
    y, x = np.mgrid[0:h, 0:w]
    lo, hi = (-(1 << (bits - 1)), (1 << (bits - 1)) - 1) if signed else (0, (1 << bits) - 1)
    base = lo + (hi - lo) * (0.15 + 0.7 * (x + y) / (h + w))
    a = base + rng.normal(0, (hi - lo) * 0.03, (h, w))
    return np.clip(np.rint(a), lo, hi).astype(np.int64)


# ---------------------------------------------------------------- lossless files
H, W = 37, 53  # odd sizes: no row padding hides
files = {}
files["m2_u12_rescale_window"] = make("m2_u12.dcm", xray(H, W, 12), RescaleSlope="0.5", RescaleIntercept="-100",
                                      WindowCenter="700", WindowWidth="1200")
files["m1_u16"] = make("m1_u16.dcm", xray(H, W, 16), photometric="MONOCHROME1", bits_stored=16)
files["m2_u8"] = make("m2_u8.dcm", xray(H, W, 8), bits_stored=8)
files["m1_u10_window"] = make("m1_u10.dcm", xray(H, W, 10), photometric="MONOCHROME1", bits_stored=10,
                              WindowCenter="600", WindowWidth="300")
files["m2_u14_linear_exact"] = make("m2_u14.dcm", xray(H, W, 14), bits_stored=14, WindowCenter="8000.5",
                                    WindowWidth="5000.25", VOILUTFunction="LINEAR_EXACT")
files["m2_s16_two_windows"] = make("m2_s16.dcm", xray(H, W, 16, True), bits_stored=16, signed=True,
                                   RescaleSlope="1.5", RescaleIntercept="1024", WindowCenter=["0", "9000"],
                                   WindowWidth=["20000", "4000"])
files["m1_s12_rescale"] = make("m1_s12.dcm", xray(H, W, 12, True), photometric="MONOCHROME1", signed=True,
                               RescaleSlope="2", RescaleIntercept="-3.25")
voi = [lut_item(3000, 500, np.clip(np.arange(3000) * 21, 0, 65535)),
       lut_item(1000, 2000, 65535 - np.arange(1000) * 13)]
files["m2_u12_voi_lut"] = make("m2_voi.dcm", xray(H, W, 12), VOILUTSequence=voi, WindowCenter="100",
                               WindowWidth="50")
mlut = lut_item(4096, 0, (np.sqrt(np.arange(4096)) * 1000).astype(np.int64))
files["m2_u12_modality_lut_window"] = make("m2_mlut.dcm", xray(H, W, 12), ModalityLUTSequence=[mlut],
                                           WindowCenter="40000", WindowWidth="30000")
rgb = rng.integers(0, 256, (H, W, 3))
files["rgb_interleaved"] = make("rgb0.dcm", rgb, photometric="RGB", bits_stored=8, samples=3, planar=0)
files["rgb_planar"] = make("rgb1.dcm", rgb, photometric="RGB", bits_stored=8, samples=3, planar=1)
files["ybr_full_planar"] = make("ybr1.dcm", rgb, photometric="YBR_FULL", bits_stored=8, samples=3, planar=1)

ref = {k: sec11(f) for k, f in files.items()}
check(all(ref[k].std() > 10 for k in ref), "references are not flat (the test images carry contrast)",
      str({k: float(ref[k].std()) for k in ref}))
for k, f in files.items():
    same("uncompressed %s == section 11 (pydicom)" % k, f, ref[k])

# options: the second window, no VOI, a second VOI LUT item
same("--dicom-window 2 == apply_voi_lut(index=1)", files["m2_s16_two_windows"],
     sec11(files["m2_s16_two_windows"], index=1), "--dicom-window", "2")
same("--dicom-window 2 picks VOI LUT item 2", files["m2_u12_voi_lut"], sec11(files["m2_u12_voi_lut"], index=1),
     "--dicom-window", "2")
for k in ("m2_u12_rescale_window", "m1_u10_window", "m2_u12_voi_lut"):
    same("--dicom-voi none == section 11 without apply_voi_lut (%s)" % k, files[k], sec11(files[k], voi=False),
         "--dicom-voi", "none")

# ---------------------------------------------------------------- DCMTK copies
COPIES = [  # (tag, tool, options, lossless)
    ("jpeg-lossless", "dcmcjpeg", [], True),
    ("jpeg-ls", "dcmcjpls", [], True),
    ("rle", "dcmcrle", [], True),
    ("deflate", "dcmconv", ["+td"], True),
    ("big-endian", "dcmconv", ["+tb"], True),
    ("implicit-vr", "dcmconv", ["+ti"], True),
]
for k in ("m2_u12_rescale_window", "m1_u16", "m2_u8", "m2_s16_two_windows", "m1_s12_rescale", "rgb_interleaved"):
    for tag, tool, opts, _ in COPIES:
        out = files[k].replace(".dcm", "_%s.dcm" % tag)
        if dcmtk(tool, *opts, files[k], out):
            same("%s (%s) == section 11 of the original" % (k, tag), out, ref[k])

# lossy JPEG and near-lossless JPEG-LS: equal to section 11 of what DCMTK's own tools decode
for k, enc, dect, opt in (("m2_u8", "dcmcjpeg", "dcmdjpeg", "+eb"), ("m2_u12_rescale_window", "dcmcjpeg", "dcmdjpeg", "+ee"),
                          ("rgb_interleaved", "dcmcjpeg", "dcmdjpeg", "+eb"),
                          ("m1_u16", "dcmcjpls", "dcmdjpls", "+en")):
    lossy = files[k].replace(".dcm", "_lossy%s.dcm" % opt[1:])
    dec = lossy.replace(".dcm", "_dec.dcm")
    if dcmtk(enc, opt, files[k], lossy) and dcmtk(dect, lossy, dec):
        same("%s (%s %s) == section 11 of %s's decoding" % (k, enc, opt, dect), lossy, sec11(dec))

# names: no extension, .dicom, UID-like
for name in ("noext", "scan.DICOM", "1.2.840.113619.2.55.3.77"):
    shutil.copy(files["m1_u16"], path(name))
    same("detected by content, named %r" % name, path(name), ref["m1_u16"])

# ---------------------------------------------------------------- preprocess 224 == Pillow resize
big = make("big_cr.dcm", xray(301, 257, 12), photometric="MONOCHROME1", WindowCenter="2000", WindowWidth="3000")
dcmtk("dcmcjpls", big, path("big_cr_ls.dcm"))
for f in (big, path("big_cr_ls.dcm"), files["rgb_planar"]):
    want = np.asarray(Image.fromarray(sec11(big if "big" in f else f)).resize((224, 224), Image.BICUBIC))
    out = path("p224.png")
    r = run([PPAD, "preprocess", "--image", f, "--out", out])
    got = np.asarray(Image.open(out)) if r.returncode == 0 else None
    check(got is not None and (got == want).all(), "preprocess 224 of %s == Pillow resize of section 11"
          % os.path.basename(f), r.stderr if got is None else "%d differ" % int((got != want).sum()))

# ---------------------------------------------------------------- a chunk decoded one file per thread
# every codec at once (the DCMTK copies above, PNG, big JPEG-LS), 2 threads == 1 thread, byte for byte,
# and a bad file in the middle is the one reported, whatever thread reached it
chunk = sorted(glob.glob(path("*_jpeg-l*.dcm")) + glob.glob(path("*_rle.dcm")) + glob.glob(path("*_deflate.dcm"))
               + [path("big_cr_ls.dcm"), path("p224.png"), files["rgb_planar"]])
outs = []
for t in (1, 2):
    o = path("chunk%d.f32" % t)
    r = run([TOOL, "chunk", str(t), o] + chunk)
    outs.append(open(o, "rb").read() if r.returncode == 0 else None)
check(outs[0] is not None and len(outs[0]) == 4 * 3 * 224 * 224 * len(chunk) and outs[0] == outs[1],
      "a chunk of %d files of every codec, one file per thread: 2 threads == 1 thread" % len(chunk),
      "" if outs[0] is None else "sizes %d / %s" % (len(outs[0]), outs[1] and len(outs[1])))
open(path("junk.dcm"), "wb").write(b"\0" * 128 + b"DICM" + b"\x02\x00" * 7)
for t in (1, 2):
    r = run([TOOL, "chunk", str(t), path("chunkbad.f32")] + chunk[:3] + [path("junk.dcm")] + chunk[3:] + [path("nope.dcm")])
    check(r.returncode == 1 and "junk.dcm" in r.stderr and "nope.dcm" not in r.stderr,
          "a chunk with a bad file: the first bad one in order is named (%d threads)" % t, r.stderr)

# ---------------------------------------------------------------- info-image
r = run([PPAD, "info-image", files["m2_s16_two_windows"], path("big_cr_ls.dcm")])
lines = r.stdout.strip().split("\n")
check(r.returncode == 0 and len(lines) == 2 and "DICOM 53x37, 16 bits" in lines[0] and "modality CR" in lines[0]
      and "MONOCHROME2" in lines[0] and "signed" in lines[0] and "rescale slope 1.5 intercept 1024" in lines[0]
      and "window center 0 width 20000 (LINEAR, 1 of 2)" in lines[0] and "Little Endian Explicit" in lines[0],
      "info-image: modality, photometric, bits, sign, rescale, window, transfer syntax", r.stdout + r.stderr)
check(len(lines) == 2 and "MONOCHROME1" in lines[1] and "JPEG-LS Lossless" in lines[1] and "257x301" in lines[1],
      "info-image: compressed file's transfer syntax and size", r.stdout)
r = run([PPAD, "info-image", "--dicom-window", "2", files["m2_u12_voi_lut"]])
check(r.returncode == 0 and "VOI LUT 2 of 2 (1000 entries from 2000, 16 bits)" in r.stdout,
      "info-image: the VOI LUT item used", r.stdout + r.stderr)

# ---------------------------------------------------------------- refusals
a = xray(20, 30, 12)
bad = {
    "frames": (make("mf.dcm", np.concatenate([a, a, a]), NumberOfFrames=3, Rows=20), "3 frames"),
    "no pixel data": (make("nopix.dcm", a, no_pixels=True), "no pixel data"),
    "structured report": (make("sr.dcm", a, sop="1.2.840.10008.5.1.4.1.1.88.33", no_pixels=True),
                          "structured report"),
    "key object selection": (make("kos.dcm", a, sop="1.2.840.10008.5.1.4.1.1.88.59", no_pixels=True),
                             "key object selection"),
    "presentation state": (make("gsps.dcm", a, sop="1.2.840.10008.5.1.4.1.1.11.1", no_pixels=True),
                           "presentation state"),
    "constant": (make("const.dcm", np.full((20, 30), 77)), "constant image"),
    "too large": (make("huge.dcm", a, Rows=60000, Columns=60000), "too large"),
    "non-finite rescale slope": (make("nan.dcm", a, RescaleSlope="nan", RescaleIntercept="0"),
                                 "unreadable Rescale Slope"),
}
j2k = pydicom.dcmread(make("j2k_src.dcm", a))
j2k.file_meta.TransferSyntaxUID = "1.2.840.10008.1.2.4.90"
j2k.PixelData = encapsulate([b"\xff\x4f\xff\x51" + bytes(200)])
j2k["PixelData"].is_undefined_length = True
j2k.save_as(path("j2k.dcm"))
bad["JPEG 2000"] = (path("j2k.dcm"), "JPEG 2000")
j2k.file_meta.TransferSyntaxUID = "1.2.840.10008.1.2.4.100"
j2k.save_as(path("mpeg2.dcm"))
bad["MPEG-2"] = (path("mpeg2.dcm"), "MPEG2 Main Profile @ Main Level cannot be decoded here")
for uid, tag in (("1.2.840.10008.1.2.4.70", "JPEG Lossless"), ("1.2.840.10008.1.2.4.80", "JPEG-LS Lossless"),
                 ("1.2.840.10008.1.2.5", "RLE Lossless")):
    j2k.file_meta.TransferSyntaxUID = uid
    j2k.PixelData = encapsulate([bytes(range(256)) * 2])
    j2k.save_as(path("corrupt_%s.dcm" % uid))
    bad["corrupt " + tag] = (path("corrupt_%s.dcm" % uid), "corrupt " + tag)
raw = open(files["m2_u12_rescale_window"], "rb").read()
open(path("trunc_pixels.dcm"), "wb").write(raw[:len(raw) - 500])
open(path("trunc_header.dcm"), "wb").write(raw[:300])
jl = open(files["m1_u16"].replace(".dcm", "_jpeg-lossless.dcm"), "rb").read()
open(path("trunc_jpeg.dcm"), "wb").write(jl[:len(jl) * 2 // 3])
bad["truncated pixel data"] = (path("trunc_pixels.dcm"), "truncated")
bad["truncated header"] = (path("trunc_header.dcm"), "truncated")
bad["truncated JPEG lossless"] = (path("trunc_jpeg.dcm"), "")
for what, (f, needle) in bad.items():
    out = path("never.png")
    r = run([PPAD, "preprocess", "--image", f, "--out", out])
    err = [l for l in r.stderr.split("\n") if l]
    check(0 < r.returncode < 128 and len(err) == 1 and needle in err[0] and os.path.basename(f) in err[0]
          and not os.path.exists(out), "refused: %s (%s)" % (what, needle or "any message"),
          "rc=%d stderr=%r" % (r.returncode, r.stderr[-300:]))
r = run([PPAD, "preprocess", "--image", files["m2_s16_two_windows"], "--dicom-window", "3", "--out", path("n.png")])
check(r.returncode == 1 and "window 3 asked for, but the file gives 2 windows" in r.stderr
      and not os.path.exists(path("n.png")), "refused: a window the file does not have", r.stderr)
r = run([PPAD, "preprocess", "--image", files["m1_u16"], "--dicom-window", "2", "--out", path("n.png")])
check(r.returncode == 1 and "window 2 asked for, but the file gives no window" in r.stderr
      and not os.path.exists(path("n.png")), "refused: a window from a file without any", r.stderr)

# ---------------------------------------------------------------- datasets of DICOM files
W_TINY = os.path.join(FIX, "clip_tiny.pt")
zl = path("zl")
dirs = {"train/normal_256": 6, "test/normal_256": 4, "test/pneumonia_256": 4}
names = ["a.dcm", "b.DCM", "c.dicom", "noext", "1.2.3.4", "f.dcm"]
for d, n in dirs.items():
    os.makedirs(os.path.join(zl, d))
    for i in range(n):
        bits = 12 if i % 2 else 16
        src = make("ds_%d.dcm" % i, xray(64, 48 + i, bits), bits_stored=bits,
                   photometric="MONOCHROME1" if i % 3 == 0 else "MONOCHROME2", WindowCenter=str(1 << (bits - 1)),
                   WindowWidth=str(1 << (bits - 1)))
        tgt = os.path.join(zl, d, names[i])
        if i == 2:  # one JPEG-LS, one JPEG lossless copy in each class
            dcmtk("dcmcjpls", src, tgt)
        elif i == 3:
            dcmtk("dcmcjpeg", src, tgt)
        else:
            shutil.copy(src, tgt)
open(os.path.join(zl, "train/normal_256", "README"), "w").write("not an image\n")
open(os.path.join(zl, "train/normal_256", "notes.1"), "w").write("not an image either\n")
r = run([PPAD, "data", "--data", zl, "--check"])
check(r.returncode == 0 and "train normal: 6" in r.stdout and "test abnormal: 4" in r.stdout
      and "checked: 14 images decode (DICOM 14)" in r.stdout and sum(l.startswith("dicom: ") for l in r.stdout.split("\n")) == 14
      and "JPEG-LS Lossless" in r.stdout, "data --check: ZhangLab folders of DICOM files (README skipped)",
      r.stdout[-800:] + r.stderr)
# VinDr (Med-AD packaging) with VinDr-CXR's own .dicom files, listed without extension
vin = path("VinCXR")
os.makedirs(os.path.join(vin, "images"))
ids = ["img%02d" % i for i in range(6)]
for i, n in enumerate(ids):
    shutil.copy(os.path.join(zl, "train/normal_256", names[i % 4]), os.path.join(vin, "images", n + ".dicom"))
json.dump({"train": {"0": ids[:2], "unlabeled": {}}, "test": {"0": ids[2:4], "1": ids[4:]}},
          open(os.path.join(vin, "data.json"), "w"))
r = run([PPAD, "data", "--data", vin, "--check"])
check(r.returncode == 0 and "layout: vindr" in r.stdout and "checked: 6 images decode (DICOM 6)" in r.stdout
      and "img00.dicom" in r.stdout, "data --check: VinDr layout finds images/<name>.dicom", r.stdout[-600:] + r.stderr)

if os.path.exists(W_TINY):
    prm = path("zl.pt")
    r = run([PPAD, "train", "--weights", W_TINY, "--data", zl, "--out", prm, "--shots", "4", "--batch", "4",
             "--epochs", "2", "--threads", "2", "--quiet", "--json"])
    check(r.returncode == 0 and 0 <= json.loads(r.stdout)["auc"] <= 1, "train + evaluation on DICOM ZhangLab",
          r.stderr[-300:])
    csv = path("dicom.csv")
    with open(csv, "w") as fh:
        fh.write("path,label,split\n")
        for d, lab, split in (("train/normal_256", 0, "train"), ("test/normal_256", 0, "test"),
                              ("test/pneumonia_256", 1, "test")):
            for n in sorted(os.listdir(os.path.join(zl, d)))[:3]:
                if n not in ("README", "notes.1"):
                    fh.write("%s,%d,%s\n" % (os.path.join("zl", d, n), lab, split))
    r = run([PPAD, "test", "--weights", W_TINY, "--prompts", prm, "--data", csv, "--json", "--quiet", "--threads", "2"])
    check(r.returncode == 0 and 0 <= json.loads(r.stdout)["auc"] <= 1, "test on a CSV of DICOM files",
          r.stderr[-300:])
    prm2 = path("csv.pt")
    r = run([PPAD, "train", "--weights", W_TINY, "--data", csv, "--out", prm2, "--shots", "2", "--batch", "2",
             "--epochs", "1", "--threads", "2", "--quiet", "--no-eval"])
    check(r.returncode == 0 and os.path.exists(prm2), "train on a CSV of DICOM files", r.stderr[-300:])
else:
    check(False, "tiny fixture model present", W_TINY + " missing (make fixtures)")

shutil.rmtree(T, True) if not os.environ.get("KEEP") else print(T)
done()
