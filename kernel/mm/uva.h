/* System-wide allocation of user virtual addresses. Every region placed by the kernel (PIE
 * programs, stacks, heaps, mmaps) gets addresses no other region in the system uses, so any
 * process can later join any space without collisions (HVS). Fixed-address (non-PIE)
 * programs live below UVA_BASE and are checked for collisions per space instead. */
#pragma once
#include <stdint.h>

#define UVA_BASE 0x0000100000000000ul
#define UVA_END 0x00007f0000000000ul

void uva_init(void);
/* Reserve size bytes (page multiple) aligned to align (power of two >= 4096). */
int uva_alloc(uint64_t size, uint64_t align, uint64_t *addr);
void uva_free(uint64_t addr, uint64_t size);
/* One more holder of the allocated range [addr, addr+size) (a forked child uses its parent's
 * addresses): uva_free of that exact range then only drops a holder until the last one.
 * -ENOMEM when too many ranges are shared at once. */
int uva_share(uint64_t addr, uint64_t size);
/* Take exactly [addr, addr+size) if it is free: -ENOMEM otherwise. */
int uva_reserve(uint64_t addr, uint64_t size);
