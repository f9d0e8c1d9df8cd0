/* fuzz_tokenizer.c — CLIP's BPE tokenizer on arbitrary text (any bytes, not
 * only UTF-8): bpe_encode and bpe_tokenize, with the vocabulary of
 * $PPAD_TEST_VOCAB or $PPAD_VOCAB when set (else the built-in prompt words only). */
#include "fuzz_common.h"

#include "tokenizer/bpe.h"

static bpe *g_bpe;

int LLVMFuzzerInitialize(int *argc, char ***argv) {
    (void)argc, (void)argv;
    const char *v = getenv("PPAD_TEST_VOCAB");
    if (!v || !v[0]) v = getenv("PPAD_VOCAB");
    ppad_err err = {{0}};
    if (v && v[0] && bpe_load(&g_bpe, v, &err) != 0) {
        fprintf(stderr, "fuzz_tokenizer: %s\n", err.msg);
        abort();
    }
    if (!g_bpe) fprintf(stderr, "fuzz_tokenizer: no vocabulary (PPAD_TEST_VOCAB): built-in words only\n");
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    char *s = fuzz_cstr(data, size);
    int32_t ids[BPE_CONTEXT], many[512];
    int n = 0;
    ppad_err err = {{0}};
    (void)bpe_encode(g_bpe, s, many, 512, &n, &err);
    if (bpe_tokenize(g_bpe, s, ids, &err) == 0)
        for (int i = 0; i < BPE_CONTEXT; i++) (void)bpe_symbol(g_bpe, ids[i]);
    free(s);
    return 0;
}
