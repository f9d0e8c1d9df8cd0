/* bpe.h — OpenAI CLIP's byte-level BPE tokenizer (bpe_simple_vocab_16e6.txt.gz). */
#ifndef PPAD_TOKENIZER_BPE_H
#define PPAD_TOKENIZER_BPE_H

#include <stdint.h>
#include "ppad.h"

#define BPE_SOT 49406
#define BPE_EOT 49407
#define BPE_CONTEXT 77

typedef struct bpe bpe; /* opaque */

/* Loads the gzip'd merges file. */
int  bpe_load(bpe **out, const char *path, ppad_err *err);
void bpe_free(bpe *b);
/* Finds the vocabulary: explicit path, else $PPAD_VOCAB, else
 * "bpe_simple_vocab_16e6.txt.gz" in the directory of weights_path (may be NULL).
 * Writes the found path to out (size n) and returns 0, or -1 if none exists
 * (err says how to supply one). */
int  bpe_find(char *out, size_t n, const char *explicit_path, const char *weights_path, ppad_err *err);

/* Encodes text to ids without SOT/EOT. b may be NULL: then only the built-in
 * words of the default PPAD prompts are known (normal, pneumonia, '.', x,
 * left/right/upper/lower, lung) and other text fails with a message saying how
 * to supply the vocabulary. *n receives the count; fails if more than max
 * (then *n is still the full count and the first max ids are written). */
int bpe_encode(const bpe *b, const char *text, int32_t *ids, int max, int *n, ppad_err *err);
/* SOT + ids + EOT, zero-padded to 77; fails (naming the text) when too long. */
int bpe_tokenize(const bpe *b, const char *text, int32_t ids[BPE_CONTEXT], ppad_err *err);
/* Reverse lookup for debugging/tests: writes the symbol of id (with "</w>") or "". */
const char *bpe_symbol(const bpe *b, int32_t id);

#endif
