/* The plate table: lookup by path, creation at boot (from the image) and at run time,
 * content access, directory listing, and the resource-layer operations (see plate.h). */
#include "kernel/fs/plate.h"
#include "abi/errno.h"
#include "abi/linux.h"
#include "kernel/fs/cpio.h"
#include "kernel/fs/dirent.h"
#include "kernel/fs/pagelist.h"
#include "kernel/fs/path.h"
#include "kernel/lib/kprintf.h"
#include "kernel/lib/string.h"

#define PF_IMAGE 0x1u      /* content and entry come from the boot image: read-only */
#define PF_PINNED 0x2u     /* never deleted ("/", "/tmp") */

struct plate {
	struct res_hdr hdr;
	char path[PATH_BUF];
	uint32_t mode;           /* L_S_IF* | permission bits */
	uint32_t mtime;
	uint32_t flags;
	uint32_t opens;
	uint32_t rdev;           /* device nodes */
	uint64_t size;
	const uint8_t *image;    /* content of an image plate */
	struct pagelist pages;   /* content of a run-time plate */
	rid_t parent;
};

static struct plate plates[PLATE_MAX];
static const struct res_ops plate_ops;
static struct res_table plate_table = {
	.name = "plate", .base = plates, .stride = sizeof(struct plate), .capacity = PLATE_MAX,
	.ops = &plate_ops,
};
static const uint8_t zero_page[PL_PAGE];

static struct plate *get(rid_t rid)
{
	return res_obj(rid, RT_PLATE);
}

static int is_dir(const struct plate *p)
{
	return (p->mode & L_S_IFMT) == L_S_IFDIR;
}

/* 0 for a regular plate, else why its content cannot be used. */
static int check_regular(const struct plate *p)
{
	if (!p)
		return -ESTALE;
	if (is_dir(p))
		return -EISDIR;
	return (p->mode & L_S_IFMT) == L_S_IFREG ? 0 : -EINVAL;
}

int plate_lookup_path(const char *abs_path, rid_t *out)
{
	for (uint32_t i = 0; i < PLATE_MAX; i++) {
		if (plates[i].hdr.rid && strcmp(plates[i].path, abs_path) == 0) {
			*out = plates[i].hdr.rid;
			return 0;
		}
	}
	return -ENOENT;
}

/* A new plate at a canonical path whose parent (if any) exists. */
static int make_plate(const char *path, uint32_t mode, uint32_t tmode, const struct cred *owner,
		      rid_t parent, struct plate **out)
{
	rid_t rid;
	size_t n = strnlen(path, PATH_BUF);
	if (n > PATH_MAX_LEN || path[0] != '/')
		return -ENAMETOOLONG;
	int err = res_alloc(RT_PLATE, path, owner, tmode, &rid);
	if (err)
		return err;
	struct plate *p = get(rid);
	memcpy(p->path, path, n + 1);
	p->mode = mode;
	p->parent = parent;
	*out = p;
	return 0;
}

/* The directory at one prefix of a path, created if missing (flagged as from the image, so
 * read-only: only /tmp takes new entries). */
static int ensure_one_dir(const char *prefix, const struct cred *owner, rid_t parent,
			  struct plate **out)
{
	rid_t rid;
	if (plate_lookup_path(prefix, &rid) == 0) {
		*out = get(rid);
		return is_dir(*out) ? 0 : -ENOTDIR;
	}
	int err = make_plate(prefix, L_S_IFDIR | 0755, TMODE_DEFAULT, owner, parent, out);
	if (!err)
		(*out)->flags = PF_IMAGE;
	return err;
}

/* The directory at a canonical path, created with its missing parents; iterative because
 * paths may have a hundred components. */
static int ensure_dir(const char *path, const struct cred *owner, struct plate **out)
{
	char prefix[PATH_BUF];
	size_t n = strnlen(path, PATH_BUF);
	if (n > PATH_MAX_LEN || path[0] != '/')
		return -EINVAL;
	int err = ensure_one_dir("/", owner, 0, out);
	for (size_t i = 1; !err && i <= n; i++) {
		if (path[i] != '/' && path[i] != '\0')
			continue;
		memcpy(prefix, path, i);
		prefix[i] = '\0';
		err = ensure_one_dir(prefix, owner, (*out)->hdr.rid, out);
	}
	return err;
}

static void make_devices(const struct cred *root)
{
	static const struct {
		const char *path;
		uint32_t rdev;
		uint32_t perm;
	} devs[] = {
		{ "/dev/console", 0x0501, 0620 }, { "/dev/tty", 0x0500, 0666 },
		{ "/dev/null", 0x0103, 0666 },    { "/dev/zero", 0x0105, 0666 },
	};
	struct plate *dir, *p;
	if (ensure_dir("/dev", root, &dir))
		panic("%s: cannot create /dev", __func__);
	for (size_t i = 0; i < sizeof(devs) / sizeof(devs[0]); i++) {
		if (make_plate(devs[i].path, L_S_IFCHR | devs[i].perm, TMODE(TOP_ALL, TOP_ALL, TOP_ALL),
			       root, dir->hdr.rid, &p))
			panic("%s: cannot create %s", __func__, devs[i].path);
		p->flags = PF_IMAGE | PF_PINNED;
		p->rdev = devs[i].rdev;
	}
}

void plate_init(void)
{
	static const struct cred root = { 0, 0 };
	struct plate *p;
	res_register(RT_PLATE, &plate_table);
	if (ensure_dir("/", &root, &p))
		panic("%s: cannot create /", __func__);
	p->flags |= PF_PINNED;
	if (ensure_dir("/tmp", &root, &p))
		panic("%s: cannot create /tmp", __func__);
	/* like mode 1777: everybody may create entries in /tmp */
	p->flags = PF_PINNED;
	p->mode = L_S_IFDIR | 01777;
	p->hdr.mode = TMODE(TOP_ALL, TOP_ALL & ~TOP_DELETE, TOP_ALL & ~TOP_DELETE);
	make_devices(&root);
}

/* "./a/b", "/a/b" and "a/b" all name /a/b; "." names "/". */
static int image_path(const struct cpio_entry *e, char out[PATH_BUF])
{
	return path_normalize("/", e->name, out, NULL, NULL);
}

/* A file or device node from the image (mode says which). */
static int add_image_file(const char *path, const struct cpio_entry *e)
{
	char parent_path[PATH_BUF];
	struct plate *dir, *p;
	struct cred owner = { e->uid, e->gid };
	rid_t rid;
	path_parent(path, parent_path);
	int err = ensure_dir(parent_path, &owner, &dir);
	if (err)
		return err;
	if (plate_lookup_path(path, &rid) == 0)
		return -EEXIST;
	err = make_plate(path, e->mode & (L_S_IFMT | 07777), TMODE_DEFAULT, &owner, dir->hdr.rid,
			 &p);
	if (err)
		return err;
	p->flags = PF_IMAGE;
	p->mtime = e->mtime;
	if ((e->mode & L_S_IFMT) == L_S_IFCHR) {
		p->rdev = (e->rdev_major << 8) | (e->rdev_minor & 0xff);
		return 0;
	}
	p->image = e->data;
	p->size = e->size;
	return 0;
}

static int add_image_entry(const struct cpio_entry *e)
{
	char path[PATH_BUF];
	struct plate *p;
	struct cred owner = { e->uid, e->gid };
	if (image_path(e, path)) {
		kprintf("plate: image entry with a bad or too long name, skipped\n");
		return 0;
	}
	switch (e->mode & L_S_IFMT) {
	case L_S_IFDIR:
		if (ensure_dir(path, &owner, &p))
			return -ENOTDIR;
		if (p->flags & PF_IMAGE) {
			p->mode = L_S_IFDIR | (e->mode & 07777);
			p->mtime = e->mtime;
		}
		return 0;
	case L_S_IFREG:
	case L_S_IFCHR:
		return add_image_file(path, e);
	default:
		kprintf("plate: %s: not a file or directory, skipped\n", path);
		return 0;
	}
}

int plate_init_image(const void *base, size_t len)
{
	struct cpio_iter it;
	struct cpio_entry e;
	int r, err;
	assert(plate_table.base);
	if (cpio_validate(base, len))
		return -EINVAL;
	cpio_iter_init(&it, base, len);
	while ((r = cpio_next(&it, &e)) > 0) {
		err = add_image_entry(&e);
		if (err == -EEXIST || err == -ENOTDIR)
			kprintf("plate: %s: conflicting image entry, skipped\n", e.name);
		else if (err)
			return err;
	}
	return r;
}

int plate_create(const char *abs_path, uint32_t mode, const struct cred *owner, rid_t *out)
{
	char parent_path[PATH_BUF];
	rid_t dir, rid;
	struct plate *p;
	if (strcmp(abs_path, "/") == 0 || plate_lookup_path(abs_path, &rid) == 0)
		return -EEXIST;
	path_parent(abs_path, parent_path);
	if (plate_lookup_path(parent_path, &dir))
		return -ENOENT;
	if (!is_dir(get(dir)))
		return -ENOTDIR;
	if (get(dir)->flags & PF_IMAGE)
		return -EROFS;
	int err = make_plate(abs_path, L_S_IFREG | (mode & 07777), TMODE_DEFAULT, owner, dir, &p);
	if (err)
		return err;
	*out = p->hdr.rid;
	return 0;
}

/* ---- content ------------------------------------------------------------------------------ */

int plate_map_image(rid_t rid, const void **data, size_t *size)
{
	struct plate *p = get(rid);
	int err = check_regular(p);
	if (err)
		return err;
	if (!(p->flags & PF_IMAGE))
		return -ENOTSUP;
	*data = p->image;
	*size = p->size;
	return 0;
}

int plate_read_span(rid_t rid, uint64_t off, const void **out, size_t *n)
{
	struct plate *p = get(rid);
	int err = check_regular(p);
	if (err)
		return err;
	*n = 0;
	*out = zero_page;
	if (off >= p->size)
		return 0;
	if (p->flags & PF_IMAGE) {
		*out = p->image + off;
		*n = p->size - off;
		return 0;
	}
	uint64_t in_page = off % PL_PAGE;
	const uint8_t *page = pagelist_get(&p->pages, off / PL_PAGE);
	*out = page ? page + in_page : zero_page + in_page;
	*n = p->size - off < PL_PAGE - in_page ? p->size - off : PL_PAGE - in_page;
	return 0;
}

static int check_writable_file(const struct plate *p)
{
	int err = check_regular(p);
	if (err)
		return err;
	return p->flags & PF_IMAGE ? -EROFS : 0;
}

int plate_write_span(rid_t rid, uint64_t off, void **out, size_t *n)
{
	struct plate *p = get(rid);
	int err = check_writable_file(p);
	if (err)
		return err;
	if (off >= PLATE_MAX_SIZE)
		return -EFBIG;
	uint8_t *page;
	err = pagelist_get_alloc(&p->pages, off / PL_PAGE, (void **)&page);
	if (err)
		return err;
	*out = page + off % PL_PAGE;
	*n = PL_PAGE - off % PL_PAGE;
	return 0;
}

/* Zero [from, to) where pages exist: bytes beyond the size are left unspecified by failed
 * or abandoned writes, and must read as zeros once the size grows over them. */
static void zero_range(struct plate *p, uint64_t from, uint64_t to)
{
	while (from < to) {
		uint64_t in_page = from % PL_PAGE;
		uint64_t chunk = PL_PAGE - in_page < to - from ? PL_PAGE - in_page : to - from;
		uint8_t *page = pagelist_get(&p->pages, from / PL_PAGE);
		if (page)
			memset(page + in_page, 0, chunk);
		from += chunk;
	}
}

void plate_write_commit(rid_t rid, uint64_t off, size_t written)
{
	struct plate *p = get(rid);
	if (check_writable_file(p) || !written)
		return;
	assert(off + written <= PLATE_MAX_SIZE);
	if (off > p->size)
		zero_range(p, p->size, off);
	if (off + written > p->size)
		p->size = off + written;
}

int plate_truncate(rid_t rid, uint64_t size)
{
	struct plate *p = get(rid);
	int err = check_writable_file(p);
	if (err)
		return err;
	if (size > PLATE_MAX_SIZE)
		return -EFBIG;
	if (size > p->size)
		zero_range(p, p->size, size);
	else
		pagelist_free_from(&p->pages, (size + PL_PAGE - 1) / PL_PAGE);
	p->size = size;
	return 0;
}

long plate_read_at(rid_t rid, uint64_t off, void *kbuf, size_t n)
{
	size_t done = 0;
	while (done < n) {
		const void *src;
		size_t avail;
		int err = plate_read_span(rid, off + done, &src, &avail);
		if (err)
			return err;
		if (!avail)
			break;
		size_t chunk = avail < n - done ? avail : n - done;
		memcpy((char *)kbuf + done, src, chunk);
		done += chunk;
	}
	return (long)done;
}

long plate_write_at(rid_t rid, uint64_t off, const void *kbuf, size_t n)
{
	size_t done = 0;
	while (done < n) {
		void *dst;
		size_t avail;
		int err = plate_write_span(rid, off + done, &dst, &avail);
		if (err)
			return done ? (long)done : err;
		size_t chunk = avail < n - done ? avail : n - done;
		memcpy(dst, (const char *)kbuf + done, chunk);
		plate_write_commit(rid, off + done, chunk);
		done += chunk;
	}
	return (long)done;
}

/* ---- attributes --------------------------------------------------------------------------- */

int plate_is_dir(rid_t rid)
{
	struct plate *p = get(rid);
	return p ? is_dir(p) : -ESTALE;
}

uint64_t plate_size(rid_t rid)
{
	struct plate *p = get(rid);
	return p && !check_regular(p) ? p->size : 0;
}

uint32_t plate_rdev(rid_t rid)
{
	struct plate *p = get(rid);
	return p ? p->rdev : 0;
}

int plate_is_writable(rid_t rid)
{
	struct plate *p = get(rid);
	return p && !(p->flags & PF_IMAGE);
}

uint32_t plate_mode(rid_t rid)
{
	struct plate *p = get(rid);
	return p ? p->mode : 0;
}

uint32_t plate_mtime(rid_t rid)
{
	struct plate *p = get(rid);
	return p ? p->mtime : 0;
}

uint64_t plate_ino(rid_t rid)
{
	return get(rid) ? (uint64_t)RID_INDEX(rid) + 1 : 0;
}

rid_t plate_parent(rid_t rid)
{
	struct plate *p = get(rid);
	return p ? p->parent : 0;
}

const char *plate_path(rid_t rid)
{
	struct plate *p = get(rid);
	return p ? p->path : NULL;
}

void plate_open_ref(rid_t rid)
{
	struct plate *p = get(rid);
	assert(p);
	p->opens++;
}

void plate_close_ref(rid_t rid)
{
	struct plate *p = get(rid);
	assert(p && p->opens > 0);
	p->opens--;
}

/* ---- directories -------------------------------------------------------------------------- */

/* Table indices of the children of dir, sorted by path (insertion sort: directories are
 * small and the boot image arrives sorted already). */
static uint32_t collect_children(rid_t dir, uint16_t idx[PLATE_MAX])
{
	uint32_t n = 0;
	for (uint32_t i = 0; i < PLATE_MAX; i++) {
		if (!plates[i].hdr.rid || plates[i].parent != dir || plates[i].hdr.rid == dir)
			continue;
		uint32_t j = n++;
		while (j > 0 && strcmp(plates[idx[j - 1]].path, plates[i].path) > 0) {
			idx[j] = idx[j - 1];
			j--;
		}
		idx[j] = (uint16_t)i;
	}
	return n;
}

/* The record at position pos of a listing: ".", "..", then the children. 0 past the end. */
static int dir_entry_at(const struct plate *d, const uint16_t *idx, uint32_t n, uint64_t pos,
			const struct plate **ent, const char **name)
{
	if (pos == 0) {
		*ent = d;
		*name = ".";
	} else if (pos == 1) {
		*ent = d->parent ? get(d->parent) : d;
		*name = "..";
	} else if (pos - 2 < n) {
		*ent = &plates[idx[pos - 2]];
		*name = path_basename((*ent)->path);
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
	default:
		return L_DT_REG;
	}
}

long plate_dir_read(rid_t dir, uint64_t *pos, void *buf, size_t cap)
{
	uint16_t idx[PLATE_MAX];
	const struct plate *d = get(dir), *e;
	const char *name;
	size_t done = 0;
	if (!d)
		return -ESTALE;
	if (!is_dir(d))
		return -ENOTDIR;
	uint32_t n = collect_children(dir, idx);
	while (dir_entry_at(d, idx, n, *pos, &e, &name)) {
		size_t len = dirent_pack((char *)buf + done, cap - done, (uint64_t)(e - plates) + 1,
					 (int64_t)(*pos + 1), dirent_type(e), name,
					 strlen(name));
		if (!len)
			return done ? (long)done : -EINVAL;
		done += len;
		(*pos)++;
	}
	return (long)done;
}

/* ---- the resource-layer operations -------------------------------------------------------- */

static void plate_describe(rid_t rid, struct t_res_info *info)
{
	struct plate *p = get(rid);
	info->v[0] = check_regular(p) ? 0 : p->size;
	info->v[1] = (uint64_t)is_dir(p);
	res_add_ref(info, "parent", p->parent);
}

static int has_children(rid_t dir)
{
	for (uint32_t i = 0; i < PLATE_MAX; i++)
		if (plates[i].hdr.rid && plates[i].parent == dir)
			return 1;
	return 0;
}

static int plate_destroy(rid_t rid)
{
	struct plate *p = get(rid);
	if (p->flags & PF_IMAGE)
		return -EROFS;
	if (p->opens || (p->flags & PF_PINNED))
		return -EBUSY;
	if (is_dir(p) && has_children(rid))
		return -ENOTEMPTY;
	pagelist_free_from(&p->pages, 0);
	res_free(rid);
	return 0;
}

static const struct res_ops plate_ops = {
	.describe = plate_describe,
	.destroy = plate_destroy,
};
