/*
 * rng — medkg's one deterministic random generator (splitmix64, Steele et
 * al. 2014): a 64-bit state, one multiply-xorshift per draw, and a mixer
 * that turns (seed, key) into an independent stream. Header only, so that
 * the standalone benchmark generators (bench/gen_*.c) use it too.
 *
 * Streams are cheap, so each user keeps as many as determinism needs: the
 * export seeds one stream per sample from the user's --seed and a hash of
 * the sample's own key, so a sample's draws do not depend on which other
 * samples exist, on their order or on the number of threads; TransE gives
 * each thread (and each row it initializes) a stream of its own.
 *
 * Does not: pretend to be cryptographic.
 */
#ifndef MEDKG_COMMON_RNG_H
#define MEDKG_COMMON_RNG_H

#include <stdint.h>

struct rng {
	uint64_t s;
};

/* The splitmix64 finalizer: a bijection that scatters nearby inputs. */
static inline uint64_t rng_mix(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ull;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

/* A stream for (seed, key): key is typically a hash of a sample's id. */
static inline void rng_seed(struct rng *r, uint64_t seed, uint64_t key)
{
	r->s = rng_mix(seed ^ rng_mix(key));
}

static inline uint64_t rng_next(struct rng *r)
{
	r->s += 0x9e3779b97f4a7c15ull;
	uint64_t z = r->s;
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* Uniform in [0, n), n > 0, without modulo bias (Lemire 2019). */
static inline uint64_t rng_below(struct rng *r, uint64_t n)
{
	unsigned __int128 m = (unsigned __int128)rng_next(r) * n;
	uint64_t lo = (uint64_t)m;
	if (lo < n) {
		uint64_t t = -n % n;
		while (lo < t) {
			m = (unsigned __int128)rng_next(r) * n;
			lo = (uint64_t)m;
		}
	}
	return (uint64_t)(m >> 64);
}

/* Uniform in [0, 1) with 53 bits. */
static inline double rng_unit(struct rng *r)
{
	return (double)(rng_next(r) >> 11) / 9007199254740992.0;
}

#endif
