"""ppad random-model writes a checkpoint with CheXzero's exact keys, order,
shapes and mixed fp16/fp32 layout, that PyTorch loads into CLIP strictly and
that has OpenAI CLIP's initialisation statistics."""
import os
import sys
import tempfile

import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import clip_ref  # noqa: E402
from check import ASAN, FIX, PPAD, check, done, run  # noqa: E402

with tempfile.TemporaryDirectory() as d:
    if not ASAN:
        p = os.path.join(d, "full.pt")
        r = run([PPAD, "random-model", "--out", p, "--seed", "4"])
        if check(r.returncode == 0, "random-model (full size) runs", r.stderr):
            got = torch.load(p)
            ref = torch.load(os.path.join(FIX, "clip_full.pt"))
            check(list(got) == list(ref), "same keys in the same order as a PyTorch CheXzero-layout state dict")
            check(all(got[k].shape == ref[k].shape and got[k].dtype == ref[k].dtype for k in ref),
                  "same shapes and dtypes (mixed fp16/fp32)",
                  str([k for k in ref if got[k].shape != ref[k].shape or got[k].dtype != ref[k].dtype][:5]))
            model = clip_ref.CLIP()
            model.load_state_dict({k: v.float() for k, v in got.items()}, strict=True)
            check(True, "loads strictly into the PyTorch CLIP")
            w = got["visual.transformer.resblocks.0.attn.in_proj_weight"].float()
            check(abs(float(w.std()) - 768 ** -0.5) < 0.001 and abs(float(w.mean())) < 0.001,
                  "OpenAI init statistics (in_proj std = width^-0.5)", "%g" % w.std())
            check(abs(float(got["logit_scale"]) - 4.60517) < 1e-4, "logit scale 100")
            del got, ref, model
    p1, p2 = os.path.join(d, "t1.pt"), os.path.join(d, "t2.pt")
    args = ["--vision-width", "128", "--vision-layers", "2", "--text-width", "128", "--text-layers", "2",
            "--embed-dim", "64", "--seed", "9"]
    r1 = run([PPAD, "random-model", "--out", p1] + args)
    r2 = run([PPAD, "random-model", "--out", p2] + args)
    check(r1.returncode == 0 and open(p1, "rb").read() == open(p2, "rb").read(), "same seed: identical files")
    sd = torch.load(p1)
    m = clip_ref.CLIP(**clip_ref.config_from_state_dict(sd))
    m.load_state_dict({k: v.float() for k, v in sd.items()}, strict=True)
    check(True, "small configuration loads strictly into the PyTorch CLIP")
    # the demo backbone: --residual-gain G scales exactly the image tower's attn.out_proj and
    # mlp.c_proj weights by G (same draws; fp16 storage: 1e-3 relative, 2e-6 absolute for the subnormals), nothing else
    p3 = os.path.join(d, "t3.pt")
    r3 = run([PPAD, "random-model", "--out", p3, "--residual-gain", "16"] + args)
    if check(r3.returncode == 0, "random-model --residual-gain runs", r3.stderr):
        g = torch.load(p3)
        scaled = [k for k in sd if k.startswith("visual.transformer.") and
                  (k.endswith("attn.out_proj.weight") or k.endswith("mlp.c_proj.weight"))]
        check(len(scaled) == 4 and all(torch.allclose(g[k].float(), 16 * sd[k].float(), rtol=1e-3, atol=2e-6)
                                       for k in scaled), "--residual-gain 16 scales the image tower's branch outputs")
        check(all(torch.equal(g[k], sd[k]) for k in sd if k not in scaled), "--residual-gain leaves every other tensor")
    # --patch-cell C: every conv1 filter takes, on each C x C pixel cell, the draw at the cell's top-left
    # pixel (same draws as without it); nothing else changes
    p4 = os.path.join(d, "t4.pt")
    r4 = run([PPAD, "random-model", "--out", p4, "--patch-cell", "8"] + args)
    if check(r4.returncode == 0, "random-model --patch-cell runs", r4.stderr):
        g = torch.load(p4)
        w, w0 = g["visual.conv1.weight"], sd["visual.conv1.weight"]
        want = w0[:, :, ::8, ::8].repeat_interleave(8, 2).repeat_interleave(8, 3)
        check(w.dtype == w0.dtype and w.shape == w0.shape and torch.equal(w, want),
              "--patch-cell 8: conv1 filters constant on 8x8 cells, the cells' top-left draws")
        check(all(torch.equal(g[k], sd[k]) for k in sd if k != "visual.conv1.weight"),
              "--patch-cell leaves every other tensor")
    r = run([PPAD, "random-model", "--out", os.path.join(d, "x.pt"), "--patch-cell", "5"])
    check(r.returncode == 2 and "does not divide the patch size 32" in r.stderr, "--patch-cell 5 refused", r.stderr)
    r = run([PPAD, "random-model", "--out", os.path.join(d, "x.pt"), "--vision-width", "100"])
    check(r.returncode == 2 and "multiples of 64" in r.stderr, "width not a multiple of 64 refused", r.stderr)
done()
