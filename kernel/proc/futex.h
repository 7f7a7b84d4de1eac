/*
 * Futexes (Linux futex(2)): a thread waits while a 32-bit word of its memory holds a value,
 * until another wakes the word. A word is named by a key made from the caller's own memory:
 * (space, address) for private memory (which every process of that space shares, and no
 * other), or (region, offset) for a region shared by design (t_region_create), whichever
 * space it is attached in. A key can thus only be made by someone who can already read and
 * write the word: no user can wake, or learn anything of, another user's memory.
 *
 * A waiter is a record on its own kernel stack, on one of FUTEX_BUCKETS hashed lists: the
 * memory is bounded by the executions, nothing is allocated, and a waiter that is killed,
 * signalled or times out takes itself off its list before its call returns.
 */
#pragma once
#include <stdbool.h>
#include <stdint.h>

#define FUTEX_BITSET_ANY 0xffffffffu

/* Wait while *uaddr == val, until woken with a bitset sharing a bit with bitset, or until
 * deadline (monotonic ns, 0 = none): 0, -EAGAIN (the value differs), -ETIMEDOUT, -EFAULT,
 * -EINVAL (misaligned), -ERESTARTSYS (a signal; -EINTR after a handler) or -EINTR. */
int futex_wait(uint64_t uaddr, bool private_, uint32_t val, uint64_t deadline,
	       uint32_t bitset);
/* Wake up to nr waiters of uaddr whose bitset meets bitset (at least one, as Linux's
 * nr = 0); returns how many, or -EFAULT / -EINVAL. */
long futex_wake(uint64_t uaddr, bool private_, int nr, uint32_t bitset);
/* Wake nr_wake waiters of uaddr and move up to nr_requeue others to uaddr2; with cmp, only if
 * *uaddr still holds *cmp (else -EAGAIN). Returns woken + moved. */
long futex_requeue(uint64_t uaddr, bool private_, int nr_wake, int nr_requeue, uint64_t uaddr2,
		   const uint32_t *cmp);
/* FUTEX_WAKE_OP: *uaddr2 changes by op (Linux's encoding), nr waiters of uaddr are woken, and
 * nr2 of uaddr2 too if op's comparison held for the old value. */
long futex_wake_op(uint64_t uaddr, bool private_, int nr, uint64_t uaddr2, int nr2, uint32_t op);
