/*
 * rng.h - a small deterministic generator (splitmix64) for the generated
 * data (gen_country.c, gen_members.c): the same seed gives the same data
 * on every machine. Not for secrets (core/password.h has those).
 */
#ifndef UB_RNG_H
#define UB_RNG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct rng {
	uint64_t s;
} rng_t;

static inline uint64_t rng_next(rng_t *r)
{
	uint64_t z = (r->s += 0x9E3779B97F4A7C15ULL);

	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
	return z ^ (z >> 31);
}

/* A number in [0, n). */
static inline size_t rng_below(rng_t *r, size_t n)
{
	return n ? (size_t)(rng_next(r) % n) : 0;
}

/* A number in [lo, hi]. */
static inline int rng_range(rng_t *r, int lo, int hi)
{
	return lo + (int)rng_below(r, (size_t)(hi - lo) + 1);
}

/* True with probability p (0..1). */
static inline bool rng_chance(rng_t *r, double p)
{
	return (double)(rng_next(r) >> 11) * (1.0 / 9007199254740992.0) < p;
}

#endif
