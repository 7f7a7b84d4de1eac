/* Random numbers (see random.h): a ChaCha20-based generator (RFC 8439 block function) keyed
 * at first use from RDRAND when the CPU has it, else from the jitter of the time-stamp counter
 * around short delays, and re-keyed from its own output after every read (so earlier output
 * cannot be recomputed from the state). Linux's two devices differ only in blocking until the
 * pool is seeded, which this one is before its first byte: both read the same stream. */
#include "kernel/dev/random.h"
#include "abi/errno.h"
#include "arch/cpu.h"
#include "kernel/lib/string.h"
#include "kernel/mm/uaccess.h"
#include "kernel/proc/proc.h"

static uint32_t key[8];
static uint64_t counter;
static int seeded;

static uint32_t rotl(uint32_t v, int n)
{
	return (v << n) | (v >> (32 - n));
}

static void quarter(uint32_t *x, int a, int b, int c, int d)
{
	x[a] += x[b], x[d] = rotl(x[d] ^ x[a], 16);
	x[c] += x[d], x[b] = rotl(x[b] ^ x[c], 12);
	x[a] += x[b], x[d] = rotl(x[d] ^ x[a], 8);
	x[c] += x[d], x[b] = rotl(x[b] ^ x[c], 7);
}

static void chacha_block(uint32_t out[16])
{
	uint32_t in[16] = { 0x61707865, 0x3320646e, 0x79622d32, 0x6b206574 };
	memcpy(in + 4, key, sizeof(key));
	in[12] = (uint32_t)counter;
	in[13] = (uint32_t)(counter >> 32);
	counter++;
	memcpy(out, in, sizeof(in));
	for (int i = 0; i < 10; i++) {
		quarter(out, 0, 4, 8, 12), quarter(out, 1, 5, 9, 13);
		quarter(out, 2, 6, 10, 14), quarter(out, 3, 7, 11, 15);
		quarter(out, 0, 5, 10, 15), quarter(out, 1, 6, 11, 12);
		quarter(out, 2, 7, 8, 13), quarter(out, 3, 4, 9, 14);
	}
	for (int i = 0; i < 16; i++)
		out[i] += in[i];
}

static int has_rdrand(void)
{
	uint32_t a = 1, b, c = 0, d;
	__asm__ volatile("cpuid" : "+a"(a), "=b"(b), "+c"(c), "=d"(d));
	return (c >> 30) & 1;
}

/* One RDRAND word; 0 if the instruction kept failing. */
static int rdrand64(uint64_t *v)
{
	for (int tries = 0; tries < 10; tries++) {
		uint8_t ok;
		__asm__ volatile("rdrand %0; setc %1" : "=r"(*v), "=qm"(ok));
		if (ok)
			return 1;
	}
	return 0;
}

/* Timing jitter: the low bits of TSC differences around a small busy loop. */
static uint64_t tsc_jitter(void)
{
	uint64_t acc = rdtsc();
	for (int i = 0; i < 64; i++) {
		uint64_t t0 = rdtsc();
		for (volatile int k = 0; k < (int)(t0 & 31) + 8; k++)
			;
		acc = (acc << 5 | acc >> 59) ^ (rdtsc() - t0);
	}
	return acc;
}

static void seed(void)
{
	int rd = has_rdrand();
	for (int i = 0; i < 4; i++) {
		uint64_t v;
		if (!rd || !rdrand64(&v))
			v = tsc_jitter();
		key[2 * i] ^= (uint32_t)v;
		key[2 * i + 1] ^= (uint32_t)(v >> 32);
	}
	seeded = 1;
}

long random_read_user(void *ubuf, size_t n)
{
	uint32_t block[16];
	size_t done = 0;
	long r = 0;
	if (!seeded)
		seed();
	while (done < n) {
		size_t chunk = n - done < sizeof(block) ? n - done : sizeof(block);
		chacha_block(block);
		if (copy_to_user((char *)ubuf + done, block, chunk)) {
			r = -EFAULT;
			break;
		}
		done += chunk;
		if (proc_aborting(proc_cur()))
			break;
	}
	chacha_block(block);            /* fresh key: earlier output cannot be recomputed */
	memcpy(key, block, sizeof(key));
	memset(block, 0, sizeof(block));
	return done ? (long)done : r;
}
