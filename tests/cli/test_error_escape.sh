#!/usr/bin/env bash
# test_error_escape.sh — a file name or argument holding a newline, ESC or a C1
# control cannot break ppad's one-line error or reach the terminal raw: it is
# printed escaped (\n, \x1b, \xc2\x9b).
source "$(dirname "$0")/../lib/check.sh"
nl=$'\n'; esc=$'\x1b'; csi=$'\xc2\x9b'
bad="$T/scan${nl}01${esc}[31m${csi}2J.png"
printf 'not an image' > "$bad"
W='scan\n01\x1b[31m\xc2\x9b2J.png' # as the error line must show it
raw_free() { ! LC_ALL=C grep -q $'[\x01-\x08\x0b-\x1f\x7f]' "$T/err" && ! grep -qF "$csi" "$T/err"; }
check_escaped() { # name, the escaped text expected, then the command
  local name=$1 want=$2; shift 2
  expect_error "$name" "$want" "$@"
  raw_free && pass "$name: no raw control bytes" || fail "$name: no raw control bytes" "$(od -c "$T/err" | head -3)"
}
check_escaped "preprocess: bad image name" "$W" "$PPAD" preprocess --image "$bad" --out "$T/o.png"
check_escaped "info: bad weights name" "$W" "$PPAD" info --weights "$bad"
check_escaped "predict: bad image name" "$W" "$PPAD" predict --weights "$FIX/clip_tiny.pt" --prompts "$FIX/prompts_tiny_released.pt" "$bad"
check_escaped "missing file" 'nope\nx\x1b.pt' "$PPAD" info --weights "$T/nope${nl}x${esc}.pt"
expect_error "usage: unknown option with a newline" '--x\ny' "$PPAD" info $'--x\ny'
raw_free && pass "usage error: no raw control bytes" || fail "usage error: no raw control bytes" "$(od -c "$T/err" | head -3)"
finish
