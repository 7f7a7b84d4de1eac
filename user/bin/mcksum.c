/*
 * mcksum: a long, deterministic computation that prints its progress, for the migration tests
 * and benchmarks (docs/migration.md). It keeps state in every kind of memory a migration
 * must carry: data and BSS (globals), heap (malloc'd MiB, touched), stack (a local array),
 * an anonymous mmap, the FPU (a double accumulator) and the thread pointer (errno, a
 * thread-local counter). Moved or not, the same arguments give the same final line.
 *   mcksum ROUNDS [MIB [MS]]   ROUNDS rounds over MIB MiB (default 1), sleeping MS ms
 *                               between rounds (default 0), a progress line every round
 * The last line is "MCKSUM DONE <checksum> <fp>".
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

static uint64_t data_state = 0x9e3779b97f4a7c15ull;   /* data */
static uint64_t bss_state[64];                         /* BSS */
static _Thread_local uint64_t tls_rounds;              /* the thread pointer's block */

static uint64_t mix(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdull;
	x ^= x >> 33;
	return x;
}

static uint64_t round_over(uint64_t *heap, size_t words, uint64_t *map, uint64_t *stack)
{
	uint64_t sum = data_state;
	for (size_t i = 0; i < words; i++) {
		heap[i] = mix(heap[i] + sum + i);
		sum += heap[i];
	}
	for (size_t i = 0; i < 512; i++) {
		map[i] ^= mix(sum + i);
		stack[i & 63] += map[i];
		bss_state[i & 63] ^= stack[i & 63];
	}
	data_state = mix(sum ^ bss_state[tls_rounds & 63]);
	return sum;
}

int main(int argc, char **argv)
{
	long rounds = argc > 1 ? atol(argv[1]) : 10;
	long mib = argc > 2 ? atol(argv[2]) : 1;
	long ms = argc > 3 ? atol(argv[3]) : 0;
	size_t words = (size_t)mib * (1 << 20) / 8;
	uint64_t stack[64] = { 1 };
	uint64_t *heap = calloc(words ? words : 1, 8);
	uint64_t *map = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
			     -1, 0);
	double fp = 1.0;
	if (!heap || map == MAP_FAILED) {
		printf("mcksum: no memory\n");
		return 1;
	}
	for (size_t i = 0; i < words; i++)
		heap[i] = i * 0x100000001b3ull;
	uint64_t sum = 0;
	errno = 0;
	for (long r = 0; r < rounds; r++) {
		/* errno lives behind the thread pointer: set at the end of the last round */
		if (errno != (int)(r & 0x7f) || tls_rounds != (uint64_t)r) {
			printf("mcksum: thread-local state lost at round %ld\n", r + 1);
			return 3;
		}
		sum = mix(sum ^ round_over(heap, words, map, stack));
		fp = fp * 1.0000001 + (double)(sum & 0xff) / 256.0;
		tls_rounds++;
		printf("mcksum: round %ld/%ld sum %016llx\n", r + 1, rounds, (unsigned long long)sum);
		fflush(stdout);
		if (ms) {
			struct timespec ts = { ms / 1000, (ms % 1000) * 1000000 };
			nanosleep(&ts, NULL);
		}
		errno = (int)((r + 1) & 0x7f);
	}
	printf("MCKSUM DONE %016llx %.6f\n", (unsigned long long)sum, fp);
	return 0;
}
