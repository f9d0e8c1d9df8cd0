/* bpe.c — OpenAI CLIP's byte-level BPE tokenizer (simple_tokenizer.py), exact:
 * clean the text (bpe_clean.c), split it with CLIP's regex (bpe_split.c), map
 * each piece's UTF-8 bytes to CLIP's printable byte alphabet, mark the last
 * symbol with "</w>" and apply merges lowest rank first, every non-overlapping
 * occurrence left to right, until no adjacent pair has a rank.
 *
 * Vocabulary ids: 0..255 the byte symbols in bytes_to_unicode() order, 256..511
 * the same with "</w>", 512 + k the joined symbols of merge line k+1 of the
 * file (k < 48894; line 0 is a header), 49406 <|startoftext|>, 49407
 * <|endoftext|>. Symbols are interned by string (a repeated string keeps its
 * last id, as Python's dict(zip(vocab, range)) does), and merges are a hash
 * table from (left id, right id) to (rank, joined id). */
#include "tokenizer/bpe.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "base/error.h"
#include "base/fileio.h"
#include "tokenizer/bpe_clean.h"
#include "tokenizer/bpe_split.h"

#define BPE_MERGES 48894 /* merges[1 : 49152 - 256 - 2 + 1] */
#define BPE_VOCAB 49408
#define BPE_FILE "bpe_simple_vocab_16e6.txt.gz"
#define BPE_MAX_FILE (64u << 20)

typedef struct bpe_pair {
    uint64_t key; /* left << 32 | right */
    int32_t rank; /* -1: empty slot */
    int32_t id;   /* id of the joined symbol */
} bpe_pair;

struct bpe {
    char *sym[BPE_VOCAB]; /* id -> symbol, pointing into pool */
    char *pool;
    int32_t *str_slots; /* string hash: symbol id or -1 */
    uint32_t str_mask;
    bpe_pair *pairs;
    uint32_t pair_mask;
    int32_t byte_id[256]; /* byte -> id of its one-character symbol */
};

/* ---- built-in words (no vocabulary file): the default PPAD prompts ---- */

typedef struct builtin_word {
    const char *text, *symbol;
    int32_t id;
} builtin_word;

/* Ids are those of the vocabulary (tests/unit/test_bpe.c checks them). */
static const builtin_word BUILTIN[] = {
    {"normal", "normal</w>", 5967},  {"pneumonia", "pneumonia</w>", 42906},
    {".", ".</w>", 269},             {"x", "x</w>", 343},
    {"left", "left</w>", 1823},      {"right", "right</w>", 1155},
    {"upper", "upper</w>", 7067},    {"lower", "lower</w>", 4909},
    {"lung", "lung</w>", 16271},     {"<|startoftext|>", "<|startoftext|>", BPE_SOT},
    {"<|endoftext|>", "<|endoftext|>", BPE_EOT},
};

/* ---- hashing ---- */

static uint32_t hash_bytes(const char *s, size_t n) {
    uint32_t h = 2166136261u; /* FNV-1a */
    for (size_t i = 0; i < n; i++) h = (h ^ (uint8_t)s[i]) * 16777619u;
    return h;
}

static uint32_t hash_u64(uint64_t x) {
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdull;
    x ^= x >> 33;
    return (uint32_t)x;
}

static int32_t str_find(const bpe *b, const char *s, size_t n) {
    for (uint32_t h = hash_bytes(s, n) & b->str_mask;; h = (h + 1) & b->str_mask) {
        int32_t id = b->str_slots[h];
        if (id < 0) return -1;
        if (strncmp(b->sym[id], s, n) == 0 && b->sym[id][n] == 0) return id;
    }
}

static void str_put(bpe *b, int32_t id) {
    const char *s = b->sym[id];
    size_t n = strlen(s);
    for (uint32_t h = hash_bytes(s, n) & b->str_mask;; h = (h + 1) & b->str_mask) {
        int32_t old = b->str_slots[h];
        if (old < 0 || strcmp(b->sym[old], s) == 0) { /* a repeated string keeps the last id */
            b->str_slots[h] = id;
            return;
        }
    }
}

static void pair_put(bpe *b, int32_t l, int32_t r, int32_t rank, int32_t id) {
    uint64_t key = (uint64_t)(uint32_t)l << 32 | (uint32_t)r;
    for (uint32_t h = hash_u64(key) & b->pair_mask;; h = (h + 1) & b->pair_mask) {
        bpe_pair *p = &b->pairs[h];
        if (p->rank < 0 || p->key == key) { /* a repeated merge keeps the last rank */
            p->key = key, p->rank = rank, p->id = id;
            return;
        }
    }
}

static const bpe_pair *pair_find(const bpe *b, int32_t l, int32_t r) {
    uint64_t key = (uint64_t)(uint32_t)l << 32 | (uint32_t)r;
    for (uint32_t h = hash_u64(key) & b->pair_mask;; h = (h + 1) & b->pair_mask) {
        const bpe_pair *p = &b->pairs[h];
        if (p->rank < 0) return NULL;
        if (p->key == key) return p;
    }
}

/* ---- loading ---- */

static int read_gz(const char *path, char **out, size_t *out_n, ppad_err *err) {
    if (file_check_input(path, err) != 0) return -1;
    errno = 0;
    gzFile f = gzopen(path, "rb");
    if (!f) return ppad_fail(err, "%s: cannot open the BPE vocabulary: %s", path, errno ? strerror(errno) : "out of memory");
    size_t cap = 4u << 20, n = 0;
    char *buf = ppad_malloc(cap + 1, err);
    if (!buf) {
        gzclose(f);
        return -1;
    }
    for (;;) {
        if (n == cap) {
            if (cap >= BPE_MAX_FILE) {
                free(buf), gzclose(f);
                return ppad_fail(err, "%s: more than %u MiB uncompressed; not a BPE vocabulary", path,
                                 BPE_MAX_FILE >> 20);
            }
            char *nb = realloc(buf, cap * 2 + 1);
            if (!nb) {
                free(buf), gzclose(f);
                return ppad_fail(err, "%s: out of memory", path);
            }
            buf = nb, cap *= 2;
        }
        int got = gzread(f, buf + n, (unsigned)(cap - n));
        if (got < 0) {
            int code;
            const char *msg = gzerror(f, &code);
            ppad_fail(err, "%s: cannot read the BPE vocabulary: %s", path, msg ? msg : "gzip error");
            free(buf), gzclose(f);
            return -1;
        }
        if (got == 0) {
            int code = Z_OK;
            gzerror(f, &code);
            if (code == Z_BUF_ERROR) { /* the gzip stream ended early */
                free(buf), gzclose(f);
                return ppad_fail(err, "%s: truncated (the gzip stream ends early); not a whole BPE vocabulary", path);
            }
            break;
        }
        n += (size_t)got;
    }
    gzclose(f);
    buf[n] = 0;
    *out = buf;
    *out_n = n;
    return 0;
}

static int is_field_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f'; }

/* Splits "A B" (with optional surrounding blanks) into two fields; returns 0 if
 * the line has exactly two. */
static int split_merge(const char *line, size_t n, const char **f, size_t *fl) {
    int k = 0;
    for (size_t i = 0; i < n;) {
        while (i < n && is_field_space(line[i])) i++;
        if (i == n) break;
        size_t s = i;
        while (i < n && !is_field_space(line[i])) i++;
        if (k == 2) return -1;
        f[k] = line + s, fl[k] = i - s, k++;
    }
    return k == 2 ? 0 : -1;
}

/* bytes_to_unicode(): printable bytes keep their code point, the others get
 * 256, 257, ... in byte order; the vocabulary lists the printable ones first. */
static int byte_order(int order[256], uint32_t cp[256]) {
    int k = 0, extra = 0;
    for (int c = 0; c < 256; c++)
        if ((c >= '!' && c <= '~') || (c >= 0xA1 && c <= 0xAC) || (c >= 0xAE && c <= 0xFF)) order[k++] = c, cp[c] = (uint32_t)c;
    for (int c = 0; c < 256; c++)
        if (!((c >= '!' && c <= '~') || (c >= 0xA1 && c <= 0xAC) || (c >= 0xAE && c <= 0xFF)))
            order[k++] = c, cp[c] = (uint32_t)(256 + extra++);
    return k;
}

static size_t put_utf8(char *o, uint32_t cp) { /* cp < 0x800 here */
    if (cp < 0x80) {
        o[0] = (char)cp;
        return 1;
    }
    o[0] = (char)(0xC0 | (cp >> 6));
    o[1] = (char)(0x80 | (cp & 0x3F));
    return 2;
}

int bpe_load(bpe **out, const char *path, ppad_err *err) {
    *out = NULL;
    char *text = NULL;
    size_t n = 0;
    if (read_gz(path, &text, &n, err) != 0) return -1;
    bpe *b = ppad_calloc(1, sizeof *b, err);
    const char **line = ppad_malloc(sizeof(char *) * (BPE_MERGES + 1), err);
    size_t *line_n = ppad_malloc(sizeof(size_t) * (BPE_MERGES + 1), err);
    int rc = -1;
    if (!b || !line || !line_n) goto done;

    /* lines 0..BPE_MERGES */
    size_t pos = 0, pool_n = 256 * (3 + 7) + 64;
    int nl = 0;
    while (nl <= BPE_MERGES && pos <= n) {
        const char *e = memchr(text + pos, '\n', n - pos);
        size_t len = e ? (size_t)(e - (text + pos)) : n - pos;
        line[nl] = text + pos, line_n[nl] = len, nl++;
        pos += len + 1;
        if (!e) break;
    }
    if (nl <= BPE_MERGES) {
        ppad_fail(err, "%s: %d merge lines, expected at least %d (is it %s?)", path, nl > 0 ? nl - 1 : 0, BPE_MERGES,
                  BPE_FILE);
        goto done;
    }
    for (int k = 1; k <= BPE_MERGES; k++) pool_n += line_n[k] + 1;
    b->pool = ppad_malloc(pool_n, err);
    b->str_mask = (1u << 17) - 1;
    b->pair_mask = (1u << 17) - 1;
    b->str_slots = ppad_malloc(sizeof(int32_t) * (b->str_mask + 1), err);
    b->pairs = ppad_malloc(sizeof(bpe_pair) * (b->pair_mask + 1), err);
    if (!b->pool || !b->str_slots || !b->pairs) goto done;
    memset(b->str_slots, 0xff, sizeof(int32_t) * (b->str_mask + 1));
    for (uint32_t i = 0; i <= b->pair_mask; i++) b->pairs[i].rank = -1;

    /* symbols: bytes, bytes + </w>, merges, specials */
    int order[256];
    uint32_t cp[256];
    byte_order(order, cp);
    char *o = b->pool;
    for (int w = 0; w < 2; w++)
        for (int i = 0; i < 256; i++) {
            int32_t id = w * 256 + i;
            b->sym[id] = o;
            o += put_utf8(o, cp[order[i]]);
            if (w) memcpy(o, "</w>", 4), o += 4;
            *o++ = 0;
            if (!w) b->byte_id[order[i]] = id;
        }
    const char *f[2];
    size_t fl[2];
    for (int k = 0; k < BPE_MERGES; k++) {
        if (split_merge(line[k + 1], line_n[k + 1], f, fl) != 0) {
            ppad_fail(err, "%s: line %d is not a merge of two symbols 'A B'", path, k + 2);
            goto done;
        }
        b->sym[512 + k] = o;
        memcpy(o, f[0], fl[0]), o += fl[0];
        memcpy(o, f[1], fl[1]), o += fl[1];
        *o++ = 0;
    }
    b->sym[BPE_SOT] = o;
    memcpy(o, "<|startoftext|>", 16), o += 16;
    b->sym[BPE_EOT] = o;
    memcpy(o, "<|endoftext|>", 14), o += 14;
    for (int32_t id = 0; id < BPE_VOCAB; id++) str_put(b, id);

    /* merges: (left, right) -> (rank, joined) */
    for (int k = 0; k < BPE_MERGES; k++) {
        split_merge(line[k + 1], line_n[k + 1], f, fl);
        int32_t l = str_find(b, f[0], fl[0]), r = str_find(b, f[1], fl[1]);
        int32_t j = str_find(b, b->sym[512 + k], fl[0] + fl[1]);
        if (l >= 0 && r >= 0) pair_put(b, l, r, k, j); /* else the pair can never occur */
    }
    rc = 0;
done:
    free(text);
    free(line);
    free(line_n);
    if (rc != 0) {
        bpe_free(b);
        return -1;
    }
    *out = b;
    return 0;
}

void bpe_free(bpe *b) {
    if (!b) return;
    free(b->pool);
    free(b->str_slots);
    free(b->pairs);
    free(b);
}

/* ---- finding the file ---- */

static int put_path(char *out, size_t n, const char *path, ppad_err *err) {
    if (snprintf(out, n, "%s", path) >= (int)n) return ppad_fail(err, "%s: path too long", path);
    return 0;
}

int bpe_find(char *out, size_t n, const char *explicit_path, const char *weights_path, ppad_err *err) {
    if (n) out[0] = 0;
    if (explicit_path && *explicit_path) {
        if (!file_exists(explicit_path)) {
            ppad_err why;
            file_fail_not_regular(explicit_path, &why);
            return ppad_fail(err, "%s (--vocab; expected %s)", why.msg, BPE_FILE);
        }
        return put_path(out, n, explicit_path, err);
    }
    const char *env = getenv("PPAD_VOCAB");
    if (env && *env) {
        if (!file_exists(env)) {
            ppad_err why;
            file_fail_not_regular(env, &why);
            return ppad_fail(err, "%s (from $PPAD_VOCAB)", why.msg);
        }
        return put_path(out, n, env, err);
    }
    char beside[4096] = "";
    if (weights_path && *weights_path) {
        const char *slash = strrchr(weights_path, '/');
        int dl = slash ? (int)(slash - weights_path) + 1 : 0;
        if (snprintf(beside, sizeof beside, "%.*s%s", dl, weights_path, BPE_FILE) < (int)sizeof beside &&
            file_exists(beside))
            return put_path(out, n, beside, err);
    }
    return ppad_fail(err,
                     "no BPE vocabulary found: pass --vocab PATH or set PPAD_VOCAB to %s (it ships with OpenAI CLIP as "
                     "clip/%s and with CheXzero), or put it beside the weights%s%s",
                     BPE_FILE, BPE_FILE, beside[0] ? " as " : "", beside);
}

/* ---- encoding ---- */

/* BPE of one piece (UTF-8 bytes p[0..n), n >= 1): writes the symbol ids to w
 * (room for n) using tmp (room for n); returns their count. */
static size_t bpe_word(const bpe *b, const uint8_t *p, size_t n, int32_t *w, int32_t *tmp) {
    for (size_t i = 0; i < n; i++) w[i] = b->byte_id[p[i]];
    w[n - 1] += 256; /* "</w>" */
    while (n > 1) {
        const bpe_pair *best = NULL;
        for (size_t i = 0; i + 1 < n; i++) {
            const bpe_pair *q = pair_find(b, w[i], w[i + 1]);
            if (q && (!best || q->rank < best->rank)) best = q;
        }
        if (!best) break;
        int32_t l = (int32_t)(best->key >> 32), r = (int32_t)(uint32_t)best->key;
        size_t m = 0;
        for (size_t i = 0; i < n; i++) {
            if (i + 1 < n && w[i] == l && w[i + 1] == r) {
                tmp[m++] = best->id;
                i++;
            } else {
                tmp[m++] = w[i];
            }
        }
        memcpy(w, tmp, m * sizeof *w);
        n = m;
    }
    return n;
}

static int32_t builtin_id(const uint8_t *p, size_t n) {
    for (size_t i = 0; i < sizeof BUILTIN / sizeof BUILTIN[0]; i++)
        if (strlen(BUILTIN[i].text) == n && memcmp(BUILTIN[i].text, p, n) == 0) return BUILTIN[i].id;
    return -1;
}

static int is_special(const uint8_t *p, size_t n, const char *s) { return strlen(s) == n && memcmp(p, s, n) == 0; }

int bpe_encode(const bpe *b, const char *text, int32_t *ids, int max, int *n, ppad_err *err) {
    *n = 0;
    uint8_t *s = NULL;
    size_t len = 0;
    if (bpe_clean(text, &s, &len, err) != 0) return -1;
    int32_t *w = NULL, *tmp = NULL;
    if (b && len) {
        w = ppad_malloc(sizeof(int32_t) * len, err);
        tmp = ppad_malloc(sizeof(int32_t) * len, err);
        if (!w || !tmp) {
            free(s), free(w), free(tmp);
            return -1;
        }
    }
    long count = 0;
    int rc = 0;
    size_t pos = 0, a, e;
    while (bpe_split_next(s, len, &pos, &a, &e)) {
        const uint8_t *p = s + a;
        size_t pn = e - a;
        if (!b) {
            int32_t id = builtin_id(p, pn);
            if (id < 0) {
                char q[128];
                bpe_quote(q, sizeof q, text);
                rc = ppad_fail(err,
                               "text '%s' needs the CLIP vocabulary file: pass --vocab PATH or set PPAD_VOCAB "
                               "(%s ships with CLIP/CheXzero)",
                               q, BPE_FILE);
                break;
            }
            if (count < max) ids[count] = id;
            count++;
        } else if (is_special(p, pn, "<|startoftext|>") || is_special(p, pn, "<|endoftext|>")) {
            if (count < max) ids[count] = p[2] == 's' ? BPE_SOT : BPE_EOT;
            count++;
        } else {
            size_t m = bpe_word(b, p, pn, w, tmp);
            for (size_t i = 0; i < m; i++, count++)
                if (count < max) ids[count] = w[i];
        }
    }
    free(s), free(w), free(tmp);
    if (rc != 0) return -1;
    *n = count > INT_MAX ? INT_MAX : (int)count;
    if (count > max) {
        char q[128];
        bpe_quote(q, sizeof q, text);
        return ppad_fail(err, "text '%s': %ld tokens, more than %d", q, count, max);
    }
    return 0;
}

int bpe_tokenize(const bpe *b, const char *text, int32_t ids[BPE_CONTEXT], ppad_err *err) {
    memset(ids, 0, sizeof(int32_t) * BPE_CONTEXT);
    int n = 0;
    ids[0] = BPE_SOT;
    if (bpe_encode(b, text, ids + 1, BPE_CONTEXT - 2, &n, err) != 0) {
        memset(ids, 0, sizeof(int32_t) * BPE_CONTEXT);
        if (n > BPE_CONTEXT - 2) {
            char q[128];
            bpe_quote(q, sizeof q, text);
            return ppad_fail(err, "text '%s' is too long: %d tokens with start and end, the context length is %d", q,
                             n + 2, BPE_CONTEXT);
        }
        return -1;
    }
    ids[n + 1] = BPE_EOT;
    return 0;
}

const char *bpe_symbol(const bpe *b, int32_t id) {
    if (b) return id >= 0 && id < BPE_VOCAB ? b->sym[id] : "";
    for (size_t i = 0; i < sizeof BUILTIN / sizeof BUILTIN[0]; i++)
        if (BUILTIN[i].id == id) return BUILTIN[i].symbol;
    return "";
}
