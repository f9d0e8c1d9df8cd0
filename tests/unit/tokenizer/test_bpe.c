/* test_bpe.c — CLIP BPE tokenizer: spec vectors, the default prompts with and
 * without the vocabulary file, errors (unknown word without vocabulary, more
 * than 77 tokens, bad files), bpe_find's search order. The vocabulary is
 * $PPAD_TEST_VOCAB or ../shared/bpe_simple_vocab_16e6.txt.gz (from the repo root). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "check.h"
#include "tokenizer/bpe.h"

static int ids_equal(const int32_t *got, const int32_t *want, int n) {
    for (int i = 0; i < n; i++)
        if (got[i] != want[i]) return 0;
    return 1;
}

/* bpe_tokenize(text) must be SOT + want + EOT + zeros. */
static void check_tokens(const bpe *b, const char *name, const char *text, const int32_t *want, int n) {
    int32_t ids[BPE_CONTEXT];
    ppad_err err = {{0}};
    int rc = bpe_tokenize(b, text, ids, &err);
    int ok = rc == 0 && ids[0] == BPE_SOT && ids_equal(ids + 1, want, n) && ids[n + 1] == BPE_EOT;
    for (int i = n + 2; i < BPE_CONTEXT && ok; i++) ok = ids[i] == 0;
    char detail[1400];
    int o = snprintf(detail, sizeof detail, "rc %d (%s), got", rc, err.msg);
    for (int i = 0; i < n + 3 && i < BPE_CONTEXT && o < 1300; i++) o += snprintf(detail + o, sizeof detail - (size_t)o, " %d", (int)ids[i]);
    check_report(ok, name, "%s", detail);
}

/* test names stay on one line */
static void name_clean(char *s) {
    for (; *s; s++)
        if ((unsigned char)*s < 0x20) *s = '?';
}

static void spec_vectors(const bpe *b, const char *mode) {
    char name[160];
#define T(text, ...)                                                                     \
    do {                                                                                 \
        const int32_t want[] = {__VA_ARGS__};                                            \
        snprintf(name, sizeof name, "bpe_%s '%s'", mode, text);                          \
        name_clean(name);                                                                \
        check_tokens(b, name, text, want, (int)(sizeof want / sizeof want[0]));          \
    } while (0)
    if (b) {
        T("a diagram", 320, 22697);
        T("a photo of a dog", 320, 1125, 539, 320, 1929);
    }
    T("normal", 5967);
    T("pneumonia", 42906);
    T(".", 269);
    T("x", 343);
    T("X", 343);
    T("left lung", 1823, 16271);
    T("right lung", 1155, 16271);
    T("upper lung", 7067, 16271);
    T("lower lung", 4909, 16271);
    T("left lung X X X X X X X X X X X X X X X X pneumonia.", 1823, 16271, 343, 343, 343, 343, 343, 343, 343, 343,
      343, 343, 343, 343, 343, 343, 343, 343, 42906, 269);
    T("X X X X X X X X X X X X X X X X pneumonia.", 343, 343, 343, 343, 343, 343, 343, 343, 343, 343, 343, 343,
      343, 343, 343, 343, 42906, 269);
    T("  Upper\tLUNG \n x  NORMAL .", 7067, 16271, 343, 5967, 269);
    T("&lt;|startoftext|&gt;", BPE_SOT);
#undef T
}

/* The default prompts: EOT index 21 for "left lung", 19 for the empty position. */
static void prompt_eot(const bpe *b, const char *mode) {
    const char *pos[] = {"left lung", "right lung", "upper lung", "lower lung", ""};
    const char *cls[] = {"normal", "pneumonia"};
    char name[400], text[256];
    for (int p = 0; p < 5; p++)
        for (int c = 0; c < 2; c++) {
            snprintf(text, sizeof text, "%s%sX X X X X X X X X X X X X X X X %s.", pos[p], pos[p][0] ? " " : "",
                     cls[c]);
            int32_t ids[BPE_CONTEXT];
            ppad_err err = {{0}};
            int rc = bpe_tokenize(b, text, ids, &err);
            int eot = -1;
            for (int i = 0; i < BPE_CONTEXT; i++)
                if (ids[i] == BPE_EOT) eot = i;
            int want = p == 4 ? 19 : 21;
            int xs = 0;
            for (int i = 0; i < BPE_CONTEXT; i++) xs += ids[i] == 343;
            snprintf(name, sizeof name, "bpe_%s_prompt_eot '%s'", mode, text);
            check_report(rc == 0 && eot == want && xs == 16 && ids[eot - 1] == 269 &&
                             ids[eot - 2] == (c ? 42906 : 5967),
                         name, "rc %d (%s) eot %d want %d, %d x tokens", rc, err.msg, eot, want, xs);
        }
}

static void builtin_words_match_vocab(const bpe *b) {
    const char *words[] = {"normal", "pneumonia", ".", "x", "left", "right", "upper", "lower", "lung",
                           "<|startoftext|>", "<|endoftext|>"};
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++) {
        int32_t a[4] = {-1, -1, -1, -1}, v[4] = {-2, -2, -2, -2};
        int na = 0, nv = 0;
        ppad_err e1 = {{0}}, e2 = {{0}};
        int r1 = bpe_encode(NULL, words[i], a, 4, &na, &e1), r2 = bpe_encode(b, words[i], v, 4, &nv, &e2);
        char name[96];
        snprintf(name, sizeof name, "bpe_builtin_id_matches_vocab '%s'", words[i]);
        check_report(r1 == 0 && r2 == 0 && na == 1 && nv == 1 && a[0] == v[0] &&
                         strcmp(bpe_symbol(NULL, a[0]), bpe_symbol(b, v[0])) == 0,
                     name, "built-in rc %d n %d id %d (%s), vocab rc %d n %d id %d (%s)", r1, na, (int)a[0], e1.msg,
                     r2, nv, (int)v[0], e2.msg);
    }
}

static void errors(const bpe *b) {
    int32_t ids[BPE_CONTEXT];
    ppad_err err = {{0}};
    int rc = bpe_tokenize(NULL, "left lung hello", ids, &err);
    CHECK(rc == -1 && strcmp(err.msg, "text 'left lung hello' needs the CLIP vocabulary file: pass --vocab PATH or "
                                      "set PPAD_VOCAB (bpe_simple_vocab_16e6.txt.gz ships with CLIP/CheXzero)") == 0,
          "bpe_builtin_unknown_word_error");
    rc = bpe_tokenize(NULL, "left lungs", ids, &err);
    CHECK(rc == -1 && strstr(err.msg, "needs the CLIP vocabulary file"), "bpe_builtin_unknown_plural_error");

    /* 75 tokens fit (SOT + 75 + EOT = 77), 76 do not */
    char text[400] = "";
    for (int i = 0; i < 75; i++) strcat(text, "x ");
    rc = bpe_tokenize(b, text, ids, &err);
    CHECK(rc == 0 && ids[75] == 343 && ids[76] == BPE_EOT, "bpe_75_tokens_fit");
    rc = bpe_tokenize(NULL, text, ids, &err);
    CHECK(rc == 0 && ids[76] == BPE_EOT, "bpe_builtin_75_tokens_fit");
    strcat(text, "x");
    err.msg[0] = 0;
    rc = bpe_tokenize(b, text, ids, &err);
    check_report(rc == -1 && strstr(err.msg, "text 'x x x x") && strstr(err.msg, "...'") &&
                     strstr(err.msg, "too long") && strstr(err.msg, "78 tokens") && strstr(err.msg, "77"),
                 "bpe_overflow_error", "rc %d: %s", rc, err.msg);
    CHECK(ids[0] == 0 && ids[76] == 0, "bpe_overflow_zeroes_ids");
    rc = bpe_tokenize(NULL, text, ids, &err);
    check_report(rc == -1 && strstr(err.msg, "78 tokens"), "bpe_builtin_overflow_error", "%s", err.msg);
    int n = 0;
    int32_t few[3];
    rc = bpe_encode(b, "a photo of a dog", few, 3, &n, &err);
    check_report(rc == -1 && n == 5 && few[0] == 320 && few[2] == 539, "bpe_encode_max_reports_count", "rc %d n %d",
                 rc, n);
    rc = bpe_encode(b, "bad \xff utf8", few, 3, &n, &err);
    check_report(rc == -1 && strstr(err.msg, "not valid UTF-8"), "bpe_invalid_utf8_error", "%s", err.msg);
    rc = bpe_tokenize(b, "line one\nline two\x01\xfe" "................................................................",
                      ids, &err);
    CHECK(rc == -1 && !strchr(err.msg, '\n') && strstr(err.msg, "line one\\nline two"), "bpe_error_is_one_line");
}

static void symbols(const bpe *b) {
    CHECK(strcmp(bpe_symbol(b, 320), "a</w>") == 0, "bpe_symbol_a");
    CHECK(strcmp(bpe_symbol(b, 0), "!") == 0 && strcmp(bpe_symbol(b, 256), "!</w>") == 0, "bpe_symbol_bytes");
    CHECK(strcmp(bpe_symbol(b, 512), "in") == 0, "bpe_symbol_first_merge");
    CHECK(strcmp(bpe_symbol(b, BPE_SOT), "<|startoftext|>") == 0 && strcmp(bpe_symbol(b, BPE_EOT), "<|endoftext|>") == 0,
          "bpe_symbol_special");
    CHECK(strcmp(bpe_symbol(b, -1), "") == 0 && strcmp(bpe_symbol(b, 49408), "") == 0, "bpe_symbol_out_of_range");
    CHECK(strcmp(bpe_symbol(NULL, 42906), "pneumonia</w>") == 0 && strcmp(bpe_symbol(NULL, 320), "") == 0,
          "bpe_symbol_builtin");
}

static void find_and_load(const char *vocab) {
    char out[4096], dir[] = "/tmp/ppad_test_bpe_XXXXXX", link[4200], weights[4200], bad[4200];
    ppad_err err = {{0}};
    char *old = getenv("PPAD_VOCAB") ? strdup(getenv("PPAD_VOCAB")) : NULL;
    unsetenv("PPAD_VOCAB");
    if (!mkdtemp(dir)) {
        CHECK(0, "bpe_find_tmpdir");
        free(old);
        return;
    }
    snprintf(link, sizeof link, "%s/bpe_simple_vocab_16e6.txt.gz", dir);
    snprintf(weights, sizeof weights, "%s/model.pt", dir);
    snprintf(bad, sizeof bad, "%s/short.txt.gz", dir);
    int rc = bpe_find(out, sizeof out, NULL, weights, &err);
    check_report(rc == -1 && strstr(err.msg, "--vocab PATH") && strstr(err.msg, "PPAD_VOCAB") &&
                     strstr(err.msg, "CheXzero") && strstr(err.msg, link),
                 "bpe_find_none_says_how", "%s", err.msg);
    rc = bpe_find(out, sizeof out, NULL, NULL, &err);
    CHECK(rc == -1 && strstr(err.msg, "--vocab PATH"), "bpe_find_none_without_weights");
    char *abs = realpath(vocab, NULL);
    CHECK(abs && symlink(abs, link) == 0, "bpe_find_symlink");
    free(abs);
    rc = bpe_find(out, sizeof out, NULL, weights, &err);
    CHECK(rc == 0 && strcmp(out, link) == 0, "bpe_find_beside_weights");
    rc = bpe_find(out, sizeof out, vocab, weights, &err);
    CHECK(rc == 0 && strcmp(out, vocab) == 0, "bpe_find_explicit_first");
    rc = bpe_find(out, sizeof out, "/nonexistent/vocab.gz", weights, &err);
    CHECK(rc == -1 && strstr(err.msg, "/nonexistent/vocab.gz"), "bpe_find_explicit_missing");
    setenv("PPAD_VOCAB", vocab, 1);
    rc = bpe_find(out, sizeof out, NULL, weights, &err);
    CHECK(rc == 0 && strcmp(out, vocab) == 0, "bpe_find_env_before_weights");
    setenv("PPAD_VOCAB", "/nonexistent/env.gz", 1);
    rc = bpe_find(out, sizeof out, NULL, weights, &err);
    CHECK(rc == -1 && strstr(err.msg, "/nonexistent/env.gz") && strstr(err.msg, "PPAD_VOCAB"), "bpe_find_env_missing");
    rc = bpe_find(out, 8, vocab, NULL, &err);
    CHECK(rc == -1 && strstr(err.msg, "too long"), "bpe_find_small_buffer");

    bpe *b = NULL;
    rc = bpe_load(&b, "/nonexistent/vocab.gz", &err);
    CHECK(rc == -1 && !b && strstr(err.msg, "/nonexistent/vocab.gz"), "bpe_load_missing_file");
    gzFile f = gzopen(bad, "wb");
    gzputs(f, "header\ni n\nt h\n");
    gzclose(f);
    rc = bpe_load(&b, bad, &err);
    check_report(rc == -1 && !b && strstr(err.msg, bad) && strstr(err.msg, "merge lines"), "bpe_load_short_file",
                 "%s", err.msg);
    f = gzopen(bad, "wb");
    gzputs(f, "header\n");
    for (int i = 0; i < 48900; i++) gzputs(f, i == 7 ? "a b c\n" : "i n\n");
    gzclose(f);
    rc = bpe_load(&b, bad, &err);
    check_report(rc == -1 && !b && strstr(err.msg, "line 9"), "bpe_load_bad_line", "%s", err.msg);
    unlink(bad);
    unlink(link);
    rmdir(dir);
    if (old) setenv("PPAD_VOCAB", old, 1);
    else unsetenv("PPAD_VOCAB");
    free(old);
}

static void speed(const bpe *b) {
    int32_t ids[BPE_CONTEXT];
    ppad_err err = {{0}};
    clock_t t0 = clock();
    int ok = 1;
    for (int i = 0; i < 2000; i++)
        ok &= bpe_tokenize(b, "a chest x-ray of the upper left lung showing pneumonia, pleural effusion, cardiomegaly.",
                           ids, &err) == 0;
    double s = (double)(clock() - t0) / CLOCKS_PER_SEC;
    check_report(ok && s < 2.0, "bpe_speed_2000_sentences", "%.3f s", s);
    printf("# 2000 sentences in %.3f s\n", s);
}

int main(void) {
    const char *vocab = getenv("PPAD_TEST_VOCAB");
    if (!vocab || !*vocab) vocab = "../shared/bpe_simple_vocab_16e6.txt.gz";
    bpe *b = NULL;
    ppad_err err = {{0}};
    int rc = bpe_load(&b, vocab, &err);
    check_report(rc == 0, "bpe_load_vocab", "%s", err.msg);
    spec_vectors(NULL, "builtin");
    prompt_eot(NULL, "builtin");
    errors(b);
    if (b) {
        spec_vectors(b, "vocab");
        prompt_eot(b, "vocab");
        builtin_words_match_vocab(b);
        symbols(b);
        speed(b);
    }
    find_and_load(vocab);
    bpe_free(b);
    return check_done();
}
