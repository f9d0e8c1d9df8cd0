"""check.py — the Python side of the test harness (same output protocol as
tests/unit/check.h): each check prints "PASS name" or "FAIL name: detail"."""
import os
import subprocess
import sys

import numpy as np

_passed = 0
_failed = 0

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = os.environ.get("BUILD", os.path.join(ROOT, "build"))
if not os.path.isabs(BUILD):
    BUILD = os.path.join(ROOT, BUILD)
PPAD = os.path.join(BUILD, "ppad")
FIX = os.path.join(BUILD, "fixtures")
VOCAB = os.environ.get("PPAD_TEST_VOCAB", os.path.join(os.path.dirname(ROOT), "shared", "bpe_simple_vocab_16e6.txt.gz"))
ASAN = os.environ.get("PPAD_ASAN") == "1"


def check(ok, name, detail=""):
    global _passed, _failed
    if ok:
        _passed += 1
        print("PASS", name, flush=True)
    else:
        _failed += 1
        print("FAIL %s: %s" % (name, detail), flush=True)
    return ok


def close(name, got, ref, atol, rtol):
    """Elementwise |got-ref| <= atol + rtol*|ref|; reports the worst element."""
    got = np.asarray(got, dtype=np.float64)
    ref = np.asarray(ref, dtype=np.float64)
    if got.shape != ref.shape:
        return check(False, name, "shape %s vs reference %s" % (got.shape, ref.shape))
    d = np.abs(got - ref)
    excess = d - (atol + rtol * np.abs(ref))
    bad = np.isnan(d) | (excess > 0)
    if bad.any():
        i = int(np.argmax(np.where(np.isnan(d), np.inf, excess)))
        return check(False, name, "element %d: got %.9g ref %.9g (atol %g rtol %g, max abs diff %g)"
                     % (i, got.flat[i], ref.flat[i], atol, rtol, float(np.nanmax(d)) if d.size else 0))
    return check(True, name)


def run(args, **kw):
    """Runs a command, returns CompletedProcess with text output."""
    return subprocess.run(args, capture_output=True, text=True, **kw)


def done():
    print("# %d passed, %d failed" % (_passed, _failed), flush=True)
    sys.exit(1 if _failed else 0)
