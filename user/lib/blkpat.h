/*
 * The data pattern and checksum that the block-device tests share with their host side
 * (tools/blk_suite.py computes the same): every 512-byte sector s written with seed holds
 * 64 words of splitmix64 started at seed ^ (s * golden), so any sector can be checked on its
 * own; the checksum is 64-bit FNV-1a.
 */
#pragma once
#include <stddef.h>
#include <stdint.h>

#define BLKPAT_GOLDEN 0x9E3779B97F4A7C15ull
#define FNV64_INIT 0xcbf29ce484222325ull

static inline void blkpat_sector(uint64_t seed, uint64_t sector, uint64_t out[64])
{
	uint64_t st = seed ^ (sector * BLKPAT_GOLDEN);
	for (int i = 0; i < 64; i++) {
		st += BLKPAT_GOLDEN;
		uint64_t z = st;
		z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
		z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
		out[i] = z ^ (z >> 31);
	}
}

/* Fills count sectors starting at sector into buf (count * 512 bytes). */
static inline void blkpat_fill(void *buf, uint64_t seed, uint64_t sector, uint64_t count)
{
	for (uint64_t i = 0; i < count; i++)
		blkpat_sector(seed, sector + i, (uint64_t *)buf + 64 * i);
}

static inline uint64_t fnv64(uint64_t h, const void *buf, size_t n)
{
	const uint8_t *p = buf;
	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 0x100000001b3ull;
	return h;
}
