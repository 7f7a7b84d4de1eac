/* The further names of plates in memory: hard links (link(2)). In Tender's terms a plate is
 * the file and a name refers to it: every plate holds its first name itself (plate->name, by
 * which the table finds it and lists it; most files never have another), and each further
 * name is an entry here that refers to its plate by rid and to its directory by rid. When the
 * plate's own name goes while others are left, one of them becomes its own (plate_ops.c), so
 * a plate has a name in itself as long as it has any. Directories have no further names.
 *
 * The entries lie in a window of addresses reserved once for PL_NAMES_MAX of them; pages are
 * mapped as the highest entry in use grows and given back as it falls, and a hash of paths
 * (kernel/lib/idhash.h, chained through the entries) finds a name in constant time, so the
 * number of names is bounded by memory, not by a small table. */
#include "kernel/fs/plate_int.h"
#include "abi/errno.h"
#include "kernel/lib/idhash.h"
#include "kernel/lib/kprintf.h"
#include "kernel/lib/string.h"
#include "kernel/res/res.h"

#define NAMES_PAGE 4096u

static struct pl_name *names;     /* the window; entries [0, high) may be in use */
static size_t mapped;             /* bytes of the window mapped */
static uint32_t high;             /* 1 + the highest entry in use, 0 when none */
static uint32_t free_hint;        /* no free entry below it */
static struct idhash index;
uint32_t pl_nnames;

static uint32_t *name_link(void *ctx, uint32_t id)
{
	(void)ctx;
	return &names[id].next;
}

static uint32_t name_hash(void *ctx, uint32_t id)
{
	(void)ctx;
	return names[id].hash;
}

void pl_name_init(void)
{
	names = res_mem_reserve((size_t)PL_NAMES_MAX * sizeof(struct pl_name));
	if (!names || idhash_init(&index, 1024, pl_pow2_floor(PL_NAMES_MAX / 2), name_link,
				  name_hash, NULL))
		panic("%s: no memory for the names of hard links", __func__);
}

void pl_name_trim(void)
{
	idhash_trim(&index);
}

/* Whether entry e is at canonical path path: its name ends it, its directory's path precedes. */
static bool is_at(const struct pl_name *e, const char *path)
{
	size_t len = strlen(path), n = strlen(e->name);
	if (len < n + 1 || path[len - n - 1] != '/' || memcmp(path + len - n, e->name, n))
		return false;
	return pl_is_prefix(plate_obj(e->parent), path, len - n - 1);
}

static int find(const char *path)
{
	if (!pl_nnames)
		return -1;
	uint32_t h = idhash_str(path);
	for (uint32_t e = idhash_first(&index, h); e; e = idhash_next(&index, e - 1))
		if (names[e - 1].hash == h && is_at(&names[e - 1], path))
			return (int)(e - 1);
	return -1;
}

/* Entry i becomes name of directory parent, hashed by path (whose hash is h). */
static void set_entry(uint32_t i, const char *name, rid_t parent, uint32_t h)
{
	strlcpy(names[i].name, name, sizeof(names[i].name));
	names[i].parent = parent;
	names[i].hash = h;
	idhash_add(&index, i, h);
}

static size_t bytes_for(uint32_t entries)
{
	size_t b = (size_t)entries * sizeof(struct pl_name);
	return (b + NAMES_PAGE - 1) / NAMES_PAGE * NAMES_PAGE;
}

/* A free entry: the lowest one below high, or one more at the top (its pages mapped). */
static int take_entry(uint32_t *out)
{
	uint32_t i = free_hint;
	while (i < high && names[i].plate)
		i++;
	if (i == PL_NAMES_MAX)
		return -ENOSPC;
	if (bytes_for(i + 1) > mapped) {
		size_t want = bytes_for(i + 1);
		if (res_mem_map((char *)names + mapped, want - mapped))
			return -ENOSPC;
		mapped = want;
	}
	*out = i;
	return 0;
}

/* high falls to the highest entry in use; pages wholly above it go back. */
static void lower_high(void)
{
	while (high && !names[high - 1].plate)
		high--;
	size_t need = bytes_for(high);
	if (need < mapped) {
		res_mem_unmap((char *)names + need, mapped - need);
		mapped = need;
	}
}

int pl_name_find(const char *path, rid_t *plate)
{
	int i = find(path);
	if (i < 0)
		return -ENOENT;
	*plate = names[i].plate;
	return 0;
}

const struct pl_name *pl_name_at(uint32_t i)
{
	return i < high && names[i].plate ? &names[i] : NULL;
}

uint32_t pl_name_end(void)
{
	return high;
}

int pl_name_add(const char *path, rid_t plate, rid_t parent)
{
	uint32_t i;
	if (strnlen(path_basename(path), NAME_BUF) > NAME_MAX_LEN)
		return -ENAMETOOLONG;
	int err = take_entry(&i);
	if (err)
		return err;
	names[i].plate = plate;
	set_entry(i, path_basename(path), parent, idhash_str(path));
	if (i >= high)
		high = i + 1;
	free_hint = i + 1;
	pl_nnames++;
	pl_names_gen++;
	return 0;
}

static void drop(int i)
{
	if (!idhash_del(&index, (uint32_t)i, names[i].hash))
		panic("%s: name %s missing from its bucket", __func__, names[i].name);
	names[i] = (struct pl_name){ 0 };
	if ((uint32_t)i < free_hint)
		free_hint = (uint32_t)i;
	pl_nnames--;
	pl_names_gen++;
	lower_high();
}

int pl_name_remove(const char *path)
{
	int i = find(path);
	if (i < 0)
		return -ENOENT;
	drop(i);
	return 0;
}

int pl_name_move(const char *from, const char *to, rid_t parent)
{
	int i = find(from);
	if (i < 0)
		return -ENOENT;
	idhash_del(&index, (uint32_t)i, names[i].hash);
	set_entry((uint32_t)i, path_basename(to), parent, idhash_str(to));
	pl_names_gen++;
	return 0;
}

uint32_t pl_name_count(rid_t plate)
{
	uint32_t n = 0;
	for (int i = 0; pl_nnames && i < (int)high; i++)
		n += names[i].plate == plate;
	return n;
}

bool pl_name_in_dir(rid_t dir)
{
	for (int i = 0; pl_nnames && i < (int)high; i++)
		if (names[i].plate && names[i].parent == dir)
			return true;
	return false;
}

int pl_name_take(rid_t plate, char name[NAME_BUF], rid_t *parent)
{
	for (int i = 0; pl_nnames && i < (int)high; i++) {
		if (names[i].plate != plate)
			continue;
		strlcpy(name, names[i].name, NAME_BUF);
		*parent = names[i].parent;
		drop(i);
		return 0;
	}
	return -ENOENT;
}

void pl_name_forget(rid_t plate)
{
	for (int i = 0; pl_nnames && i < (int)high; i++)
		if (names[i].plate == plate)
			drop(i);
}

/* Whether directory top is dir or above it. */
static bool is_within(const struct plate *top, rid_t dir)
{
	for (const struct plate *d = plate_obj(dir); d; d = plate_obj(d->parent))
		if (d == top)
			return true;
	return false;
}

void pl_name_rehash_below(const struct plate *top)
{
	for (uint32_t i = 0; pl_nnames && i < high; i++) {
		if (!names[i].plate || !is_within(top, names[i].parent))
			continue;
		idhash_del(&index, i, names[i].hash);
		names[i].hash = pl_child_hash(plate_obj(names[i].parent), names[i].name,
					      strlen(names[i].name));
		idhash_add(&index, i, names[i].hash);
	}
}

bool pl_name_fits_below(const struct plate *top, size_t grow)
{
	for (uint32_t i = 0; grow && pl_nnames && i < high; i++)
		if (names[i].plate && is_within(top, names[i].parent) &&
		    pl_path_len(plate_obj(names[i].parent)) + 1 + strlen(names[i].name) + grow >
			    CANON_MAX_LEN)
			return false;
	return true;
}
