/* bpe_split.h — CLIP's pre-tokenizer regex (internal to the tokenizer). */
#ifndef PPAD_TOKENIZER_BPE_SPLIT_H
#define PPAD_TOKENIZER_BPE_SPLIT_H

#include <stddef.h>
#include <stdint.h>

/* Finds the next match of CLIP's pattern (re.IGNORECASE)
 *   <\|startoftext\|>|<\|endoftext\|>|'s|'t|'re|'ve|'m|'ll|'d|[\p{L}]+|[\p{N}]|[^\s\p{L}\p{N}]+
 * in the valid UTF-8 string s (n bytes) at or after *pos, as regex.findall
 * does. Returns 1 with the piece in [*start, *end) and *pos = *end, or 0 when
 * no piece is left. */
int bpe_split_next(const uint8_t *s, size_t n, size_t *pos, size_t *start, size_t *end);

#endif
