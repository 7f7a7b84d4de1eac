/* Directory listings of plates, packed as Linux dirent64 records. A directory's children are
 * the plates whose parent it is and the further names (hard links, plate_name.c) it holds;
 * they are listed in path order after "." and "..". */
#include "kernel/fs/plate_int.h"
#include "abi/errno.h"
#include "abi/linux.h"
#include "kernel/fs/dirent.h"
#include "kernel/lib/string.h"

/* Entries of a listing: 1 + a plate's table slot, or NAME_BASE + a further name's index. */
#define NAME_BASE (PLATE_CAPACITY_MAX + 1u)
#define NLIST (plate_capacity + PL_NAMES_MAX)
#define LIST_PAGE 4096u

/* The entries of one directory share its path: their order by path is the order by name. */
static const char *entry_name(uint32_t e)
{
	return e < NAME_BASE ? pl_slot(e - 1)->name : pl_name_at(e - NAME_BASE)->name;
}

static bool before(uint32_t a, uint32_t b)
{
	return strcmp(entry_name(a), entry_name(b)) < 0;
}

/* Heap sort by path: a directory may hold tens of thousands of entries. */
static void sift_down(uint32_t *v, uint32_t i, uint32_t n)
{
	for (uint32_t c; (c = 2 * i + 1) < n; i = c) {
		if (c + 1 < n && before(v[c], v[c + 1]))
			c++;
		if (!before(v[i], v[c]))
			return;
		uint32_t t = v[i];
		v[i] = v[c];
		v[c] = t;
	}
}

static void sort_entries(uint32_t *v, uint32_t n)
{
	for (uint32_t i = n / 2; i-- > 0;)
		sift_down(v, i, n);
	for (uint32_t end = n; end > 1; end--) {
		uint32_t t = v[0];
		v[0] = v[end - 1];
		v[end - 1] = t;
		sift_down(v, 0, end - 1);
	}
}

/* The last listing made, reused while no path has changed since (pl_names_gen): a program
 * reads a directory in several getdents calls, and each would otherwise collect and sort the
 * children again. Its array lives in a window of addresses reserved at the first listing and
 * mapped as far as the largest directory listed needs; a listing read to its end gives back
 * all but its first page. */
static struct {
	rid_t dir;
	uint32_t gen, n;
	uint32_t *idx;
	size_t mapped;          /* bytes of idx mapped */
} listing;

/* Room for n entries: -ENOMEM when memory is short. */
static int listing_room(uint32_t n)
{
	size_t need = ((size_t)n * sizeof(uint32_t) + LIST_PAGE - 1) / LIST_PAGE * LIST_PAGE;
	if (!need)
		need = LIST_PAGE;
	if (!listing.idx && !(listing.idx = res_mem_reserve(NLIST * sizeof(uint32_t))))
		return -ENOMEM;
	if (need <= listing.mapped)
		return 0;
	if (res_mem_map((char *)listing.idx + listing.mapped, need - listing.mapped))
		return -ENOMEM;
	listing.mapped = need;
	return 0;
}

/* Keeps the first keep bytes of the listing's array (a multiple of LIST_PAGE). */
static void listing_shrink(size_t keep)
{
	if (listing.mapped > keep) {
		res_mem_unmap((char *)listing.idx + keep, listing.mapped - keep);
		listing.mapped = keep;
		listing.dir = 0;            /* made again if read on */
	}
}

void plate_dir_trim(void)
{
	listing_shrink(0);
}

/* The entries of dir sorted by path. */
static int collect_children(rid_t dir, uint32_t *n)
{
	const struct plate *d = plate_obj(dir);
	uint32_t count = d->nchild + pl_nnames;
	int err = listing_room(count);
	if (err)
		return err;
	*n = 0;
	for (const struct plate *c = pl_first_child(d); c; c = pl_next_child(c))
		listing.idx[(*n)++] = pl_ref(c);
	for (uint32_t i = 0; pl_nnames && i < pl_name_end(); i++) {
		const struct pl_name *nm = pl_name_at(i);
		if (nm && nm->parent == dir)
			listing.idx[(*n)++] = NAME_BASE + i;
	}
	sort_entries(listing.idx, *n);
	return 0;
}

static int children(rid_t dir, const uint32_t **idx, uint32_t *n)
{
	if (listing.dir != dir || listing.gen != pl_names_gen) {
		listing.dir = 0;
		int err = collect_children(dir, &listing.n);
		if (err)
			return err;
		listing.dir = dir;
		listing.gen = pl_names_gen;
	}
	*idx = listing.idx;
	*n = listing.n;
	return 0;
}

/* The record at position pos of a listing: ".", "..", then the children. 0 past the end. */
static int dir_entry_at(const struct plate *d, const uint32_t *idx, uint32_t n, uint64_t pos,
			const struct plate **ent, const char **name, size_t *len)
{
	if (pos == 0) {
		*ent = d;
		*name = ".";
		*len = 1;
	} else if (pos == 1) {
		*ent = d->parent ? plate_obj(d->parent) : d;
		*name = "..";
		*len = 2;
	} else if (pos - 2 < n && idx[pos - 2] >= NAME_BASE) {
		const struct pl_name *nm = pl_name_at(idx[pos - 2] - NAME_BASE);
		*ent = plate_obj(nm->plate);
		*name = nm->name;
		*len = strlen(*name);
	} else if (pos - 2 < n) {
		*ent = pl_slot(idx[pos - 2] - 1);
		*name = (*ent)->name;
		*len = (*ent)->name_len;
	} else {
		return 0;
	}
	return 1;
}

static uint8_t dirent_type(const struct plate *p)
{
	switch (p->mode & L_S_IFMT) {
	case L_S_IFDIR:
		return L_DT_DIR;
	case L_S_IFCHR:
		return L_DT_CHR;
	case L_S_IFBLK:
		return L_DT_BLK;
	case L_S_IFLNK:
		return L_DT_LNK;
	case L_S_IFIFO:
		return L_DT_FIFO;
	default:
		return L_DT_REG;
	}
}

long plate_dir_read(rid_t dir, uint64_t *pos, void *buf, size_t cap)
{
	const uint32_t *idx;
	const struct plate *d = plate_obj(dir), *e;
	const char *name;
	size_t done = 0, namelen;
	if (!d)
		return -ESTALE;
	if (!pl_is_dir(d))
		return -ENOTDIR;
	if (d->flags & PF_DISK)
		return pl_disk_dir_read((struct plate *)d, pos, buf, cap);
	if (d->flags & PF_PROC)
		return procfs_dir_read(&d->pnode, pos, buf, cap);
	uint32_t n;
	int err = children(dir, &idx, &n);
	if (err)
		return err;
	while (dir_entry_at(d, idx, n, *pos, &e, &name, &namelen)) {
		size_t len = dirent_pack((char *)buf + done, cap - done, (uint64_t)pl_ref(e),
					 (int64_t)(*pos + 1), dirent_type(e), name, namelen);
		if (!len)
			return done ? (long)done : -EINVAL;
		done += len;
		(*pos)++;
	}
	if (!done)
		listing_shrink(LIST_PAGE);  /* read to its end */
	return (long)done;
}
