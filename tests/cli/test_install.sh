#!/usr/bin/env bash
# test_install.sh — `make install` into a temporary PREFIX (and a DESTDIR
# staging root): bin/ppad, include/ppad.h, lib/libppad.a and lib/pkgconfig/ppad.pc;
# then a tiny program is built against the installed copy with nothing but
# `pkg-config --cflags --libs ppad`, and run.
source "$(dirname "$0")/../lib/check.sh"
P="$T/prefix"
# under make asan the library is instrumented: ppad.pc must then name the sanitizers too
if make -s -C "$ROOT" BUILD="$BUILD" PREFIX="$P" ${PPAD_SAN:+SAN="$PPAD_SAN"} install >"$T/make.log" 2>&1; then pass "make install PREFIX=..."
else fail "make install PREFIX=..." "$(tail -n 5 "$T/make.log")"; fi
for f in bin/ppad include/ppad.h lib/libppad.a lib/pkgconfig/ppad.pc; do
  [ -f "$P/$f" ] && pass "installs $f" || fail "installs $f" "missing under $P"
done
[ -x "$P/bin/ppad" ] && [ "$(PATH="$P/bin:$PATH" ppad --version 2>&1)" = "$("$PPAD" --version)" ] \
  && pass "ppad on PATH from PREFIX/bin" || fail "ppad on PATH from PREFIX/bin" "$(PATH="$P/bin:$PATH" ppad --version 2>&1)"
cmp -s "$P/include/ppad.h" "$ROOT/include/ppad.h" && pass "header is include/ppad.h" || fail "header is include/ppad.h" "differs"

cat > "$T/hello.c" <<'CEOF'
#include <stdio.h>
#include <string.h>
#include "ppad.h"
int main(int argc, char **argv) {
    ppad_train_config c;
    ppad_train_config_default(&c);
    ppad_err err;
    ppad_model *m = NULL;
    if (ppad_model_load(&m, argv[1], &err) != 0) { printf("error: %s\n", err.msg); return 1; }
    ppad_model_free(m);
    int bad = ppad_model_load(&m, argc > 2 ? argv[2] : "/nonexistent/w.pt", &err);
    printf("version %s shots %d epochs %d lr %g loaded %s; missing file: %s\n", PPAD_VERSION, c.shots, c.epochs, c.lr,
           argv[1], bad ? (strstr(err.msg, "w.pt") ? "named" : err.msg) : "loaded?");
    return 0;
}
CEOF
export PKG_CONFIG_PATH="$P/lib/pkgconfig"
flags=$(pkg-config --cflags --libs ppad 2>&1) && pass "pkg-config finds ppad" || fail "pkg-config finds ppad" "$flags"
[ "$(pkg-config --modversion ppad)" = "$("$PPAD" --version | cut -d' ' -f2)" ] && pass "ppad.pc version" \
  || fail "ppad.pc version" "$(pkg-config --modversion ppad)"
if ${CC:-cc} -o "$T/hello" "$T/hello.c" $flags 2>"$T/cc.log"; then pass "a program builds with pkg-config's flags alone"
else fail "a program builds with pkg-config's flags alone" "$(head -c 400 "$T/cc.log")"; fi
out=$("$T/hello" "$FIX/clip_tiny.pt" 2>&1)
want="version $("$PPAD" --version | cut -d' ' -f2) shots 64 epochs 100 lr 0.001 loaded $FIX/clip_tiny.pt; missing file: named"
[ "$out" = "$want" ] && pass "the program runs against the installed library" || fail "the program runs against the installed library" "$out"

# DESTDIR: staged under DESTDIR, but ppad.pc names the final PREFIX
if make -s -C "$ROOT" BUILD="$BUILD" PREFIX=/opt/ppad DESTDIR="$T/stage" install >"$T/make2.log" 2>&1 \
   && [ -x "$T/stage/opt/ppad/bin/ppad" ] && grep -qx 'prefix=/opt/ppad' "$T/stage/opt/ppad/lib/pkgconfig/ppad.pc"; then
  pass "DESTDIR stages, ppad.pc keeps PREFIX"
else fail "DESTDIR stages, ppad.pc keeps PREFIX" "$(tail -n 3 "$T/make2.log"; ls -R "$T/stage" 2>&1 | head -5)"; fi
finish
