"""test_dataset.py — the dataset readers (spec section 8) through `ppad data`.

Small trees of every layout are generated with PIL: ZhangLab (pneumonia_256 and
abnormal_256), CheXpert (abnormal_256 and pneumonia_256), VinDr (data.json +
images/, also given as the folder holding VinCXR/), and CSV manifests (with and
without a split column, relative/absolute/quoted paths). `ppad data --list` must
give exactly the expected (split, label, path) rows in order (classes sorted by
file name, normals before abnormals, hidden and non-image files skipped), and
`--check` must decode them all (a 16-bit PNG included). The VinDr loading rule
(256 then 224) and the others (straight to 224) must equal PIL's chain exactly.
Every error case must exit with a status in 1..127 and print exactly one stderr
line naming the offending path."""
import atexit
import json
import csv
import io
import os
import shutil
import sys
import tempfile

import numpy as np
from PIL import Image

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from check import BUILD, PPAD, check, done, run  # noqa: E402

TOOL = os.path.join(BUILD, "tools", "dataset_tool")
T = tempfile.mkdtemp(prefix="ppad_dataset_")
atexit.register(shutil.rmtree, T, True)
rng = np.random.default_rng(4)


def img(path, size=(40, 36), mode="L"):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    if mode == "I;16":
        a = rng.integers(0, 65536, size=(size[1], size[0]), dtype=np.uint16)
        Image.fromarray(a, mode="I;16").save(path)
    elif mode == "RGB":
        Image.fromarray(rng.integers(0, 256, size=(size[1], size[0], 3), dtype=np.uint8), "RGB").save(path)
    else:
        Image.fromarray(rng.integers(0, 256, size=(size[1], size[0]), dtype=np.uint8), "L").save(path)
    return path


def touch(path, data=b"not an image"):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data)
    return path


def listing(args):
    r = run([PPAD, "data", "--list"] + args)
    rows = [tuple(row) for row in csv.reader(io.StringIO(r.stdout))]
    return r, [(s, int(lab), p) for s, lab, p in rows]


def expect_rows(name, args, expected):
    r, rows = listing(args)
    if r.returncode != 0:
        return check(False, name, "exit %d: %s" % (r.returncode, r.stderr.strip()))
    exp = [(s, lab, os.path.normpath(p)) for s, lab, p in expected]
    got = [(s, lab, os.path.normpath(p)) for s, lab, p in rows]
    if got != exp:
        return check(False, name, "got %s\nexpected %s" % (got, exp))
    return check(True, name)


def summary(args):
    r = run([PPAD, "data"] + args)
    kv = {}
    for line in r.stdout.splitlines():
        if ": " in line and not line.startswith(" "):
            k, v = line.split(": ", 1)
            kv[k] = v
    return r, kv


def expect_error(name, args, must_name):
    r = run([PPAD, "data"] + args)
    lines = r.stderr.splitlines()
    ok = 0 < r.returncode < 128 and len(lines) == 1 and must_name in lines[0]
    return check(ok, name, "exit %d, stderr %r (must name %r)" % (r.returncode, r.stderr, must_name))


def expect_check_errors(name, args, bad_files):
    """data --check: one line per bad file, in list order, then one line with the count."""
    r = run([PPAD, "data"] + args)
    lines = r.stderr.splitlines()
    ok = (r.returncode == 1 and len(lines) == len(bad_files) + 1 and
          all(b in l for b, l in zip(bad_files, lines)) and
          ("%d of " % len(bad_files)) in lines[-1] and "cannot be read" in lines[-1] and r.stdout == "")
    return check(ok, name, "exit %d, stderr %r (must name %r)" % (r.returncode, r.stderr, bad_files))


# ------------------------------------------------------------------ ZhangLab
Z = os.path.join(T, "zhang")
ztrain = [img(os.path.join(Z, "train/normal_256", n)) for n in ["b.png", "a.PNG", "c.jpeg"]]
img(os.path.join(Z, "train/normal_256", "d.jpg"), mode="RGB")
ztrain = sorted(ztrain + [os.path.join(Z, "train/normal_256", "d.jpg")], key=lambda p: os.path.basename(p))
img(os.path.join(Z, "train/normal_256", ".hidden.png"))
touch(os.path.join(Z, "train/normal_256", "notes.txt"))
os.makedirs(os.path.join(Z, "train/normal_256", "folder.png"))
ztn = [img(os.path.join(Z, "test/normal_256", n)) for n in ["n2.png", "n1.png"]]
ztp = [img(os.path.join(Z, "test/pneumonia_256", n)) for n in ["p1.png", "p3.png"]]
ztp.append(img(os.path.join(Z, "test/pneumonia_256", "p2_16bit.png"), mode="I;16"))
zexp = ([("train", 0, p) for p in sorted(ztrain)] + [("test", 0, p) for p in sorted(ztn)] +
        [("test", 1, p) for p in sorted(ztp)])
expect_rows("zhanglab_list_auto", ["--data", Z], zexp)
expect_rows("zhanglab_list_explicit", ["--data", Z, "--layout", "zhanglab"], zexp)
r, kv = summary(["--data", Z, "--check"])
check(r.returncode == 0 and kv.get("layout") == "zhanglab" and kv.get("train normal") == "4" and
      kv.get("test normal") == "2" and kv.get("test abnormal") == "3", "zhanglab_summary_counts",
      "%d %s %s" % (r.returncode, kv, r.stderr))
check(r.returncode == 0 and kv.get("checked", "").startswith("9 "), "zhanglab_check_16bit_accepted",
      "%s %s" % (kv, r.stderr))

Z2 = os.path.join(T, "zhang_abn")
z2 = [img(os.path.join(Z2, "train/normal_256/t.png")), img(os.path.join(Z2, "test/normal_256/n.png")),
      img(os.path.join(Z2, "test/abnormal_256/a.png"))]
expect_rows("zhanglab_abnormal_256", ["--data", Z2], [("train", 0, z2[0]), ("test", 0, z2[1]), ("test", 1, z2[2])])

# ------------------------------------------------------------------ CheXpert
for cls in ["abnormal_256", "pneumonia_256"]:
    C = os.path.join(T, "chex_" + cls)
    tr = [img(os.path.join(C, "train_256_pa/normal_256", "patient%05d_view1.jpg" % i)) for i in (7, 3)]
    tn = [img(os.path.join(C, "our_test_256_pa/normal_256", "x%d.png" % i)) for i in (2, 1, 3)]
    ta = [img(os.path.join(C, "our_test_256_pa", cls, "y%d.png" % i)) for i in (1, 0)]
    exp = ([("train", 0, p) for p in sorted(tr)] + [("test", 0, p) for p in sorted(tn)] +
           [("test", 1, p) for p in sorted(ta)])
    expect_rows("chexpert_%s_list" % cls, ["--data", C], exp)
    r, kv = summary(["--data", C])
    check(kv.get("layout") == "chexpert" and kv.get("test abnormal") == "2", "chexpert_%s_summary" % cls, str(kv))

# ------------------------------------------------------------------ VinDr
V = os.path.join(T, "med", "VinCXR")
names = {"train0": ["t2.png", "t1.png"], "unl0": ["u0.png"], "unl1": ["u1.png", "u2.png"],
         "test0": ["a0.png", "a1.png"], "test1": ["b1.png", "b0.png", "b2.png"]}
for k, ns in names.items():
    for n in ns:
        img(os.path.join(V, "images", n), size=(300, 280))
with open(os.path.join(V, "data.json"), "w") as f:
    json.dump({"train": {"0": names["train0"], "unlabeled": {"0": names["unl0"], "1": names["unl1"]}},
               "test": {"0": names["test0"], "1": names["test1"]}}, f)
vexp = ([("train", 0, os.path.join(V, "images", n)) for n in sorted(names["train0"])] +
        [("test", 0, os.path.join(V, "images", n)) for n in sorted(names["test0"])] +
        [("test", 1, os.path.join(V, "images", n)) for n in sorted(names["test1"])])
expect_rows("vindr_list", ["--data", V], vexp)
expect_rows("vindr_list_parent_folder", ["--data", os.path.dirname(V), "--layout", "vindr"], vexp)
r, kv = summary(["--data", V])
check(kv.get("layout") == "vindr" and kv.get("train unlabeled (not used)") == "3" and "256x256, then to 224x224"
      in kv.get("loading", ""), "vindr_summary", str(kv))

# ------------------------------------------------------------------ loading rules vs PIL
def pil_chain(p, sizes):
    im = Image.open(p).convert("L")
    for s in sizes:
        im = im.resize((s, s), Image.BICUBIC)
    return np.asarray(im)


def tool_load(root, layout, split, i, base=False):
    out = os.path.join(T, "load.raw")
    r = run([TOOL, root, layout, split, str(i), out] + (["base"] if base else []))
    if r.returncode != 0:
        return None, r.stderr
    w, h = map(int, r.stdout.split())
    return np.fromfile(out, dtype=np.uint8).reshape(h, w), ""


got, e = tool_load(V, "vindr", "test", 3)
ref = pil_chain(vexp[2 + 3][2], [256, 224])
check(got is not None and got.shape == (224, 224) and np.array_equal(got, ref), "vindr_load_256_then_224",
      e or "mismatching pixels: %s" % (None if got is None else int((got != ref).sum())))
direct = pil_chain(vexp[5][2], [224])
check(got is not None and not np.array_equal(got, direct), "vindr_two_step_differs_from_direct")
got, e = tool_load(V, "vindr", "test", 3, base=True)
check(got is not None and got.shape == (256, 256) and np.array_equal(got, pil_chain(vexp[5][2], [256])),
      "vindr_base_256", e)
got, e = tool_load(Z, "zhanglab", "train", 3)  # the RGB JPEG d.jpg
check(got is not None and np.array_equal(got, pil_chain(zexp[3][2], [224])), "zhanglab_load_224", e)

# ------------------------------------------------------------------ CSV
CS = os.path.join(T, "csvset")
c_tr = img(os.path.join(CS, "imgs", "tr1.png"))
c_n = img(os.path.join(CS, "imgs", "n, with comma.png"))
c_a = img(os.path.join(T, "elsewhere", "abs.png"))
c_b = img(os.path.join(CS, "imgs", "b.png"), mode="I;16")
with open(os.path.join(CS, "m.csv"), "w") as f:
    f.write("\ufeffpath,label,split,note\r\n")
    f.write("imgs/b.png,1,test,x\r\n\r\n")
    f.write("imgs/tr1.png,0,train,y\r\n")
    f.write("%s,1,test,z\r\n" % c_a)
    f.write('"imgs/n, with comma.png",0,test,"q ""quoted"""\r\n')
expect_rows("csv_list_split", ["--data", os.path.join(CS, "m.csv")],
            [("train", 0, c_tr), ("test", 0, c_n), ("test", 1, c_b), ("test", 1, c_a)])
with open(os.path.join(CS, "nosplit.csv"), "w") as f:
    f.write("label,path\n0,imgs/tr1.png\n1,imgs/b.png\n")
expect_rows("csv_list_no_split", ["--data", os.path.join(CS, "nosplit.csv")], [("test", 0, c_tr), ("test", 1, c_b)])
r, kv = summary(["--data", os.path.join(CS, "m.csv"), "--check"])
check(r.returncode == 0 and kv.get("layout") == "csv" and kv.get("train normal") == "1", "csv_summary_check",
      "%s %s" % (kv, r.stderr))

# ------------------------------------------------------------------ errors
E = os.path.join(T, "err")
expect_error("err_missing_root", ["--data", os.path.join(E, "nowhere")], os.path.join(E, "nowhere"))
# zhanglab missing train folder
img(os.path.join(E, "z1/test/normal_256/a.png"))
img(os.path.join(E, "z1/test/pneumonia_256/a.png"))
expect_error("err_zhanglab_missing_train", ["--data", os.path.join(E, "z1")], os.path.join(E, "z1/train/normal_256"))
# missing abnormal class
img(os.path.join(E, "z2/train/normal_256/a.png"))
img(os.path.join(E, "z2/test/normal_256/a.png"))
expect_error("err_zhanglab_missing_abnormal", ["--data", os.path.join(E, "z2")], os.path.join(E, "z2/test/pneumonia_256"))
# both abnormal class names
shutil.copytree(os.path.join(E, "z2"), os.path.join(E, "z3"))
img(os.path.join(E, "z3/test/pneumonia_256/a.png"))
img(os.path.join(E, "z3/test/abnormal_256/a.png"))
expect_error("err_zhanglab_both_abnormal_names", ["--data", os.path.join(E, "z3")], os.path.join(E, "z3/test"))
# empty class folder (only hidden and non-image files)
shutil.copytree(os.path.join(E, "z2"), os.path.join(E, "z4"))
img(os.path.join(E, "z4/test/pneumonia_256/.hidden.png"))
touch(os.path.join(E, "z4/test/pneumonia_256/readme.txt"))
expect_error("err_empty_class", ["--data", os.path.join(E, "z4")], os.path.join(E, "z4/test/pneumonia_256"))
# wrong layout forced
expect_error("err_layout_mismatch", ["--data", os.path.join(E, "z2"), "--layout", "chexpert"],
             os.path.join(E, "z2/train_256_pa/normal_256"))
expect_error("err_unknown_layout", ["--data", os.path.join(E, "z2"), "--layout", "mnist"], "mnist")
expect_error("err_undetectable", ["--data", os.path.join(E, "z2", "train")], os.path.join(E, "z2", "train"))
# undecodable and truncated images, found by --check
shutil.copytree(os.path.join(E, "z2"), os.path.join(E, "z5"))
img(os.path.join(E, "z5/test/pneumonia_256/a.png"))
bad = touch(os.path.join(E, "z5/test/normal_256/b.png"), b"GIF89a this is not a png")
expect_check_errors("err_undecodable_image", ["--data", os.path.join(E, "z5"), "--check"], [bad])
shutil.copytree(os.path.join(E, "z2"), os.path.join(E, "z6"))
good = img(os.path.join(E, "z6/test/pneumonia_256/a.png"), size=(64, 64))
with open(good, "rb") as f:
    data = f.read()
trunc = touch(os.path.join(E, "z6/test/pneumonia_256/t.png"), data[: len(data) // 2])
expect_check_errors("err_truncated_image", ["--data", os.path.join(E, "z6"), "--check"], [trunc])
# every bad file is reported, not only the first (train and test, in list order)
shutil.copytree(os.path.join(E, "z6"), os.path.join(E, "z7"))
bad_tr = touch(os.path.join(E, "z7/train/normal_256/zz.png"), b"\x89PNG\r\n\x1a\nbroken")
bad_te = touch(os.path.join(E, "z7/test/normal_256/b.png"), b"not an image")
expect_check_errors("check_reports_every_bad_file", ["--data", os.path.join(E, "z7"), "--check"],
                    [bad_tr, bad_te, os.path.join(E, "z7/test/pneumonia_256/t.png")])
r = run([PPAD, "data", "--data", os.path.join(E, "z6")])
check(r.returncode == 0, "truncated_image_only_found_at_load", r.stderr)


def vindr_case(name, doc, must_name=None, raw=None, make_images=True):
    d = os.path.join(E, name)
    if make_images:
        for n in ["i0.png", "i1.png", "i2.png"]:
            img(os.path.join(d, "images", n))
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "data.json"), "w") as f:
        f.write(raw if raw is not None else json.dumps(doc))
    expect_error("err_" + name, ["--data", d], must_name or os.path.join(d, "data.json"))


ok_doc = {"train": {"0": ["i0.png"]}, "test": {"0": ["i1.png"], "1": ["i2.png"]}}
# names without an extension find images/<name>.png
VN = os.path.join(T, "vindr_noext")
for n in ["q0", "q1", "q2"]:
    img(os.path.join(VN, "images", n + ".png"))
with open(os.path.join(VN, "data.json"), "w") as f:
    json.dump({"train": {"0": ["q0"]}, "test": {"0": ["q1"], "1": ["q2"]}}, f)
expect_rows("vindr_names_without_extension", ["--data", VN],
            [("train", 0, os.path.join(VN, "images/q0.png")), ("test", 0, os.path.join(VN, "images/q1.png")),
             ("test", 1, os.path.join(VN, "images/q2.png"))])
vindr_case("vindr_not_json", None, raw='{"train": {"0": ["i0.png"]}, "test": ')
vindr_case("vindr_trailing_garbage", None, raw=json.dumps(ok_doc) + " xyz")
vindr_case("vindr_train_is_list", {"train": ["i0.png"], "test": ok_doc["test"]})
vindr_case("vindr_missing_test1", {"train": ok_doc["train"], "test": {"0": ["i1.png"]}})
vindr_case("vindr_entry_not_string", {"train": {"0": ["i0.png", 5]}, "test": ok_doc["test"]})
vindr_case("vindr_empty_class", {"train": ok_doc["train"], "test": {"0": ["i1.png"], "1": []}})
vindr_case("vindr_missing_image", {"train": ok_doc["train"], "test": {"0": ["i1.png"], "1": ["gone.png"]}},
           must_name=os.path.join(E, "vindr_missing_image", "images", "gone.png"))
vindr_case("vindr_no_images_folder", ok_doc, must_name=os.path.join(E, "vindr_no_images_folder", "images"),
           make_images=False)


def csv_case(name, text, must_name=None):
    p = os.path.join(CS, name + ".csv")
    with open(p, "w") as f:
        f.write(text)
    expect_error("err_csv_" + name, ["--data", p], must_name or p)


csv_case("bad_header", "file,class\nimgs/tr1.png,0\n")
csv_case("bad_label", "path,label\nimgs/tr1.png,2\n")
csv_case("bad_split", "path,label,split\nimgs/tr1.png,0,val\n")
csv_case("missing_file", "path,label\nimgs/nope.png,0\n", os.path.join(CS, "imgs", "nope.png"))
csv_case("field_count", "path,label\nimgs/tr1.png,0,extra\n")
csv_case("train_abnormal", "path,label,split\nimgs/b.png,1,train\n")
csv_case("unterminated_quote", 'path,label\n"imgs/tr1.png,0\n')
csv_case("empty", "")
csv_case("header_only", "path,label\n")
done()
