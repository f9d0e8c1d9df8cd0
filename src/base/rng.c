/* rng.c — xoshiro256** with splitmix64 seeding (public-domain algorithms by
 * Blackman and Vigna, written from their description). */
#include "base/rng.h"

#include <math.h>

static uint64_t splitmix64(uint64_t *x) {
    uint64_t z = (*x += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

void rng_seed(ppad_rng *r, uint64_t seed) {
    uint64_t x = seed;
    for (int i = 0; i < 4; i++) r->s[i] = splitmix64(&x);
}

uint64_t rng_u64(ppad_rng *r) {
    uint64_t *s = r->s;
    uint64_t result = rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

double rng_uniform(ppad_rng *r) { return (double)(rng_u64(r) >> 11) * 0x1.0p-53; }

int64_t rng_int(ppad_rng *r, int64_t lo, int64_t hi) {
    if (hi <= lo) return lo;
    uint64_t range = (uint64_t)(hi - lo);
    /* rejection sampling: drop the top partial bucket */
    uint64_t limit = UINT64_MAX - (UINT64_MAX % range);
    uint64_t v;
    do { v = rng_u64(r); } while (v >= limit);
    return lo + (int64_t)(v % range);
}

double rng_normal(ppad_rng *r, double mean, double sd) {
    double u1 = rng_uniform(r), u2 = rng_uniform(r);
    if (u1 < 1e-300) u1 = 1e-300;
    return mean + sd * sqrt(-2.0 * log(u1)) * cos(2.0 * M_PI * u2);
}

void rng_split(ppad_rng *child, ppad_rng *parent) { rng_seed(child, rng_u64(parent)); }
