/* Compatibility check: malloc/realloc/free under a deterministic random workload; every
 * block's content is checked before it is resized or freed, and a checksum of all checked
 * bytes is printed. Usage: mstress [ROOT] (ROOT unused). */
#define _POSIX_C_SOURCE 200809L
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SLOTS 512
#define OPS 20000

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint32_t next_rand(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng >> 16);
}

struct block {
	unsigned char *p;
	size_t n;
	uint32_t tag;
};

static uint64_t checksum;

static int verify(const struct block *b, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (b->p[i] != (unsigned char)(b->tag + i * 7))
			return -1;
		checksum = checksum * 31 + b->p[i];
	}
	return 0;
}

static void fill(struct block *b, size_t from)
{
	for (size_t i = from; i < b->n; i++)
		b->p[i] = (unsigned char)(b->tag + i * 7);
}

static size_t random_size(void)
{
	uint32_t r = next_rand();
	if (r % 100 == 0)
		return 256 * 1024 + r % (1024 * 1024);   /* now and then a big one */
	if (r % 10 == 0)
		return 4096 + r % 60000;
	return 1 + r % 512;
}

/* 0, or -1 when memory ran out (fail_size tells how much was asked), -2 on corruption. */
static size_t fail_size;

static int step(struct block *b)
{
	uint32_t op = next_rand() % 3;
	if (!b->p) {
		b->n = random_size();
		b->tag = next_rand();
		if (!(b->p = malloc(b->n))) {
			fail_size = b->n;
			return -1;
		}
		fill(b, 0);
	} else if (op == 0) {
		if (verify(b, b->n))
			return -2;
		free(b->p);
		b->p = NULL;
	} else {
		size_t n = random_size();
		unsigned char *q = realloc(b->p, n);
		if (!q) {
			fail_size = n;
			return -1;
		}
		b->p = q;
		size_t keep = n < b->n ? n : b->n;
		if (verify(b, keep))
			return -2;
		b->n = n;
		fill(b, keep);
	}
	return 0;
}

int main(void)
{
	static struct block blocks[SLOTS];
	for (int i = 0; i < OPS; i++) {
		int err = step(&blocks[next_rand() % SLOTS]);
		if (err == -1) {
			printf("mstress: FAILED at op %d: out of memory allocating %zu bytes\n", i,
			       fail_size);
			return 1;
		}
		if (err) {
			printf("mstress: FAILED at op %d: a block's content changed\n", i);
			return 1;
		}
	}
	for (int i = 0; i < SLOTS; i++) {
		if (blocks[i].p && verify(&blocks[i], blocks[i].n)) {
			printf("mstress: FAILED in the final check\n");
			return 1;
		}
		free(blocks[i].p);
	}
	printf("mstress: %d ops, checksum %016llx\n", OPS, (unsigned long long)checksum);
	printf("mstress ok\n");
	return 0;
}
