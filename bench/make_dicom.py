"""make_dicom.py — bench/run.sh's DICOM inputs: a 2500 x 3000 (columns x rows)
12-bit MONOCHROME1 CR with rescale and a window, uncompressed, plus DCMTK's
JPEG lossless (dcmcjpeg) and JPEG-LS lossless (dcmcjpls) copies.
usage: make_dicom.py OUTDIR   (writes cr.dcm, cr_jpeg_lossless.dcm, cr_jpegls.dcm)"""
import os
import subprocess
import sys

import numpy as np
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.uid import ExplicitVRLittleEndian

out = sys.argv[1]
os.makedirs(out, exist_ok=True)
rows, cols = 3000, 2500
rng = np.random.default_rng(5)
y, x = np.mgrid[0:rows, 0:cols].astype(np.float32)
# a chest-like picture: bright surround, two darker lung fields, ribs, quantum noise
lungs = np.exp(-(((x - cols * 0.3) / (cols * 0.16)) ** 2 + ((y - rows * 0.45) / (rows * 0.28)) ** 2)) + \
    np.exp(-(((x - cols * 0.7) / (cols * 0.16)) ** 2 + ((y - rows * 0.45) / (rows * 0.28)) ** 2))
ribs = 0.08 * np.sin(y / 55.0) ** 8
a = 3000 - 1800 * lungs + 600 * ribs + rng.normal(0, 25, (rows, cols))
a = np.clip(np.rint(a), 0, 4095).astype("<u2")
meta = FileMetaDataset()
meta.MediaStorageSOPClassUID = "1.2.840.10008.5.1.4.1.1.1"
meta.MediaStorageSOPInstanceUID = "1.2.3.4.5.6"
meta.TransferSyntaxUID = ExplicitVRLittleEndian
ds = Dataset()
ds.file_meta = meta
ds.SOPClassUID, ds.SOPInstanceUID = meta.MediaStorageSOPClassUID, meta.MediaStorageSOPInstanceUID
ds.Modality = "CR"
ds.Rows, ds.Columns = rows, cols
ds.SamplesPerPixel, ds.PhotometricInterpretation = 1, "MONOCHROME1"
ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 16, 12, 11, 0
ds.RescaleSlope, ds.RescaleIntercept = "1", "0"
ds.WindowCenter, ds.WindowWidth = "2200", "3000"
ds.PixelData = a.tobytes()
ds.is_little_endian, ds.is_implicit_VR = True, False
src = os.path.join(out, "cr.dcm")
ds.save_as(src, write_like_original=False)
subprocess.run(["dcmcjpeg", src, os.path.join(out, "cr_jpeg_lossless.dcm")], check=True)
subprocess.run(["dcmcjpls", src, os.path.join(out, "cr_jpegls.dcm")], check=True)
