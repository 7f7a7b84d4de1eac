/* Directory listings of plates, packed as Linux dirent64 records. A directory's children are
 * the plates whose parent it is and the further names (hard links, plate_name.c) it holds;
 * they are listed in path order after "." and "..". */
#include "kernel/fs/plate_int.h"
#include "abi/errno.h"
#include "abi/linux.h"
#include "kernel/fs/dirent.h"
#include "kernel/lib/string.h"

/* Entries of a listing: a plate's table index, or PLATE_MAX + a further name's index. */
#define NLIST (PLATE_MAX + PL_NAMES_MAX)

static const char *entry_path(uint16_t e)
{
	return e < PLATE_MAX ? plate_slots[e].path : pl_name_at(e - PLATE_MAX)->path;
}

static void insert_sorted(uint16_t *idx, uint32_t n, uint16_t e)
{
	uint32_t j = n;
	while (j > 0 && strcmp(entry_path(idx[j - 1]), entry_path(e)) > 0) {
		idx[j] = idx[j - 1];
		j--;
	}
	idx[j] = e;
}

/* The entries of dir sorted by path (insertion sort: directories are small and the boot
 * image arrives sorted already). */
static uint32_t collect_children(rid_t dir, uint16_t idx[NLIST])
{
	uint32_t n = 0;
	for (uint32_t i = 0; i < PLATE_MAX; i++) {
		if (!plate_slots[i].hdr.rid || plate_slots[i].parent != dir || plate_slots[i].hdr.rid == dir)
			continue;
		insert_sorted(idx, n++, (uint16_t)i);
	}
	for (uint32_t i = 0; pl_nnames && i < PL_NAMES_MAX; i++) {
		const struct pl_name *nm = pl_name_at(i);
		if (nm && nm->parent == dir)
			insert_sorted(idx, n++, (uint16_t)(PLATE_MAX + i));
	}
	return n;
}

/* The last listing made, reused while no path has changed since (pl_names_gen): a program
 * reads a directory in several getdents calls, and each would otherwise scan the table and
 * sort the children again. */
static struct {
	rid_t dir;
	uint32_t gen, n;
	uint16_t idx[NLIST];
} listing;

static uint32_t children(rid_t dir, const uint16_t **idx)
{
	if (listing.dir != dir || listing.gen != pl_names_gen) {
		listing.n = collect_children(dir, listing.idx);
		listing.dir = dir;
		listing.gen = pl_names_gen;
	}
	*idx = listing.idx;
	return listing.n;
}

/* The record at position pos of a listing: ".", "..", then the children. 0 past the end. */
static int dir_entry_at(const struct plate *d, const uint16_t *idx, uint32_t n, uint64_t pos,
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
	} else if (pos - 2 < n && idx[pos - 2] >= PLATE_MAX) {
		const struct pl_name *nm = pl_name_at(idx[pos - 2] - PLATE_MAX);
		*ent = plate_obj(nm->plate);
		*name = path_basename(nm->path);
		*len = strlen(*name);
	} else if (pos - 2 < n) {
		*ent = &plate_slots[idx[pos - 2]];
		*name = path_basename((*ent)->path);
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
	const uint16_t *idx;
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
	uint32_t n = children(dir, &idx);
	while (dir_entry_at(d, idx, n, *pos, &e, &name, &namelen)) {
		size_t len = dirent_pack((char *)buf + done, cap - done, (uint64_t)(e - plate_slots) + 1,
					 (int64_t)(*pos + 1), dirent_type(e), name, namelen);
		if (!len)
			return done ? (long)done : -EINVAL;
		done += len;
		(*pos)++;
	}
	return (long)done;
}
