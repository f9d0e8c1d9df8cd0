"""test_bpe.py — `ppad tokenize` against a Python re-implementation of CLIP's
SimpleTokenizer (tests/lib/bpe_ref.py, without ftfy like the C code): spec
vectors, hand-picked cases, HTML character references, seeded random strings,
a sweep over every assigned Unicode character, and the error cases."""
import html.entities
import os
import random
import sys
import unicodedata

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from check import PPAD, VOCAB, check, done, run  # noqa: E402
import bpe_ref  # noqa: E402

if not os.path.exists(VOCAB):
    check(False, "bpe_vocab_present", "%s not found (set PPAD_TEST_VOCAB)" % VOCAB)
    done()
ref = bpe_ref.Tokenizer(VOCAB)
ENV = {k: v for k, v in os.environ.items() if k != "PPAD_VOCAB"}


def ppad_tokenize(texts, vocab=True, trim=False, env=None):
    args = [PPAD, "tokenize"] + (["--vocab", VOCAB] if vocab else []) + (["--trim"] if trim else [])
    return run(args + ["--"] + [t.encode("utf-8") for t in texts], env=env or ENV)


def compare(name, texts):
    """All texts must fit in 77 tokens; reports the first mismatch."""
    r = ppad_tokenize(texts)
    if r.returncode != 0:
        return check(False, name, "exit %d: %s" % (r.returncode, r.stderr.strip()[:300]))
    lines = r.stdout.splitlines()
    if len(lines) != len(texts):
        return check(False, name, "%d output lines for %d texts" % (len(lines), len(texts)))
    for text, line in zip(texts, lines):
        want = ref.tokenize(text)
        got = [int(v) for v in line.split(",")]
        if got != want:
            while got and got[-1] == 0:
                got.pop()
            while want[-1] == 0:
                want.pop()
            return check(False, name, "text %r: got %s, want %s" % (text, got, want))
    return check(True, "%s (%d texts)" % (name, len(texts)))


def fits(text):
    return len(ref.encode(text)) <= bpe_ref.CONTEXT - 2


# --- spec section 2 vectors (ids up to EOT) ---
SPEC = [("a diagram", [49406, 320, 22697, 49407]),
        ("a photo of a dog", [49406, 320, 1125, 539, 320, 1929, 49407]),
        ("normal", [49406, 5967, 49407]), ("pneumonia", [49406, 42906, 49407]),
        (".", [49406, 269, 49407]), ("x", [49406, 343, 49407]), ("X", [49406, 343, 49407]),
        ("left lung", [49406, 1823, 16271, 49407]), ("right lung", [49406, 1155, 16271, 49407]),
        ("upper lung", [49406, 7067, 16271, 49407]), ("lower lung", [49406, 4909, 16271, 49407]),
        ("left lung" + " X" * 16 + " pneumonia.", [49406, 1823, 16271] + [343] * 16 + [42906, 269, 49407]),
        ("X X X X X X X X X X X X X X X X pneumonia.", [49406] + [343] * 16 + [42906, 269, 49407])]
r = ppad_tokenize([t for t, _ in SPEC], trim=True)
lines = r.stdout.splitlines()
for (text, want), line in zip(SPEC, lines if len(lines) == len(SPEC) else [""] * len(SPEC)):
    got = [int(v) for v in line.split(",")] if line else []
    check(got == want and ref.tokenize(text)[:len(want)] == want, "bpe_spec_vector %r" % text,
          "ppad %s, reference %s, spec %s" % (got, ref.tokenize(text)[:len(want)], want))
check(lines and lines[-2].split(",").index(str(bpe_ref.EOT)) == 21, "bpe_spec_prompt_eot_index_21", lines[-2:-1])
check(lines and lines[-1].split(",").index(str(bpe_ref.EOT)) == 19, "bpe_spec_empty_position_eot_index_19",
      lines[-1:])

# --- hand-picked ---
HAND = [
    "", " ", "   \t\n  ", "hello world", "Hello World", "HELLO", "a  b\t\tc\n\nd\r\ne",
    "!!!", "...", "?!?!", "hello!!!world", "a.b,c;d:e", "(left) [right] {upper} <lower>", "--x--",
    "1234", "3.14159", "x1y2z3", "2024-05-01", "100%", "$5.00", "١٢٣ ４５６ ⅷ ½ ²",
    "it's don't we'll THEY'RE I'M you've he'd", "'s 't 're 've 'm 'll 'd", "'S 'T 'RE 'VE 'M 'LL 'D",
    "rock'n'roll", "o'clock", "'''", "''s", "..'s", "'x 'r 'v 'l", "ſ 'ſ <|ſtartoftext|>",
    "Ünïcödé façade naïve Привет 日本語", "Ελληνικά ΟΔΥΣΣΕΥΣ Σ ΣΑ ΑΣ. ΑΣ΄", "İstanbul DİYARBAKIR",
    "Straße STRASSE ẞ", "ﬁnance ﬂow", "Kelvin K Ohm Ω Å", "e\u0301 n\u0303 \u0345a\u0345",
    "ǅ ǈ ǋ ǲ", "ⅰⅱ Ⅻ ⓐⒶ", "😀 👍🏽 🇺🇸 👨‍👩‍👧", "emoji😀inside", "中文字符测试", "한국어 텍스트",
    "עברית العربية", "ไทย", "\u200b\u200bzero\u200bwidth\ufeff", "nb\u00a0sp em\u2003sp ideo\u3000sp",
    "line\u2028sep para\u2029sep", "\x1c\x1d\x1e\x1f", "a\x1cb", " \x1c a \x1f ", "\x0b\x0c\x85",
    "tab\there", "<|startoftext|>", "<|endoftext|>", "<|STARTOFTEXT|> hi <|EndOfText|>",
    "x<|startoftext|>y", "!<|startoftext|>", "<|startoftext", "<|unknown|>",
    "supercalifragilisticexpialidocious", "pneumonoultramicroscopicsilicovolcanoconiosis",
    "a" * 60, "ab" * 30, "z" * 100, "ä" * 30, "!" * 150, "😀" * 10,
    "left lung", "right lung", "upper lung", "lower lung", "normal", "pneumonia", "lungs",
    "a" * 500, "<>" * 100, "\\", "\"quoted\"", "back`tick", "tilde~", "^caret", "under_score",
    "ALL CAPS SENTENCE WITH WORDS", "MiXeD CaSe WoRdS",
]
HAND = [t for t in HAND if fits(t)]
compare("bpe_handpicked", HAND)

# --- HTML character references (unescaped twice, as CLIP does) ---
legacy = sorted(k for k in html.entities.html5 if not k.endswith(";"))
ENT = []
for name in legacy:
    ENT += ["&%s" % name, "&%s;" % name, "x&%sy" % name, "&%s9" % name, "&%s;z" % name]
for name in ["apos", "hellip", "ndash", "mdash", "lsquo", "rsquo", "sbquo", "ldquo", "rdquo", "bdquo", "bull",
             "trade", "euro", "minus", "le", "ge", "ne", "larr", "rarr", "uarr", "darr"]:
    assert html.entities.html5[name + ";"] is not None
    ENT += ["&%s;" % name, "a&%s;b" % name]
for v in list(range(0, 300)) + [0x7F, 0xD7FF, 0xD800, 0xDFFF, 0xE000, 0xFDCF, 0xFDD0, 0xFDEF, 0xFDF0, 0xFFFD,
                                0xFFFE, 0xFFFF, 0x1FFFE, 0x10000, 0x1F600, 0x10FFFD, 0x10FFFE, 0x10FFFF,
                                0x110000, 10 ** 30]:
    ENT += ["&#%d;" % v, "&#x%x;" % v, "&#X%X" % v, "a&#%db" % v]
ENT += ["&amp;amp;", "&amp;lt;", "&amp;#65;", "&amp;amp;amp;", "&#38;#65;", "&#x26;lt;", "&#;", "&#x;", "&#xg;",
        "&&amp;", "&", "&;", "& amp;", "&ampere;", "&notit;", "&AMP", "&Amp;", "&unknown;", "&a;", "&" + "q" * 40 + ";",
        "&" + "é" * 31 + "amp", "&amp" + "é" * 40, "&#0000065;", "&#x0041", "&#65&#66", "&lt&gt", "&lt;&gt;",
        "&nbsp;x&nbsp;", "&nbsp;&nbsp;", "a&nbsp;&nbsp;b", "&#32;x&#9;", "&#13;&#10;", "&#x1c;a&#x1F;",
        "&quot;hi&quot;", "don&apos;t", "don&#39;t", "I&#x27;M", "&COPY; &REG; &copy2024"]
ENT = [t for t in ENT if fits(t)]
compare("bpe_html_entities", ENT)

# --- seeded random strings from a mixed alphabet ---
rng = random.Random(20240517)
ALPHA = (list("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") * 3
         + list(" " * 30 + "\t\n\r" + ".,;:!?'\"-_()[]{}<>|/\\@#$%^&*+=~`")
         + ["'s", "'t", "'re", "'ll", "&amp;", "&lt;", "&#65;", "&#x263A;", "&nbsp;", "<|startoftext|>",
            "<|endoftext|>"]
         + list("äöüßÄÖÜéèêçñÑøÅæœŒÿ") + list("αβγΣσςΑΩΔ") + list("привет ПРИВЕТ") + list("日本語中文한국")
         + list("😀👍🏽🇺") + ["\u200d", "\u0301", "\u0345", "\u017f", "\u0130", "\u212a", "\u1e9e", "\ufb01",
                            "\uff11", "\u0663", "\u2167", "\u00bd", "\u00a0", "\u2003", "\u3000", "\u2028",
                            "\x1c", "\x1f", "\x85", "\u200b", "\ufeff", "\u00ad"])
RAND = []
while len(RAND) < 400:
    t = "".join(rng.choice(ALPHA) for _ in range(rng.randint(0, 40)))
    if fits(t):
        RAND.append(t)
compare("bpe_random_strings", RAND)

# --- every assigned character (Unicode 14; private use and surrogates left out),
#     eight consecutive ones per text ---
cps = [c for c in range(1, 0x110000) if unicodedata.category(chr(c)) not in ("Cn", "Cs", "Co")]
SWEEP = ["".join(chr(c) for c in cps[i:i + 8]) for i in range(0, len(cps), 8)]
for k in range(0, len(SWEEP), 4000):
    compare("bpe_unicode_sweep_%d" % (k // 4000), SWEEP[k:k + 4000])

# --- built-in words (no vocabulary): the default PPAD prompts ---
PROMPTS = [("%s%s" % (p + " " if p else "", " ".join(["X"] * 16)) + " %s." % c)
           for p in ["left lung", "right lung", "upper lung", "lower lung", ""] for c in ["normal", "pneumonia"]]
PROMPTS += ["  LEFT   Lung  x  NORMAL . ", "&lt;|startoftext|&gt; normal"]
a = ppad_tokenize(PROMPTS, vocab=False)
b = ppad_tokenize(PROMPTS, vocab=True)
check(a.returncode == 0 and a.stdout == b.stdout and b.stdout.splitlines() ==
      [",".join(map(str, ref.tokenize(t))) for t in PROMPTS], "bpe_builtin_matches_vocab",
      "exit %d %s" % (a.returncode, a.stderr.strip()))


def expect_error(name, r, *needles):
    lines = r.stderr.splitlines()
    ok = (r.returncode == 1 and len(lines) == 1 and r.stdout == "" and all(s in r.stderr for s in needles))
    return check(ok, name, "exit %d, stdout %r, stderr %r" % (r.returncode, r.stdout[:100], r.stderr[:400]))


# --- errors ---
long_text = "a " * 80
try:
    ref.tokenize(long_text)
    check(False, "bpe_reference_raises_too_long")
except RuntimeError:
    check(True, "bpe_reference_raises_too_long")
expect_error("bpe_error_too_long", ppad_tokenize([long_text]), "too long", "82 tokens", "77", "'a a a a")
expect_error("bpe_error_too_long_76", ppad_tokenize(["a " * 75 + "b"]), "too long", "78 tokens")
compare("bpe_exactly_77", ["a " * 75])
expect_error("bpe_error_too_long_one_line", ppad_tokenize(["x\n" * 100]), "too long", "\\n")
expect_error("bpe_error_too_long_stdout_empty", ppad_tokenize(["ok", long_text]), "too long")
expect_error("bpe_error_missing_vocab", ppad_tokenize(["hello world"], vocab=False),
             "text 'hello world' needs the CLIP vocabulary file: pass --vocab PATH or set PPAD_VOCAB "
             "(bpe_simple_vocab_16e6.txt.gz ships with CLIP/CheXzero)")
expect_error("bpe_error_missing_vocab_lungs", ppad_tokenize(["left lungs"], vocab=False), "needs the CLIP vocab")
expect_error("bpe_error_vocab_not_found", run([PPAD, "tokenize", "--vocab", "/nonexistent/v.txt.gz", "x"], env=ENV),
             "/nonexistent/v.txt.gz")
expect_error("bpe_error_env_vocab_not_found",
             run([PPAD, "tokenize", "x"], env=dict(ENV, PPAD_VOCAB="/nonexistent/env.txt.gz")),
             "/nonexistent/env.txt.gz", "PPAD_VOCAB")
r = run([PPAD, "tokenize", "--trim", "a diagram"], env=dict(ENV, PPAD_VOCAB=VOCAB))
check(r.returncode == 0 and r.stdout.strip() == "49406,320,22697,49407", "bpe_env_vocab_used", r.stderr)
expect_error("bpe_error_invalid_utf8", run([PPAD, "tokenize", "--vocab", VOCAB, b"ab\xffcd"], env=ENV),
             "not valid UTF-8", "ab\\xFFcd")
r = run([PPAD, "tokenize", "--help"])
check(r.returncode == 0 and "usage: ppad tokenize" in r.stdout, "bpe_cli_help")
r = run([PPAD, "tokenize", "--bogus", "x"], env=ENV)
check(r.returncode == 2 and len(r.stderr.splitlines()) == 1, "bpe_cli_unknown_option", r.stderr)
done()
