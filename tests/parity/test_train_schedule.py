"""ppad train's learning-rate schedule vs PyTorch (spec section 4): the authors'
CosineAnnealingLR(T_max = epochs) stepped once per iteration, replayed with
torch.optim on a dummy parameter, with shots > batch (several iterations per
epoch, so the schedule passes zero and rises again); and --t-max N. The lr of
each step is read from --log (printed with 9 significant digits)."""
import csv
import os
import sys
import tempfile

import numpy as np
import torch
from PIL import Image

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from check import FIX, PPAD, check, close, done, run  # noqa: E402

W = os.path.join(FIX, "clip_tiny.pt")


def torch_lrs(base, t_max, steps):
    """lr used by each of `steps` optimizer steps, scheduler stepped after each one."""
    p = torch.nn.Parameter(torch.zeros(1))
    opt = torch.optim.SGD([p], lr=base, momentum=0.9)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=t_max)
    out = []
    for _ in range(steps):
        out.append(opt.param_groups[0]["lr"])
        opt.step()
        sched.step()
    return np.array(out)


def log_lrs(path):
    with open(path) as f:
        return np.array([float(r["lr"]) for r in csv.DictReader(f)])


with tempfile.TemporaryDirectory() as d:
    data = os.path.join(d, "zl")
    rng = np.random.default_rng(5)
    for sub in ("train/normal_256", "test/normal_256", "test/pneumonia_256"):
        os.makedirs(os.path.join(data, sub))
        for i in range(7 if sub.startswith("train") else 1):
            Image.fromarray(rng.integers(0, 256, (224, 224), dtype=np.uint8), "L").save(
                os.path.join(data, sub, "i%d.png" % i))
    # (shots, batch, epochs, --t-max or None, lr): iterations per epoch = ceil(shots / batch)
    cases = [(6, 2, 4, None, 1e-3), (7, 2, 5, None, 2e-3), (6, 2, 4, 12, 1e-3), (7, 3, 3, 5, 1e-3)]
    for shots, batch, epochs, t_max, lr in cases:
        tag = "shots %d batch %d epochs %d%s" % (shots, batch, epochs, " --t-max %d" % t_max if t_max else "")
        log = os.path.join(d, "log.csv")
        args = [PPAD, "train", "--weights", W, "--data", data, "--out", os.path.join(d, "p.pt"), "--shots", str(shots),
                "--batch", str(batch), "--epochs", str(epochs), "--lr", repr(lr), "--no-eval", "--quiet", "--log", log,
                "--threads", "2"]
        if t_max:
            args += ["--t-max", str(t_max)]
        r = run(args)
        if not check(r.returncode == 0, tag + ": train runs", r.stderr[-400:]):
            continue
        got = log_lrs(log)
        steps = epochs * -(-shots // batch)
        ref = torch_lrs(lr, t_max or epochs, steps)
        # %.9g in the log: 1e-8 relative; lr = 0 exactly where cos reaches -1 (1e-18 abs)
        close(tag + ": lr per step equals CosineAnnealingLR(T_max=%d) (1e-8 rel)" % (t_max or epochs), got, ref,
              atol=1e-18, rtol=1e-8)
        if t_max is None and steps > epochs:
            over_all = torch_lrs(lr, steps, steps)
            check(np.abs(got - over_all).max() > 1e-2 * lr, tag + ": differs from a cosine over all steps (test can fail)")
    r = run([PPAD, "train", "--weights", W, "--data", data, "--out", os.path.join(d, "p.pt"), "--t-max", "0"])
    check(r.returncode == 2 and "--t-max" in r.stderr, "--t-max 0 is a usage error", r.stderr)
done()
