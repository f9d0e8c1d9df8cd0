"""bpe_ref.py — reference for the C tokenizer: OpenAI CLIP's SimpleTokenizer
(clip/simple_tokenizer.py) re-implemented in plain Python, except that ftfy is
not available here, so basic_clean skips ftfy.fix_text (as the C code does).
Uses the `regex` module (as CLIP does) and html.unescape."""
import gzip
import html

import regex

SOT, EOT, CONTEXT = 49406, 49407, 77
PATTERN = (r"<\|startoftext\|>|<\|endoftext\|>|'s|'t|'re|'ve|'m|'ll|'d|"
           r"[\p{L}]+|[\p{N}]|[^\s\p{L}\p{N}]+")


def byte_alphabet():
    """bytes_to_unicode(): byte -> printable character, in CLIP's order."""
    printable = (list(range(ord("!"), ord("~") + 1)) + list(range(0xA1, 0xAC + 1))
                 + list(range(0xAE, 0xFF + 1)))
    order, chars = list(printable), [chr(c) for c in printable]
    extra = 0
    for c in range(256):
        if c not in printable:
            order.append(c)
            chars.append(chr(256 + extra))
            extra += 1
    return dict(zip(order, chars))  # insertion order = vocabulary order


def clean(text):
    text = html.unescape(html.unescape(text)).strip()  # basic_clean without ftfy
    text = regex.sub(r"\s+", " ", text).strip()         # whitespace_clean
    return text.lower()


class Tokenizer:
    def __init__(self, path):
        self.byte_char = byte_alphabet()
        lines = gzip.open(path).read().decode("utf-8").split("\n")
        merges = [tuple(line.split()) for line in lines[1:49152 - 256 - 2 + 1]]
        vocab = list(self.byte_char.values())
        vocab += [v + "</w>" for v in vocab]
        vocab += ["".join(m) for m in merges]
        vocab += ["<|startoftext|>", "<|endoftext|>"]
        self.ids = {s: i for i, s in enumerate(vocab)}
        self.symbols = vocab
        self.rank = {m: i for i, m in enumerate(merges)}
        self.pat = regex.compile(PATTERN, regex.IGNORECASE)
        self.cache = {"<|startoftext|>": ["<|startoftext|>"], "<|endoftext|>": ["<|endoftext|>"]}

    def bpe(self, piece):
        if piece in self.cache:
            return self.cache[piece]
        word = list(piece[:-1]) + [piece[-1] + "</w>"]
        while len(word) > 1:
            pairs = set(zip(word, word[1:]))
            best = min(pairs, key=lambda p: self.rank.get(p, float("inf")))
            if best not in self.rank:
                break
            merged, i = [], 0
            while i < len(word):
                if i + 1 < len(word) and word[i] == best[0] and word[i + 1] == best[1]:
                    merged.append(best[0] + best[1])
                    i += 2
                else:
                    merged.append(word[i])
                    i += 1
            word = merged
        self.cache[piece] = word
        return word

    def encode(self, text):
        out = []
        for piece in self.pat.findall(clean(text)):
            piece = "".join(self.byte_char[b] for b in piece.encode("utf-8"))
            out.extend(self.ids[s] for s in self.bpe(piece))
        return out

    def tokenize(self, text):
        """clip.tokenize for one text (truncate=False): 77 ids; raises if too long."""
        ids = [SOT] + self.encode(text) + [EOT]
        if len(ids) > CONTEXT:
            raise RuntimeError("Input %s is too long for context length %d" % (text, CONTEXT))
        return ids + [0] * (CONTEXT - len(ids))
