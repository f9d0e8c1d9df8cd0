/* rng.h — ppad's own seeded random generator (xoshiro256**, seeded with
 * splitmix64). Identical streams on every platform for a given seed, so
 * --seed makes runs repeatable bit for bit. No global state. */
#ifndef PPAD_BASE_RNG_H
#define PPAD_BASE_RNG_H

#include <stdint.h>

typedef struct ppad_rng { uint64_t s[4]; } ppad_rng;

void     rng_seed(ppad_rng *r, uint64_t seed);
uint64_t rng_u64(ppad_rng *r);
double   rng_uniform(ppad_rng *r);                 /* [0, 1), 53 random bits */
int64_t  rng_int(ppad_rng *r, int64_t lo, int64_t hi); /* uniform integer in [lo, hi), unbiased */
double   rng_normal(ppad_rng *r, double mean, double sd); /* Box-Muller */
/* Derive an independent stream (e.g. one per sample or per run). */
void     rng_split(ppad_rng *child, ppad_rng *parent);

#endif
