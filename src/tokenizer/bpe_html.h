/* bpe_html.h — Python's html.unescape() for CLIP's text cleaning (internal to the tokenizer). */
#ifndef PPAD_TOKENIZER_BPE_HTML_H
#define PPAD_TOKENIZER_BPE_HTML_H

#include <stddef.h>
#include <stdint.h>
#include "ppad.h"

/* Replaces character references in the valid UTF-8 string s (n bytes) as
 * Python's html.unescape does: numeric references (&#NN; &#xHH;, ';' optional)
 * with all of Python's rules, and the named references this module knows:
 * every legacy name HTML5 accepts without ';' (the Latin-1 names nbsp..yuml,
 * amp/AMP, lt/LT, gt/GT, quot/QUOT, COPY, REG; with or without ';') plus a few
 * ';'-only names (apos and common typography, see the table in bpe_html.c).
 * Unknown names are left as they are. Writes a malloc'd NUL-terminated UTF-8
 * string to *out and its length to *out_n. */
int bpe_html_unescape(const uint8_t *s, size_t n, uint8_t **out, size_t *out_n, ppad_err *err);

#endif
