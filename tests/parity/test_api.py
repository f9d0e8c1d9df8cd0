"""The public C API (include/ppad.h) against the CLI: a program that includes
only ppad.h (tests/tools/api_tool.c) trains, saves, evaluates and scores, and
must give exactly what `ppad train` / `ppad predict` give for the same inputs
(same prompt-file bytes, same AUC, same scores); its error paths return a
message instead of exiting."""
import csv
import io
import json
import os
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from check import BUILD, FIX, PPAD, check, done, run  # noqa: E402

TOOL = os.path.join(BUILD, "tools", "api_tool")
W = os.path.join(FIX, "clip_tiny.pt")

with tempfile.TemporaryDirectory() as d:
    ph = os.path.join(d, "ph")
    run([PPAD, "phantom", "--out", ph, "--normal", "16", "--abnormal", "10", "--train-normal", "12", "--seed", "7",
         "--quiet"])
    init = os.path.join(d, "init.pt")
    run([PPAD, "init-prompts", "--seed", "4", "--weights", W, "--out", init])
    for prec in ("fp32", "bf16"):
        cli_out, api_out = os.path.join(d, "cli_%s.pt" % prec), os.path.join(d, "api_%s.pt" % prec)
        r1 = run([PPAD, "train", "--weights", W, "--data", ph, "--init", init, "--out", cli_out, "--seed", "3",
                  "--epochs", "3", "--shots", "12", "--batch", "6", "--lr", "0.01", "--json", "--quiet",
                  "--threads", "2", "--precision", prec])
        r2 = run([TOOL, "train", W, ph, init, api_out, "3", "3", "12", "6", "0.01", prec])
        if not (check(r1.returncode == 0, "%s: ppad train runs" % prec, r1.stderr[-300:]) and
                check(r2.returncode == 0, "%s: api_tool train runs" % prec, r2.stderr[-300:])):
            continue
        check(open(cli_out, "rb").read() == open(api_out, "rb").read(),
              "%s: ppad_train_prompts + ppad_prompts_save give the bytes of ppad train --init" % prec)
        api = dict(kv.split("=") for kv in r2.stdout.split())
        cli = json.loads(r1.stdout)
        check(float(api["auc"]) == cli["auc"] and float(api["ap"]) == cli["ap"] and float(api["acc"]) == cli["acc"]
              and int(api["n"]) == cli["n"], "%s: ppad_evaluate gives ppad train's metrics exactly" % prec,
              "api %s cli %s" % (api, cli))

    imgs = sorted(os.path.join(ph, "test", c, f) for c in ("normal_256", "pneumonia_256")
                  for f in os.listdir(os.path.join(ph, "test", c)))[:6]
    r1 = run([PPAD, "predict", "--weights", W, "--prompts", init, "--threads", "2"] + imgs)
    r2 = run([TOOL, "score", W, init] + imgs)
    if check(r1.returncode == 0 and r2.returncode == 0, "predict and api_tool score run", r1.stderr + r2.stderr):
        a = list(csv.DictReader(io.StringIO(r1.stdout)))
        b = list(csv.DictReader(io.StringIO(r2.stdout)))
        keys = ("p_left", "p_right", "p_upper", "p_lower", "p_whole")
        # predict prints every number as the shortest decimal that reads back exactly (repr)
        same = len(a) == len(b) == len(imgs) and all(
            x["path"] == y["path"] and x["score"] == repr(float(y["score"])) and
            all(x[k] == repr(float(y[k])) for k in keys) for x, y in zip(a, b))
        check(same, "ppad_score_files gives ppad predict's scores exactly", "%s\n%s" % (r1.stdout[:300], r2.stdout[:300]))

    r = run([TOOL, "errors", W])
    lines = r.stdout.strip().split("\n")
    check(r.returncode == 0 and len(lines) == 18, "API error paths all fail with a message", r.stdout + r.stderr)
    for l in lines:
        name, _, msg = l.partition(": ")
        needle = {"model": "/nonexistent/w.pt", "prompts": "/nonexistent/p.pt", "dataset": "/nonexistent/data",
                  "precision": "fp8", "image": "/nonexistent/x.png", "synthesis": "paint",
                  "lr": "lr must be", "momentum": "momentum must be", "threshold": "threshold must be"}.get(name, "?")
        check(needle in msg, "API error '%s' names the culprit" % name, l)
done()
