"""test_kernels_torch.py — the kernels of src/clip/kernels.h (forward outputs,
saved activations and input gradients) against PyTorch autograd in float64
at the model's real sizes: image tower T=50, C=768, NH=12 (MLP 3072), text
tower causal T=77/23, C=512, NH=8, projections 768->512 and 512->512.
The C side runs through build/tools/kernel_tool on raw float32 files.

Tolerances are abs + rel*|ref| per quantity, written next to each check; the
abs part is scaled by the quantity's RMS (float32 rounding of sums of
hundreds to thousands of terms stays near 1e-6 relative)."""
import os
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import numpy as np  # noqa: E402
import torch  # noqa: E402

from check import BUILD, check, close, done, run  # noqa: E402

TOOL = os.path.join(BUILD, "tools", "kernel_tool")
torch.set_num_threads(2)
rng = np.random.default_rng(1234)


def f32(*shape, sd=1.0, mean=0.0):
    return (rng.standard_normal(shape) * sd + mean).astype(np.float32)


def t64(a, grad=False):
    return torch.tensor(a.astype(np.float64), requires_grad=grad)


def call(kernel, sizes, inputs, outputs, tmp):
    """Writes inputs {name: float32 array}, runs the tool, reads outputs {name: shape}."""
    for name, a in inputs.items():
        a.astype("<f4").tofile(os.path.join(tmp, name + ".bin"))
    r = run([TOOL, kernel, tmp] + [str(s) for s in sizes])
    if not check(r.returncode == 0, "kernel_tool %s %s runs" % (kernel, sizes), r.stderr.strip()):
        return None
    return {name: np.fromfile(os.path.join(tmp, name + ".bin"), dtype="<f4").reshape(shape)
            for name, shape in outputs.items()}


def rclose(name, got, ref, arel, rtol):
    """close() with atol = arel * RMS(ref)."""
    ref = ref.detach().numpy() if torch.is_tensor(ref) else ref
    rms = float(np.sqrt(np.mean(np.square(ref)))) if ref.size else 0.0
    d = np.abs(got.astype(np.float64) - ref)
    print("# %s: max abs err %.3g (RMS of ref %.3g), max err/RMS %.3g" % (name, d.max(), rms, d.max() / max(rms, 1e-30)))
    return close(name, got, ref, arel * rms, rtol)


def t_linear(tmp, N, C, OC):
    x, w, b, dy = f32(N, C), f32(OC, C, sd=0.02), f32(OC, sd=0.02), f32(N, OC)
    got = call("linear", (N, C, OC), dict(inp=x, weight=w, bias=b, dout=dy), dict(out=(N, OC), dinp=(N, C)), tmp)
    if got is None:
        return
    X = t64(x, True)
    out = X @ t64(w).T + t64(b)
    out.backward(t64(dy))
    tag = "N=%d C=%d OC=%d" % (N, C, OC)
    rclose("linear_forward vs torch " + tag, got["out"], out, 1e-5, 1e-5)     # atol 1e-5*RMS + rtol 1e-5
    rclose("linear_backward vs torch " + tag, got["dinp"], X.grad, 1e-5, 1e-5)  # atol 1e-5*RMS + rtol 1e-5


def t_matmul(tmp, N, C, OC):
    x, w, dy = f32(N, C), f32(C, OC, sd=0.03), f32(N, OC)
    got = call("matmul", (N, C, OC), dict(inp=x, w=w, dout=dy), dict(out=(N, OC), dinp=(N, C)), tmp)
    if got is None:
        return
    X = t64(x, True)
    out = X @ t64(w)
    out.backward(t64(dy))
    tag = "N=%d C=%d OC=%d" % (N, C, OC)
    rclose("matmul_forward vs torch " + tag, got["out"], out, 1e-5, 1e-5)     # atol 1e-5*RMS + rtol 1e-5
    rclose("matmul_backward vs torch " + tag, got["dinp"], X.grad, 1e-5, 1e-5)  # atol 1e-5*RMS + rtol 1e-5


def t_layernorm(tmp, N, C):
    x, w, b, dy = f32(N, C, sd=2.0, mean=0.5), f32(C, sd=0.3, mean=1.0), f32(C, sd=0.1), f32(N, C)
    got = call("layernorm", (N, C), dict(inp=x, weight=w, bias=b, dout=dy),
               dict(out=(N, C), mean=(N,), rstd=(N,), dinp=(N, C)), tmp)
    if got is None:
        return
    X = t64(x, True)
    out = torch.nn.functional.layer_norm(X, (C,), t64(w), t64(b), eps=1e-5)
    out.backward(t64(dy))
    X64 = t64(x)
    mean = X64.mean(-1)
    rstd = 1.0 / torch.sqrt(X64.var(-1, unbiased=False) + 1e-5)
    tag = "N=%d C=%d" % (N, C)
    rclose("layernorm_forward vs torch " + tag, got["out"], out, 1e-5, 1e-5)    # atol 1e-5*RMS + rtol 1e-5
    rclose("layernorm mean vs torch " + tag, got["mean"], mean, 1e-6, 1e-6)     # atol 1e-6*RMS + rtol 1e-6
    rclose("layernorm rstd vs torch " + tag, got["rstd"], rstd, 0, 1e-6)         # rtol 1e-6
    rclose("layernorm_backward vs torch " + tag, got["dinp"], X.grad, 1e-5, 1e-5)  # atol 1e-5*RMS + rtol 1e-5


def t_quickgelu(tmp, N):
    x, dy = f32(N, sd=3.0), f32(N)
    got = call("quickgelu", (N,), dict(inp=x, dout=dy), dict(out=(N,), dinp=(N,)), tmp)
    if got is None:
        return
    X = t64(x, True)
    out = X * torch.sigmoid(1.702 * X)
    out.backward(t64(dy))
    rclose("quickgelu_forward vs torch N=%d" % N, got["out"], out, 1e-6, 1e-6)      # atol 1e-6*RMS + rtol 1e-6
    rclose("quickgelu_backward vs torch N=%d" % N, got["dinp"], X.grad, 1e-6, 1e-5)  # atol 1e-6*RMS + rtol 1e-5


def t_attention(tmp, B, T, C, NH, causal):
    hd = C // NH
    qkv, dy = f32(B, T, 3 * C), f32(B, T, C)
    got = call("attention", (B, T, C, NH, int(causal)), dict(qkv=qkv, dout=dy),
               dict(out=(B, T, C), att=(B, NH, T, T), dqkv=(B, T, 3 * C)), tmp)
    if got is None:
        return
    QKV = t64(qkv, True)
    q, k, v = (t.reshape(B, T, NH, hd).transpose(1, 2) for t in QKV.split(C, dim=-1))
    s = q @ k.transpose(-1, -2) / np.sqrt(hd)
    if causal:
        s = s.masked_fill(torch.ones(T, T, dtype=torch.bool).triu(1), float("-inf"))
    att = torch.softmax(s, dim=-1)
    out = (att @ v).transpose(1, 2).reshape(B, T, C)
    out.backward(t64(dy))
    tag = "B=%d T=%d C=%d NH=%d causal=%d" % (B, T, C, NH, causal)
    rclose("attention_forward vs torch " + tag, got["out"], out, 1e-5, 1e-5)          # atol 1e-5*RMS + rtol 1e-5
    rclose("attention probabilities vs torch " + tag, got["att"], att, 1e-5, 1e-5)    # atol 1e-5*RMS + rtol 1e-5
    rclose("attention_backward vs torch " + tag, got["dqkv"], QKV.grad, 1e-5, 1e-5)   # atol 1e-5*RMS + rtol 1e-5


def t_l2norm(tmp, N, C):
    x, dy = f32(N, C, sd=0.5), f32(N, C)
    got = call("l2norm", (N, C), dict(inp=x, dout=dy), dict(out=(N, C), norm=(N,), dinp=(N, C)), tmp)
    if got is None:
        return
    X = t64(x, True)
    nrm = X.norm(dim=-1, keepdim=True)
    out = X / nrm
    out.backward(t64(dy))
    tag = "N=%d C=%d" % (N, C)
    rclose("l2norm_forward vs torch " + tag, got["out"], out, 1e-6, 1e-6)        # atol 1e-6*RMS + rtol 1e-6
    rclose("l2norm norm vs torch " + tag, got["norm"], nrm[:, 0], 0, 1e-6)         # rtol 1e-6
    rclose("l2norm_backward vs torch " + tag, got["dinp"], X.grad, 1e-5, 1e-5)    # atol 1e-5*RMS + rtol 1e-5


def main():
    if not check(os.path.exists(TOOL), "kernel_tool built", TOOL + " is missing (make all)"):
        done()
    with tempfile.TemporaryDirectory() as tmp:
        t_linear(tmp, 50, 768, 3072)    # image MLP c_fc
        t_linear(tmp, 50, 3072, 768)    # image MLP c_proj
        t_linear(tmp, 23, 512, 1536)    # text in_proj
        t_matmul(tmp, 4, 768, 512)      # visual.proj
        t_matmul(tmp, 4, 512, 512)      # text_projection
        t_layernorm(tmp, 50, 768)
        t_layernorm(tmp, 23, 512)
        t_quickgelu(tmp, 50 * 3072)
        t_attention(tmp, 2, 50, 768, 12, False)
        t_attention(tmp, 2, 23, 512, 8, True)
        t_attention(tmp, 1, 77, 512, 8, True)
        t_l2norm(tmp, 4, 512)
    done()


main()
