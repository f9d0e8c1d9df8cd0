"""make_dicom_seeds.py — writes the small DICOM seed files of the image fuzz
target (tests/fuzz/corpus/image/dicom_*.dcm): pydicom-written 16x12 images
(MONOCHROME1/2, 8/12/16 bits, signed, rescale, windows, a VOI LUT, RGB planar)
and DCMTK-compressed copies (JPEG lossless and baseline, JPEG-LS, RLE,
deflate). Run once with /usr/bin/python3; the outputs are committed.
usage: make_dicom_seeds.py [OUTDIR]"""
import os
import subprocess
import sys

import numpy as np
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.uid import ExplicitVRLittleEndian

OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus", "image")
rng = np.random.default_rng(13)


_uid = [0]


def make(name, bits=12, signed=False, photometric="MONOCHROME2", samples=1, planar=0, **attrs):
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = "1.2.840.10008.5.1.4.1.1.1"
    _uid[0] += 1
    meta.MediaStorageSOPInstanceUID = "1.2.3.4.%d" % _uid[0]
    meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds = Dataset()
    ds.file_meta = meta
    ds.SOPClassUID, ds.SOPInstanceUID = meta.MediaStorageSOPClassUID, meta.MediaStorageSOPInstanceUID
    ds.Modality = "DX"
    ds.Rows, ds.Columns = 12, 16
    ds.SamplesPerPixel, ds.PhotometricInterpretation = samples, photometric
    ds.BitsAllocated = 16 if bits > 8 else 8
    ds.BitsStored, ds.HighBit, ds.PixelRepresentation = bits, bits - 1, int(signed)
    if samples == 3:
        ds.PlanarConfiguration = planar
    for k, v in attrs.items():
        setattr(ds, k, v)
    lo, hi = (-(1 << (bits - 1)), (1 << (bits - 1)) - 1) if signed else (0, (1 << bits) - 1)
    a = rng.integers(lo, hi + 1, (12, 16, samples) if samples == 3 else (12, 16))
    ds.PixelData = a.astype(("<i" if signed else "<u") + str(ds.BitsAllocated // 8)).tobytes()
    ds.is_little_endian, ds.is_implicit_VR = True, False
    p = os.path.join(OUT, "dicom_%s.dcm" % name)
    ds.save_as(p, write_like_original=False)
    return p


os.makedirs(OUT, exist_ok=True)
lut = Dataset()
lut.add_new(0x00283002, "US", [256, 100, 16])
lut.add_new(0x00283006, "OW", (np.arange(256) * 200).astype("<u2").tobytes())
seeds = [
    make("m2_u12_window", RescaleSlope="0.5", RescaleIntercept="-10", WindowCenter="1000", WindowWidth="1500"),
    make("m1_u16", bits=16, photometric="MONOCHROME1"),
    make("m2_u8", bits=8),
    make("m2_s16_windows", bits=16, signed=True, WindowCenter=["0", "100"], WindowWidth=["3000", "400"]),
    make("m2_voi_lut", VOILUTSequence=[lut]),
    make("rgb_planar", bits=8, photometric="RGB", samples=3, planar=1),
]
for tool, opts, tag in (("dcmcjpeg", [], "jpeg_lossless"), ("dcmcjpls", [], "jpegls"), ("dcmcrle", [], "rle"),
                        ("dcmconv", ["+td"], "deflate")):
    subprocess.run([tool] + opts + [seeds[0], seeds[0].replace("m2_u12_window", tag)], check=True)
subprocess.run(["dcmcjpeg", "+eb", seeds[2], seeds[2].replace("m2_u8", "jpeg_baseline")], check=True)
