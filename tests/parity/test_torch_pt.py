"""test_torch_pt.py — the safe PyTorch checkpoint reader/writer (src/formats/torch_pt*.c,
pt_pickle.c) against torch.load, through the helper build/tools/pt_dump.

(a) every tensor of the fixtures and of crafted state dicts (views, offsets, shared storages,
    bf16/f64/int dtypes, all fp16 bit patterns, parameters, _metadata, pickle protocols 2-5)
    equals torch.load's values converted to fp32 bit for bit (tolerance 0: fp16/bf16 -> fp32 is
    exact, f64 -> fp32 and int -> fp32 round the same way as torch's .float());
(b) the full-size checkpoint: tensor count, names, dtypes, shapes, and a few tensors exactly;
(c) refusals: non-zero exit below 128, exactly one stderr line naming the file, and the reason;
(d) pt_write_f32's output loads in torch.load (also weights_only) with the right nesting,
    shapes and values, is 64-byte aligned, and a refused write leaves no file behind.
"""
import collections
import os
import random
import shutil
import struct
import sys
import tempfile
import zipfile

import numpy as np
import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from check import BUILD, FIX, check, done, run  # noqa: E402

PT_DUMP = os.path.join(BUILD, "tools", "pt_dump")
TMP = tempfile.mkdtemp(prefix="ppad_pt_")


# ---------- helpers ----------

def flatten(obj, prefix=""):
    """torch.load result -> [(dotted name, tensor)] in dict order, like the reader."""
    out = []
    items = obj.items() if isinstance(obj, dict) else enumerate(obj)
    for k, v in items:
        name = "%s.%s" % (prefix, k) if prefix else str(k)
        if isinstance(v, torch.Tensor):
            out.append((name, v))
        elif isinstance(v, (dict, list, tuple)):
            out.extend(flatten(v, name))
    return out


def dump(path, raw_dir=None, names=()):
    args = [PT_DUMP, path] + (["--raw", raw_dir] + list(names) if raw_dir else [])
    return run(args)


def listing(stdout):
    rows = []
    for line in stdout.splitlines():
        name, dtype, shape = line.rsplit(" ", 2)
        rows.append((name, dtype, tuple(int(x) for x in shape.strip("[]").split(",") if x)))
    return rows


def reference_f32(t):
    t = t.detach()
    return t.float().contiguous().numpy() if t.dtype != torch.bool else t.to(torch.float32).numpy()


def compare_file(label, path, names=None, ref_path=None):
    """Reader vs torch.load (of ref_path, default path) for every tensor (or only `names`), bit for bit."""
    ref = flatten(torch.load(ref_path or path, map_location="cpu"))
    if names is not None:
        ref = [(n, t) for n, t in ref if n in names]
    out = os.path.join(TMP, "raw_" + label)
    os.makedirs(out, exist_ok=True)
    r = dump(path, out, [n for n, _ in ref] if names is not None else ())
    if not check(r.returncode == 0, label + "_reads", r.stderr.strip()):
        return
    rows = listing(r.stdout)
    check([x[0] for x in rows] == [n for n, _ in ref], label + "_names_in_order",
          "got %s, torch %s" % ([x[0] for x in rows][:5], [n for n, _ in ref][:5]))
    meta_ok = all(d == str(t.dtype).replace("torch.", "") and s == tuple(t.shape)
                  for (n, d, s), (_, t) in zip(rows, ref))
    check(meta_ok and len(rows) == len(ref), label + "_dtypes_shapes")
    bad = []
    for name, t in ref:
        want = reference_f32(t).astype(np.float32).reshape(-1)
        got = np.fromfile(os.path.join(out, name + ".bin"), dtype="<f4")
        if got.shape != want.shape or not np.array_equal(got.view(np.uint32), want.view(np.uint32)):
            bad.append(name)
    check(not bad, label + "_values_exact", "differ: %s" % bad[:5])
    shutil.rmtree(out, ignore_errors=True)


# A tiny pickler for crafting data.pkl by hand (never unpickled by Python here).
def p_str(s):
    b = s.encode()
    return b"X" + struct.pack("<I", len(b)) + b


def p_int(v):
    if 0 <= v < 256:
        return b"K" + bytes([v])
    if 0 <= v < 65536:
        return b"M" + struct.pack("<H", v)
    if -2 ** 31 <= v < 2 ** 31:
        return b"J" + struct.pack("<i", v)
    return b"\x8a\x08" + struct.pack("<q", v)


def p_global(mod, name):
    return b"c" + mod.encode() + b"\n" + name.encode() + b"\n"


def p_tuple(items):
    return b"(" + b"".join(items) + b"t"


P_ODICT = p_global("collections", "OrderedDict") + b")R"


def p_tensor(key, numel, shape, stride, offset=0, stype="FloatStorage"):
    pid = p_tuple([p_str("storage"), p_global("torch", stype), p_str(key), p_str("cpu"), p_int(numel)])
    return (p_global("torch._utils", "_rebuild_tensor_v2") + b"(" + pid + b"Q" + p_int(offset) +
            p_tuple([p_int(x) for x in shape]) + p_tuple([p_int(x) for x in stride]) + b"\x89" + P_ODICT + b"tR")


def p_dict(pairs):
    return b"}(" + b"".join(p_str(k) + v for k, v in pairs) + b"u"


def p_file(body):
    return b"\x80\x02" + body + b"."


def write_zip(path, entries, top="archive"):
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as z:
        for name, data in entries:
            z.writestr((top + "/" if top else "") + name, data)


def crafted(name, pkl, storages, extra=(), top="archive"):
    path = os.path.join(TMP, name + ".pt")
    write_zip(path, [("data.pkl", pkl)] + [("data/" + k, v) for k, v in storages.items()] +
              [("version", b"3\n")] + list(extra), top)
    return path


def refuse(label, path, *needles, raw=True):
    """The reader must refuse path: exit 1..127, one stderr line 'ppad: <path>: ...' holding needles."""
    out = os.path.join(TMP, "raw_refuse")
    os.makedirs(out, exist_ok=True)
    r = dump(path, out if raw else None)
    lines = r.stderr.splitlines()
    msg = lines[0] if lines else ""
    ok = (0 < r.returncode < 128 and len(lines) == 1 and msg.startswith("ppad: " + path + ":") and
          all(n in msg for n in needles))
    check(ok, "refuse_" + label, "rc %d, stderr %r" % (r.returncode, r.stderr[:600]))
    shutil.rmtree(out, ignore_errors=True)


def entry_payload_offset(path, name):
    with zipfile.ZipFile(path) as z:
        info = z.getinfo(name)
    with open(path, "rb") as f:
        f.seek(info.header_offset)
        h = f.read(30)
    nlen, elen = struct.unpack("<HH", h[26:30])
    return info.header_offset + 30 + nlen + elen, info.file_size


def rewrite(src, dst, change):
    """Copies a zip entry by entry; change(name, data) returns new data or None to drop it."""
    with zipfile.ZipFile(src) as zi, zipfile.ZipFile(dst, "w", zipfile.ZIP_STORED) as zo:
        for info in zi.infolist():
            data = change(info.filename, zi.read(info.filename))
            if data is not None:
                zo.writestr(info.filename, data)
    return dst


# ---------- (a) fixtures and crafted state dicts ----------

for fx in ["clip_tiny", "clip_fp32", "prompts_released", "prompts_tiny_released"]:
    compare_file(fx, os.path.join(FIX, fx + ".pt"))

torch.manual_seed(3)
base = torch.arange(24, dtype=torch.float32).reshape(4, 6) * 0.5 - 3
halfs = torch.arange(65536, dtype=torch.int32).to(torch.int16).view(torch.float16)  # every fp16 bit pattern
bf = torch.tensor([1.0, -0.0, float("inf"), -float("inf"), 1e-40, 3.0e38, -2.5]).bfloat16()
views = collections.OrderedDict()
views["transposed"] = base.t()                   # non-contiguous, shares base's storage
views["base"] = base
views["slice"] = base[1:3, 2:5]                  # storage offset + row stride
views["row"] = base[2]                           # offset, contiguous
views["every_other"] = base[:, ::2]              # last stride 2
views["expanded"] = torch.arange(3.0)[:, None].expand(3, 4)  # stride 0
views["all_fp16"] = halfs
views["fp16_view"] = halfs[100:400].view(20, 15).t()
views["bf16"] = bf
views["f64"] = torch.randn(5, 3, dtype=torch.float64) * 1e3 + 1 / 3
views["i64"] = torch.tensor([-5, 2 ** 40, 7, 2 ** 62 + 1])
views["i32"] = torch.tensor([[-(2 ** 31), 2 ** 31 - 1]], dtype=torch.int32)
views["i16"] = torch.tensor([-300, 300], dtype=torch.int16)
views["i8"] = torch.tensor([-128, 127], dtype=torch.int8)
views["u8"] = torch.tensor([0, 255], dtype=torch.uint8)
views["flags"] = torch.tensor([True, False, True])
views["scalar"] = torch.tensor(3.5)
views["empty"] = torch.zeros(0, 5)
views["param"] = torch.nn.Parameter(torch.randn(2, 2))
views["nested"] = {"a": {"b": torch.randn(3).half()}, 7: torch.ones(2)}
views["module"] = torch.nn.Sequential(torch.nn.Linear(3, 2), torch.nn.LayerNorm(2)).state_dict()  # _metadata
views["items"] = [torch.ones(1), torch.zeros(2, 1)[:, 0]]
views["an_int"] = 5
views["a_str"] = "skip me"
views["nothing"] = None
views["a_float"] = 1.5
for proto in [2, 3, 4, 5]:
    p = os.path.join(TMP, "views_p%d.pt" % proto)
    torch.save(views, p, pickle_protocol=proto)
    compare_file("views_protocol%d" % proto, p)

# other zip writers: deflate-compressed entries (read through libzip) and zip64 records
tiny_path = os.path.join(FIX, "prompts_tiny_released.pt")
with zipfile.ZipFile(tiny_path) as zi, zipfile.ZipFile(os.path.join(TMP, "deflated.pt"), "w", zipfile.ZIP_DEFLATED) as zo:
    for info in zi.infolist():
        zo.writestr(info.filename, zi.read(info.filename))
compare_file("deflated_entries", os.path.join(TMP, "deflated.pt"))
r = run([PT_DUMP, os.path.join(TMP, "deflated.pt"), "--read-all"])
check(r.returncode == 0 and "0 of 10 storages read in place" in r.stdout, "deflated_read_through_libzip", r.stdout + r.stderr)
r = run([PT_DUMP, tiny_path, "--read-all"])
check(r.returncode == 0 and "10 of 10 storages read in place" in r.stdout, "stored_read_in_place", r.stdout + r.stderr)
limits = zipfile.ZIP64_LIMIT, zipfile.ZIP_FILECOUNT_LIMIT
zipfile.ZIP64_LIMIT, zipfile.ZIP_FILECOUNT_LIMIT = 16, 2  # zip64 extra fields and end records for everything
with zipfile.ZipFile(tiny_path) as zi, zipfile.ZipFile(os.path.join(TMP, "zip64.pt"), "w", zipfile.ZIP_STORED) as zo:
    for info in zi.infolist():
        with zo.open(info.filename, "w", force_zip64=True) as w:
            w.write(zi.read(info.filename))
zipfile.ZIP64_LIMIT, zipfile.ZIP_FILECOUNT_LIMIT = limits
compare_file("zip64_records", os.path.join(TMP, "zip64.pt"), ref_path=tiny_path)  # (torch's miniz refuses it)
r = run([PT_DUMP, os.path.join(TMP, "zip64.pt"), "--read-all"])
check(r.returncode == 0 and "10 of 10 storages read in place" in r.stdout, "zip64_read_in_place", r.stdout + r.stderr)

# ---------- (b) the full-size checkpoint (kept fast: listing + a few tensors) ----------

full = os.path.join(FIX, "clip_full.pt")
r = dump(full)
rows = listing(r.stdout) if r.returncode == 0 else []
check(r.returncode == 0 and len(rows) == 302, "full_tensor_count", "rc %d, %d tensors" % (r.returncode, len(rows)))
check(sum(int(np.prod(s)) for _, _, s in rows) == 151277313, "full_parameter_count")
check({d for _, d, _ in rows} == {"float16", "float32"}, "full_mixed_dtypes")
compare_file("full_spotcheck", full, names={"visual.proj", "logit_scale", "token_embedding.weight",
                                            "visual.transformer.resblocks.11.attn.in_proj_weight",
                                            "transformer.resblocks.5.mlp.c_fc.bias", "visual.conv1.weight"})

# ---------- (c) refusals ----------

tiny = os.path.join(FIX, "prompts_tiny_released.pt")
tiny_bytes = open(tiny, "rb").read()
f16 = np.arange(4, dtype=np.float32).tobytes()  # 4 floats

# code in the pickle: never executed, refused by name
refuse("global_os_system", crafted("evil", p_file(p_global("os", "system") + p_str("echo pwned") + b"\x85R"), {}),
       "refusing global 'os.system'", "offset 2")
refuse("global_builtins_eval", crafted("evil2", p_file(p_dict([("x", p_global("builtins", "eval") +
                                                                   p_str("1+1") + b"\x85R")])), {}),
       "'builtins.eval'")
refuse("global_qtensor", crafted("evil3", p_file(p_dict([("w", p_global("torch._utils", "_rebuild_qtensor") +
                                                              b")R")])), {}), "'torch._utils._rebuild_qtensor'")
refuse("stack_global_protocol4", crafted("evil4", b"\x80\x04\x8c\x02os\x8c\x06system\x93\x8c\x02ls\x85R.", {}),
       "'os.system'")
refuse("unknown_opcode", crafted("badop", p_file(b"}\xff"), {}), "unsupported pickle opcode 0xff", "offset 3")
refuse("inst_opcode", crafted("inst", p_file(b"(ios\nsystem\n"), {}), "unsupported pickle opcode 0x69")
refuse("memo_undefined", crafted("memo", p_file(b"}h\x05"), {}), "memo index not defined")
refuse("memo_huge_index", crafted("memo2", p_file(b"}r\xff\xff\xff\xff"), {}), "memo index out of range")
refuse("stack_underflow", crafted("under", p_file(b"s"), {}), "stack underflow")
refuse("tuple_without_mark", crafted("nomark", p_file(b"}K\x01t"), {}), "no MARK")
refuse("string_past_end", crafted("longstr", b"\x80\x02X\xff\xff\xff\x7fabc", {}), "runs past the end of data.pkl")
refuse("pickle_without_stop", crafted("nostop", b"\x80\x02}", {}), "without STOP")
refuse("not_a_dict", crafted("list", p_file(b"]"), {}), "not a dict of tensors")
nest = b"".join(b"}(" + p_str("k") for _ in range(100)) + p_tensor("0", 4, (4,), (1,)) + b"u" * 100
refuse("deep_nesting", crafted("deep", p_file(nest), {"0": f16}), "nested deeper than 32")
refuse("self_reference", crafted("cycle", p_file(b"}q\x00" + p_str("a") + b"h\x00s"), {}), "nested deeper")
dag = b"}(" + p_str("a") + p_tensor("0", 4, (4,), (1,)) + b"q\x00" + p_str("b") + b"h\x00uq\x010"
for i in range(1, 30):  # each level holds the previous one twice: 2^30 paths (memo i+1, then POP)
    dag += b"}(" + p_str("a") + b"h" + bytes([i]) + p_str("b") + b"h" + bytes([i]) + b"uq" + bytes([i + 1]) + b"0"
refuse("shared_subdict_blowup", crafted("dag", p_file(b"}(" + p_str("top") + dag + b"h\x1eu"), {"0": f16}),
       "data.pkl: more than 262144 tensors")
refuse("nine_dims", crafted("dims", p_file(p_dict([("w", p_tensor("0", 4, (1,) * 9, (1,) * 9))])), {"0": f16}),
       "9 dimensions")
refuse("shape_past_storage", crafted("extent", p_file(p_dict([("w", p_tensor("0", 4, (3, 2), (2, 1)))])), {"0": f16}),
       "tensor 'w'", "runs past the end of its storage '0' of 4 elements")
refuse("offset_past_storage", crafted("extent2", p_file(p_dict([("sub", b"}(" + p_str("v") +
                                                                p_tensor("0", 4, (2,), (1,), offset=3) + b"u")])),
                                      {"0": f16}), "tensor 'sub.v'", "offset 3")
refuse("storage_size_mismatch", crafted("short", p_file(p_dict([("w", p_tensor("0", 4, (4,), (1,)))])),
                                        {"0": f16[:12]}), "tensor 'w'", "holds 12 bytes", "4 float32 elements (16 bytes)")
refuse("storage_declared_twice", crafted("twice", p_file(p_dict([("a", p_tensor("0", 4, (4,), (1,))),
                                                                 ("b", p_tensor("0", 2, (2,), (1,), stype="HalfStorage"))])),
                                         {"0": f16}), "storage '0' is declared twice")
refuse("duplicate_names", crafted("dup", p_file(p_dict([("a.b", p_tensor("0", 4, (4,), (1,))),
                                                        ("a", p_dict([("b", p_tensor("0", 4, (4,), (1,)))]))])),
                                  {"0": f16}), "two tensors have the name 'a.b'")
refuse("missing_data_entry", rewrite(tiny, os.path.join(TMP, "missing.pt"),
                                     lambda n, d: None if n.endswith("/data/1") else d),
       "tensor 'prompt_learner_ctx.token_prefix'", "'prompts_tiny_released/data/1' is missing")
refuse("resized_data_entry", rewrite(tiny, os.path.join(TMP, "resized.pt"),
                                     lambda n, d: d[:-2] if n.endswith("/data/0") else d),
       "tensor 'prompt_learner_ctx.ctx'", "holds 4094 bytes")
write_zip(os.path.join(TMP, "nopkl.pt"), [("version", b"3\n"), ("data/0", f16)])
refuse("no_data_pkl", os.path.join(TMP, "nopkl.pt"), "no archive/data.pkl")
refuse("control_char_in_key", crafted("ctl", p_file(p_dict([("a\nb", p_tensor("0", 4, (4,), (1,)))])), {"0": f16}),
       "control character")
refuse("bad_storage_key", crafted("skey", p_file(p_dict([("w", p_tensor("../0\n", 4, (4,), (1,)))])), {"0": f16}),
       "malformed storage key")
refuse("no_top_folder", crafted("flat", p_file(b"}"), {}, top=""), "not inside one top folder")
write_zip(os.path.join(TMP, "twotops.pt"), [("a/data.pkl", p_file(b"}")), ("b/version", b"3\n")], top="")
refuse("two_top_folders", os.path.join(TMP, "twotops.pt"), "not inside one top folder")

# damaged archives
bad = bytearray(tiny_bytes)
off, size = entry_payload_offset(tiny, "prompts_tiny_released/data/0")
bad[off + size // 2] ^= 0x40
open(os.path.join(TMP, "crc.pt"), "wb").write(bad)
refuse("bad_crc_storage", os.path.join(TMP, "crc.pt"), "CRC mismatch", "'prompts_tiny_released/data/0'")
r = dump(os.path.join(TMP, "crc.pt"))
check(r.returncode == 0, "bad_crc_listing_still_works", "(data is only checked when read) " + r.stderr)
bad = bytearray(tiny_bytes)
off, size = entry_payload_offset(tiny, "prompts_tiny_released/data.pkl")
bad[off + 40] ^= 0x01  # inside a string: still a valid pickle, caught by the CRC only
open(os.path.join(TMP, "crcpkl.pt"), "wb").write(bad)
refuse("bad_crc_data_pkl", os.path.join(TMP, "crcpkl.pt"), "CRC mismatch", "data.pkl")
bad = bytearray(open(os.path.join(TMP, "deflated.pt"), "rb").read())
off, size = entry_payload_offset(os.path.join(TMP, "deflated.pt"), "prompts_tiny_released/data/2")
with zipfile.ZipFile(os.path.join(TMP, "deflated.pt")) as z:
    bad[z.getinfo("prompts_tiny_released/data/2").header_offset + 14] ^= 0x10  # CRC in the local header
bad[bytes(bad).rfind(b"prompts_tiny_released/data/2") - 46 + 16] ^= 0x10    # ... and in the central directory
open(os.path.join(TMP, "crcdeflate.pt"), "wb").write(bad)
refuse("bad_crc_deflated", os.path.join(TMP, "crcdeflate.pt"), "CRC mismatch", "'prompts_tiny_released/data/2'")
for cut in [2, 30, 1000, len(tiny_bytes) // 2, len(tiny_bytes) - 23, len(tiny_bytes) - 1]:
    p = os.path.join(TMP, "cut%d.pt" % cut)
    open(p, "wb").write(tiny_bytes[:cut])
    refuse("truncated_at_%d" % cut, p, "zip archive")

# not checkpoints at all
legacy = os.path.join(TMP, "legacy.pt")
torch.save({"w": torch.ones(2)}, legacy, _use_new_zipfile_serialization=False)
refuse("legacy_format", legacy, "legacy (non-zip) PyTorch format is not supported; re-save it with torch >= 1.6")
torch.save({"w": torch.ones(2)}, legacy, _use_new_zipfile_serialization=False, pickle_protocol=4)
refuse("legacy_format_protocol4", legacy, "legacy (non-zip) PyTorch format is not supported")
open(os.path.join(TMP, "empty.pt"), "wb").close()
refuse("empty_file", os.path.join(TMP, "empty.pt"), "empty file")
open(os.path.join(TMP, "random.pt"), "wb").write(bytes(random.Random(5).getrandbits(8) for _ in range(4096)))
refuse("random_bytes", os.path.join(TMP, "random.pt"), "not a PyTorch checkpoint")
refuse("nonexistent", os.path.join(TMP, "does_not_exist.pt"), "cannot open")
torch.save(torch.ones(3), os.path.join(TMP, "bare_tensor.pt"))
refuse("bare_tensor", os.path.join(TMP, "bare_tensor.pt"), "tensor, not a dict of tensors")

# the crafted pickles above follow torch's layout: a valid one loads in torch and in the reader alike
ok_path = crafted("ok", p_file(p_dict([("w", p_tensor("0", 4, (2, 2), (1, 2))), ("s", P_ODICT + b"(" + p_str("v") +
                                                                                 p_tensor("0", 4, (2,), (1,), 2) + b"u")])),
                  {"0": f16})
compare_file("crafted_valid", ok_path)

# ---------- (d) the writer ----------

out = os.path.join(TMP, "written.pt")
r = run([PT_DUMP, "--write", out])
if check(r.returncode == 0 and os.path.exists(out), "write_runs", r.stderr):
    spec = [(None, "scale", ()), ("prompt_learner_ctx", "ctx", (16, 8)), ("image_mask_learner", "mask_embedding", (1, 4, 6)),
            (None, "bias", (5,)), ("prompt_learner_ctx", "empty", (0, 3)), ("prompt_learner_ctx", "deep", (2, 1, 3, 2, 2))]

    def expected(i, shape):
        n = int(np.prod(shape)) if shape else 1
        return ((np.arange(n) % 17 - 8) * 0.125 + i).astype(np.float32).reshape(shape)

    for weights_only in [False, True]:
        d = torch.load(out, weights_only=weights_only)
        tag = "write_torch_load" + ("_weights_only" if weights_only else "")
        check(type(d) is dict and list(d) == ["scale", "prompt_learner_ctx", "image_mask_learner", "bias"], tag + "_top_keys",
              repr(list(d)))
        check(type(d["prompt_learner_ctx"]) is collections.OrderedDict and
              list(d["prompt_learner_ctx"]) == ["ctx", "empty", "deep"] and list(d["image_mask_learner"]) == ["mask_embedding"],
              tag + "_nesting")
        bad = []
        for i, (sub, key, shape) in enumerate(spec):
            t = d[sub][key] if sub else d[key]
            if (t.dtype != torch.float32 or tuple(t.shape) != shape or t.requires_grad or
                    not np.array_equal(t.numpy(), expected(i, shape))):
                bad.append(key)
        check(not bad, tag + "_values", "wrong: %s" % bad)
    with zipfile.ZipFile(out) as z:
        check(z.testzip() is None and all(n.startswith("archive/") for n in z.namelist()) and
              z.read("archive/version") == b"3\n", "write_zip_valid")
        names = z.namelist()
    aligned = all(entry_payload_offset(out, n)[0] % 64 == 0 for n in names)
    check(aligned, "write_data_64_byte_aligned")
    compare_file("write_read_back", out)

dup = os.path.join(TMP, "dup_out", "written.pt")
os.makedirs(os.path.dirname(dup))
r = run([PT_DUMP, "--write-dup", dup])
check(0 < r.returncode < 128 and len(r.stderr.splitlines()) == 1 and "appears twice" in r.stderr and
      os.listdir(os.path.dirname(dup)) == [], "write_refused_leaves_nothing", "rc %d %r %s" %
      (r.returncode, r.stderr, os.listdir(os.path.dirname(dup))))
r = run([PT_DUMP, "--write", os.path.join(TMP, "no_such_dir", "x.pt")])
check(0 < r.returncode < 128 and len(r.stderr.splitlines()) == 1 and "no_such_dir/x.pt" in r.stderr,
      "write_into_missing_dir_fails_cleanly", r.stderr)

shutil.rmtree(TMP, ignore_errors=True)
done()
