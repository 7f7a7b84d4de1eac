/* Directory listings of plates, packed as Linux dirent64 records. A directory's children are
 * the plates whose parent it is; they are listed in path order after "." and "..". */
#include "kernel/fs/plate_int.h"
#include "abi/errno.h"
#include "abi/linux.h"
#include "kernel/fs/dirent.h"
#include "kernel/lib/string.h"

/* Table indices of the children of dir, sorted by path (insertion sort: directories are
 * small and the boot image arrives sorted already). */
static uint32_t collect_children(rid_t dir, uint16_t idx[PLATE_MAX])
{
	uint32_t n = 0;
	for (uint32_t i = 0; i < PLATE_MAX; i++) {
		if (!plate_slots[i].hdr.rid || plate_slots[i].parent != dir || plate_slots[i].hdr.rid == dir)
			continue;
		uint32_t j = n++;
		while (j > 0 && strcmp(plate_slots[idx[j - 1]].path, plate_slots[i].path) > 0) {
			idx[j] = idx[j - 1];
			j--;
		}
		idx[j] = (uint16_t)i;
	}
	return n;
}

/* The last listing made, reused while no path has changed since (pl_names_gen): a program
 * reads a directory in several getdents calls, and each would otherwise scan the table and
 * sort the children again. */
static struct {
	rid_t dir;
	uint32_t gen, n;
	uint16_t idx[PLATE_MAX];
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
	} else if (pos - 2 < n) {
		*ent = &plate_slots[idx[pos - 2]];
		*name = (*ent)->path + (*ent)->name_off;
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
