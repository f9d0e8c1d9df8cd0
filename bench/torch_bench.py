"""torch_bench.py — the PyTorch side of `make bench`: the same measurements as
bench/*.c, on the same checkpoint, with the test oracle's model and PPAD code
(tests/lib/clip_ref.py, tests/lib/ppad_ref.py), fp32, on CPU.

    /usr/bin/python3 bench/torch_bench.py MODE --weights W [options]

MODE
  vision     image-tower forward (conv1 included) of --batch random images, no autograd
  load       torch.load + building the model (clip_ref.load_fp32)
  step       one PPAD training step: ppad_ref.loss (10 prompts encoded once per step)
             + backward + SGD (momentum 0.9); CLIP frozen (requires_grad False)
  step-orig  the same step the original way: the text prompts of each sample's
             position re-encoded for every sample (text tower run per sample)
  score      PPAD scoring (5 positions per image, fused) on streamed chunks of --chunk
             images: ppad_ref.scores with the 10 text features computed once per
             pass, as ppad does (scores_text_once); --ref-scores runs ppad_ref.scores
             itself, which re-encodes the prompts for every position of every chunk

Every mode prints key=value lines, peak_rss_mb (VmHWM of this process) last.
One warm-up (--warmup samples/images), then the median of --reps timed runs."""
import argparse
import os
import statistics
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "lib"))

import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

import clip_ref  # noqa: E402
import ppad_ref  # noqa: E402


def status_mb(field):
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024 / 1e6
    return -1.0


def reset_peak():
    """VmHWM := current RSS (Linux >= 4.0); False where unsupported."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


def out(**kv):
    for k, v in kv.items():
        print(f"{k}={v:.4f}" if isinstance(v, float) else f"{k}={v}")
    sys.stdout.flush()


def timed(fn, reps, warm=None):
    """warm(): one warm-up call (default fn); returns the median of reps calls of fn."""
    (warm or fn)()
    ts = []
    for _ in range(reps):
        t0 = time.perf_counter()
        fn()
        ts.append(time.perf_counter() - t0)
    return statistics.median(ts)


def frozen_model(path):
    model = clip_ref.load_fp32(path)
    for p in model.parameters():
        p.requires_grad_(False)
    return model


def prompts(gen):
    """Learnable prompts with the spec's initialisation (values do not matter for speed)."""
    ctx = (torch.randn(ppad_ref.N_CTX, 512, generator=gen) * 0.02).requires_grad_(True)
    mask = (torch.randn(1, 49, 768, generator=gen) * 0.02 * 10).requires_grad_(True)
    return ctx, mask


def loss_original(model, pixels, positions, labels, ctx, mask_embedding):
    """BCE loss as the original code computes it: for every sample, the two text
    prompts of its position are built and run through the text tower again."""
    ids, eot, start = ppad_ref.prompt_ids()
    emb = model.token_embedding(ids)
    img = ppad_ref.image_features(model, pixels, positions, mask_embedding)
    scale = model.logit_scale.exp()
    z = []
    for i, p in enumerate(positions):
        rows = []
        for q in (2 * p, 2 * p + 1):
            s = start[q]
            rows.append(torch.cat([emb[q, :s], ctx, emb[q, s + ppad_ref.N_CTX:]], 0))
        f = model.encode_text_embeddings(torch.stack(rows), eot[2 * p:2 * p + 2])
        f = f / f.norm(dim=-1, keepdim=True)
        z.append(scale * (f @ img[i]))
    z = torch.stack(z)
    y = F.one_hot(torch.tensor(labels), 2).float()
    return F.binary_cross_entropy_with_logits(z, y)


def scores_text_once(model, pixels, txt, mask_embedding):
    """ppad_ref.scores with the text features txt (10, E) (ppad_ref.text_features)
    computed by the caller once, not per position and chunk: same formulas."""
    txt = txt.reshape(5, 2, -1)
    scale = model.logit_scale.exp()
    n = pixels.shape[0]
    probs = []
    for p in range(5):
        img = ppad_ref.image_features(model, pixels, [p] * n, mask_embedding)
        z = scale * img @ txt[p].t()
        probs.append(torch.softmax(z, dim=-1)[:, 1])
    probs = torch.stack(probs, 1)
    mx = probs.max(1).values
    return probs, torch.where(mx > 0.8, mx, probs.mean(1))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("mode", choices=["vision", "load", "step", "step-orig", "score"])
    ap.add_argument("--weights", required=True)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--images", type=int, default=64)
    ap.add_argument("--chunk", type=int, default=32)
    ap.add_argument("--reps", type=int, default=2)
    ap.add_argument("--warmup", type=int, default=16, help="samples (step) or images (score) of the warm-up")
    ap.add_argument("--ref-scores", action="store_true", help="score: ppad_ref.scores as it is (prompts per chunk)")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    gen = torch.Generator().manual_seed(1234)
    out(torch_version=torch.__version__, threads=torch.get_num_threads())

    if a.mode == "load":
        base = status_mb("VmRSS")
        t0 = time.perf_counter()
        model = clip_ref.load_fp32(a.weights)
        t = time.perf_counter() - t0
        out(load_s=t, import_rss_mb=base, params=sum(p.numel() for p in model.parameters()),
            peak_rss_mb=status_mb("VmHWM"))
        return

    model = frozen_model(a.weights)
    model_rss, load_peak = status_mb("VmRSS"), status_mb("VmHWM")
    reset = reset_peak()

    def peaks():
        """work_peak_rss_mb: since the model was loaded; peak_rss_mb: the whole process."""
        work = status_mb("VmHWM") if reset else -1.0
        return dict(model_rss_mb=model_rss, work_peak_rss_mb=work, peak_rss_mb=max(work, load_peak))

    if a.mode == "vision":
        x = torch.randn(a.batch, 3, 224, 224, generator=gen)

        def fwd():
            with torch.no_grad():
                model.encode_image(x)
        s = timed(fwd, a.reps)
        out(batch=a.batch, reps=a.reps, fwd_s=s, images_per_s=a.batch / s, **peaks())

    elif a.mode in ("step", "step-orig"):
        ctx, mask = prompts(gen)
        opt = torch.optim.SGD([ctx, mask], lr=0.001, momentum=0.9)
        n = a.batch
        x = torch.randn(n, 3, 224, 224, generator=gen)
        pos = [i % 5 for i in range(n)]
        lab = [i % 2 for i in range(n)]
        last = {}

        def step(k):
            opt.zero_grad()
            if a.mode == "step":
                loss, _ = ppad_ref.loss(model, x[:k], pos[:k], lab[:k], ctx, mask)
            else:
                loss = loss_original(model, x[:k], pos[:k], lab[:k], ctx, mask)
            loss.backward()
            opt.step()
            last["loss"] = loss.item()
        w = min(a.warmup, n)
        s = timed(lambda: step(n), a.reps, (lambda: step(w)) if w > 0 else (lambda: None))
        out(batch=n, reps=a.reps, step_s=s, per_sample_ms=1e3 * s / n, loss=last["loss"], **peaks())

    elif a.mode == "score":
        ctx, mask = prompts(gen)
        ctx.requires_grad_(False)
        mask.requires_grad_(False)

        def run(n):
            """One pass over n images; only the scoring is timed (text features included)."""
            total = 0.0
            with torch.no_grad():
                t0 = time.perf_counter()
                txt = None if a.ref_scores else ppad_ref.text_features(model, ctx)
                total += time.perf_counter() - t0
                for i0 in range(0, n, a.chunk):
                    x = torch.randn(min(a.chunk, n - i0), 3, 224, 224, generator=gen)
                    t0 = time.perf_counter()
                    if a.ref_scores:
                        ppad_ref.scores(model, x, ctx, mask)
                    else:
                        scores_text_once(model, x, txt, mask)
                    total += time.perf_counter() - t0
            return total
        if a.warmup > 0:
            run(a.warmup)
        s = statistics.median([run(a.images) for _ in range(a.reps)])
        out(images=a.images, chunk=a.chunk, reps=a.reps, text_once=int(not a.ref_scores), score_s=s, images_per_s=a.images / s, **peaks())


if __name__ == "__main__":
    main()
