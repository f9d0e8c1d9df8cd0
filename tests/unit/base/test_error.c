/* test_error.c — error messages stay one line whatever a file name holds:
 * ppad_escape_controls, ppad_fail and ppad_fail_prefix escape control bytes
 * (\n \r \t, ESC and other C0, DEL, C1 in UTF-8 or raw, invalid UTF-8), keep
 * valid UTF-8, and never cut an escape in half at the buffer's end. */
#include <string.h>

#include "base/error.h"
#include "check.h"

static int has_controls(const char *s) {
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (*p < 0x20 || *p == 0x7f) return 1;
    return 0;
}

int main(void) {
    ppad_err e;
    ppad_fail(&e, "%s: no such file", "scan\n01\x1b[31m.png");
    CHECK(strcmp(e.msg, "scan\\n01\\x1b[31m.png: no such file") == 0, "fail_escapes_newline_and_esc");
    ppad_fail(&e, "%s", "a\tb\rc\x7f" "d\x01");
    CHECK(strcmp(e.msg, "a\\tb\\rc\\x7fd\\x01") == 0, "fail_escapes_tab_cr_del_c0");
    ppad_fail(&e, "%s", "caf\xc3\xa9 \xe6\x9d\xb1 \xf0\x9f\x98\x80");
    CHECK(strcmp(e.msg, "caf\xc3\xa9 \xe6\x9d\xb1 \xf0\x9f\x98\x80") == 0, "fail_keeps_valid_utf8");
    ppad_fail(&e, "%s", "x\xc2\x9b" "31my");  /* U+009B, the 8-bit CSI, in UTF-8 */
    CHECK(strcmp(e.msg, "x\\xc2\\x9b31my") == 0, "fail_escapes_utf8_c1");
    ppad_fail(&e, "%s", "\x9b\xff\xc3(\xe2\x82");  /* raw C1, invalid and truncated UTF-8 */
    CHECK(strcmp(e.msg, "\\x9b\\xff\\xc3(\\xe2\\x82") == 0, "fail_escapes_invalid_utf8");
    ppad_fail(&e, "%s", "\xed\xa0\x80|\xc0\xaf");  /* a surrogate, an overlong '/' */
    CHECK(strcmp(e.msg, "\\xed\\xa0\\x80|\\xc0\\xaf") == 0, "fail_escapes_surrogate_and_overlong");

    /* prefix: escaped too, the message escaped once (no double escaping) */
    ppad_fail(&e, "bad \x1b header");
    ppad_fail_prefix(&e, "dir\n/w.pt");
    CHECK(strcmp(e.msg, "dir\\n/w.pt: bad \\x1b header") == 0, "prefix_escaped_message_once");

    /* a long name: the message fills the buffer, ends NUL-terminated, no half escape */
    char name[3000];
    for (int i = 0; i < 2999; i++) name[i] = (i % 3 == 2) ? '\n' : 'a';
    name[2999] = 0;
    ppad_fail(&e, "%s", name);
    size_t n = strlen(e.msg);
    CHECK(n < sizeof e.msg && !has_controls(e.msg), "long_message_one_line");
    /* "aa\n" escapes to 4 bytes: 255 whole units and "aa" fit in 1023, the next "\\n" does not */
    char want[1100] = "";
    for (int i = 0; i < 255; i++) strcat(want, "aa\\n");
    strcat(want, "aa");
    CHECK(n == 1022 && strcmp(e.msg, want) == 0, "long_message_no_half_escape");
    ppad_fail(&e, "x");
    ppad_fail_prefix(&e, name);
    n = strlen(e.msg);
    CHECK(n < sizeof e.msg && !has_controls(e.msg), "long_prefix_one_line");

    /* the function itself: capacity 1 gives "", an escape that does not fit is left out whole */
    char small[6];
    CHECK(ppad_escape_controls(small, 1, "abc") == 0 && small[0] == 0, "escape_capacity_one");
    CHECK(ppad_escape_controls(small, sizeof small, "ab\x1b") == 2 && strcmp(small, "ab") == 0, "escape_not_split");
    CHECK(ppad_escape_controls(small, sizeof small, "ab\n") == 4 && strcmp(small, "ab\\n") == 0, "escape_fits");
    CHECK(ppad_escape_controls(small, sizeof small, "abcd\xc3\xa9") == 4 && strcmp(small, "abcd") == 0,
          "utf8_character_not_split");
    return check_done();
}
