/* test_half_round.c — pt_f32_to_half (used to write CheXzero-layout fp16
 * checkpoints) against the CPU's own F16C conversion (round to nearest even),
 * and exact round trips of every half value. */
#include <immintrin.h>
#include <stdint.h>
#include <string.h>

#include "base/rng.h"
#include "check.h"
#include "formats/pt_convert.h"

__attribute__((target("f16c"))) static uint16_t hw(float f) {
    return (uint16_t)_mm_cvtsi128_si32(_mm_cvtps_ph(_mm_set_ss(f), _MM_FROUND_TO_NEAREST_INT));
}

int main(void) {
    long bad = 0, first = -1;
    for (uint32_t h = 0; h < 65536; h++) {
        float f = pt_half_to_f32((uint16_t)h);
        uint16_t back = pt_f32_to_half(f);
        int nan = (h & 0x7c00) == 0x7c00 && (h & 0x3ff);
        if (nan ? (back & 0x7c00) != 0x7c00 || !(back & 0x3ff) : back != h) {
            if (first < 0) first = h;
            bad++;
        }
    }
    check_report(bad == 0, "every half value round-trips exactly", "%ld failures, first 0x%04lx", bad, first);

    if (!__builtin_cpu_supports("f16c")) {
        check_report(1, "F16C comparison skipped (CPU lacks F16C)", "");
        return check_done();
    }
    /* all floats near every half (the rounding boundaries) plus random bit patterns */
    bad = 0;
    first = -1;
    long n = 0;
    for (uint32_t h = 0; h < 0x7c00; h++) {
        float f = pt_half_to_f32((uint16_t)h);
        uint32_t x;
        memcpy(&x, &f, 4);
        for (int d = -4100; d <= 4100; d += 41) {
            uint32_t y = x + (uint32_t)d;
            for (int s = 0; s < 2; s++, y ^= 0x80000000u) {
                float g;
                memcpy(&g, &y, 4);
                if (g != g) continue;
                n++;
                if (pt_f32_to_half(g) != hw(g)) {
                    if (first < 0) first = y;
                    bad++;
                }
            }
        }
    }
    ppad_rng r;
    rng_seed(&r, 1);
    for (int i = 0; i < 4000000; i++) {
        uint32_t y = (uint32_t)rng_u64(&r);
        float g;
        memcpy(&g, &y, 4);
        if (g != g) continue;
        n++;
        if (pt_f32_to_half(g) != hw(g)) {
            if (first < 0) first = y;
            bad++;
        }
    }
    check_report(bad == 0, "fp32 -> half equals F16C round-to-nearest-even", "%ld of %ld differ, first 0x%08lx", bad, n,
                 first);
    return check_done();
}
