/* bpe_clean.h — CLIP's text cleaning before BPE, and quoting text in messages
 * (internal to the tokenizer). */
#ifndef PPAD_TOKENIZER_BPE_CLEAN_H
#define PPAD_TOKENIZER_BPE_CLEAN_H

#include <stddef.h>
#include <stdint.h>
#include "ppad.h"

/* whitespace_clean(basic_clean(text)).lower() of CLIP's simple_tokenizer.py,
 * without ftfy (see bpe_clean.c). text must be valid UTF-8. Writes a malloc'd
 * NUL-terminated string to *out (free with free()) and its length to *out_n. */
int bpe_clean(const char *text, uint8_t **out, size_t *out_n, ppad_err *err);

/* Python's str.isspace() and the `regex` module's \s (Unicode White_Space);
 * they differ in U+001C..U+001F, which only isspace() accepts. */
int bpe_is_space(uint32_t uc);
int bpe_is_regex_space(uint32_t uc);

/* Writes text into buf (size cap >= 16) for an error message: at most about 60
 * bytes (cut at a character boundary, then "..."), control characters and
 * invalid UTF-8 escaped (\n, \t, \xHH), so the message stays on one line. */
void bpe_quote(char *buf, size_t cap, const char *text);

#endif
