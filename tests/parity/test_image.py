"""test_image.py — image input against Pillow 9.4 (spec section 1).

Decoding: PNGs of every colour type and bit depth (written by PIL, or by the
small writer below for the variants PIL cannot write: 2/4-bit gray, 16-bit
colour, Adam7 interlacing, short palettes) and JPEGs (gray and colour, several
qualities, 4:4:4 / 4:2:2 / 4:2:0, progressive) must decode to exactly PIL's
Image.open(f).convert('L') — except 16-bit grayscale, which must equal v >> 8
(a deliberate difference, see src/image/image.h). Resizing must equal PIL's
resize(..., Image.BICUBIC) with 0 mismatching pixels, and the --raw floats
must equal clip_ref.normalise_gray bit for bit (both compute in float32, one
IEEE operation at a time, so the tolerance is 0). Bad inputs must fail with
one stderr line naming the file and an exit status in 1..127."""
import atexit
import os
import shutil
import struct
import sys
import tempfile
import warnings
import zlib

import numpy as np
from PIL import Image

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from check import BUILD, PPAD, check, done, run  # noqa: E402
from clip_ref import normalise_gray  # noqa: E402

TOOL = os.path.join(BUILD, "tools", "image_tool")
rng = np.random.default_rng(20240607)
T = tempfile.mkdtemp(prefix="ppad_image_")
atexit.register(shutil.rmtree, T, True)
# PIL warns about tRNS-as-bytes palettes when converting; the pixels are what we compare.
warnings.filterwarnings("ignore", category=UserWarning)


def path(name):
    return os.path.join(T, name)


# ---------------------------------------------------------------- PNG writer
def _chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def _pack_rows(samples, depth):
    """samples: (h, w*channels) ints -> list of raw scanlines (bytes)."""
    rows = []
    for r in samples:
        if depth == 16:
            rows.append(np.asarray(r, dtype=">u2").tobytes())
        elif depth == 8:
            rows.append(np.asarray(r, dtype=np.uint8).tobytes())
        else:
            per = 8 // depth
            r = list(r) + [0] * ((-len(r)) % per)
            out = bytearray()
            for i in range(0, len(r), per):
                b = 0
                for j in range(per):
                    b |= int(r[i + j]) << (8 - depth * (j + 1))
                out.append(b)
            rows.append(bytes(out))
    return rows


ADAM7 = [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)]


def write_png(fname, arr, color, depth, interlace=False, palette=None, trns=None):
    """arr: (h, w) or (h, w, c) integer samples. color: PNG colour type."""
    arr = np.asarray(arr)
    h, w = arr.shape[:2]
    ch = 1 if arr.ndim == 2 else arr.shape[2]
    flat = arr.reshape(h, w * ch)
    raw = bytearray()
    if not interlace:
        for line in _pack_rows(flat, depth):
            raw += b"\x00" + line
    else:
        for x0, y0, dx, dy in ADAM7:
            sub = arr[y0::dy, x0::dx]
            if sub.size == 0:
                continue
            for line in _pack_rows(sub.reshape(sub.shape[0], -1), depth):
                raw += b"\x00" + line
    png = b"\x89PNG\r\n\x1a\n"
    png += _chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, depth, color, 0, 0, 1 if interlace else 0))
    if palette is not None:
        png += _chunk(b"PLTE", np.asarray(palette, dtype=np.uint8).tobytes())
    if trns is not None:
        png += _chunk(b"tRNS", trns)
    png += _chunk(b"IDAT", zlib.compress(bytes(raw), 6))
    png += _chunk(b"IEND", b"")
    with open(fname, "wb") as f:
        f.write(png)
    return fname


def rand(shape, hi=256):
    return rng.integers(0, hi, shape)


# ---------------------------------------------------------------- helpers
def decode(fname):
    """ppad's decoded pixels (no resize) via the CLI's --size 0 path."""
    out = fname + ".dec.png"
    r = run([PPAD, "preprocess", "--image", fname, "--size", "0", "--out", out])
    if r.returncode != 0:
        return None, r.stderr.strip()
    return np.asarray(Image.open(out)), ""


def pil_gray(fname):
    return np.asarray(Image.open(fname).convert("L"))


def same(name, got, ref, err=""):
    if got is None:
        return check(False, name, "ppad failed: " + err)
    if got.shape != ref.shape:
        return check(False, name, "shape %s vs PIL %s" % (got.shape, ref.shape))
    bad = np.argwhere(got != ref)
    if len(bad):
        y, x = bad[0]
        return check(False, name, "%d of %d pixels differ; first at (%d,%d): got %d PIL %d"
                     % (len(bad), got.size, y, x, got[y, x], ref[y, x]))
    return check(True, name)


def decode_vs_pil(name, fname):
    got, err = decode(fname)
    same(name, got, pil_gray(fname), err)


# ---------------------------------------------------------------- decoding: PNG via PIL's encoder
h, w = 61, 83
gray8 = rand((h, w)).astype(np.uint8)
rgb8 = rand((h, w, 3)).astype(np.uint8)
rgba8 = rand((h, w, 4)).astype(np.uint8)
Image.fromarray(gray8, "L").save(path("l8.png"))
decode_vs_pil("png_gray8_pil", path("l8.png"))
Image.fromarray(rgb8, "RGB").save(path("rgb8.png"))
decode_vs_pil("png_rgb8_pil", path("rgb8.png"))
Image.fromarray(rgba8, "RGBA").save(path("rgba8.png"))
decode_vs_pil("png_rgba8_pil", path("rgba8.png"))
Image.fromarray(rgba8[:, :, :2], "LA").save(path("la8.png"))
decode_vs_pil("png_gray_alpha8_pil", path("la8.png"))
Image.fromarray(gray8 > 127).save(path("bw1.png"))
decode_vs_pil("png_gray1_pil", path("bw1.png"))
pim = Image.fromarray(rgb8, "RGB").quantize(256)
pim.save(path("p8.png"))
decode_vs_pil("png_palette8_pil", path("p8.png"))
pim4 = Image.fromarray(rgb8, "RGB").quantize(16)
pim4.save(path("p4.png"), bits=4)
decode_vs_pil("png_palette4_pil", path("p4.png"))
Image.fromarray(rgb8, "RGB").save(path("rgb8_opt.png"), optimize=True)
decode_vs_pil("png_rgb8_pil_optimize", path("rgb8_opt.png"))

# ---------------------------------------------------------------- decoding: hand-written PNG variants
for depth in (1, 2, 4, 8):
    for inter in (False, True):
        tag = "png_gray%d%s" % (depth, "_interlaced" if inter else "")
        decode_vs_pil(tag, write_png(path(tag + ".png"), rand((37, 29), 1 << depth), 0, depth, inter))
for depth in (1, 2, 4, 8):
    for inter in (False, True):
        tag = "png_palette%d%s" % (depth, "_interlaced" if inter else "")
        n = 1 << depth
        decode_vs_pil(tag, write_png(path(tag + ".png"), rand((23, 41), n), 3, depth, inter, palette=rand((n, 3))))
for color, ch, name in ((2, 3, "rgb"), (6, 4, "rgba"), (4, 2, "gray_alpha")):
    for depth in (8, 16):
        for inter in (False, True):
            tag = "png_%s%d%s" % (name, depth, "_interlaced" if inter else "")
            arr = rand((19, 33, ch), 1 << depth)
            decode_vs_pil(tag, write_png(path(tag + ".png"), arr, color, depth, inter))
# A short palette: entries the PLTE lacks take Pillow's default gray ramp.
decode_vs_pil("png_palette_short", write_png(path("pshort.png"), rand((16, 16), 256), 3, 8, palette=rand((5, 3))))
decode_vs_pil("png_palette_trns", write_png(path("ptrns.png"), rand((16, 16), 4), 3, 2, palette=rand((4, 3)),
                                            trns=b"\x00\x80"))
decode_vs_pil("png_gray8_trns", write_png(path("gtrns.png"), rand((16, 16)), 0, 8, trns=b"\x00\x10"))
decode_vs_pil("png_1x1", write_png(path("one.png"), rand((1, 1, 3)), 2, 8))
decode_vs_pil("png_interlaced_1x9", write_png(path("thin.png"), rand((9, 1, 3)), 2, 8, True))

# 16-bit grayscale: v >> 8, deliberately not PIL (which clips mode I at 255).
g16 = rand((45, 38), 65536)
for inter in (False, True):
    tag = "png_gray16%s_high_byte" % ("_interlaced" if inter else "")
    got, err = decode(write_png(path(tag + ".png"), g16, 0, 16, inter))
    same(tag, got, (g16 >> 8).astype(np.uint8), err)
Image.fromarray(g16.astype(np.uint16)).save(path("g16_pil.png"))  # PIL's own 16-bit writer (mode I;16)
got, err = decode(path("g16_pil.png"))
same("png_gray16_pil_written_high_byte", got, (g16 >> 8).astype(np.uint8), err)
check(not np.array_equal(pil_gray(path("g16_pil.png")), (g16 >> 8).astype(np.uint8)),
      "png_gray16_differs_from_pil_as_documented", "PIL now agrees with v>>8; update image.h")

# Detection by content, not extension.
os.replace(write_png(path("tmp.png"), rand((10, 12)), 0, 8), path("really_png.jpg"))
decode_vs_pil("png_named_jpg", path("really_png.jpg"))

# ---------------------------------------------------------------- decoding: JPEG
smooth = (np.add.outer(np.arange(77), np.arange(123)) * 1.3 % 256)
jrgb = np.clip(np.stack([smooth, smooth[::-1], smooth[:, ::-1]], -1) + rand((77, 123, 3), 40) - 20, 0, 255).astype(np.uint8)
for q in (30, 75, 95):
    for sub, sname in ((0, "444"), (1, "422"), (2, "420")):
        f = path("c_q%d_%s.jpg" % (q, sname))
        Image.fromarray(jrgb, "RGB").save(f, quality=q, subsampling=sub)
        decode_vs_pil("jpeg_colour_q%d_%s" % (q, sname), f)
Image.fromarray(jrgb, "RGB").save(path("prog.jpg"), quality=85, progressive=True)
decode_vs_pil("jpeg_colour_progressive", path("prog.jpg"))
for q in (50, 95):
    f = path("g_q%d.jpg" % q)
    Image.fromarray(jrgb[:, :, 0], "L").save(f, quality=q)
    decode_vs_pil("jpeg_gray_q%d" % q, f)
Image.fromarray(rgb8, "RGB").save(path("noise.jpeg"), quality=90, subsampling=2)
decode_vs_pil("jpeg_colour_noise_420", path("noise.jpeg"))

# ---------------------------------------------------------------- resizing (0 mismatches)
def resize_case(name, arr, size=(224, 224)):
    f = write_png(path(name + "_in.png"), arr, 0, 8)
    ref = np.asarray(Image.fromarray(arr.astype(np.uint8), "L").resize(size, Image.BICUBIC))
    out = path(name + "_out.png")
    if size[0] == size[1]:
        r = run([PPAD, "preprocess", "--image", f, "--size", str(size[0]), "--out", out])
    else:
        r = run([TOOL, "resize", f, str(size[0]), str(size[1]), out])
    if r.returncode != 0:
        return check(False, name, "failed: " + r.stderr.strip())
    return same(name, np.asarray(Image.open(out)), ref)


for (rw, rh) in ((256, 256), (1024, 1024), (300, 180), (97, 411), (1000, 37), (100, 100), (224, 224), (3, 5)):
    resize_case("resize_%dx%d_to_224" % (rw, rh), rand((rh, rw)))
# smooth content as well as noise (noise saturates the clipping; gradients test rounding)
resize_case("resize_gradient_512x384_to_224", smooth[:, :].repeat(5, 0)[:384].repeat(5, 1)[:, :512] % 256)
resize_case("resize_256_to_224_const", np.full((256, 256), 137))
for (rw, rh), (tw, th) in (((300, 180), (300, 50)), ((300, 180), (17, 180)), ((640, 480), (333, 71)),
                           ((50, 60), (401, 7))):
    resize_case("resize_%dx%d_to_%dx%d" % (rw, rh, tw, th), rand((rh, rw)), (tw, th))

# The pipeline end to end on a colour JPEG: decode + resize.
out = path("pipe.png")
r = run([PPAD, "preprocess", "--image", path("c_q75_420.jpg"), "--out", out])
ref = np.asarray(Image.open(path("c_q75_420.jpg")).convert("L").resize((224, 224), Image.BICUBIC))
same("pipeline_jpeg_to_224", np.asarray(Image.open(out)) if r.returncode == 0 else None, ref, r.stderr)

# ---------------------------------------------------------------- normalised floats
f = write_png(path("norm_in.png"), np.arange(256 * 300).reshape(300, 256) % 256, 0, 8)
r = run([PPAD, "preprocess", "--image", f, "--size", "224", "--out", path("norm.png"), "--raw", path("norm.f32")])
if r.returncode != 0:
    check(False, "raw_normalised_exact", r.stderr.strip())
else:
    got = np.fromfile(path("norm.f32"), dtype="<f4")
    img = np.asarray(Image.open(path("norm.png")))
    ref = normalise_gray(img).numpy().reshape(-1)
    check(got.size == 3 * 224 * 224, "raw_size", "%d floats" % got.size)
    check(got.size == ref.size and np.array_equal(got.view(np.uint32), ref.view(np.uint32)), "raw_normalised_exact",
          "max abs diff %g" % (float(np.abs(got - ref).max()) if got.size == ref.size else -1))
    # every gray level 0..255 once, at native size (--size 0)
    r = run([PPAD, "preprocess", "--image", f, "--size", "0", "--raw", path("norm0.f32")])
    got = np.fromfile(path("norm0.f32"), dtype="<f4") if r.returncode == 0 else np.zeros(0, np.float32)
    ref = normalise_gray((np.arange(256 * 300).reshape(300, 256) % 256).astype(np.uint8)).numpy().reshape(-1)
    check(got.size == ref.size and np.array_equal(got.view(np.uint32), ref.view(np.uint32)),
          "raw_normalised_all_levels_exact", r.stderr.strip())
    # the authors' decimal constants, written here independently of clip_ref (item 13):
    # CheXzero's 101.48761/255 and 83.43944/255 give other float32 values for most levels
    lv = np.arange(256, dtype=np.float32)
    authors = (lv / np.float32(255) - np.float32(0.39799)) / np.float32(0.32721349)
    chexzero = (lv / np.float32(255) - np.float32(101.48761 / 255)) / np.float32(83.43944 / 255)
    first = got[:256].view(np.uint32) if got.size >= 256 else np.zeros(256, np.uint32)
    check(np.array_equal(first, authors.view(np.uint32)), "raw_normalised_authors_constants",
          "%d of 256 levels differ" % int((first != authors.view(np.uint32)).sum()))
    check(not np.array_equal(authors, chexzero), "authors_constants_differ_from_chexzero")

# ---------------------------------------------------------------- errors
with open(path("l8.png"), "rb") as fh:
    good_png = fh.read()
with open(path("c_q75_420.jpg"), "rb") as fh:
    good_jpg = fh.read()


def wbytes(name, data):
    with open(path(name), "wb") as f:
        f.write(data)
    return path(name)


def corrupt_crc(png):
    b = bytearray(png)
    i = b.find(b"IDAT")
    n = struct.unpack(">I", b[i - 4:i])[0]
    b[i + 4 + n] ^= 0xFF  # first CRC byte of the IDAT chunk
    return bytes(b)


def corrupt_ihdr_crc(png):
    b = bytearray(png)
    b[29] ^= 0x01  # IHDR CRC
    return bytes(b)


def corrupt_jpeg_data(jpg):
    b = bytearray(jpg)
    i = b.find(b"\xff\xda")  # start of scan
    for k in range(i + 20, min(len(b) - 2, i + 400), 7):
        b[k] = 0xFF if b[k] != 0xFF else 0x00
    return bytes(b)


cmyk = path("cmyk.jpg")
Image.fromarray(rgba8, "RGBA").convert("CMYK").save(cmyk)
with open(write_png(path("huge_src.png"), rand((4, 4)), 0, 8), "rb") as fh:
    huge = bytearray(fh.read())
huge[16:24] = struct.pack(">II", 100000, 100000)
huge[29:33] = struct.pack(">I", zlib.crc32(bytes(huge[12:29])) & 0xFFFFFFFF)
cases = [
    ("err_missing_file", path("does_not_exist.png"), "does_not_exist.png"),
    ("err_text_file", wbytes("notes.txt", b"hello, this is not an image\n"), "not a PNG, JPEG or DICOM"),
    ("err_zero_bytes", wbytes("empty.png", b""), "empty"),
    ("err_truncated_png", wbytes("trunc.png", good_png[: len(good_png) // 2]), "truncated PNG"),
    ("err_truncated_png_header", wbytes("trunc_hdr.png", good_png[:20]), "truncated PNG"),
    ("err_truncated_png_sig", wbytes("trunc_sig.png", good_png[:5]), "truncated PNG"),
    ("err_truncated_jpeg", wbytes("trunc.jpg", good_jpg[: len(good_jpg) // 2]), "truncated JPEG"),
    ("err_truncated_jpeg_no_eoi", wbytes("trunc_eoi.jpg", good_jpg[:-2]), "truncated JPEG"),
    ("err_png_idat_crc", wbytes("crc.png", corrupt_crc(good_png)), "corrupt PNG"),
    ("err_png_ihdr_crc", wbytes("crc_ihdr.png", corrupt_ihdr_crc(good_png)), "corrupt PNG"),
    ("err_jpeg_corrupt_data", wbytes("bad.jpg", corrupt_jpeg_data(good_jpg)), "corrupt JPEG"),
    ("err_jpeg_header_only", wbytes("soi.jpg", b"\xff\xd8\xff"), "JPEG"),
    ("err_cmyk_jpeg", cmyk, "unsupported"),
    ("err_huge_png", wbytes("huge.png", bytes(huge)), "too large"),
]
for name, f, msg in cases:
    out = path(name + "_out.png")
    r = run([PPAD, "preprocess", "--image", f, "--out", out])
    lines = r.stderr.strip("\n").split("\n") if r.stderr else []
    ok = (0 < r.returncode < 128 and len(lines) == 1 and os.path.basename(f) in lines[0] and msg in lines[0]
          and not os.path.exists(out) and r.stdout == "")
    check(ok, name, "rc %d stdout %r stderr %r" % (r.returncode, r.stdout[:100], r.stderr[:300]))

r = run([PPAD, "preprocess", "--image", path("l8.png"), "--out", os.path.join(T, "no_such_dir", "x.png")])
check(0 < r.returncode < 128 and r.stderr.count("\n") == 1 and "no_such_dir" in r.stderr, "err_unwritable_output",
      r.stderr)
r = run([PPAD, "preprocess", "--image", path("l8.png")])
check(0 < r.returncode < 128 and r.stderr.count("\n") == 1, "err_usage_no_output", r.stderr)
r = run([PPAD, "preprocess", "--help"])
check(r.returncode == 0 and "--raw" in r.stdout, "help")
left = [n for n in os.listdir(T) if ".tmp." in n]
check(not left, "no_temporary_files_left", str(left))

done()
