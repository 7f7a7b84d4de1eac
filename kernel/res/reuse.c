/* The reusable-resource table (see reuse.h): a fixed pool of entries, hashed by (kind, key)
 * for O(1) take, and kept on one least-recently-used list for eviction and reclaim. */
#include "kernel/res/reuse.h"
#include "kernel/lib/kprintf.h"
#include "kernel/lib/string.h"
#include "kernel/mm/pmm.h"

#define NENTRIES 64
#define NBUCKETS 64
#define NONE (-1)

static const uint32_t capacity[RK_NKINDS] = { [RK_PROGRAM] = 16, [RK_SPACE] = 8,
					       [RK_REGION] = 32 };

struct entry {
	rid_t rid;                 /* 0: free */
	enum reuse_kind kind;
	uint64_t key;
	int hnext;                 /* hash chain */
	int lprev, lnext;          /* LRU list: head is the oldest */
};

static struct entry entries[NENTRIES];
static int buckets[NBUCKETS];
static int lru_head = NONE, lru_tail = NONE;
static void (*evict_fn[RK_NKINDS])(rid_t);
static uint32_t enabled = (1u << RK_NKINDS) - 1;
static uint32_t cached[RK_NKINDS];
static uint64_t hits[RK_NKINDS], misses[RK_NKINDS], evicted, reclaimed;
static bool reclaiming;

static int hash(enum reuse_kind kind, uint64_t key)
{
	return (int)((key * 0x9e3779b97f4a7c15ull + kind) >> 58) % NBUCKETS;
}

static int page_reclaim(uint64_t pages)
{
	return reuse_reclaim(pages);
}

void reuse_init(void)
{
	for (int i = 0; i < NBUCKETS; i++)
		buckets[i] = NONE;
	pmm_set_reclaim(page_reclaim);
}

void reuse_register(enum reuse_kind kind, void (*evict)(rid_t rid))
{
	evict_fn[kind] = evict;
}

static void lru_unlink(int i)
{
	struct entry *e = &entries[i];
	if (e->lprev != NONE)
		entries[e->lprev].lnext = e->lnext;
	else
		lru_head = e->lnext;
	if (e->lnext != NONE)
		entries[e->lnext].lprev = e->lprev;
	else
		lru_tail = e->lprev;
}

static void hash_unlink(int i)
{
	int *p = &buckets[hash(entries[i].kind, entries[i].key)];
	while (*p != i)
		p = &entries[*p].hnext;
	*p = entries[i].hnext;
}

/* Take entry i out of the table; the resource itself is left alone. */
static void remove_entry(int i)
{
	lru_unlink(i);
	hash_unlink(i);
	cached[entries[i].kind]--;
	entries[i].rid = 0;
}

static void destroy_entry(int i)
{
	rid_t rid = entries[i].rid;
	enum reuse_kind kind = entries[i].kind;
	remove_entry(i);
	evict_fn[kind](rid);
}

/* The oldest entry of a kind (NONE if it has none). */
static int oldest(enum reuse_kind kind)
{
	for (int i = lru_head; i != NONE; i = entries[i].lnext)
		if (entries[i].kind == kind)
			return i;
	return NONE;
}

static int free_slot(void)
{
	for (int i = 0; i < NENTRIES; i++)
		if (!entries[i].rid)
			return i;
	return NONE;
}

bool reuse_put(enum reuse_kind kind, rid_t rid, uint64_t key)
{
	if (!(enabled & (1u << kind)) || reclaiming || !evict_fn[kind])
		return false;
	if (cached[kind] >= capacity[kind]) {
		destroy_entry(oldest(kind));
		evicted++;
	}
	int i = free_slot();
	if (i == NONE) {
		destroy_entry(lru_head);
		evicted++;
		i = free_slot();
	}
	struct entry *e = &entries[i];
	*e = (struct entry){ .rid = rid, .kind = kind, .key = key, .lprev = lru_tail,
			     .lnext = NONE };
	if (lru_tail != NONE)
		entries[lru_tail].lnext = i;
	else
		lru_head = i;
	lru_tail = i;
	e->hnext = buckets[hash(kind, key)];
	buckets[hash(kind, key)] = i;
	cached[kind]++;
	return true;
}

rid_t reuse_take(enum reuse_kind kind, uint64_t key)
{
	for (int i = buckets[hash(kind, key)]; i != NONE; i = entries[i].hnext) {
		if (entries[i].kind != kind || entries[i].key != key)
			continue;
		rid_t rid = entries[i].rid;
		remove_entry(i);
		hits[kind]++;
		return rid;
	}
	misses[kind]++;
	return 0;
}

static int find(rid_t rid)
{
	for (int i = 0; i < NENTRIES; i++)
		if (entries[i].rid == rid && rid)
			return i;
	return NONE;
}

bool reuse_holds(rid_t rid)
{
	return find(rid) != NONE;
}

void reuse_forget(rid_t rid)
{
	int i = find(rid);
	if (i != NONE)
		remove_entry(i);
}

int reuse_reclaim(uint64_t pages)
{
	if (reclaiming)
		return 0;
	reclaiming = true;
	uint64_t start = pmm_free_pages();
	int n = 0;
	while (lru_head != NONE && pmm_free_pages() < start + pages) {
		destroy_entry(lru_head);
		reclaimed++;
		n++;
	}
	reclaiming = false;
	return n;
}

void reuse_flush(void)
{
	while (lru_head != NONE)
		destroy_entry(lru_head);
}

void reuse_set_mask(uint32_t mask)
{
	enabled = mask & ((1u << RK_NKINDS) - 1);
	for (int i = lru_head, next; i != NONE; i = next) {
		next = entries[i].lnext;
		if (!(enabled & (1u << entries[i].kind)))
			destroy_entry(i);
	}
}

uint32_t reuse_mask(void)
{
	return enabled;
}

void reuse_stat(struct t_reuse_stat *out)
{
	memset(out, 0, sizeof(*out));
	out->mask = enabled;
	for (int k = 0; k < RK_NKINDS && k < TRU_NKINDS; k++) {
		out->capacity[k] = capacity[k];
		out->cached[k] = cached[k];
		out->hits[k] = hits[k];
		out->misses[k] = misses[k];
	}
	out->evicted = evicted;
	out->reclaimed = reclaimed;
}
