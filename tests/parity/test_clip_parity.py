"""CLIP towers: ppad embed vs the PyTorch oracle (tests/lib/clip_ref.py) on the
same CheXzero-layout checkpoints (full-size ViT-B/32 and the tiny model).
Images are preprocessed on the Python side with PIL (convert('L'), resize
BICUBIC), which ppad must equal exactly (tested in test_image.py)."""
import csv
import io
import os
import sys
import tempfile

import numpy as np
import torch
from PIL import Image

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import clip_ref  # noqa: E402
from check import ASAN, FIX, PPAD, VOCAB, check, close, done, run  # noqa: E402

torch.set_num_threads(2)

TEXTS = ["normal.", "pneumonia.", "left lung X X X X X X X X X X X X X X X X pneumonia.",
         "a photo of a dog", "No acute cardiopulmonary process.", "right lower lobe consolidation",
         "", "Large left pleural effusion, 3 cm!", "upper lung x x normal"]


def make_images(d):
    rng = np.random.default_rng(11)
    paths = []
    shapes = [(224, 224), (256, 256), (300, 280), (1024, 1024), (180, 240), (256, 256), (224, 224), (500, 333), (64, 64)]
    for i, (h, w) in enumerate(shapes):
        yy, xx = np.mgrid[0:h, 0:w]
        base = 128 + 60 * np.sin(xx / (7 + i)) * np.cos(yy / (11 + i)) + rng.normal(0, 20, (h, w))
        img = np.clip(base, 0, 255).astype(np.uint8)
        p = os.path.join(d, "img%d.png" % i)
        if i % 3 == 2:  # some colour images
            rgb = np.stack([img, np.roll(img, 3, 0), 255 - img], -1)
            Image.fromarray(rgb, "RGB").save(p)
        else:
            Image.fromarray(img, "L").save(p)
        paths.append(p)
    return paths


def parse_csv(text):
    rows = list(csv.reader(io.StringIO(text)))
    header, body = rows[0], rows[1:]
    return header, [r[0] for r in body], np.array([[float(v) for v in r[1:]] for r in body])


def torch_image_features(model, paths):
    xs = []
    for p in paths:
        im = Image.open(p).convert("L").resize((224, 224), Image.BICUBIC)
        xs.append(clip_ref.normalise_gray(np.asarray(im)))
    with torch.no_grad():
        f = model.encode_image(torch.stack(xs))
    return (f / f.norm(dim=-1, keepdim=True)).numpy()


def ppad_ids(texts):
    r = run([PPAD, "tokenize", "--vocab", VOCAB] + texts)
    if r.returncode != 0:
        return None, r.stderr
    return [[int(v) for v in line.split(",")] for line in r.stdout.strip().split("\n")], None


def torch_text_features(model, ids):
    with torch.no_grad():
        f = model.encode_text(torch.tensor(ids, dtype=torch.long))
    return (f / f.norm(dim=-1, keepdim=True)).numpy()


def compare(tag, weights, paths):
    model = clip_ref.load_fp32(weights)
    r = run([PPAD, "embed", "--weights", weights, "--threads", "2", "--image"] + paths)
    if not check(r.returncode == 0, tag + " embed images runs", r.stderr[-500:]):
        return
    header, names, got = parse_csv(r.stdout)
    E = model.text_projection.shape[1]
    check(header[0] == "input" and len(header) == 1 + E and names == paths, tag + " image CSV layout",
          "header %s..., %d rows" % (header[:3], len(names)))
    ref = torch_image_features(model, paths)
    # fp32 vs fp32 through 12 layers: differences come from summation order only
    close(tag + " image features (max abs 1e-4)", got, ref, atol=1e-4, rtol=0)
    check(np.allclose(np.linalg.norm(got, axis=1), 1, atol=1e-5), tag + " image features are unit length")

    ids, e = ppad_ids(TEXTS)
    if not check(ids is not None, tag + " tokenize runs", e):
        return
    r = run([PPAD, "embed", "--weights", weights, "--vocab", VOCAB, "--text"] + TEXTS)
    if not check(r.returncode == 0, tag + " embed texts runs", r.stderr[-500:]):
        return
    header, names, got = parse_csv(r.stdout)
    check(names == TEXTS, tag + " text CSV rows name the texts", str(names))
    ref = torch_text_features(model, ids)
    close(tag + " text features (max abs 1e-4)", got, ref, atol=1e-4, rtol=0)


with tempfile.TemporaryDirectory() as d:
    paths = make_images(d)
    compare("tiny", os.path.join(FIX, "clip_tiny.pt"), paths)
    compare("fp32-file", os.path.join(FIX, "clip_fp32.pt"), paths[:3])
    if not ASAN:
        compare("full", os.path.join(FIX, "clip_full.pt"), paths)
done()
