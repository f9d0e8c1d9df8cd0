"""test_trust_lib.py — issue 11, items 5, 7, 8, 9 (and the C API's share):

  * 5: non-finite or out-of-range --lr, --momentum, --threshold are usage
    errors in every verb taking them; training stops with one clear line and
    writes no prompts when the loss, a gradient or a prompt value stops being
    finite (prompts holding inf; a learning rate of 1e300);
  * 7: a checkpoint whose image tower is empty (width 0, a patch of 2^31 - 1:
    the shapes that used to reach a signed overflow in pt_view_contiguous) or
    absurd is refused naming the file and the tensor; the architecture is
    named from what was inferred (the tiny fixture is not "ViT-B/32");
  * 7: prompt files ppad writes carry a 'ppad_provenance' dict (torch.load
    reads it; the released keys are unchanged); prompts meeting another
    backbone warn once (naming both files) in every verb taking prompts, or
    are refused with --strict, in the CLI and the C API; released files load
    silently; ppad info prints the provenance;
  * 8: 16-bit grayscale PNGs (numpy/PIL-made, an sBIT chunk added by hand)
    map to 8 bits exactly as README's rules (numpy reference, exact): sBIT
    honoured, high-byte, minmax, N bits; a narrow result warns once per file;
  * 9: every reader (checkpoint, prompts, images, list files, vocabulary,
    dataset CSV, VinDr JSON, scores CSV, training log) names the file and the
    real reason for a folder, a missing file, an unreadable file (only when
    not root), an empty file and a truncated file; a pipe is read whole.
Uses the tiny CheXzero-layout fixture."""
import gzip
import os
import shutil
import subprocess
import sys
import tempfile
import threading

import numpy as np
from PIL import Image

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from check import FIX, PPAD, VOCAB, check, done, run  # noqa: E402

W = os.path.join(FIX, "clip_tiny.pt")
PR = os.path.join(FIX, "prompts_tiny_released.pt")
ROOT = os.geteuid() == 0


def one_line_error(name, r, needles, rc=1):
    """Exit status rc and exactly one stderr line holding every needle."""
    lines = [l for l in r.stderr.split("\n") if l]
    ok = r.returncode == rc and len(lines) == 1 and all(n in lines[0] for n in needles)
    return check(ok, name, "rc=%d stderr=%r" % (r.returncode, r.stderr[-400:]))


def readers_9(d):
    """A folder, a missing file, an unreadable file, an empty file and a truncated
    file given to each reader."""
    rng = np.random.RandomState(0)
    png = os.path.join(d, "ok.png")
    Image.fromarray(rng.randint(0, 256, (64, 64)).astype(np.uint8)).save(png)
    jpg = os.path.join(d, "ok.jpg")
    Image.fromarray(rng.randint(0, 256, (64, 64)).astype(np.uint8)).save(jpg, quality=90)
    folder = os.path.join(d, "afolder.png")
    os.mkdir(folder)
    missing = os.path.join(d, "missing.png")
    empty = os.path.join(d, "empty")
    open(empty, "wb").close()
    unreadable = os.path.join(d, "unreadable")
    shutil.copy(png, unreadable)
    os.chmod(unreadable, 0)

    def trunc(src, n, name):
        p = os.path.join(d, name)
        with open(src, "rb") as f:
            data = f.read()
        with open(p, "wb") as f:
            f.write(data[:n] if n > 0 else data[:len(data) + n])
        return p

    with open(VOCAB, "rb") as f:
        vz = f.read()
    truncated = {
        "image.png": trunc(png, -200, "trunc.png"),
        "image.jpg": trunc(jpg, -200, "trunc.jpg"),
        "weights": trunc(W, 3000, "trunc_w.pt"),
        "prompts": trunc(PR, -300, "trunc_p.pt"),
        "vocab": trunc(VOCAB, len(vz) // 3, "trunc_v.gz"),
    }
    pred = [PPAD, "predict", "--quiet", "--threads", "1"]
    sc9 = os.path.join(d, "s9.csv")
    with open(sc9, "w") as f:
        f.write("label,score\n0,0.1\n1,0.9\n")
    # (reader, command builder, what an empty file says, what a truncated file says)
    readers = [
        ("image", lambda x: [PPAD, "preprocess", "--image", x, "--out", os.path.join(d, "pre.png")], "empty file",
         [("image.png", "truncated PNG"), ("image.jpg", "truncated JPEG")]),
        ("checkpoint", lambda x: [PPAD, "info", "--weights", x], "empty file",
         [("weights", "truncated")]),
        ("prompts", lambda x: pred + ["--weights", W, "--prompts", x, png], "empty file",
         [("prompts", "truncated")]),
        ("list file", lambda x: pred + ["--weights", W, "--prompts", PR, "--list", x], "lists no images", []),
        ("vocabulary", lambda x: pred + ["--weights", W, "--prompts", PR, "--vocab", x, png], "merge lines",
         [("vocab", "truncated")]),
        ("dataset CSV", lambda x: [PPAD, "data", "--layout", "csv", "--data", x], "empty", []),
        ("scores CSV", lambda x: [PPAD, "metrics", "--scores", x], "empty file", []),
        ("training log", lambda x: [PPAD, "report", "--scores", sc9, "--out", os.path.join(d, "r9.html"), "--log", x,
                                    "--quiet"], "empty file", []),
        ("step manifest", lambda x: [PPAD, "step", "--weights", W, "--prompts", PR, "--batch", x, "--out",
                                     os.path.join(d, "s9.pt"), "--quiet"], "no samples", []),
    ]
    for name, cmd, empty_says, truncs in readers:
        one_line_error("%s: a folder is named as a folder" % name, run(cmd(folder)), [folder, "is a folder"])
        one_line_error("%s: a missing file says so" % name, run(cmd(missing)),
                       [missing, "such file"])
        if ROOT:
            print("# %s: unreadable file not tested: running as root (chmod 000 does not stop root)" % name)
        else:
            one_line_error("%s: an unreadable file says so" % name, run(cmd(unreadable)),
                           [unreadable, "Permission denied"])
        one_line_error("%s: an empty file says so" % name, run(cmd(empty)), [empty, empty_says])
        for key, says in truncs:
            one_line_error("%s: a truncated %s says so" % (name, key), run(cmd(truncated[key])),
                           [truncated[key], says])
    # a folder listed as an image in a dataset CSV and in VinDr's data.json
    ds = os.path.join(d, "ds")
    os.makedirs(os.path.join(ds, "dir.png"))
    with open(os.path.join(ds, "m.csv"), "w") as f:
        f.write("path,label\ndir.png,0\n")
    one_line_error("dataset CSV: a folder listed as an image is named as one",
                   run([PPAD, "data", "--data", os.path.join(ds, "m.csv")]), ["dir.png", "is a folder", "line 2"])
    vd = os.path.join(d, "vd")
    os.makedirs(os.path.join(vd, "images", "x.png"))
    os.makedirs(os.path.join(vd, "data.json"))
    one_line_error("VinDr: a folder named data.json is named as one",
                   run([PPAD, "data", "--layout", "vindr", "--data", vd]), ["data.json", "is a folder"])
    os.rmdir(os.path.join(vd, "data.json"))
    with open(os.path.join(vd, "data.json"), "w") as f:
        f.write('{"train": {"0": ["x.png"]}, "test": {"0": ["x.png"], "1": ["x.png"]}}')
    one_line_error("VinDr: a folder listed as an image is named as one",
                   run([PPAD, "data", "--layout", "vindr", "--data", vd]), ["x.png", "is a folder"])
    with open(os.path.join(vd, "data.json"), "w") as f:
        f.write('{"train": {"0": ["x.png"]}, "te')
    one_line_error("VinDr: a truncated data.json says so",
                   run([PPAD, "data", "--layout", "vindr", "--data", vd]), ["data.json", "unexpected end"])
    one_line_error("training log: a folder is named as one",
                   run([PPAD, "report", "--scores", os.path.join(FIX, "..", "..", "tests"), "--out",
                        os.path.join(d, "r.html"), "--quiet"]), ["is a folder"])
    # a pipe (size unknown) is read whole, in chunks: the image scores as from the file
    fifo = os.path.join(d, "pipe.png")
    os.mkfifo(fifo)
    with open(png, "rb") as f:
        data = f.read()

    def feed():
        try:
            with open(fifo, "wb") as f:
                f.write(data)
        except BrokenPipeError:  # a reader that gave up
            pass
    t = threading.Thread(target=feed)
    t.start()
    r = run(pred + ["--weights", W, "--prompts", PR, fifo])
    t.join()
    ref = run(pred + ["--weights", W, "--prompts", PR, png])
    check(r.returncode == 0 and r.stdout.split("\n")[1].split(",")[1:] == ref.stdout.split("\n")[1].split(",")[1:],
          "an image read from a pipe scores as the file", "rc=%d %r / %r" % (r.returncode, r.stderr, ref.stdout))


def degenerate_7(d):
    import torch
    sd = torch.load(W)
    M = 2 ** 31 - 1
    wv = sd["visual.conv1.weight"].shape[0]
    empty = {}
    for k, v in sd.items():  # every width of the image tower 0, the patch 2^31 - 1
        if k == "visual.conv1.weight":
            empty[k] = torch.empty_strided((0, 3, M, M), (0, M * M, M, 1), dtype=v.dtype)
        elif k.startswith("visual.") and k != "visual.positional_embedding" and k != "visual.proj":
            empty[k] = torch.empty([0 if n in (wv, 3 * wv, 4 * wv) else n for n in v.shape], dtype=v.dtype)
        elif k == "visual.positional_embedding":
            empty[k] = torch.empty(v.shape[0], 0, dtype=v.dtype)
        elif k == "visual.proj":
            empty[k] = torch.empty(0, v.shape[1], dtype=v.dtype)
        else:
            empty[k] = v
    p = os.path.join(d, "empty_tower.pt")
    torch.save(empty, p)
    one_line_error("a checkpoint with an empty image tower is refused naming the file and the tensor",
                   run([PPAD, "info", "--weights", p]), [p, "visual.conv1.weight", "width 0"])
    big = dict(sd)
    big["token_embedding.weight"] = torch.empty_strided((2 ** 40, 128), (0, 1), dtype=torch.float16)
    p = os.path.join(d, "huge_vocab.pt")
    torch.save(big, p)
    one_line_error("a checkpoint with an absurd vocabulary is refused naming the tensor",
                   run([PPAD, "info", "--weights", p]), [p, "token_embedding.weight", "vocabulary size"])
    r = run([PPAD, "info", "--weights", W])
    arch = [l for l in r.stdout.split("\n") if l.startswith("architecture:")]
    check(arch and "ViT-B/32" not in arch[0] and "2 layers, width 128, patch 32" in arch[0],
          "the tiny fixture's architecture is named from what was inferred", repr(arch))
    full = os.path.join(FIX, "clip_full.pt")
    r = run([PPAD, "info", "--weights", full])
    check("architecture:  CLIP ViT-B/32\n" in r.stdout, "a full ViT-B/32 layout is named ViT-B/32", r.stdout[:200])
    one = {k: v for k, v in sd.items() if ".resblocks.1." not in k}
    p = os.path.join(d, "one_layer.pt")
    torch.save(one, p)
    r = run([PPAD, "info", "--weights", p])
    check(r.returncode == 0 and "(1 layer, width 128, patch 32; text 1 layer" in r.stdout,
          "a 1-layer model is named as one", r.stdout[:200] + r.stderr)


def png16(path, arr, sbit=None, alpha=False):
    """A 16-bit gray PNG by PIL; sBIT (1 byte for gray, 2 with alpha) spliced in after IHDR."""
    import io
    import struct
    import zlib
    buf = io.BytesIO()
    if alpha:  # PIL cannot write 16-bit LA: build it with the PNG encoder of numpy bytes
        h, w = arr.shape
        raw = b"".join(b"\0" + np.stack([arr, np.full_like(arr, 65535)], -1).astype(">u2").tobytes()[
            y * w * 4:(y + 1) * w * 4] for y in range(h))

        def chunk(t, b):
            return struct.pack(">I", len(b)) + t + b + struct.pack(">I", zlib.crc32(t + b) & 0xffffffff)
        b = (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 16, 4, 0, 0, 0)) +
             chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))
    else:
        Image.fromarray(arr.astype(np.uint16)).save(buf, format="PNG")
        b = buf.getvalue()
    if sbit is not None:
        body = b"sBIT" + bytes([sbit] * (2 if alpha else 1))
        b = b[:33] + struct.pack(">I", len(body) - 4) + body + struct.pack(">I", zlib.crc32(body) & 0xffffffff) + b[33:]
    with open(path, "wb") as f:
        f.write(b)


def png16_8(d):
    rng = np.random.RandomState(8)
    a12 = rng.randint(0, 4096, (40, 48)).astype(np.int64)
    a12[0, 0], a12[0, 1] = 0, 4095
    full = rng.randint(0, 65536, (40, 48)).astype(np.int64)
    scaled = (a12 << 4) | (a12 >> 8)  # 12 bits scaled to 16 as the PNG spec asks (bit replication)
    f = {k: os.path.join(d, k + ".png") for k in ("d12", "d12s", "scaled", "full", "flat", "d12la")}
    png16(f["d12"], a12)
    png16(f["d12s"], a12, sbit=12)
    png16(f["scaled"], scaled, sbit=12)
    png16(f["full"], full)
    png16(f["flat"], np.full((40, 48), 1000))
    png16(f["d12la"], a12, sbit=12, alpha=True)

    def minmax(v):
        lo, hi = v.min(), v.max()
        return ((v - lo) * 510 + (hi - lo)) // (2 * (hi - lo))  # floor(x + 1/2), exactly
    cases = [
        ("12-bit data without sBIT: the high byte by default", "d12", [], a12 >> 8, True),
        ("12-bit data with sBIT 12: v >> 4 by default", "d12s", [], a12 >> 4, False),
        ("12-bit data with sBIT 12, gray + alpha: v >> 4", "d12la", [], a12 >> 4, False),
        ("sBIT 12 but samples scaled to 16 bits: the high byte", "scaled", [], scaled >> 8, False),
        ("full-range 16-bit without sBIT: the high byte (as before)", "full", [], full >> 8, False),
        ("--png16 12 on data without sBIT: v >> 4", "d12", ["--png16", "12"], a12 >> 4, False),
        ("--png16 10: min(v >> 2, 255)", "d12", ["--png16", "10"], np.minimum(a12 >> 2, 255), False),
        ("--png16 16: the high byte", "d12s", ["--png16", "16"], a12 >> 8, True),
        ("--png16 high-byte ignores sBIT", "d12s", ["--png16", "high-byte"], a12 >> 8, True),
        ("--png16 minmax: floor((v - lo) * 255 / (hi - lo) + 1/2)", "d12", ["--png16", "minmax"], minmax(a12), False),
        ("--png16 minmax on full range", "full", ["--png16", "minmax"], minmax(full), False),
        ("--png16 minmax of a constant image is 0", "flat", ["--png16", "minmax"], np.zeros((40, 48), np.int64), False),
    ]
    out = os.path.join(d, "out8.png")
    for name, key, extra, ref, warns in cases:
        r = run([PPAD, "preprocess", "--image", f[key], "--size", "0", "--out", out] + extra)
        if not check(r.returncode == 0, name + ": runs", r.stderr):
            continue
        got = np.asarray(Image.open(out)).astype(np.int64)
        diff = int(np.abs(got - ref).max()) if got.shape == ref.shape else -1
        check(diff == 0, name + " (exact)", "max |diff| %d" % diff)  # tolerance: none, integer rules
        warned = [l for l in r.stderr.split("\n") if "warning" in l]
        check(len(warned) == (1 if warns else 0) and (not warns or f[key] in warned[0]),
              name + (": one warning naming the file" if warns else ": no warning"), r.stderr)
    r = run([PPAD, "preprocess", "--image", f["d12"], "--size", "0", "--out", out, "--quiet"])
    check(r.returncode == 0 and r.stderr == "", "--quiet silences the warning", r.stderr)
    for bad in ("8", "17", "lowbyte", ""):
        r = run([PPAD, "preprocess", "--image", f["d12"], "--out", out, "--png16", bad])
        check(r.returncode == 2 and "--png16" in r.stderr, "--png16 %r is a usage error" % bad, r.stderr)


def provenance_7(d):
    import torch
    tool = os.path.join(os.path.dirname(PPAD), "tools", "api_tool")
    w2 = os.path.join(d, "w2.pt")  # another backbone of the same sizes
    r = run([PPAD, "random-model", "--out", w2, "--seed", "5", "--vision-width", "128", "--vision-layers", "2",
             "--text-width", "128", "--text-layers", "2", "--embed-dim", "64", "--quiet"])
    check(r.returncode == 0, "a second tiny backbone", r.stderr)

    def fingerprint(w):
        out = run([PPAD, "info", "--weights", w]).stdout
        return [l.split()[1] for l in out.split("\n") if l.startswith("fingerprint:")][0]
    fp1, fp2 = fingerprint(W), fingerprint(w2)
    check(fp1.startswith("fnv1a64:") and fp1 != fp2, "two backbones have different fingerprints", fp1 + " " + fp2)
    resaved = os.path.join(d, "resaved.pt")  # the same tensors in another zip (torch's own writer)
    torch.save(torch.load(W), resaved)
    check(fingerprint(resaved) == fp1, "the same tensors re-saved by torch keep the fingerprint")
    sd = torch.load(W)
    sd["visual.proj"][0, 0] += 1
    changed = os.path.join(d, "changed.pt")
    torch.save(sd, changed)
    check(fingerprint(changed) != fp1, "one changed value changes the fingerprint")

    plain, withp = os.path.join(d, "plain.pt"), os.path.join(d, "prov.pt")
    run([PPAD, "init-prompts", "--seed", "4", "--out", plain])
    run([PPAD, "init-prompts", "--seed", "4", "--out", withp, "--weights", W])
    a, b = torch.load(plain), torch.load(withp)
    check(sorted(a) == ["image_mask_learner", "prompt_learner_ctx"] and
          sorted(b) == ["image_mask_learner", "ppad_provenance", "prompt_learner_ctx"],
          "torch.load reads the file; provenance is one extra top-level key", repr(sorted(b)))
    stripped = os.path.join(d, "stripped.pt")  # the same file as the released layout has it
    torch.save({k: v for k, v in b.items() if k != "ppad_provenance"}, stripped)
    img = os.path.join(d, "ok.png")
    r1 = run([PPAD, "predict", "--weights", W, "--prompts", withp, img, "--quiet"])
    r2 = run([PPAD, "predict", "--weights", W, "--prompts", stripped, img, "--quiet"])
    check(list(a["prompt_learner_ctx"]) == list(b["prompt_learner_ctx"]) == ["ctx"] and
          list(a["image_mask_learner"]) == list(b["image_mask_learner"]) == ["mask_embedding"] and
          b["prompt_learner_ctx"]["ctx"].dtype == torch.float32 and r1.returncode == 0 and r1.stdout == r2.stdout,
          "the released keys are unchanged; without the provenance key the file scores the same",
          r1.stdout + r2.stdout + r1.stderr)
    pv = b["ppad_provenance"]
    check(isinstance(pv, dict) and all(isinstance(v, str) for v in pv.values()) and pv.get("version") and
          pv.get("backbone") == W and pv.get("backbone_fingerprint") == fp1 and pv.get("seed") == "4",
          "init-prompts --weights records version, backbone, its fingerprint and the seed", repr(pv))
    api = os.path.join(d, "api_init.pt")
    r = run([tool, "init", W, "4", api])
    check(r.returncode == 0 and digest(api) == digest(withp),
          "the C API's ppad_prompts_init + save give init-prompts --weights' bytes (provenance included)", r.stderr)

    ph = os.path.join(d, "ph5")
    out = os.path.join(d, "t7.pt")
    r = run([PPAD, "train", "--weights", W, "--data", ph, "--out", out, "--shots", "8", "--batch", "4", "--epochs", "1",
             "--quiet", "--threads", "2", "--seed", "11", "--lr", "0.002", "--no-eval"])
    check(r.returncode == 0, "train writes prompts", r.stderr)
    t = torch.load(out)
    pv = t["ppad_provenance"]
    check(pv.get("origin") == "ppad train" and pv.get("backbone_fingerprint") == fp1 and pv.get("seed") == "11" and
          "shots=8 epochs=1 batch=4 lr=0.002 momentum=0.9" in pv.get("config", ""),
          "train records the training configuration and seed", repr(pv))
    check(sorted(t["prompt_learner_ctx"]) == ["ctx"] and tuple(t["image_mask_learner"]["mask_embedding"].shape) ==
          (1, 49, 128), "trained prompts keep the released layout")
    r = run([PPAD, "info", out])
    check(r.returncode == 0 and "fingerprint:   " + fp1 in r.stdout and "seed:          11" in r.stdout and
          "shots=8" in r.stdout, "ppad info PROMPTS.pt prints the provenance", r.stdout + r.stderr)
    r = run([PPAD, "info", PR])
    check(r.returncode == 0 and "provenance:    none" in r.stdout, "ppad info of a released file: no provenance",
          r.stdout + r.stderr)

    img = os.path.join(d, "ok.png")
    manifest = os.path.join(d, "m7.csv")
    with open(manifest, "w") as f:
        f.write("path,label,position\n%s,0,whole\n" % img)
    verbs = {
        "predict": lambda w, p: [PPAD, "predict", "--weights", w, "--prompts", p, img, "--quiet"],
        "test": lambda w, p: [PPAD, "test", "--weights", w, "--prompts", p, "--data", ph, "--quiet"],
        "train --init": lambda w, p: [PPAD, "train", "--weights", w, "--init", p, "--data", ph, "--out",
                                      os.path.join(d, "t7b.pt"), "--shots", "8", "--batch", "8", "--epochs", "1",
                                      "--quiet", "--no-eval"],
        "info --prompts": lambda w, p: [PPAD, "info", "--prompts", p, "--weights", w],
        "explain": lambda w, p: [PPAD, "explain", "--weights", w, "--prompts", p, img, "--quiet", "--method", "gradcam",
                                 "--raw", os.path.join(d, "maps7.csv")],
        "step": lambda w, p: [PPAD, "step", "--weights", w, "--prompts", p, "--batch", manifest, "--out",
                              os.path.join(d, "s7.pt"), "--quiet"],
    }
    for verb, cmd in verbs.items():
        r = run(cmd(w2, out))
        warns = [l for l in r.stderr.split("\n") if "warning" in l]
        check(r.returncode == 0 and len(warns) == 1 and out in warns[0] and w2 in warns[0] and W in warns[0],
              "%s: prompts from another backbone: one warning naming both files" % verb, r.stderr[-400:])
        r = run(cmd(w2, out) + ["--strict"])
        lines = [l for l in r.stderr.split("\n") if l]
        check(r.returncode == 1 and len(lines) == 1 and "strict" in lines[0] and w2 in lines[0],
              "%s --strict: refused with one line" % verb, r.stderr[-400:])
        r = run(cmd(W, out) + ["--strict"])
        check(r.returncode == 0 and "warning" not in r.stderr, "%s: the same backbone: no warning" % verb,
              r.stderr[-300:])
        r = run(cmd(w2, PR) + ["--strict"])
        check(r.returncode == 0 and "warning" not in r.stderr, "%s: a released file loads silently" % verb,
              r.stderr[-300:])
    # the C API: a warning on stderr by default, refused with PPAD_PROMPTS_STRICT, returned with QUIET
    r = run([tool, "load", w2, out])
    check("rc=0" in r.stdout and "loaded=1" in r.stdout and r.stderr.count("warning") == 1 and w2 in r.stderr,
          "ppad_prompts_load: loads, one warning line on stderr", r.stdout + r.stderr)
    r = run([tool, "load", w2, out, "strict"])
    check("rc=-1" in r.stdout and "loaded=0" in r.stdout and w2 in r.stdout and r.stderr == "",
          "ppad_prompts_load_flags STRICT: refused, naming both files", r.stdout + r.stderr)
    r = run([tool, "load", w2, out, "quiet"])
    check("rc=1" in r.stdout and "loaded=1" in r.stdout and r.stderr == "",
          "ppad_prompts_load_flags QUIET: loaded, the warning returned", r.stdout + r.stderr)
    r = run([tool, "load", W, out, "strict"])
    check("rc=0" in r.stdout and "loaded=1" in r.stdout, "the API: the same backbone loads under STRICT", r.stdout)
    r = run([tool, "load", w2, PR, "strict"])
    check("rc=0" in r.stdout and r.stderr == "", "the API: a released file loads silently under STRICT", r.stdout)


def digest(path):
    with open(path, "rb") as f:
        return f.read()


def usage_error(name, r, needle):
    return one_line_error(name, r, [needle], rc=2)


def finite_5(d):
    ph = os.path.join(d, "ph5")
    r = run([PPAD, "phantom", "--out", ph, "--normal", "12", "--abnormal", "4", "--train-normal", "8", "--seed", "3",
             "--quiet", "--size", "64"])
    check(r.returncode == 0, "phantom dataset written", r.stderr)
    out = os.path.join(d, "p5.pt")
    train = [PPAD, "train", "--weights", W, "--data", ph, "--out", out, "--shots", "8", "--batch", "4",
             "--epochs", "2", "--quiet", "--threads", "2"]
    step = [PPAD, "step", "--weights", W, "--prompts", PR, "--out", out, "--quiet"]
    for verb, cmd in (("train", train), ("step", step)):
        for v in ("nan", "inf", "-inf", "-1"):
            usage_error("%s --lr %s is a usage error" % (verb, v), run(cmd + ["--lr", v]), "--lr")
        for v in ("nan", "1", "-0.1", "inf"):
            usage_error("%s --momentum %s is a usage error" % (verb, v), run(cmd + ["--momentum", v]), "--momentum")
    scores = os.path.join(d, "s5.csv")
    with open(scores, "w") as f:
        f.write("label,score\n0,0.2\n1,0.7\n")
    thr_cmds = {
        "predict": [PPAD, "predict", "--weights", W, "--prompts", PR, os.path.join(d, "ok.png")],
        "test": [PPAD, "test", "--weights", W, "--prompts", PR, "--data", ph],
        "zeroshot": [PPAD, "zeroshot", "--weights", W, "--data", ph, "--vocab", VOCAB],
        "metrics": [PPAD, "metrics", "--scores", scores],
        "report": [PPAD, "report", "--scores", scores, "--out", os.path.join(d, "r5.html")],
    }
    for verb, cmd in thr_cmds.items():
        for v in ("nan", "inf", "1.5", "-0.1"):
            usage_error("%s --threshold %s is a usage error" % (verb, v), run(cmd + ["--threshold", v]), "--threshold")
    # prompts holding an infinity: the first loss is NaN
    init = os.path.join(d, "init5.pt")
    run([PPAD, "init-prompts", "--weights", W, "--out", init, "--seed", "0"])
    import torch
    sd = torch.load(init)
    sd["prompt_learner_ctx"]["ctx"][0, 0] = float("inf")
    bad = os.path.join(d, "inf5.pt")
    torch.save(sd, bad)
    r = run(train + ["--init", bad])
    one_line_error("training from prompts holding inf stops at step 1 with one line", r,
                   ["step 1", "loss is not a finite number", "no prompts written"])
    check(not os.path.exists(out), "nothing written when the loss is not finite")
    # a learning rate that overflows the prompts in the first SGD step
    r = run(train + ["--lr", "1e300"])
    one_line_error("--lr 1e300 stops at step 1: the prompts overflow", r, ["step 1", "prompt value", "no prompts written"])
    check(not os.path.exists(out), "nothing written when the prompts overflow")


with tempfile.TemporaryDirectory() as d:
    readers_9(d)
    finite_5(d)
    degenerate_7(d)
    provenance_7(d)
    png16_8(d)
done()
