/* Plates from the boot image: one per entry of the newc cpio archive, pointing into it. */
#include "kernel/fs/plate_int.h"
#include "abi/errno.h"
#include "abi/linux.h"
#include "kernel/fs/cpio.h"
#include "kernel/fs/pathbuf.h"
#include "kernel/lib/kprintf.h"

/* "./a/b", "/a/b" and "a/b" all name /a/b; "." names "/". */
static int image_path(const struct cpio_entry *e, char out[PATH_BUF])
{
	return path_normalize("/", e->name, out, NULL, NULL);
}

/* A file, symbolic link or device node from the image (mode says which); parent_path is a
 * buffer of PATH_BUF bytes. */
static int add_image_file(const char *path, char *parent_path, const struct cpio_entry *e)
{
	struct plate *dir, *p;
	struct cred owner = { .uid = e->uid, .gid = e->gid };
	rid_t rid;
	path_parent(path, parent_path);
	int err = pl_ensure_dir(parent_path, &owner, &dir);
	if (err)
		return err;
	if (plate_lookup_path(path, &rid) == 0)
		return -EEXIST;
	err = pl_make(path, e->mode & (L_S_IFMT | 07777), TMODE_DEFAULT, &owner, dir->hdr.rid,
		      &p);
	if (err)
		return err;
	p->flags = PF_IMAGE;
	p->mtime = e->mtime;
	uint32_t kind = e->mode & L_S_IFMT;
	if (kind == L_S_IFCHR || kind == L_S_IFBLK) {
		p->rdev = linux_makedev(e->rdev_major, e->rdev_minor);
		return 0;
	}
	p->image = e->data;
	p->size = e->size;
	return 0;
}

/* path and dir: buffers of PATH_BUF bytes. */
static int add_image_entry(const struct cpio_entry *e, char *path, char *dir)
{
	struct plate *p;
	struct cred owner = { .uid = e->uid, .gid = e->gid };
	if (image_path(e, path)) {
		kprintf("plate: image entry with a bad or too long name, skipped\n");
		return 0;
	}
	switch (e->mode & L_S_IFMT) {
	case L_S_IFDIR:
		if (pl_ensure_dir(path, &owner, &p))
			return -ENOTDIR;
		if (p->flags & PF_IMAGE) {
			p->mode = L_S_IFDIR | (e->mode & 07777);
			p->mtime = e->mtime;
		}
		return 0;
	case L_S_IFREG:
	case L_S_IFCHR:
	case L_S_IFBLK:
	case L_S_IFLNK:                  /* its content is its target */
		return add_image_file(path, dir, e);
	default:
		kprintf("plate: %s: not a file or directory, skipped\n", path);
		return 0;
	}
}

/* Hard links (several names, one file): newc gives the data with one of the names only (the
 * last), the others have size 0. They all point at that data, so a link costs no memory. */
#define MAX_LINKED 16

static struct linked {
	uint32_t ino;
	const void *data;
	size_t size;
} linked[MAX_LINKED];
static int nlinked;

static void find_linked_data(const void *base, size_t len)
{
	struct cpio_iter it;
	struct cpio_entry e;
	cpio_iter_init(&it, base, len);
	while (cpio_next(&it, &e) > 0)
		if ((e.mode & L_S_IFMT) == L_S_IFREG && e.nlink > 1 && e.size && nlinked < MAX_LINKED)
			linked[nlinked++] = (struct linked){ e.ino, e.data, e.size };
}

static void resolve_link(struct cpio_entry *e)
{
	if ((e->mode & L_S_IFMT) != L_S_IFREG || e->nlink < 2 || e->size)
		return;
	for (int i = 0; i < nlinked; i++)
		if (linked[i].ino == e->ino) {
			e->data = linked[i].data;
			e->size = linked[i].size;
		}
}

int plate_init_image(const void *base, size_t len)
{
	struct cpio_iter it;
	struct cpio_entry e;
	int r, err;
	rid_t root;
	if (plate_lookup_path("/", &root))
		panic("%s: plate_init has not run", __func__);
	if (cpio_validate(base, len))
		return -EINVAL;
	char *path = pathbuf_get(), *dir = pathbuf_get();
	if (!path || !dir)
		panic("%s: no memory for paths", __func__);
	find_linked_data(base, len);
	cpio_iter_init(&it, base, len);
	while ((r = cpio_next(&it, &e)) > 0) {
		resolve_link(&e);
		err = add_image_entry(&e, path, dir);
		if (err == -EEXIST || err == -ENOTDIR) {
			kprintf("plate: %s: conflicting image entry, skipped\n", e.name);
		} else if (err) {
			r = err;
			break;
		}
	}
	pathbuf_put(path);
	pathbuf_put(dir);
	return r;
}
