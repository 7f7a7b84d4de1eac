/*
 * The reusable-resource table (Tender): constituents of deleted processes — programs, empty
 * virtual spaces, data/BSS/heap/stack regions — are registered here instead of being
 * destroyed, and creation or metamorphosis takes them back in O(1) (a hash on kind and key).
 * The table is bounded per kind, evicts the least recently used entry when full, and gives
 * memory back on demand (reuse_reclaim, called by the page allocator when it runs dry).
 * A resource in the table is still a live resource, visible with its id, marked reusable.
 */
#pragma once
#include <stdbool.h>
#include <stdint.h>
#include "abi/tessera.h"

enum reuse_kind { RK_PROGRAM, RK_SPACE, RK_REGION, RK_NKINDS };

void reuse_init(void);
/* How to destroy an entry of this kind when it is evicted or reclaimed. */
void reuse_register(enum reuse_kind kind, void (*evict)(rid_t rid));
/* Keep rid for reuse under key; false if reuse of this kind is off (then destroy it). */
bool reuse_put(enum reuse_kind kind, rid_t rid, uint64_t key);
/* Take back a resource registered under key (0 if none: a miss). */
rid_t reuse_take(enum reuse_kind kind, uint64_t key);
/* Whether rid is in the table. */
bool reuse_holds(rid_t rid);
/* Drop rid from the table without destroying it (it is being destroyed otherwise). */
void reuse_forget(rid_t rid);
/* Destroy least recently used entries until about 'pages' pages came back, or the table is
 * empty; returns how many entries went. */
int reuse_reclaim(uint64_t pages);
void reuse_flush(void);
/* Reuse on or off per kind (bit 1 << kind); turning a kind off flushes its entries. */
void reuse_set_mask(uint32_t mask);
uint32_t reuse_mask(void);
void reuse_stat(struct t_reuse_stat *out);
