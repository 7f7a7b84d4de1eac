/*
 * System-wide user address allocator (see uva.h). [UVA_BASE, UVA_END) is cut into spans that
 * follow each other without gaps: a span is free (no holders) or held by a count of holders
 * (a process and its fork children each hold the ranges they use). Free spans are always
 * merged with free neighbours; held spans are not, because their boundaries are where holders
 * may later let go of a part.
 *
 * Thousands of processes hold several spans each and every process creation takes and lets
 * go of some, so no operation may cost time that grows faster than log n in the number n of
 * spans (a sorted array moved the whole table on every cut and merge, and allocation scanned
 * it from the start: process creation slowed down with the number of live processes). The
 * spans are nodes of a treap: a binary search tree keyed by start whose nodes are also in heap
 * order of random priorities, which keeps its expected depth O(log n) whatever order spans
 * come and go in, with rotations simpler than those of a balanced tree. Nodes link to their
 * parent, so every walk is a loop, never recursion on the small kernel stack. Each node also
 * keeps the length of the longest free span in its subtree, which leads the allocator down to
 * the lowest free span that is long enough (first fit) in one walk from the root.
 *
 * Operations on a range visit each span in it (O(k log n) for k spans in the range): the
 * spans a holder lets go of or shares are its own, so k is what the caller made, not what the
 * system holds. Nodes come from a fixed pool with a free list; node 0 stands for "none": an
 * empty subtree, whose longest free span is 0.
 */
#include "kernel/mm/uva.h"
#include "abi/errno.h"
#include "kernel/lib/kprintf.h"
#include "kernel/mm/vattach.h"
#include <stdbool.h>

/* Room for as many held spans as the system has attachments (NVATTACH), each with a free
 * span beside it, and the images of PIE programs. A full table makes taking addresses fail
 * (ENOMEM), never letting go. */
#define MAX_SPANS (2 * NVATTACH + 2 * 4096)
#define PG 0x1000ul

static struct span {
	uint64_t start, end;
	uint64_t maxfree;       /* the longest free span in the subtree rooted here (bytes) */
	uint32_t holders;       /* 0: free */
	uint32_t prio;          /* a parent's priority is at least its children's */
	uint32_t up, kid[2];    /* parent, children (0: none); kid[0] has the lower addresses */
} pool[MAX_SPANS + 1];
static uint32_t root, nspans, used, free_list, seed;

uint64_t uva_steps;

/* Priorities: xorshift32, which never returns 0 from a seed that is not 0. */
static uint32_t next_prio(void)
{
	seed ^= seed << 13;
	seed ^= seed >> 17;
	seed ^= seed << 5;
	return seed;
}

static uint64_t max64(uint64_t a, uint64_t b)
{
	return a > b ? a : b;
}

/* Recompute n's longest free span from its own and its children's. */
static void pull(uint32_t n)
{
	struct span *s = &pool[n];
	uint64_t own = s->holders ? 0 : s->end - s->start;
	s->maxfree = max64(own, max64(pool[s->kid[0]].maxfree, pool[s->kid[1]].maxfree));
}

/* After n's length or holders changed: recompute it and every node above it. */
static void fix_up(uint32_t n)
{
	for (; n; n = pool[n].up) {
		uva_steps++;
		pull(n);
	}
}

/* A node for [start, end), not yet in the tree (room checked by the caller). */
static uint32_t node_new(uint64_t start, uint64_t end, uint32_t holders)
{
	uint32_t n = free_list;
	if (n)
		free_list = pool[n].up;
	else
		n = ++used;
	nspans++;
	pool[n] = (struct span){ .start = start, .end = end, .holders = holders,
				 .prio = next_prio() };
	pull(n);
	return n;
}

static void node_free(uint32_t n)
{
	pool[n].up = free_list;
	free_list = n;
	nspans--;
}

/* Put new in old's place under p (p 0: at the root). */
static void relink(uint32_t p, uint32_t old, uint32_t new)
{
	if (!p)
		root = new;
	else
		pool[p].kid[pool[p].kid[1] == old] = new;
	if (new)
		pool[new].up = p;
}

/* Make x its parent's parent, keeping the search order. */
static void rotate_up(uint32_t x)
{
	uint32_t p = pool[x].up, d = pool[p].kid[1] == x, b = pool[x].kid[!d];
	uva_steps++;
	relink(pool[p].up, p, x);
	pool[p].kid[d] = b;
	if (b)
		pool[b].up = p;
	pool[x].kid[!d] = p;
	pool[p].up = x;
	pull(p);
	pull(x);
}

/* Add node n (whose span is no other's) to the tree. */
static void insert(uint32_t n)
{
	uint32_t p = 0, *slot = &root;
	while (*slot) {
		uva_steps++;
		p = *slot;
		slot = &pool[p].kid[pool[n].start > pool[p].start];
	}
	*slot = n;
	pool[n].up = p;
	while (pool[n].up && pool[pool[n].up].prio < pool[n].prio)
		rotate_up(n);
	fix_up(pool[n].up);
}

/* Take node n out of the tree and back to the pool. */
static void erase(uint32_t n)
{
	uint32_t *kid = pool[n].kid;
	while (kid[0] && kid[1])
		rotate_up(kid[pool[kid[1]].prio > pool[kid[0]].prio]);
	uint32_t p = pool[n].up;
	relink(p, n, kid[0] | kid[1]);
	fix_up(p);
	node_free(n);
}

void uva_init(void)
{
	root = nspans = used = free_list = 0;
	seed = 0x2545f491u;
	root = node_new(UVA_BASE, UVA_END, 0);
}

void uva_restrict(uint64_t lo, uint64_t hi)
{
	if (lo < UVA_BASE || hi > UVA_END || lo >= hi || (lo | hi) & 0xfff)
		panic("uva_restrict: [%lx, %lx) is not a part of the range", lo, hi);
	if ((lo > UVA_BASE && uva_take(UVA_BASE, lo - UVA_BASE)) ||
	    (hi < UVA_END && uva_take(hi, UVA_END - hi)))
		panic("uva_restrict: no room in a fresh allocator");
}

/* The span holding addr (UVA_BASE <= addr < UVA_END). */
static uint32_t find(uint64_t addr)
{
	uint32_t n = root;
	for (;;) {
		uva_steps++;
		if (!n)
			panic("find: no span holds %lx: the tree is broken", addr);
		if (addr < pool[n].start)
			n = pool[n].kid[0];
		else if (addr >= pool[n].end)
			n = pool[n].kid[1];
		else
			return n;
	}
}

static bool in_range(uint64_t addr, uint64_t size)
{
	uint64_t end = addr + size;
	return size && !(addr & 0xfff) && !(size & 0xfff) && end > addr && addr >= UVA_BASE &&
	       end <= UVA_END;
}

/* How many new spans cutting at addr and at end would take. */
static uint32_t cuts_needed(uint64_t addr, uint64_t end)
{
	uint32_t n = pool[find(addr)].start != addr;
	return n + (end < UVA_END && pool[find(end)].start != end);
}

static bool room_for(uint64_t addr, uint64_t end)
{
	return nspans + cuts_needed(addr, end) <= MAX_SPANS;
}

/* Make addr the start of a span (room checked by the caller). */
static void cut(uint64_t addr)
{
	if (addr >= UVA_END)
		return;
	uint32_t n = find(addr);
	if (pool[n].start == addr)
		return;
	uint32_t tail = node_new(addr, pool[n].end, pool[n].holders);
	pool[n].end = addr;
	fix_up(n);
	insert(tail);
}

/* If span n is free and so is the one before it, make them one; returns the span holding
 * n's addresses now. */
static uint32_t merge_left(uint32_t n)
{
	if (pool[n].holders || pool[n].start == UVA_BASE)
		return n;
	uint32_t prev = find(pool[n].start - 1);
	if (pool[prev].holders)
		return n;
	pool[prev].end = pool[n].end;
	erase(n);
	fix_up(prev);
	return prev;
}

/* Merge the free spans from the one holding addr through the one starting at end with their
 * free neighbours. */
static void merge_free(uint64_t addr, uint64_t end)
{
	for (;;) {
		uint32_t n = merge_left(find(addr));
		if (pool[n].end > end || pool[n].end == UVA_END)
			return;
		addr = pool[n].end;
	}
}

/* Add delta (+1 or -1) to the holders of every span in [addr, end), cutting at both ends
 * (room checked by the caller). */
static void add_holders(uint64_t addr, uint64_t end, int delta)
{
	cut(addr);
	cut(end);
	for (uint64_t a = addr; a < end;) {
		uint32_t n = find(a);
		bool was_free = !pool[n].holders;
		pool[n].holders += (uint32_t)delta;
		if (was_free != !pool[n].holders)
			fix_up(n);
		a = pool[n].end;
	}
	if (delta < 0)
		merge_free(addr, end);
}

/* The largest holder count in [addr, end); all_held: whether no address in it is free. */
static uint32_t max_holders(uint64_t addr, uint64_t end, bool *all_held)
{
	uint32_t m = 0;
	*all_held = true;
	for (uint64_t a = addr; a < end;) {
		uint32_t n = find(a);
		m = pool[n].holders > m ? pool[n].holders : m;
		*all_held &= pool[n].holders > 0;
		a = pool[n].end;
	}
	return m;
}

/* Take [addr, end), all of it free, for one holder. */
static int take(uint64_t addr, uint64_t end)
{
	if (!room_for(addr, end))
		return -ENOMEM;
	add_holders(addr, end, 1);
	return 0;
}

/* The lowest free span at least len bytes long (0: none): the longest free span of each
 * subtree says which way to go. */
static uint32_t lowest_free(uint64_t len)
{
	uint32_t n = root;
	if (pool[n].maxfree < len)
		return 0;
	for (;;) {
		uva_steps++;
		if (!n)
			panic("lowest_free: no free span of %lx bytes: the tree is broken", len);
		struct span *s = &pool[n];
		if (pool[s->kid[0]].maxfree >= len)
			n = s->kid[0];
		else if (!s->holders && s->end - s->start >= len)
			return n;
		else
			n = s->kid[1];
	}
}

/* Where size bytes aligned to align fit in span n (false: they do not). */
static bool fits(uint32_t n, uint64_t size, uint64_t align, uint64_t *addr)
{
	uint64_t a = (pool[n].start + align - 1) & ~(align - 1);
	if (pool[n].holders || a < pool[n].start || a + size < a || a + size > pool[n].end)
		return false;
	*addr = a;
	return true;
}

/* A place for size bytes aligned to align. Every free span longer than size by align - PG
 * has one, and the lowest is found in one walk; for alignments above a page (no caller in
 * the kernel asks for one) a shorter span may have room too, so when no span is that long
 * every free span is tried in turn. */
static bool find_room(uint64_t size, uint64_t align, uint64_t *addr)
{
	uint64_t len = size + (align - PG);
	uint32_t n = len >= size ? lowest_free(len) : 0;
	if (n)
		return fits(n, size, align, addr);
	if (align == PG || pool[root].maxfree < size)
		return false;
	for (uint64_t a = UVA_BASE; a < UVA_END; a = pool[n].end)
		if (fits(n = find(a), size, align, addr))
			return true;
	return false;
}

int uva_alloc(uint64_t size, uint64_t align, uint64_t *addr)
{
	if (!size || (size & 0xfff) || align < 4096 || (align & (align - 1)))
		return -EINVAL;
	uint64_t a;
	if (!find_room(size, align, &a))
		return -ENOMEM;
	int err = take(a, a + size);
	if (!err)
		*addr = a;
	return err;
}

int uva_reserve(uint64_t addr, uint64_t size)
{
	bool all_held;
	if (!size || (addr & 0xfff) || (size & 0xfff) || addr + size < addr)
		return -EINVAL;
	if (!in_range(addr, size) || max_holders(addr, addr + size, &all_held))
		return -ENOMEM;
	return take(addr, addr + size);
}

int uva_share(uint64_t addr, uint64_t size)
{
	uint64_t end = addr + size;
	bool all_held;
	if (!in_range(addr, size))
		panic("uva_share: [%lx, %lx) is not a user address range", addr, end);
	max_holders(addr, end, &all_held);
	if (!all_held)
		panic("uva_share: [%lx, %lx) is not all held", addr, end);
	if (!room_for(addr, end))
		return -ENOMEM;
	add_holders(addr, end, 1);
	return 0;
}

int uva_take(uint64_t addr, uint64_t size)
{
	uint64_t end = addr + size;
	if (!in_range(addr, size))
		return -EINVAL;
	if (!room_for(addr, end))
		return -ENOMEM;
	add_holders(addr, end, 1);
	return 0;
}

int uva_split(uint64_t addr)
{
	if (addr <= UVA_BASE || addr >= UVA_END || (addr & 0xfff))
		return 0;
	uint32_t n = find(addr);
	if (pool[n].start == addr || !pool[n].holders)
		return 0;                   /* a boundary already, or free (nobody lets go of it) */
	if (nspans == MAX_SPANS)
		return -ENOMEM;
	cut(addr);
	return 0;
}

uint32_t uva_holders(uint64_t addr, uint64_t size)
{
	bool all_held;
	return in_range(addr, size) ? max_holders(addr, addr + size, &all_held) : 0;
}

void uva_free(uint64_t addr, uint64_t size)
{
	uint64_t end = addr + size;
	bool all_held;
	if (!in_range(addr, size))
		panic("uva_free: [%lx, %lx) is not a user address range", addr, end);
	max_holders(addr, end, &all_held);
	if (!all_held)
		panic("uva_free: [%lx, %lx) is not all held", addr, end);
	/* holders cut a range with uva_split before they let go of a part of it, so this needs
	 * no room; a cut missing and no room for it is a kernel bug */
	if (!room_for(addr, end))
		panic("uva_free: no boundary at [%lx, %lx) and no room to cut", addr, end);
	add_holders(addr, end, -1);
}
