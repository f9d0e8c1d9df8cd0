"""test_cli_trust.py — the CLI keeps a user's files safe and speaks one usage
language (issue 11, items 1-4, 6, 10, 11):

  * an output that names an input (same file, links resolved) or another
    output is refused before any work, and the input is left byte-identical;
  * every output location is checked at start-up (a missing folder, a folder
    given as a file), so nothing is trained or scored in vain;
  * SIGINT/SIGTERM during an atomic write leave no temporary behind, and an
    interrupted --log holds complete lines only;
  * --runs R writes per-run scores files and per-run results in the JSON;
  * options that would do nothing are refused;
  * every verb takes --threads/--quiet/--, usage errors exit 2 with one
    wording, layout mismatches are explained;
  * predict: folders and list files as inputs, --on-error skip, rows streamed,
    CSV quoting, one number format; duplicate dataset CSV rows are reported.
Uses the tiny CheXzero-layout fixture and small phantom datasets."""
import csv
import io
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from check import FIX, PPAD, VOCAB, check, done, run  # noqa: E402

W = os.path.join(FIX, "clip_tiny.pt")
QUICK = ["--shots", "8", "--batch", "8", "--epochs", "2", "--threads", "2", "--quiet"]


def usage_error(name, r, needle):
    """Exit status 2 and exactly one stderr line holding needle."""
    lines = [l for l in r.stderr.split("\n") if l]
    return check(r.returncode == 2 and len(lines) == 1 and needle in lines[0], name,
                 "rc=%d stderr=%r" % (r.returncode, r.stderr[-400:]))


def one_line_error(name, r, needle, rc=1):
    lines = [l for l in r.stderr.split("\n") if l]
    return check(r.returncode == rc and len(lines) == 1 and needle in lines[0], name,
                 "rc=%d stderr=%r" % (r.returncode, r.stderr[-400:]))


def digest(path):
    with open(path, "rb") as f:
        return f.read()


def tmp_files(folder):
    return [f for f in os.listdir(folder) if ".tmp." in f]


with tempfile.TemporaryDirectory() as d:
    ph = os.path.join(d, "ph")
    r = run([PPAD, "phantom", "--out", ph, "--normal", "12", "--abnormal", "6", "--train-normal", "8", "--seed", "3",
             "--quiet", "--size", "64"])
    check(r.returncode == 0, "phantom dataset written", r.stderr)
    wcopy = os.path.join(d, "w.pt")
    shutil.copy(W, wcopy)
    wbytes = digest(wcopy)
    p = os.path.join(d, "p.pt")
    r = run([PPAD, "init-prompts", "--seed", "0", "--weights", wcopy, "--out", p])
    check(r.returncode == 0, "init-prompts", r.stderr)
    pbytes = digest(p)

    # ---- 1. outputs that are inputs, or the same file twice ----
    r = run([PPAD, "train", "--weights", wcopy, "--data", ph, "--out", wcopy] + QUICK)
    usage_error("train --out W.pt --weights W.pt refused", r, "names the same file as --weights")
    check(digest(wcopy) == wbytes, "the checkpoint is untouched")
    link = os.path.join(d, "link.pt")
    os.symlink(wcopy, link)
    r = run([PPAD, "train", "--weights", wcopy, "--data", ph, "--out", link] + QUICK)
    usage_error("an output that is a link to an input is refused", r, "names the same file as --weights")
    check(digest(wcopy) == wbytes and os.path.islink(link), "checkpoint and link untouched")
    r = run([PPAD, "test", "--weights", wcopy, "--prompts", p, "--data", ph, "--scores", p, "--quiet"])
    usage_error("test --scores P.pt --prompts P.pt refused", r, "names the same file as --prompts")
    check(digest(p) == pbytes, "the prompt file is untouched")
    img = os.path.join(ph, "train", "normal_256", "normal_00000.png")
    ibytes = digest(img)
    syn = os.path.join(d, "syn.png")
    r = run([PPAD, "synth", "--image", img, "--position", "left", "--seed", "1", "--out", syn, "--mask-out", syn])
    usage_error("synth --out X --mask-out X refused", r, "--out and --mask-out name the same file")
    check(not os.path.exists(syn) and not tmp_files(d), "synth left nothing behind")
    r = run([PPAD, "synth", "--image", img, "--position", "left", "--seed", "1", "--out", img])
    usage_error("synth --out IMAGE refused", r, "names the same file as --image")
    r = run([PPAD, "preprocess", "--image", img, "--out", img])
    usage_error("preprocess --out IMAGE refused", r, "names the same file as --image")
    r = run([PPAD, "test", "--weights", wcopy, "--prompts", p, "--data", ph, "--quiet",
             "--scores", os.path.join(ph, "test", "normal_256", "normal_00008.png")])
    usage_error("test --scores onto one of the dataset's images refused", r, "is an image of the dataset")
    check(digest(img) == ibytes, "the image is untouched")
    r = run([PPAD, "train", "--weights", wcopy, "--data", ph, "--out", os.path.join(d, "o.pt"),
             "--log", os.path.join(d, "same.csv"), "--scores", os.path.join(d, "same.csv")] + QUICK)
    usage_error("train --log and --scores naming one file refused", r, "--log and --scores name the same file")

    # ---- 2. output locations checked before the work ----
    log = os.path.join(d, "early.csv")
    r = run([PPAD, "train", "--weights", wcopy, "--data", ph, "--out", "/nonexistent/p.pt", "--log", log] + QUICK)
    one_line_error("train --out /nonexistent/p.pt fails at start-up", r, "/nonexistent/p.pt")
    check(not os.path.exists(log), "... before any training step (no log was started)")
    r = run([PPAD, "test", "--weights", wcopy, "--prompts", p, "--data", ph, "--scores", "/nonexistent/s.csv"])
    one_line_error("test --scores /nonexistent/s.csv fails at start-up", r, "the folder /nonexistent does not exist")
    check(r.stdout == "" and "score" not in r.stderr, "... before scoring anything")
    r = run([PPAD, "train", "--weights", wcopy, "--data", ph, "--out", d] + QUICK)
    one_line_error("an output that is a folder is refused", r, "is a folder")
    fifo = os.path.join(d, "fifo")  # (never a real device: a broken build would rename over it)
    os.mkfifo(fifo)
    r = run([PPAD, "random-model", "--out", fifo])
    one_line_error("an output that is not a regular file (a FIFO) is refused", r, "not a regular file")
    check(not os.path.isfile(fifo), "the FIFO is still a FIFO")

    # ---- 3. signals: no temporaries, complete log lines ----
    # ppad keeps a signal its parent ignores (nohup, a background job of a non-interactive shell, as
    # `make test &` is), so the children get the default dispositions whatever started this test
    def default_signals():
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
    for sig in (signal.SIGINT, signal.SIGTERM):
        out = os.path.join(d, "big.pt")
        pr = subprocess.Popen([PPAD, "random-model", "--out", out, "--seed", "1"], stderr=subprocess.PIPE,
                              preexec_fn=default_signals)
        t0 = time.time()
        while not tmp_files(d) and pr.poll() is None and time.time() - t0 < 300:
            time.sleep(0.005)
        seen = bool(tmp_files(d))
        pr.send_signal(sig)
        pr.wait(timeout=120)
        pr.stderr.close()
        ok = seen and pr.returncode == -sig and not tmp_files(d) and not os.path.exists(out)
        check(ok, "%s while random-model writes leaves no file behind" % signal.Signals(sig).name,
              "saw tmp %s, rc %s, left %s" % (seen, pr.returncode, tmp_files(d) + [out] * os.path.exists(out)))
    log = os.path.join(d, "int.csv")
    pr = subprocess.Popen([PPAD, "train", "--weights", wcopy, "--data", ph, "--out", os.path.join(d, "i.pt"),
                           "--log", log, "--shots", "8", "--batch", "2", "--epochs", "200", "--threads", "1",
                           "--quiet", "--no-eval"], stderr=subprocess.DEVNULL, preexec_fn=default_signals)
    t0 = time.time()
    while (not os.path.exists(log) or os.path.getsize(log) < 300) and pr.poll() is None and time.time() - t0 < 120:
        time.sleep(0.01)
    pr.send_signal(signal.SIGINT)
    pr.wait(timeout=60)
    text = open(log).read() if os.path.exists(log) else ""
    lines = text.split("\n")
    check(pr.returncode == -signal.SIGINT and len(lines) > 3 and text.endswith("\n") and
          all(len(l.split(",")) == 6 for l in lines[:-1]),
          "an interrupted --log holds complete lines only", "rc %s, %r" % (pr.returncode, text[-200:]))
    check(not tmp_files(d), "an interrupted train leaves no temporary")

    # ---- 4. --runs R: per-run scores files and per-run results ----
    out = os.path.join(d, "runs.pt")
    sc = os.path.join(d, "runs.csv")
    r = run([PPAD, "train", "--weights", wcopy, "--data", ph, "--out", out, "--runs", "2", "--scores", sc,
             "--json"] + QUICK)
    if check(r.returncode == 0, "train --runs 2 --json --scores runs", r.stderr[-300:]):
        js = json.loads(r.stdout)
        per = js.get("per_run", [])
        check(js.get("runs") == 2 and len(per) == 2 and [x["seed"] for x in per] == [0, 1] and
              all("auc" in x["metrics"] for x in per) and "mean" in js and "sd" in js,
              "--runs JSON holds every run's metrics, mean and sd", r.stdout[:300])
        check([x["scores"] for x in per] == [os.path.join(d, "runs-run%d.csv" % k) for k in (1, 2)] and
              all(os.path.exists(x["scores"]) for x in per) and not os.path.exists(sc),
              "--runs writes one scores file per run", str(per))
        m1 = run([PPAD, "metrics", "--scores", per[0]["scores"], "--json"])
        check(m1.returncode == 0 and abs(json.loads(m1.stdout)["auc"] - per[0]["metrics"]["auc"]) == 0,
              "each run's scores file gives that run's AUC", m1.stdout + m1.stderr)
    r = run([PPAD, "train", "--weights", wcopy, "--data", ph, "--out", os.path.join(d, "r2.pt"), "--runs", "2",
             "--log", p] + QUICK)
    check(r.returncode == 0 or r.returncode == 2, "--runs with a log path derived from an input name runs or refuses")
    check(digest(p) == pbytes, "the prompt file is untouched")

    # ---- 5 (CLI side) and 6: values that make no sense, options that do nothing ----
    base = [PPAD, "train", "--weights", wcopy, "--data", ph, "--out", os.path.join(d, "x.pt")] + QUICK
    usage_error("--lr nan refused", run(base + ["--lr", "nan"]), "--lr: 'nan' is not a finite number")
    usage_error("--lr inf refused", run(base + ["--lr", "inf"]), "--lr: 'inf' is not a finite number")
    usage_error("--lr -1 refused", run(base + ["--lr", "-1"]), "--lr: -1 is out of range (0, inf]")
    usage_error("--momentum 1 refused", run(base + ["--momentum", "1"]), "--momentum: 1 is out of range [0, 1)")
    usage_error("--p-synth 2 refused", run(base + ["--p-synth", "2"]), "--p-synth: 2 is out of range [0, 1]")
    usage_error("test --threshold 1.5 refused",
                run([PPAD, "test", "--weights", wcopy, "--prompts", p, "--data", ph, "--threshold", "1.5"]),
                "--threshold: 1.5 is out of range [0, 1]")
    for opt in (["--scores", os.path.join(d, "s.csv")], ["--json"], ["--eval-every", "1"], ["--test", ph]):
        usage_error("--no-eval with %s refused" % opt[0], run(base + ["--no-eval"] + opt),
                    "--no-eval and %s do not go together" % opt[0])
    usage_error("--synthesis none with --p-synth refused", run(base + ["--synthesis", "none", "--p-synth", "0.3"]),
                "--p-synth does nothing with --synthesis none")
    check(not os.path.exists(os.path.join(d, "x.pt")), "no refused train wrote its output")

    # ---- 10. one usage convention for every verb ----
    verbs = {
        "info": ["--weights", wcopy],
        "embed": ["--weights", wcopy, "--text", "normal"],
        "tokenize": ["normal"],
        "random-model": ["--out", os.path.join(d, "rm.pt"), "--vision-layers", "1", "--text-layers", "1",
                         "--vision-width", "64", "--text-width", "64", "--embed-dim", "8"],
        "init-prompts": ["--seed", "1", "--out", os.path.join(d, "ip.pt")],
        "train": ["--weights", wcopy, "--data", ph, "--out", os.path.join(d, "t.pt"), "--shots", "2", "--batch", "2",
                  "--epochs", "1", "--no-eval"],
        "test": ["--weights", wcopy, "--prompts", p, "--data", ph],
        "zeroshot": ["--weights", wcopy, "--data", ph],
        "predict": ["--weights", wcopy, "--prompts", p, img],
        "preprocess": ["--image", img, "--out", os.path.join(d, "pp.png")],
        "synth": ["--image", img, "--position", "left", "--seed", "1", "--out", os.path.join(d, "sy.png")],
        "phantom": ["--out", os.path.join(d, "ph2"), "--normal", "1", "--size", "64"],
        "data": ["--data", ph],
        "metrics": ["--scores", os.path.join(d, "runs-run1.csv")],
    }
    for v, args in verbs.items():
        r = run([PPAD, v] + args + ["--threads", "1", "--quiet"])
        check(r.returncode == 0, "%s accepts --threads and --quiet" % v, r.stderr[-300:])
        usage_error("%s: --threads 0 is a usage error (exit 2)" % v, run([PPAD, v, "--threads", "0"] + args),
                    "--threads: 0 is out of range [1, 1024]")
        usage_error("%s: an unknown option, one wording" % v, run([PPAD, v, "--frobnicate"] + args),
                    "ppad %s: unknown option '--frobnicate' (see 'ppad %s --help')" % (v, v))
        r = run([PPAD, v, "--help"])
        check(r.returncode == 0 and "--threads N" in r.stdout and "--quiet" in r.stdout, "%s --help lists the common "
              "options" % v, r.stdout[-200:])
    usage_error("a missing value is reported as such", run([PPAD, "train", "--weights", wcopy, "--data", ph, "--out"]),
                "option --out needs a value")
    usage_error("an option given twice", run([PPAD, "test", "--weights", wcopy, "--weights", wcopy]),
                "option --weights given twice")
    usage_error("a missing required option", run([PPAD, "test", "--weights", wcopy, "--data", ph]),
                "--prompts is required")
    r = run([PPAD, "tokenize", "--vocab", VOCAB, "--", "--not-an-option"])
    check(r.returncode == 0 and r.stdout.count("\n") == 1, "-- ends the options", r.stderr)
    csvf = os.path.join(ph, "manifest.csv")
    one_line_error("--layout csv on a folder: a layout mismatch", run([PPAD, "data", "--data", ph, "--layout", "csv"]),
                   "layout mismatch")
    one_line_error("--layout zhanglab on a file: a layout mismatch",
                   run([PPAD, "data", "--data", csvf, "--layout", "zhanglab"]), "layout mismatch")
    usage_error("zeroshot --texts names --texts", run([PPAD, "zeroshot", "--weights", wcopy, "--data", ph, "--texts",
                                                       "normal"]), "--texts: expected 2 comma-separated names")

    # ---- 11. predict in a pipeline ----
    tn = os.path.join(ph, "test", "normal_256")
    files = sorted(os.path.join(tn, f) for f in os.listdir(tn))
    r = run([PPAD, "predict", "--weights", wcopy, "--prompts", p, tn, "--threads", "2"])
    rows = list(csv.DictReader(io.StringIO(r.stdout)))
    check(r.returncode == 0 and [x["path"] for x in rows] == files, "a folder stands for its images, sorted",
          r.stderr[-200:])
    check(all(x[k] == repr(float(x[k])) for x in rows for k in ("score", "p_left", "p_whole")),
          "one number format: the shortest decimals that read back exactly", rows[0] if rows else "")
    lst = os.path.join(d, "list.txt")
    with open(lst, "w") as f:
        f.write("# images to score\n\n" + "\n".join(os.path.relpath(x, d) for x in files[:3]) + "\n")
    r = run([PPAD, "predict", "--weights", wcopy, "--prompts", p, "--list", lst])
    check(r.returncode == 0 and [x["path"] for x in csv.DictReader(io.StringIO(r.stdout))] ==
          [os.path.join(d, os.path.relpath(x, d)) for x in files[:3]], "--list FILE (relative to its folder)",
          r.stdout + r.stderr)
    r = subprocess.run([PPAD, "predict", "--weights", wcopy, "--prompts", p, "--list", "-"], input="\n".join(files[:2]),
                       capture_output=True, text=True)
    check(r.returncode == 0 and len(list(csv.DictReader(io.StringIO(r.stdout)))) == 2, "--list - reads stdin",
          r.stderr)
    comma = os.path.join(d, "a, b \"c\".png")
    shutil.copy(files[0], comma)
    bad1, bad2 = os.path.join(d, "bad1.png"), os.path.join(d, "bad2.png")
    open(bad1, "wb").write(b"not an image")
    open(bad2, "wb").write(b"\x89PNG\r\n\x1a\n")
    r = run([PPAD, "predict", "--weights", wcopy, "--prompts", p, "--on-error", "skip", bad1, comma, files[1], bad2])
    rows = list(csv.DictReader(io.StringIO(r.stdout)))
    err = [l for l in r.stderr.split("\n") if l]
    check(r.returncode == 1 and [x["path"] for x in rows] == [comma, files[1]], "--on-error skip scores the rest",
          r.stdout + r.stderr)
    check(len(err) == 3 and bad1 in err[0] and bad2 in err[1] and "2 of 4 images" in err[2],
          "--on-error skip reports every bad file, then the count", r.stderr)
    check('"' + comma.replace('"', '""') + '"' in r.stdout, "paths with commas and quotes are quoted", r.stdout)
    clean = list(csv.DictReader(io.StringIO(run([PPAD, "predict", "--weights", wcopy, "--prompts", p, comma,
                                                 files[1]]).stdout)))
    check([dict(x) for x in rows] == [dict(x) for x in clean] and len(clean) == 2,
          "--on-error skip: the good images' rows equal a run without the bad files", r.stdout)
    r = run([PPAD, "predict", "--weights", wcopy, "--prompts", p, files[0], bad1])
    one_line_error("--on-error stop (default) ends at the first bad file", r, bad1)
    many = [files[i % len(files)] for i in range(40)] + [bad1]
    r = run([PPAD, "predict", "--weights", wcopy, "--prompts", p, "--threads", "2"] + many)
    check(r.returncode == 1 and r.stdout.count("\n") >= 33, "rows are streamed: those scored before the bad file "
          "are out", "%d lines" % r.stdout.count("\n"))
    r = run([PPAD, "data", "--data", os.path.join(d, "nothing-here")])
    check(r.returncode == 1, "a missing dataset is an error")
    r = run([PPAD, "data", "--list", "--data", csvf])
    listed = list(csv.reader(io.StringIO(r.stdout)))
    check(r.returncode == 0 and all(len(x) == 3 for x in listed), "data --list is CSV", r.stdout[:200])
    dup = os.path.join(d, "dup.csv")
    with open(dup, "w") as f:
        f.write("path,label\n%s,0\n%s,1\n%s,0\n" % (files[0], files[1], os.path.join(tn, ".", os.path.basename(files[0]))))
    one_line_error("duplicate rows in a dataset CSV are reported", run([PPAD, "data", "--data", dup]),
                   "dup.csv:4: lists the same image as line 2 (duplicate row)")
done()
