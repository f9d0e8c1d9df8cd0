"""ppad info: configuration inferred from shapes, parameter count and dtype
summary; refusals for checkpoints that are valid zips but not a usable CLIP."""
import os
import re
import sys
import tempfile
from collections import OrderedDict

import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import clip_ref  # noqa: E402
from check import ASAN, FIX, PPAD, check, done, run  # noqa: E402


def expect_refusal(name, path, needle):
    r = run([PPAD, "info", "--weights", path])
    lines = [l for l in r.stderr.split("\n") if l]
    ok = r.returncode not in (0,) and r.returncode < 128 and len(lines) == 1 and needle in r.stderr and path in r.stderr
    check(ok, name, "rc=%d stderr=%r" % (r.returncode, r.stderr[-400:]))


def info(path):
    r = run([PPAD, "info", "--weights", path])
    return r.returncode, r.stdout, r.stderr


if not ASAN:
    rc, out, err = info(os.path.join(FIX, "clip_full.pt"))
    check(rc == 0, "info full runs", err)
    check("151,277,313" in out, "full-size parameter count is 151,277,313", out)
    check("224x224 input, patch 32, grid 7x7 (49 tokens + class), width 768, 12 layers, 12 heads" in out,
          "full-size image tower config", out)
    check("context 77, vocab 49408, width 512, 12 layers, 8 heads" in out, "full-size text tower config", out)
    check("embed dim:     512" in out, "full-size embed dim", out)
    # mixed dtypes: count what the fixture holds in each
    sd = torch.load(os.path.join(FIX, "clip_full.pt"))
    n16 = sum(v.numel() for v in sd.values() if v.dtype == torch.float16)
    n32 = sum(v.numel() for v in sd.values() if v.dtype == torch.float32)
    m = re.search(r"float32 (\d+) tensors / ([\d,]+) values; float16 (\d+) / ([\d,]+)", out)
    check(m is not None and int(m.group(2).replace(",", "")) == n32 and int(m.group(4).replace(",", "")) == n16,
          "full-size dtype summary matches the file (fp16 %d, fp32 %d values)" % (n16, n32), out)
    del sd

    check("101.2 MB (token embedding) read in place from the file" in out,
          "full-size: the fp32 token embedding is used in place from the mapped file, not copied", out)

rc, out, err = info(os.path.join(FIX, "clip_tiny.pt"))
check(rc == 0 and "width 128, 2 layers, 2 heads" in out and "embed dim:     64" in out, "tiny config inferred", out + err)
check("other 3 /" in out, "tiny: the 3 optional integer keys are counted but ignored", out)

with tempfile.TemporaryDirectory() as d:
    base = torch.load(os.path.join(FIX, "clip_tiny.pt"))

    def save(name, sd):
        p = os.path.join(d, name)
        torch.save(sd, p)
        return p

    # a token embedding that cannot be used in place (fp64 here) is copied; the
    # text features must be the same bits as with the in-place fp32 one
    sd = OrderedDict(base)
    sd["token_embedding.weight"] = sd["token_embedding.weight"].double()
    p64 = save("tok64.pt", sd)
    rc, out, err = info(p64)
    check(rc == 0 and "0.0 MB (token embedding) read in place" in out, "fp64 token embedding is copied, not mapped",
          out + err)
    emb = [run([PPAD, "embed", "--weights", w, "--text", "pneumonia", "left lung"]).stdout
           for w in (os.path.join(FIX, "clip_tiny.pt"), p64)]
    check(emb[0] != "" and emb[0] == emb[1], "text features identical with the mapped and the copied token embedding",
          "%r vs %r" % (emb[0][:80], emb[1][:80]))

    sd = OrderedDict(base)
    del sd["visual.ln_post.bias"]
    expect_refusal("missing key refused", save("missing.pt", sd), "missing tensor 'visual.ln_post.bias'")

    sd = OrderedDict(base)
    sd["visual.proj"] = torch.zeros(128, 32).half()
    expect_refusal("wrong shape refused", save("shape.pt", sd), "tensor 'visual.proj' has shape (128, 32), expected (128, 64)")

    sd = OrderedDict(base)
    sd["transformer.resblocks.1.mlp.c_fc.weight"] = torch.zeros(512, 127)
    expect_refusal("wrong layer shape refused", save("shape2.pt", sd), "transformer.resblocks.1.mlp.c_fc.weight")

    sd = OrderedDict(base)
    sd["visual.positional_embedding"] = torch.zeros(49, 128)
    expect_refusal("non-square grid refused", save("grid.pt", sd), "not 1 + a square number")

    sd = OrderedDict(base)
    sd["ln_final.weight"] = torch.zeros(128, dtype=torch.long)
    expect_refusal("integer weight refused", save("dtype.pt", sd), "expected a floating-point type")

    expect_refusal("not a CLIP state dict refused", save("other.pt", {"a": torch.zeros(3)}), "missing tensor")

    # a DataParallel-style "module." prefix is accepted
    p = save("prefixed.pt", OrderedDict(("module." + k, v) for k, v in base.items()))
    rc, out, err = info(p)
    check(rc == 0 and "width 128, 2 layers" in out, "'module.' key prefix accepted", err)

    r = run([PPAD, "info", "--weights", os.path.join(d, "nope.pt")])
    check(r.returncode == 1 and "nope.pt" in r.stderr and len(r.stderr.strip().split("\n")) == 1,
          "missing weights file: one line naming it", r.stderr)
    r = run([PPAD, "info"])
    check(r.returncode == 2 and "give --weights W" in r.stderr, "info without --weights is a usage error", r.stderr)
done()
