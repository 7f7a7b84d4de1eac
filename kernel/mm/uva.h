/* System-wide allocation of user virtual addresses. Every region placed by the kernel (PIE
 * programs, stacks, heaps, mmaps) gets addresses no other region in the system uses, so any
 * process can later join any space without collisions (HVS). Fixed-address (non-PIE)
 * programs live below UVA_BASE and are checked for collisions per space instead; the loader
 * refuses one that reaches into [UVA_BASE, UVA_END) (program_open).
 *
 * A range can have several holders (fork: parent and child use the same addresses in their
 * own spaces). The allocator counts holders per address, so any holder may let go of any
 * part of what it holds: addresses become free when the last holder of each lets go. */
#pragma once
#include <stdint.h>

#define UVA_BASE 0x0000100000000000ul
#define UVA_END 0x00007f0000000000ul

void uva_init(void);
/* Hand out addresses only from [lo, hi) (page aligned, inside the range): the rest is held
 * for good, so uva_alloc never returns it, while uva_take may still add holders there (a
 * node of a cluster allocates from a slice of its own, kernel/node/node.h). */
void uva_restrict(uint64_t lo, uint64_t hi);
/* Take size bytes (page multiple) aligned to align (power of two >= 4096), for one holder.
 * -ENOMEM when no free range fits or the allocator's table is full. */
int uva_alloc(uint64_t size, uint64_t align, uint64_t *addr);
/* Take exactly [addr, addr+size) if all of it is free: -ENOMEM otherwise. */
int uva_reserve(uint64_t addr, uint64_t size);
/* One more holder of [addr, addr+size), every byte of which is held already (a forked child
 * uses its parent's addresses). -ENOMEM when the table is full. */
int uva_share(uint64_t addr, uint64_t size);
/* One more holder of every address of [addr, addr+size), held already or free (a MAP_FIXED
 * over addresses its process holds, which its fork relatives may hold too: the caller has
 * checked that the free ones are not another's). -ENOMEM when the table is full. */
int uva_take(uint64_t addr, uint64_t size);
/* Before a holder may let go of part of a range it holds, the part must begin and end on a
 * boundary: uva_split(addr) makes one at addr (nothing to do if there is one, or if addr is
 * free or outside the range). -ENOMEM when the table is full; then nothing changed. */
int uva_split(uint64_t addr);
/* One holder lets go of [addr, addr+size). Letting go of addresses nobody holds is a kernel
 * bug (panic), never a user error. Never needs room if both ends are boundaries. */
void uva_free(uint64_t addr, uint64_t size);
/* The largest number of holders of any address in [addr, addr+size) (0: all free). */
uint32_t uva_holders(uint64_t addr, uint64_t size);
/* Tree nodes visited so far, by every operation: the host tests check with it that the cost
 * of an operation does not grow with the number of spans in the system. */
extern uint64_t uva_steps;
