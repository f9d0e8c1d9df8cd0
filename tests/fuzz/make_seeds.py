"""make_seeds.py — writes the small seed corpora of tests/fuzz/corpus/<target>/
(committed; rerun only to regenerate them): valid inputs of each reader, kept
small (the largest is a few KB), written by PyTorch, Pillow and pydicom.
Regression inputs (failures found later) live beside them as regress-*; this
script never touches those.

    /usr/bin/python3 tests/fuzz/make_seeds.py"""
import io
import json
import os
import pickle
import struct
import sys
import zipfile
import zlib
from collections import OrderedDict

import numpy as np
import torch
from PIL import Image

HERE = os.path.dirname(os.path.abspath(__file__))
CORPUS = os.path.join(HERE, "corpus")


def put(target, name, data):
    d = os.path.join(CORPUS, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "seed-" + name), "wb") as f:
        f.write(data)


def torch_bytes(obj):
    b = io.BytesIO()
    torch.save(obj, b)
    return b.getvalue()


def pt_seeds():
    g = torch.Generator().manual_seed(1)
    small = lambda *s: torch.randn(*s, generator=g)  # noqa: E731
    files = {
        "prompts-f32.pt": {"prompt_learner_ctx": OrderedDict(ctx=small(16, 4)),
                           "image_mask_learner": OrderedDict(mask_embedding=small(1, 49, 2))},
        "prompts-f16.pt": {"prompt_learner_ctx": OrderedDict(ctx=small(16, 4).half()),
                           "image_mask_learner": OrderedDict(mask_embedding=small(1, 49, 2).half())},
        "mixed.pt": OrderedDict([("a", small(3, 2)), ("b.c", small(2).bfloat16()), ("i", torch.arange(5)),
                                 ("d", small(4).double()), ("u", torch.tensor([1, 2], dtype=torch.uint8)),
                                 ("bool", torch.tensor([True, False])), ("n", 7), ("s", "text"), ("none", None)]),
        "view.pt": {"t": small(4, 6)[1:, ::2], "shared": [small(3), small(2, 2).t()]},
        "param.pt": {"p": torch.nn.Parameter(small(2, 3))},
    }
    pkls = []
    for name, obj in files.items():
        data = torch_bytes(obj)
        put("pt", name, data)
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            pkls += [(name[:-3], z.read(n)) for n in z.namelist() if n.endswith("data.pkl")]
    # a deflated archive (torch writes stored entries; ppad must read both)
    src = zipfile.ZipFile(io.BytesIO(torch_bytes({"x": small(8)})))
    b = io.BytesIO()
    with zipfile.ZipFile(b, "w", zipfile.ZIP_DEFLATED) as z:
        for n in src.namelist():
            z.writestr(n, src.read(n))
    put("pt", "deflated.pt", b.getvalue())
    return pkls


def pickle_seeds(pkls):
    for name, data in pkls:
        put("pickle", name + ".pkl", data)
    put("pickle", "plain-dict.pkl", pickle.dumps({"a": 1, "b": [1, 2.5, None, True], "c": "x" * 3}, protocol=2))
    put("pickle", "proto4.pkl", pickle.dumps(OrderedDict(k=(1, 2, 3), z={"q": b"by"}), protocol=4))


def chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xffffffff)


def png_raw(w, h, color, depth, rows, extra=b"", interlace=0):
    ihdr = struct.pack(">IIBBBBB", w, h, depth, color, 0, 0, interlace)
    raw = b"".join(b"\x00" + r for r in rows)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + extra + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")


def pil_bytes(img, fmt, **kw):
    b = io.BytesIO()
    img.save(b, fmt, **kw)
    return b.getvalue()


def image_seeds():
    rng = np.random.default_rng(3)
    g8 = Image.fromarray(rng.integers(0, 256, (9, 7), dtype=np.uint8), "L")
    rgb = Image.fromarray(rng.integers(0, 256, (8, 8, 3), dtype=np.uint8), "RGB")
    put("image", "gray8.png", pil_bytes(g8, "PNG"))
    put("image", "rgb.png", pil_bytes(rgb, "PNG"))
    put("image", "rgba.png", pil_bytes(rgb.convert("RGBA"), "PNG"))
    put("image", "palette.png", pil_bytes(rgb.convert("P"), "PNG"))
    put("image", "la.png", pil_bytes(g8.convert("LA"), "PNG"))
    put("image", "bits1.png", pil_bytes(g8.convert("1"), "PNG"))
    v16 = rng.integers(0, 4096, (6, 5)).astype(">u2")
    put("image", "gray16-sbit12.png", png_raw(5, 6, 0, 16, [r.tobytes() for r in v16], chunk(b"sBIT", b"\x0c")))
    put("image", "gray16.png", png_raw(5, 6, 0, 16, [r.tobytes() for r in (v16 * 16)]))
    put("image", "gray4.png", png_raw(4, 4, 0, 4, [b"\x12\x34"] * 4))
    # Adam7 on 1x1: only pass 1 holds a pixel (one filter byte + one sample)
    put("image", "adam7-1x1.png", png_raw(1, 1, 0, 8, [b"\x80"], interlace=1))
    put("image", "gray.jpg", pil_bytes(g8, "JPEG", quality=80))
    put("image", "rgb420.jpg", pil_bytes(rgb, "JPEG", quality=75, subsampling=2))
    put("image", "rgb444-progressive.jpg", pil_bytes(rgb, "JPEG", quality=90, subsampling=0, progressive=True))
    put("image", "cmyk.jpg", pil_bytes(rgb.convert("CMYK"), "JPEG"))
    try:
        put("image", "mono2-16.dcm", dicom_bytes(rng))
    except Exception as e:  # pydicom missing: the other seeds still serve
        print("no DICOM seed:", e, file=sys.stderr)


def dicom_bytes(rng):
    import pydicom
    from pydicom.dataset import Dataset, FileMetaDataset
    from pydicom.uid import ExplicitVRLittleEndian, generate_uid
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = "1.2.840.10008.5.1.4.1.1.1.1"  # Digital X-Ray Image Storage - For Presentation
    meta.MediaStorageSOPInstanceUID = generate_uid(entropy_srcs=["ppad-fuzz"])
    meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds = Dataset()
    ds.file_meta = meta
    ds.SOPClassUID = meta.MediaStorageSOPClassUID
    ds.SOPInstanceUID = meta.MediaStorageSOPInstanceUID
    ds.Modality = "DX"
    ds.Rows, ds.Columns = 6, 5
    ds.SamplesPerPixel = 1
    ds.PhotometricInterpretation = "MONOCHROME2"
    ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 16, 12, 11, 0
    ds.RescaleSlope, ds.RescaleIntercept = 1, 0
    ds.WindowCenter, ds.WindowWidth = 2048, 4096
    ds.PixelData = rng.integers(0, 4096, (6, 5)).astype("<u2").tobytes()
    b = io.BytesIO()
    pydicom.dcmwrite(b, ds, write_like_original=False)
    return b.getvalue()


def csv_seeds():
    seeds = {
        "records.csv": b"\x00path,label,score\r\n\"a,b.png\",1,0.5\n\"q\"\"uote\",0,1e-3\n\n plain , 1 , 2 \n",
        "records-bom.csv": b"\x00\xef\xbb\xbfpath,split\n\"multi\nline\",test\n",
        "scores.csv": b"\x01path,label,score,p_left,p_right,p_upper,p_lower,p_whole\n"
                      b"a.png,0,0.25,0.1,0.2,0.3,0.4,0.5\nb.png,1,0.75,,,,,0.75\n",
        "scores-min.csv": b"\x01label,score\n1,0.9\n0,0.1\n1.0,1\n",
        "manifest.csv": b"\x02path,label,position\na.png,0,left\nb.png,1,whole\nc.jpg,1,lower\n",
        "dataset.csv": b"\x03path,label,split\na.png,0,train\nb.png,0,test\nc.jpg,1,test\n",
        "dataset-nosplit.csv": b"\x03label,path\n0,a.png\n1,\"b.png\"\n",
        "trainlog.csv": b"\x04step,epoch,lr,loss,n_abnormal,seconds\n1,1,0.001,0.69,3,0.5\n2,1,0.0009,0.6,2,1.0\n",
    }
    for name, data in seeds.items():
        put("csv", name, data)


def vindr_seeds():
    docs = {
        "full.json": {"train": {"0": ["a.png", "b.png"], "unlabeled": {"0": ["a.png"], "1": ["b"]}},
                      "test": {"0": ["0.png"], "1": ["1.png"]}},
        "noext.json": {"train": {"0": ["a"]}, "test": {"0": ["0"], "1": ["1"]}},
        "badtype.json": {"train": {"0": "a.png"}, "test": {"0": [1], "1": []}},
    }
    for name, doc in docs.items():
        put("vindr", name, json.dumps(doc).encode())


def tokenizer_seeds():
    texts = ["left lung X X X X X X X X X X X X X X X X pneumonia.", "a photo of a dog", "normal.",
             "It's  we'll they've I'd   &amp; &#39;&#x27; &lt;tag&gt;", "<|startoftext|>hi<|endoftext|>",
             "Ünïcödé naïve café 東京 😀 ٣٤", "x" * 120, "12,345.67 -- ??? !!!", "\u00a0\u2003tab\tnew\nline"]
    for i, t in enumerate(texts):
        put("tokenizer", "text%d.txt" % i, t.encode("utf-8"))
    put("tokenizer", "bad-utf8.txt", b"\xff\xfe\xc3(\xe2\x82 lung")


if __name__ == "__main__":
    pickle_seeds(pt_seeds())
    image_seeds()
    csv_seeds()
    vindr_seeds()
    tokenizer_seeds()
