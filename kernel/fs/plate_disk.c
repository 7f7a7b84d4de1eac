/*
 * Disk plates: the files and directories of mounted file systems (mount.h) as plates, named by
 * canonical path like every plate, so that the file layer, the res listing and the resource
 * operations see them as they see image and RAM plates (docs/design.md, "Disk plates"). A disk
 * plate holds no content: it names an inode of a file-system server (its mount and inode
 * number), and its content and directory operations are forwarded to the server
 * (plate_disk_ops.c). Plates are made when a path is looked up and freed again, least recently
 * used first, when there are more than DISK_PLATES_CAP of them or memory runs short
 * (pl_disk_evict): only plates that are not open and have no plates below them go, so the
 * table holds the working set, not the disk. The plates of one inode (hard links) are found
 * through a hash of (mount, inode), so a lookup costs the same however many plates there are.
 */
#include "kernel/fs/plate_int.h"
#include "kernel/fs/pathbuf.h"
#include "abi/errno.h"
#include "abi/linux.h"
#include "kernel/fs/fsclient.h"
#include "kernel/fs/mount.h"
#include "kernel/lib/idhash.h"
#include "kernel/lib/kprintf.h"
#include "kernel/lib/string.h"

#define EVICT_BATCH 64
/* Disk plates kept at most (about 10 MiB of table): the working set of a large tree, and
 * room for everything else; memory pressure evicts earlier (pl_make). */
#define DISK_PLATES_CAP 16384u

static uint64_t use_tick;

/* ---- indexes: (mount, inode) -> plates, and the order of use ------------------------------ */

static struct idhash ino_index;
static uint32_t lru_head, lru_tail;   /* least and most recently used (slot + 1) */
static uint32_t lru_count;

static uint32_t ino_hash(uint32_t mnt, uint32_t ino)
{
	return idhash_mix(idhash_mix(2166136261u, mnt), ino);
}

static uint32_t *ino_link(void *ctx, uint32_t id)
{
	(void)ctx;
	return &pl_slot(id)->ihnext;
}

static uint32_t ino_hash_of(void *ctx, uint32_t id)
{
	(void)ctx;
	return ino_hash(pl_slot(id)->mnt, pl_slot(id)->ino);
}

void pl_disk_init(void)
{
	if (idhash_init(&ino_index, 1024, pl_pow2_floor(plate_capacity / 2), ino_link, ino_hash_of, NULL))
		panic("%s: no memory for the inode index", __func__);
}

void pl_disk_trim(void)
{
	idhash_trim(&ino_index);
}

/* p names inode ino of mount mnt from now on. */
static void set_ino(struct plate *p, uint32_t mnt, uint32_t ino)
{
	if (p->ihashed && (p->mnt != mnt || p->ino != ino)) {
		idhash_del(&ino_index, pl_ref(p) - 1, ino_hash(p->mnt, p->ino));
		p->ihashed = false;
	}
	p->mnt = mnt;
	p->ino = ino;
	if (!p->ihashed && ino && (p->flags & PF_DISK)) {
		idhash_add(&ino_index, pl_ref(p) - 1, ino_hash(mnt, ino));
		p->ihashed = true;
	}
}

/* The first plate after ref (0: from the start) in the chain of (mnt, ino) that names it. */
static struct plate *next_of_inode(uint32_t mnt, uint32_t ino, uint32_t ref)
{
	uint32_t e = ref ? idhash_next(&ino_index, ref - 1) : idhash_first(&ino_index, ino_hash(mnt, ino));
	for (; e; e = idhash_next(&ino_index, e - 1)) {
		struct plate *o = pl_slot(e - 1);
		if (o->mnt == mnt && o->ino == ino && (o->flags & PF_DISK))
			return o;
	}
	return NULL;
}

static void lru_del(struct plate *p)
{
	if (!p->in_lru)
		return;
	if (p->lru_prev)
		pl_slot(p->lru_prev - 1)->lru_next = p->lru_next;
	else
		lru_head = p->lru_next;
	if (p->lru_next)
		pl_slot(p->lru_next - 1)->lru_prev = p->lru_prev;
	else
		lru_tail = p->lru_prev;
	p->lru_prev = p->lru_next = 0;
	p->in_lru = false;
	lru_count--;
}

static void lru_add(struct plate *p)
{
	if (p->flags & PF_PINNED)
		return;                       /* a mount's root stays as long as the mount */
	p->lru_prev = lru_tail;
	p->lru_next = 0;
	if (lru_tail)
		pl_slot(lru_tail - 1)->lru_next = pl_ref(p);
	else
		lru_head = pl_ref(p);
	lru_tail = pl_ref(p);
	p->in_lru = true;
	lru_count++;
}

void pl_disk_unindex(struct plate *p)
{
	lru_del(p);
	if (p->ihashed) {
		idhash_del(&ino_index, pl_ref(p) - 1, ino_hash(p->mnt, p->ino));
		p->ihashed = false;
	}
}

/* Unix permission bits of one class (rwx) as resource operations. */
static uint32_t class_ops(uint32_t rwx, bool dir)
{
	uint32_t ops = TOP_REFER;
	if ((rwx & 4) || (dir && (rwx & 1)))
		ops |= TOP_USE;
	if (rwx & 2)
		ops |= TOP_MODIFY | TOP_DELETE | TOP_MOVE;
	return ops;
}

uint32_t pl_tmode_of(uint32_t mode)
{
	bool dir = (mode & L_S_IFMT) == L_S_IFDIR;
	return TMODE(class_ops((mode >> 6) & 7, dir), class_ops((mode >> 3) & 7, dir),
		     class_ops(mode & 7, dir));
}

static void apply_one(struct plate *p, const struct t_fs_attr *a)
{
	p->flags &= ~PF_STALE;
	bool changed = p->attr.mtime != a->mtime || p->attr.ctime != a->ctime ||
		       p->attr.size != a->size;
	struct cred owner = { .uid = a->uid, .gid = a->gid };
	p->attr = *a;
	set_ino(p, p->mnt, a->ino);
	p->mode = a->mode;
	p->size = a->size;
	p->mtime = a->mtime;
	p->rdev = a->rdev;
	res_reset_owner(p->hdr.rid, &owner, pl_tmode_of(a->mode));
	if (changed)
		pl_new_version(p);     /* changed behind this plate's back (another link) */
}

void pl_disk_apply(struct plate *p, const struct t_fs_attr *a)
{
	if (!a->ino)
		return;
	for (struct plate *o = next_of_inode(p->mnt, a->ino, 0); o;
	     o = next_of_inode(p->mnt, a->ino, pl_ref(o)))
		if (o != p)
			apply_one(o, a);
	apply_one(p, a);
}

int pl_disk_refresh(struct plate *p)
{
	struct t_fs_attr a;
	rid_t rid = p->hdr.rid;
	const struct mount *m = mnt_get(p->mnt);
	if (!m)
		return -ESTALE;
	int err = fsc_simple(TFN_FS_GETATTR, m->handle, p->ino, 0, &a);
	if (!err && (p = plate_obj(rid)))
		pl_disk_apply(p, &a);
	return err;
}

/* Only the kernel changes a mounted file system, and the requests that change an inode
 * return its attributes, or mark the plates they may change stale: unmarked attributes are
 * the server's. */
int pl_disk_fresh(struct plate *p)
{
	return p->flags & PF_STALE ? pl_disk_refresh(p) : 0;
}

void pl_disk_stale(struct plate *p)
{
	p->flags |= PF_STALE;
	for (struct plate *o = next_of_inode(p->mnt, p->ino, 0); o;
	     o = next_of_inode(p->mnt, p->ino, pl_ref(o)))
		o->flags |= PF_STALE;
}

bool pl_disk_writable(const struct plate *p)
{
	const struct mount *m = mnt_get(p->mnt);
	return m && !m->rdonly;
}

bool plate_nodev(rid_t rid)
{
	struct plate *p = plate_obj(rid);
	const struct mount *m = p && (p->flags & PF_DISK) ? mnt_get(p->mnt) : NULL;
	return m && m->nodev;
}

/* A new plate, freeing unused disk plates when there are many (pl_make frees more when the
 * table or memory runs out). */
static int make_plate(const char *path, const struct t_fs_attr *a, rid_t parent,
		      struct plate **out)
{
	struct cred owner = { .uid = a->uid, .gid = a->gid };
	if (lru_count >= DISK_PLATES_CAP)
		pl_disk_evict(parent);
	return pl_make(path, a->mode, pl_tmode_of(a->mode), &owner, parent, out);
}

int pl_disk_adopt(rid_t parent, const char *path, const struct t_fs_attr *attr, rid_t *out)
{
	struct plate *dir = plate_obj(parent), *p;
	if (!dir || !(dir->flags & PF_DISK))
		return -ENOENT;              /* gone while the server was asked */
	if (pl_hash_find(path, out) == 0) {
		if ((p = plate_obj(*out)) && (p->flags & PF_DISK))
			pl_disk_apply(p, attr);
		return 0;
	}
	uint32_t mnt = dir->mnt;
	int err = make_plate(path, attr, parent, &p);
	if (err)
		return err;
	p->flags = PF_DISK;
	p->mnt = mnt;
	p->used = ++use_tick;
	lru_add(p);
	memset(&p->attr, 0, sizeof(p->attr));
	pl_disk_apply(p, attr);
	res_set_name(p->hdr.rid, path);
	*out = p->hdr.rid;
	return 0;
}

/* The child name[0..len) of disk directory d, at path. */
static int lookup_child(struct plate *d, const char *name, size_t len, const char *path,
			rid_t *out)
{
	struct fsc k;
	struct t_fs_attr a;
	rid_t drid = d->hdr.rid;
	const struct mount *m = mnt_get(d->mnt);
	if (!m)
		return -ENOENT;
	int err = fsc_begin(&k, TFN_FS_LOOKUP, m->handle, name, len, 0);
	if (err)
		return err;
	k.m.arg[1] = d->ino;
	err = fsc_call(&k);
	if (!err)
		a = k.c->attr;
	fsc_end(&k);
	return err ? err : pl_disk_adopt(drid, path, &a, out);
}

/* The longest prefix of the path in buf that has a plate: buf is cut to it, its plate into
 * *rid; -ENOENT when not even "/" has one (while the table is being made). */
static int nearest_plate(char *buf, rid_t *rid)
{
	while (pl_hash_find(buf, rid)) {
		char *slash = strrchr(buf, '/');
		if (!slash || !strcmp(buf, "/"))
			return -ENOENT;
		slash[slash == buf ? 1 : 0] = '\0';
	}
	return 0;
}

/* The components of canon after its first alen characters, looked up one by one from
 * directory rid; path is canon's copy, cut after each component while it is looked up. */
static int lookup_rest(const char *canon, size_t alen, char *path, rid_t rid, rid_t *out)
{
	struct plate *d;
	for (const char *c = canon + alen; *c;) {
		if (*c == '/')
			c++;
		const char *e = c;
		while (*e && *e != '/')
			e++;
		if (!(d = plate_obj(rid)))
			return -ENOENT;
		if (!pl_is_dir(d))
			return -ENOTDIR;
		path[e - canon] = '\0';
		int err = lookup_child(d, c, (size_t)(e - c), path, &rid);
		if (err)
			return err;
		path[e - canon] = *e;
		c = e;
	}
	*out = rid;
	return 0;
}

int pl_disk_lookup(const char *canon, rid_t *out)
{
	rid_t rid;
	char *path = pathbuf_get();
	if (!path)
		return -ENOMEM;
	strlcpy(path, canon, PATH_BUF);
	int err = nearest_plate(path, &rid);
	struct plate *d = err ? NULL : plate_obj(rid);
	if (!d || !(d->flags & PF_DISK))
		err = -ENOENT;
	if (!err) {
		size_t alen = strlen(path);
		strlcpy(path, canon, PATH_BUF);
		err = lookup_rest(canon, alen, path, rid, out);
	}
	pathbuf_put(path);
	return err;
}

void pl_disk_touch(struct plate *p)
{
	p->used = ++use_tick;
	if (p->in_lru) {
		lru_del(p);
		lru_add(p);
	}
}

/* Frees up to EVICT_BATCH disk plates from the least recently used end. One that cannot go
 * now (open, or a directory with plates below it) moves to the other end: it is in use, and
 * the next eviction need not step over it again. */
bool pl_disk_evict(rid_t keep)
{
	uint32_t freed = 0, steps = lru_count;
	while (lru_head && steps-- > 0 && freed < EVICT_BATCH) {
		struct plate *p = pl_slot(lru_head - 1);
		lru_del(p);
		if (p->opens || p->nchild || p->hdr.rid == keep ||
		    (p->flags & (PF_PINNED | PF_UNLINKED))) {
			lru_add(p);
			continue;
		}
		pl_free(p);
		freed++;
	}
	return freed > 0;
}

void pl_disk_stat(const struct plate *p, struct linux_stat *st)
{
	const struct t_fs_attr *a = &p->attr;
	memset(st, 0, sizeof(*st));
	st->st_dev = MNT_DEV_BASE + p->mnt;
	st->st_ino = a->ino;
	st->st_nlink = a->nlink;
	st->st_mode = a->mode;
	st->st_uid = a->uid;
	st->st_gid = a->gid;
	st->st_rdev = a->rdev;
	st->st_size = (int64_t)a->size;
	st->st_blksize = a->blksize ? a->blksize : 4096;
	st->st_blocks = (int64_t)a->blocks;
	st->st_atim.tv_sec = a->atime;
	st->st_mtim.tv_sec = a->mtime;
	st->st_ctim.tv_sec = a->ctime;
}

/* ---- mount points (mount.c) --------------------------------------------------------------- */

bool plate_mount_busy(rid_t rid)
{
	struct plate *p = plate_obj(rid);
	if (!p || p->opens || !p->parent)
		return true;                  /* "/" is never a mount point */
	return pl_has_children(p);
}

void plate_mount_root(rid_t rid, uint32_t mnt, const struct t_fs_attr *root, struct mount *m)
{
	struct plate *p = plate_obj(rid);
	struct res_hdr *h = &p->hdr;
	m->saved_mode = p->mode;
	m->saved_flags = p->flags;
	m->saved_mtime = p->mtime;
	m->saved_tmode = h->mode;
	m->saved_owner = (struct cred){ .uid = h->owner, .gid = h->group };
	p->flags = PF_DISK | PF_PINNED;
	set_ino(p, mnt, 0);
	memset(&p->attr, 0, sizeof(p->attr));
	pl_disk_apply(p, root);
	pl_names_gen++;                   /* listings of it are the disk's now */
}

void plate_unmount_root(rid_t rid, const struct mount *m)
{
	struct plate *p = plate_obj(rid);
	if (!p)
		return;
	pl_disk_unindex(p);
	p->mode = m->saved_mode;
	p->flags = m->saved_flags;
	p->mtime = m->saved_mtime;
	p->mnt = p->ino = 0;
	p->size = 0;
	memset(&p->attr, 0, sizeof(p->attr));
	res_reset_owner(rid, &m->saved_owner, m->saved_tmode);
	pl_names_gen++;
}

bool plate_mount_in_use(uint32_t mnt)
{
	struct plate *p;
	for (uint32_t i = 0; (p = res_iter(RT_PLATE, &i));)
		if ((p->flags & PF_DISK) && p->mnt == mnt && p->opens)
			return true;
	return false;
}

void plate_forget_mount(uint32_t mnt)
{
	struct plate *p;
	for (uint32_t i = 0; (p = res_iter(RT_PLATE, &i));)
		if ((p->flags & PF_DISK) && p->mnt == mnt && !(p->flags & PF_PINNED))
			pl_free(p);
}
