/* fuzz: seeded random numbers (splitmix64): the same seed gives the same program anywhere. */
#include "fuzz.h"

uint64_t fz_mix(uint64_t a, uint64_t b)
{
	uint64_t z = a + 0x9e3779b97f4a7c15ull * (b + 1);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

void fz_seed(struct fz_rng *r, uint64_t seed)
{
	r->s = seed;
}

uint64_t fz_next(struct fz_rng *r)
{
	r->s += 0x9e3779b97f4a7c15ull;
	return fz_mix(r->s, 0);
}

uint64_t fz_below(struct fz_rng *r, uint64_t n)
{
	return fz_next(r) % n;
}

int fz_chance(struct fz_rng *r, unsigned percent)
{
	return fz_below(r, 100) < percent;
}

void fz_fill(struct fz_rng *r, void *buf, size_t n)
{
	uint8_t *p = buf;
	for (size_t i = 0; i < n; i += 8) {
		uint64_t v = fz_next(r);
		for (size_t j = 0; j < 8 && i + j < n; j++)
			p[i + j] = (uint8_t)(v >> (8 * j));
	}
}
