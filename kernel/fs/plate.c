/* The plate table: registration, lookup by path, creation of directories, device nodes and
 * run-time files, attributes, and the resource-layer operations (see plate.h). Boot-image
 * loading, content and directory listings are in plate_image.c, plate_content.c and
 * plate_dir.c. */
#include "kernel/fs/plate_int.h"
#include "abi/errno.h"
#include "abi/linux.h"
#include "kernel/lib/kprintf.h"
#include "kernel/mm/pmm.h"
#include "kernel/lib/string.h"
#include "kernel/fs/pathbuf.h"

static const struct res_ops plate_ops;
/* A growing table (res.h): chunks of 64 plates are mapped as plates are made, so the table
 * holds as many as memory allows up to plate_capacity. */
static struct res_table plate_table = {
	.stride = sizeof(struct plate), .chunk_min = 16, .ops = &plate_ops,
};
uint32_t plate_capacity;

uint32_t pl_pow2_floor(uint32_t n)
{
	uint32_t p = 1;
	while (p <= n / 2)
		p *= 2;
	return p;
}
struct plate *plate_obj(rid_t rid)
{
	return res_obj(rid, RT_PLATE);
}

struct plate *pl_slot(uint32_t i)
{
	return res_slot(RT_PLATE, i);
}

uint32_t pl_ref(const struct plate *p)
{
	return RID_INDEX(p->hdr.rid) + 1;
}

int pl_is_dir(const struct plate *p)
{
	return (p->mode & L_S_IFMT) == L_S_IFDIR;
}

int pl_check_regular(const struct plate *p)
{
	if (!p)
		return -ESTALE;
	if (pl_is_dir(p))
		return -EISDIR;
	return (p->mode & L_S_IFMT) == L_S_IFREG ? 0 : -EINVAL;
}

/* A plate found in the table is used now (disk plates: eviction order; /proc plates: their
 * process's owner, or gone with what they show). */
static int found(rid_t rid)
{
	struct plate *p = pl_slot(RID_INDEX(rid));
	if (p->flags & PF_DISK)
		pl_disk_touch(p);
	if (p->flags & PF_PROC)
		return pl_proc_touch(p);
	return 0;
}

/* A path without a plate may still name a file of a mounted file system (plate_disk.c). */
int plate_lookup_path(const char *abs_path, rid_t *out)
{
	if (pl_hash_find(abs_path, out)) {
		int err = pl_proc_lookup(abs_path, out);
		return err == -ENOENT && strncmp(abs_path, "/proc/", 6) ? pl_disk_lookup(abs_path, out)
								       : err;
	}
	return found(*out);
}

int plate_lookup_in(rid_t dir, const char *canon, size_t name_at, rid_t *out)
{
	struct plate *d = plate_obj(dir);
	const char *name = canon + name_at;
	if (!d || pl_hash_find_child(d, name, strlen(name), out))
		return plate_lookup_path(canon, out);
	return found(*out);
}

int pl_make(const char *path, uint32_t mode, uint32_t tmode, const struct cred *owner,
	    rid_t parent, struct plate **out)
{
	rid_t rid;
	if (path[0] != '/')
		return -EINVAL;
	if (strnlen(path_basename(path), NAME_BUF) > NAME_MAX_LEN)
		return -ENAMETOOLONG;
	int err = res_alloc(RT_PLATE, path, owner, tmode, &rid);
	/* /proc's plates of processes and unused plates of disks are made again when needed:
	 * they make room for others when the table or memory runs out */
	while ((err == -ENFILE || err == -ENOMEM) &&
	       (pl_proc_evict(parent) || pl_disk_evict(parent)))
		err = res_alloc(RT_PLATE, path, owner, tmode, &rid);
	if (err)        /* as tmpfs: no room for another inode */
		return err == -ENOMEM || err == -ENFILE ? -ENOSPC : err;
	struct plate *p = plate_obj(rid);
	p->mode = mode;
	pl_place(p, parent, path_basename(path));
	pl_new_version(p);
	*out = p;
	return 0;
}

/* The directory at one prefix of a path, created if missing (flagged as from the image). */
static int ensure_one_dir(const char *prefix, const struct cred *owner, rid_t parent,
			  struct plate **out)
{
	rid_t rid;
	if (plate_lookup_path(prefix, &rid) == 0) {
		*out = plate_obj(rid);
		return pl_is_dir(*out) ? 0 : -ENOTDIR;
	}
	int err = pl_make(prefix, L_S_IFDIR | 0755, TMODE_DEFAULT, owner, parent, out);
	if (!err)
		(*out)->flags = PF_IMAGE;
	return err;
}

/* The directory at a canonical path, created with its missing parents; iterative because
 * paths may have a hundred components. */
int pl_ensure_dir(const char *path, const struct cred *owner, struct plate **out)
{
	size_t n = strnlen(path, PATH_BUF);
	if (n > CANON_MAX_LEN || path[0] != '/')
		return -EINVAL;
	char *prefix = pathbuf_get();
	if (!prefix)
		return -ENOMEM;
	int err = ensure_one_dir("/", owner, 0, out);
	for (size_t i = 1; !err && i <= n; i++) {
		if (path[i] != '/' && path[i] != '\0')
			continue;
		memcpy(prefix, path, i);
		prefix[i] = '\0';
		err = ensure_one_dir(prefix, owner, (*out)->hdr.rid, out);
	}
	pathbuf_put(prefix);
	return err;
}

static void make_devices(const struct cred *root)
{
	static const struct {
		const char *path;
		uint32_t major, minor;
		uint32_t perm;
	} devs[] = {
#define DEVICE(path, major, minor, perm) { path, major, minor, perm },
#include "kernel/fs/devices.def"
#undef DEVICE
	};
	struct plate *dir, *p;
	if (pl_ensure_dir("/dev", root, &dir))
		panic("%s: cannot create /dev", __func__);
	/* mode 0755 as Linux's devtmpfs: root may make nodes and directories there (mdev);
	 * the nodes below stay (read-only, pinned) */
	dir->flags = PF_PINNED;
	dir->mode = L_S_IFDIR | 0755;
	for (size_t i = 0; i < sizeof(devs) / sizeof(devs[0]); i++) {
		uint32_t perm = devs[i].perm;
		uint32_t kind = perm & L_S_IFMT ? perm & L_S_IFMT : L_S_IFCHR;
		/* a node nobody else may read or write (a disk) is its owner's (root's) alone */
		uint32_t mode = perm & 0066 ? TMODE(TOP_ALL, TOP_ALL, TOP_ALL)
					    : TMODE(TOP_ALL, TOP_REFER, TOP_REFER);
		if (pl_make(devs[i].path, kind | (perm & 07777), mode, root, dir->hdr.rid, &p))
			panic("%s: cannot create %s", __func__, devs[i].path);
		p->flags = PF_IMAGE | PF_PINNED;
		p->rdev = linux_makedev(devs[i].major, devs[i].minor);
	}
}

void plate_init(void)
{
	static const struct cred root = { .uid = 0, .gid = 0 };
	struct plate *p;
	uint64_t pages = pmm_total_pages();
	plate_capacity = pages < PLATE_CAPACITY_MIN   ? PLATE_CAPACITY_MIN
			 : pages > PLATE_CAPACITY_MAX ? PLATE_CAPACITY_MAX
						      : (uint32_t)pages;
	plate_table.capacity = plate_capacity;
	res_register(RT_PLATE, &plate_table);
	pl_index_init();
	pl_disk_init();
	pl_name_init();
	if (pl_ensure_dir("/", &root, &p))
		panic("%s: cannot create /", __func__);
	p->flags |= PF_PINNED;
	if (pl_ensure_dir("/tmp", &root, &p))
		panic("%s: cannot create /tmp", __func__);
	/* like mode 1777: everybody may create entries in /tmp */
	p->flags = PF_PINNED;
	p->mode = L_S_IFDIR | 01777;
	p->hdr.mode = TMODE(TOP_ALL, TOP_ALL & ~TOP_DELETE, TOP_ALL & ~TOP_DELETE);
	make_devices(&root);
	/* mount points (mount.h): the first disk at /disk (init), another at /mnt */
	if (pl_ensure_dir("/disk", &root, &p) || pl_ensure_dir("/mnt", &root, &p))
		panic("%s: cannot create the mount points", __func__);
}

static int create_in(rid_t dir, const char *abs_path, uint32_t mode, const struct cred *owner,
		     rid_t *out)
{
	struct plate *p;
	if (!pl_is_dir(plate_obj(dir)))
		return -ENOTDIR;
	if (plate_obj(dir)->flags & PF_DISK)
		return pl_disk_writable(plate_obj(dir))
			       ? pl_disk_create(plate_obj(dir), abs_path, L_S_IFREG | (mode & 07777), 0,
						NULL, owner, out)
			       : -EROFS;
	if (PL_READ_ONLY(plate_obj(dir)))
		return -EROFS;
	int err = pl_make(abs_path, L_S_IFREG | (mode & 07777), TMODE_DEFAULT, owner, dir, &p);
	if (err)
		return err;
	p->mtime = plate_obj(dir)->mtime = pl_now();
	*out = p->hdr.rid;
	return 0;
}

int plate_create(const char *abs_path, uint32_t mode, const struct cred *owner, rid_t *out)
{
	rid_t dir, rid;
	if (strcmp(abs_path, "/") == 0 || plate_lookup_path(abs_path, &rid) == 0)
		return -EEXIST;
	char *parent_path = pathbuf_get();
	if (!parent_path)
		return -ENOMEM;
	path_parent(abs_path, parent_path);
	int err = plate_lookup_path(parent_path, &dir) ? -ENOENT : 0;
	pathbuf_put(parent_path);
	return err ? err : create_in(dir, abs_path, mode, owner, out);
}

/* ---- attributes --------------------------------------------------------------------------- */

bool plate_is_dir(rid_t rid)
{
	struct plate *p = plate_obj(rid);
	return p && pl_is_dir(p);
}

uint64_t plate_size(rid_t rid)
{
	struct plate *p = plate_obj(rid);
	return p && !pl_check_regular(p) ? p->size : 0;
}

uint32_t plate_rdev(rid_t rid)
{
	struct plate *p = plate_obj(rid);
	return p ? p->rdev : 0;
}

int plate_is_writable(rid_t rid)
{
	struct plate *p = plate_obj(rid);
	if (p && (p->flags & PF_DISK))
		return pl_disk_writable(p);
	return p && !PL_READ_ONLY(p);
}

uint32_t plate_mode(rid_t rid)
{
	struct plate *p = plate_obj(rid);
	return p ? p->mode : 0;
}

/* Linux's generic_permission: the owner's, a group member's (its group or a supplementary
 * one) or everybody else's bits decide; root reads and writes anything and searches any
 * directory, but runs only a file with some execute bit. */
int plate_permission(rid_t rid, uint32_t mask, const struct cred *cred)
{
	struct plate *p = plate_obj(rid);
	if (!p)
		return -ESTALE;
	mask &= PLATE_MAY_RWX;
	if (!cred || cred->uid == 0)
		return (mask & PLATE_MAY_EXEC) && !pl_is_dir(p) && !(p->mode & 0111) ? -EACCES : 0;
	uint32_t bits = p->mode;
	if (cred->uid == p->hdr.owner)
		bits >>= 6;
	else if (cred_in_group(cred, p->hdr.group))
		bits >>= 3;
	return (bits & mask) == mask ? 0 : -EACCES;
}

uint32_t plate_mtime(rid_t rid)
{
	struct plate *p = plate_obj(rid);
	return p ? p->mtime : 0;
}

uint64_t plate_ino(rid_t rid)
{
	return plate_obj(rid) ? (uint64_t)RID_INDEX(rid) + 1 : 0;
}

/* The device number of the file system a plate in memory belongs to (fsinfo.h): /proc, /dev
 * and /tmp are file systems of their own, as Linux mounts them, and the boot image is the
 * root; programs such as df find a path's mount by comparing these. */
uint64_t pl_ram_dev(const struct plate *p)
{
	static const struct {
		const char *dir;
		uint64_t dev;
	} fs[] = { { "proc", PLATE_DEV_PROC }, { "dev", PLATE_DEV_DEVTMPFS },
		   { "tmp", PLATE_DEV_TMPFS } };
	if (p->flags & PF_UNLINKED)
		return PLATE_DEV_TMPFS;
	const struct plate *top = p, *up;
	while (top->parent && (up = plate_obj(top->parent)) && up->parent)
		top = up;                            /* the entry of "/" that p is in or is */
	for (size_t i = 0; top->parent && i < sizeof(fs) / sizeof(fs[0]); i++)
		if (!strcmp(top->name, fs[i].dir))
			return fs[i].dev;
	return PLATE_DEV_ROOT;
}

/* Every attribute from one lookup of the table entry: stat is the call a listing makes per
 * file, and each accessor above would look the plate up again. */
int plate_stat(rid_t rid, struct linux_stat *st)
{
	struct plate *p = plate_obj(rid);
	if (p && (p->flags & PF_DISK)) {
		int err = pl_disk_fresh(p);
		if (!err && (p = plate_obj(rid)))
			pl_disk_stat(p, st);
		return err ? err : p ? 0 : -ESTALE;
	}
	if (!p)
		return -ESTALE;
	bool link = (p->mode & L_S_IFMT) == L_S_IFLNK;
	uint64_t size = pl_check_regular(p) && !link ? 0 : p->size;
	memset(st, 0, sizeof(*st));
	st->st_dev = pl_ram_dev(p);
	st->st_ino = (uint64_t)RID_INDEX(rid) + 1;
	st->st_nlink = pl_is_dir(p) ? 2 : p->flags & PF_UNLINKED ? 0 : 1 + pl_name_count(rid);
	st->st_mode = p->mode;
	st->st_uid = p->hdr.owner;
	st->st_gid = p->hdr.group;
	st->st_rdev = p->rdev;
	st->st_size = (int64_t)size;
	st->st_blksize = 4096;
	st->st_blocks = (int64_t)((size + 4095) / 4096 * 8);
	st->st_atim.tv_sec = st->st_mtim.tv_sec = st->st_ctim.tv_sec = p->mtime;
	return 0;
}

rid_t plate_parent(rid_t rid)
{
	struct plate *p = plate_obj(rid);
	return p ? p->parent : 0;
}

long plate_path(rid_t rid, char *buf, size_t cap)
{
	struct plate *p = plate_obj(rid);
	return p ? pl_path_of(p, buf, cap) : -ESTALE;
}

void plate_open_ref(rid_t rid)
{
	struct plate *p = plate_obj(rid);
	assert(p);
	p->opens++;
}

void plate_close_ref(rid_t rid)
{
	struct plate *p = plate_obj(rid);
	assert(p && p->opens > 0);
	if (--p->opens == 0 && (p->flags & PF_SRVREF)) {
		p->flags &= ~PF_SRVREF;
		pl_disk_close(p);
		if (!(p = plate_obj(rid)))
			return;
	}
	pl_release_unlinked(p);
}

/* ---- the resource-layer operations -------------------------------------------------------- */

static void plate_describe(rid_t rid, struct t_res_info *info)
{
	struct plate *p = plate_obj(rid);
	info->v[0] = pl_check_regular(p) ? 0 : p->size;
	info->v[1] = (uint64_t)pl_is_dir(p);
	info->v[2] = p->flags & PF_DISK ? p->ino : 0;       /* the inode of a disk plate */
	res_add_ref(info, "parent", p->parent);
}

static int has_children(rid_t dir)
{
	return pl_has_children(plate_obj(dir)) || pl_name_in_dir(dir);
}

static int plate_destroy(rid_t rid)
{
	struct plate *p = plate_obj(rid);
	if (PL_READ_ONLY(p))
		return -EROFS;
	if (p->opens || (p->flags & PF_PINNED))
		return -EBUSY;
	if (pl_is_dir(p) && has_children(rid))
		return -ENOTEMPTY;
	/* a disk plate's deletion removes the file's name on the disk, as unlink would */
	int err = p->flags & PF_DISK ? pl_disk_destroy(p) : 0;
	if (err || !(p = plate_obj(rid)))
		return err;
	pagelist_free_from(&p->pages, 0);
	pl_name_forget(rid);                        /* the file goes with all its names */
	pl_free(p);
	return 0;
}

static const struct res_ops plate_ops = {
	.describe = plate_describe,
	.destroy = plate_destroy,
};

/* One plate more needs its share of a chunk (the chunk's pages / its plates). */
void plate_files(uint64_t *files, uint64_t *ffree)
{
	uint64_t live = res_count(RT_PLATE);
	uint64_t room = pmm_free_pages() * 4096 / sizeof(struct plate);
	if (room > plate_capacity - live)
		room = plate_capacity - live;
	*files = live + room;
	*ffree = room;
}

