/* bpe_clean.c — CLIP's text cleaning:
 *     basic_clean:      ftfy.fix_text, html.unescape twice, str.strip()
 *     whitespace_clean: regex.sub(r'\s+', ' '), str.strip()
 *     then str.lower()
 *
 * ftfy is not reproduced: CLIP's fix_text repairs mojibake, straightens curly
 * quotes, expands ligatures, narrows full-width forms and NFC-normalises. For
 * ordinary (already clean, NFC) text it changes nothing; text that relies on
 * those repairs tokenises as the reference would without ftfy.
 *
 * strip() removes Python's isspace() characters, \s is the regex module's
 * White_Space; strip(collapse(strip(x))) == strip(collapse(x)), done here.
 * Lower-casing is libunistring's full, context-aware mapping (SpecialCasing,
 * Final_Sigma), which is what Python's str.lower() implements. */
#include "tokenizer/bpe_clean.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unicase.h>
#include <unictype.h>
#include <unistr.h>

#include "base/error.h"
#include "tokenizer/bpe_html.h"

int bpe_is_regex_space(uint32_t uc) { return uc_is_property_white_space(uc); }
int bpe_is_space(uint32_t uc) { return (uc >= 0x1C && uc <= 0x1F) || uc_is_property_white_space(uc); }

void bpe_quote(char *buf, size_t cap, const char *text) {
    const uint8_t *s = (const uint8_t *)text;
    size_t n = strlen(text), o = 0, limit = cap - 8 < 60 ? cap - 8 : 60;
    for (size_t i = 0; i < n;) {
        char piece[16];
        ucs4_t uc;
        int len = u8_mbtoucr(&uc, s + i, n - i);
        size_t pl;
        if (len < 0) {
            pl = (size_t)snprintf(piece, sizeof piece, "\\x%02X", s[i]);
            len = 1;
        } else if (uc == '\n') {
            pl = (size_t)snprintf(piece, sizeof piece, "\\n");
        } else if (uc == '\t') {
            pl = (size_t)snprintf(piece, sizeof piece, "\\t");
        } else if (uc < 0x20 || uc == 0x7F || (uc >= 0x80 && uc < 0xA0) || uc == 0x2028 || uc == 0x2029) {
            pl = (size_t)snprintf(piece, sizeof piece, "\\u%04X", (unsigned)uc);
        } else {
            memcpy(piece, s + i, (size_t)len);
            pl = (size_t)len;
        }
        if (o + pl > limit) {
            memcpy(buf + o, "...", 3);
            o += 3;
            break;
        }
        memcpy(buf + o, piece, pl);
        o += pl;
        i += (size_t)len;
    }
    buf[o] = 0;
}

/* Replaces runs of White_Space by one space and strips isspace() characters
 * from both ends, in place. */
static size_t clean_whitespace(uint8_t *s, size_t n) {
    size_t o = 0;
    int in_run = 0;
    for (size_t i = 0; i < n;) {
        ucs4_t uc;
        int len = u8_mbtouc(&uc, s + i, n - i);
        if (bpe_is_regex_space(uc)) {
            if (!in_run) s[o++] = ' ';
            in_run = 1;
        } else {
            memmove(s + o, s + i, (size_t)len);
            o += (size_t)len;
            in_run = 0;
        }
        i += (size_t)len;
    }
    /* strip: leading, then trailing */
    size_t a = 0;
    while (a < o) {
        ucs4_t uc;
        int len = u8_mbtouc(&uc, s + a, o - a);
        if (!bpe_is_space(uc)) break;
        a += (size_t)len;
    }
    size_t b = o;
    while (b > a) {
        ucs4_t uc;
        const uint8_t *p = u8_prev(&uc, s + b, s + a);
        if (!bpe_is_space(uc)) break;
        b = (size_t)(p - s);
    }
    memmove(s, s + a, b - a);
    s[b - a] = 0;
    return b - a;
}

int bpe_clean(const char *text, uint8_t **out, size_t *out_n, ppad_err *err) {
    const uint8_t *s = (const uint8_t *)text;
    size_t n = strlen(text);
    *out = NULL;
    *out_n = 0;
    const uint8_t *bad = u8_check(s, n);
    if (bad) {
        char q[128];
        bpe_quote(q, sizeof q, text);
        return ppad_fail(err, "text '%s': not valid UTF-8 (byte %zu)", q, (size_t)(bad - s));
    }
    uint8_t *a = NULL, *b = NULL;
    size_t na, nb;
    if (bpe_html_unescape(s, n, &a, &na, err) != 0) return -1;
    if (bpe_html_unescape(a, na, &b, &nb, err) != 0) {
        free(a);
        return -1;
    }
    free(a);
    nb = clean_whitespace(b, nb);
    if (nb == 0) { /* u8_tolower of nothing need not allocate */
        *out = b;
        return 0;
    }
    size_t nl = 0;
    uint8_t *low = u8_tolower(b, nb, NULL, NULL, NULL, &nl);
    free(b);
    if (!low) return ppad_fail(err, "out of memory lower-casing text");
    uint8_t *res = realloc(low, nl + 1); /* NUL-terminate */
    if (!res) {
        free(low);
        return ppad_fail(err, "out of memory lower-casing text");
    }
    res[nl] = 0;
    *out = res;
    *out_n = nl;
    return 0;
}
