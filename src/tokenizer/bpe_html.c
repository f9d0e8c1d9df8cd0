/* bpe_html.c — html.unescape() as CLIP's basic_clean applies it (twice).
 *
 * Python scans for '&' followed by one of
 *     #[0-9]+;?   |   #[xX][0-9a-fA-F]+;?   |   [^\t\n\f <&#;]{1,32};?
 * (the name counts code points). A numeric reference becomes its character
 * with HTML5's fix-ups (Windows-1252 for 0x80..0x9F, U+FFFD for 0, surrogates
 * and values past U+10FFFF, nothing for other control and non-characters).
 * A name found in the table is replaced; otherwise its longest prefix of at
 * least two characters that is a name usable without ';' is replaced and the
 * rest kept; otherwise the text is left unchanged. The table holds every name
 * HTML5 accepts without ';', so that prefix rule behaves exactly as Python's;
 * of the ~2100 names that need ';' only a few common ones are known. */
#include "tokenizer/bpe_html.h"

#include <string.h>
#include <unistr.h>

#include "base/error.h"

/* Latin-1 names for U+00A0..U+00FF, in code point order; HTML5 accepts each
 * with and without ';'. */
static const char *const LATIN1[96] = {
    "nbsp",   "iexcl",  "cent",   "pound",  "curren", "yen",    "brvbar", "sect",   "uml",    "copy",
    "ordf",   "laquo",  "not",    "shy",    "reg",    "macr",   "deg",    "plusmn", "sup2",   "sup3",
    "acute",  "micro",  "para",   "middot", "cedil",  "sup1",   "ordm",   "raquo",  "frac14", "frac12",
    "frac34", "iquest", "Agrave", "Aacute", "Acirc",  "Atilde", "Auml",   "Aring",  "AElig",  "Ccedil",
    "Egrave", "Eacute", "Ecirc",  "Euml",   "Igrave", "Iacute", "Icirc",  "Iuml",   "ETH",    "Ntilde",
    "Ograve", "Oacute", "Ocirc",  "Otilde", "Ouml",   "times",  "Oslash", "Ugrave", "Uacute", "Ucirc",
    "Uuml",   "Yacute", "THORN",  "szlig",  "agrave", "aacute", "acirc",  "atilde", "auml",   "aring",
    "aelig",  "ccedil", "egrave", "eacute", "ecirc",  "euml",   "igrave", "iacute", "icirc",  "iuml",
    "eth",    "ntilde", "ograve", "oacute", "ocirc",  "otilde", "ouml",   "divide", "oslash", "ugrave",
    "uacute", "ucirc",  "uuml",   "yacute", "thorn",  "yuml",
};

typedef struct html_name {
    const char *name;
    ucs4_t cp;
    int legacy; /* also valid without ';' */
} html_name;

static const html_name OTHERS[] = {
    {"amp", '&', 1},      {"AMP", '&', 1},      {"lt", '<', 1},       {"LT", '<', 1},
    {"gt", '>', 1},       {"GT", '>', 1},       {"quot", '"', 1},     {"QUOT", '"', 1},
    {"COPY", 0xA9, 1},    {"REG", 0xAE, 1},     {"apos", '\'', 0},    {"hellip", 0x2026, 0},
    {"ndash", 0x2013, 0}, {"mdash", 0x2014, 0}, {"lsquo", 0x2018, 0}, {"rsquo", 0x2019, 0},
    {"sbquo", 0x201A, 0}, {"ldquo", 0x201C, 0}, {"rdquo", 0x201D, 0}, {"bdquo", 0x201E, 0},
    {"bull", 0x2022, 0},  {"trade", 0x2122, 0}, {"euro", 0x20AC, 0},  {"minus", 0x2212, 0},
    {"le", 0x2264, 0},    {"ge", 0x2265, 0},    {"ne", 0x2260, 0},    {"larr", 0x2190, 0},
    {"rarr", 0x2192, 0},  {"uarr", 0x2191, 0},  {"darr", 0x2193, 0},
};

/* Windows-1252 for 0x80..0x9F as HTML5 maps numeric references; the five
 * bytes it leaves undefined map to themselves. */
static const uint16_t CP1252[32] = {
    0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
    0x2039, 0x0152, 0x008D, 0x017D, 0x008F, 0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
    0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178,
};

/* Looks up name (len bytes, ending in ';' or not); returns the code point or 0. */
static ucs4_t html_lookup(const uint8_t *name, size_t len) {
    int semi = len > 0 && name[len - 1] == ';';
    size_t base = len - (size_t)semi;
    if (base == 0) return 0;
    for (int i = 0; i < 96; i++)
        if (strlen(LATIN1[i]) == base && memcmp(LATIN1[i], name, base) == 0) return (ucs4_t)(0xA0 + i);
    for (size_t i = 0; i < sizeof OTHERS / sizeof OTHERS[0]; i++)
        if (strlen(OTHERS[i].name) == base && memcmp(OTHERS[i].name, name, base) == 0 && (semi || OTHERS[i].legacy))
            return OTHERS[i].cp;
    return 0;
}

/* Python's replacement for a numeric reference of value v (saturated);
 * returns 0 for "remove it". */
static ucs4_t html_numeric(unsigned long v) {
    if (v == 0) return 0xFFFD;
    if (v == 0x0D) return '\r';
    if (v >= 0x80 && v <= 0x9F) return CP1252[v - 0x80];
    if ((v >= 0xD800 && v <= 0xDFFF) || v > 0x10FFFF) return 0xFFFD;
    if ((v >= 0x01 && v <= 0x08) || v == 0x0B || (v >= 0x0E && v <= 0x1F) || v == 0x7F ||
        (v >= 0xFDD0 && v <= 0xFDEF) || (v & 0xFFFE) == 0xFFFE)
        return 0;
    return (ucs4_t)v;
}

static int is_digit(uint8_t c) { return c >= '0' && c <= '9'; }
static int hex_val(uint8_t c) {
    if (is_digit(c)) return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* Tries a reference at s[i] == '&'. On a match writes the replacement to *o
 * (advancing it) and returns the bytes consumed; returns 0 if nothing matches. */
static size_t html_ref(const uint8_t *s, size_t n, size_t i, uint8_t **o) {
    size_t j = i + 1;
    if (j < n && s[j] == '#') {
        unsigned long v = 0;
        size_t k = j + 1;
        int hex = k < n && (s[k] == 'x' || s[k] == 'X');
        if (hex) k++;
        size_t d0 = k;
        for (; k < n && (hex ? hex_val(s[k]) >= 0 : is_digit(s[k])); k++) {
            unsigned long dv = (unsigned long)(hex ? hex_val(s[k]) : s[k] - '0');
            v = v > 0x110000 ? v : v * (hex ? 16 : 10) + dv; /* saturate past U+10FFFF */
        }
        if (k == d0) return 0; /* '#' is not a name character either */
        if (k < n && s[k] == ';') k++;
        ucs4_t cp = html_numeric(v);
        if (cp) *o += u8_uctomb(*o, cp, 6);
        return k - i;
    }
    /* name: 1..32 code points outside \t \n \f space < & # ;, then an optional ';' */
    size_t k = j, ncp = 0, ascii = 0;
    int all_ascii = 1;
    while (k < n && ncp < 32) {
        uint8_t c = s[k];
        if (c == '\t' || c == '\n' || c == '\f' || c == ' ' || c == '<' || c == '&' || c == '#' || c == ';') break;
        ucs4_t uc;
        int len = u8_mbtouc(&uc, s + k, n - k);
        if (c >= 0x80) all_ascii = 0;
        if (all_ascii) ascii++;
        k += (size_t)len;
        ncp++;
    }
    if (ncp == 0) return 0;
    if (k < n && s[k] == ';') k++, ncp++;
    size_t len = k - j;
    ucs4_t cp = html_lookup(s + j, len);
    size_t keep = k; /* bytes from here to k are copied after the replacement */
    if (!cp) {
        /* longest prefix of x code points, len-1 >= x >= 2; only ASCII prefixes can be names */
        size_t x = ncp - 1 < ascii ? ncp - 1 : ascii;
        for (; x >= 2 && !cp; x--)
            if ((cp = html_lookup(s + j, x)) != 0) keep = j + x;
    }
    if (!cp) {
        memcpy(*o, s + i, k - i);
        *o += k - i;
        return k - i;
    }
    *o += u8_uctomb(*o, cp, 6);
    memcpy(*o, s + keep, k - keep);
    *o += k - keep;
    return k - i;
}

int bpe_html_unescape(const uint8_t *s, size_t n, uint8_t **out, size_t *out_n, ppad_err *err) {
    /* A replacement is never longer than its reference: "&#N" (3 bytes) gives at
     * most 3 bytes, names of two or more bytes plus '&' give at most 3 bytes. */
    uint8_t *buf = ppad_malloc(n + 1, err), *o = buf;
    if (!buf) return -1;
    for (size_t i = 0; i < n;) {
        size_t used = s[i] == '&' ? html_ref(s, n, i, &o) : 0;
        if (used) {
            i += used;
        } else {
            *o++ = s[i++];
        }
    }
    *o = 0;
    *out = buf;
    *out_n = (size_t)(o - buf);
    return 0;
}
