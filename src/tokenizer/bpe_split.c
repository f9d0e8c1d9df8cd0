/* bpe_split.c — CLIP's pre-tokenizer: regex.findall of
 *   <\|startoftext\|>|<\|endoftext\|>|'s|'t|'re|'ve|'m|'ll|'d|[\p{L}]+|[\p{N}]|[^\s\p{L}\p{N}]+
 * compiled with re.IGNORECASE. At each position the alternatives are tried in
 * order and the first that matches wins; where none matches (whitespace) the
 * scan moves on by one character.
 *
 * Case-insensitivity matters after lower-casing in two places, both checked
 * against the `regex` module: U+017F LATIN SMALL LETTER LONG S matches the 's'
 * of the literals and of 's, and U+0345 COMBINING GREEK YPOGEGRAMMENI (which
 * case-folds to a letter) is in none of the classes, so it is skipped like
 * whitespace. \s is Unicode White_Space; L and N are general categories. */
#include "tokenizer/bpe_split.h"

#include <unictype.h>
#include <unistr.h>

#include "tokenizer/bpe_clean.h"

enum { CLS_SKIP, CLS_LETTER, CLS_NUMBER, CLS_OTHER };

static int char_class(ucs4_t uc) {
    if (uc == 0x345 || bpe_is_regex_space(uc)) return CLS_SKIP;
    if (uc_is_general_category(uc, UC_CATEGORY_L)) return CLS_LETTER;
    if (uc_is_general_category(uc, UC_CATEGORY_N)) return CLS_NUMBER;
    return CLS_OTHER;
}

/* Case-insensitive match of the lower-case ASCII literal lit at s[i];
 * returns the bytes matched or 0. */
static size_t match_literal(const uint8_t *s, size_t n, size_t i, const char *lit) {
    size_t k = i;
    for (; *lit; lit++) {
        if (k >= n) return 0;
        ucs4_t uc;
        int len = u8_mbtouc(&uc, s + k, n - k);
        ucs4_t c = (ucs4_t)(unsigned char)*lit;
        int ok = uc == c || (c >= 'a' && c <= 'z' && uc == c - 32) || (c == 's' && uc == 0x17F) ||
                 (c == 'k' && uc == 0x212A);
        if (!ok) return 0;
        k += (size_t)len;
    }
    return k - i;
}

static const char *const LITERALS[] = {"<|startoftext|>", "<|endoftext|>", "'s", "'t", "'re", "'ve", "'m", "'ll", "'d"};

int bpe_split_next(const uint8_t *s, size_t n, size_t *pos, size_t *start, size_t *end) {
    size_t i = *pos;
    while (i < n) {
        size_t m = 0;
        for (size_t l = 0; l < sizeof LITERALS / sizeof LITERALS[0] && !m; l++) m = match_literal(s, n, i, LITERALS[l]);
        if (m) {
            *start = i;
            *end = *pos = i + m;
            return 1;
        }
        ucs4_t uc;
        int len = u8_mbtouc(&uc, s + i, n - i);
        int cls = char_class(uc);
        if (cls == CLS_SKIP) {
            i += (size_t)len;
            continue;
        }
        size_t k = i + (size_t)len;
        if (cls != CLS_NUMBER) /* letters and "other" repeat; a number is one character */
            while (k < n) {
                int l2 = u8_mbtouc(&uc, s + k, n - k);
                if (char_class(uc) != cls) break;
                k += (size_t)l2;
            }
        *start = i;
        *end = *pos = k;
        return 1;
    }
    *pos = n;
    return 0;
}
