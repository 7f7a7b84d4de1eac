/* ckptdemo: fault recovery with a checkpoint. The program computes in steps; before each
 * risky step it saves a checkpoint and names it as the place to return to on a fault. A step
 * then dereferences a bad pointer: instead of dying, the process comes back to the checkpoint
 * (its memory and registers as they were) and carries on by another way. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include "libtessera.h"

static volatile uintptr_t bad_address = 0x10;   /* nothing is ever mapped there */
static uint64_t total;          /* data: restored with the checkpoint */

static uint64_t step(int i, int careful)
{
	if (i == 3 && !careful)
		return (uint64_t)*(volatile int *)bad_address;    /* faults */
	return (uint64_t)i * i;
}

int main(void)
{
	rid_t ck;
	int careful = 0;
	for (int i = 1; i <= 5; i++) {
		int r = t_ckpt_save(0, "ckptdemo", &ck);
		if (r < 0) {
			fprintf(stderr, "ckptdemo: save: %s\n", strerror(-r));
			return 1;
		}
		if (r == T_CKPT_RECOVERED) {
			printf("step %d faulted: back at its checkpoint (total still %llu), "
			       "retrying carefully\n", i, (unsigned long long)total);
			careful = 1;
		}
		t_ckpt_onfault(ck);
		total += step(i, careful);
		printf("step %d done, total %llu\n", i, (unsigned long long)total);
		t_ckpt_onfault(0);
		t_res_delete(ck);
		careful = 0;
	}
	printf("ckptdemo: finished, total %llu (expected 55)\n", (unsigned long long)total);
	return total == 55 ? 0 : 1;
}
