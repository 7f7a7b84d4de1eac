/* Plate content, behind a small operations table: image plates are spans of the boot image;
 * run-time plates live in pages from the physical allocator (pagelist.h). The first change of
 * an image file copies its bytes into pages (pl_copy_up) and it is a run-time plate from then
 * on, as a file of Linux's initramfs (a tmpfs) is; the image's bytes stay where they are, so a
 * program mapped from them (and a cached one: programs are found by content version, and the
 * copy is a new version) keeps its old text. Bytes beyond a plate's size are unspecified
 * (abandoned writes, shrinking), so growing the size zeroes what it takes over. */
#include "kernel/fs/plate_int.h"
#include "abi/errno.h"
#include "abi/linux.h"
#include "kernel/lib/kprintf.h"
#include "kernel/lib/string.h"

static const uint8_t zero_page[PL_PAGE];
static uint64_t versions_given;       /* 64 bits: never wraps, so a version is never reused */

/* Where a regular plate's bytes live: the variants differ only here. Every function is
 * called with a regular plate; span() with off < size. */
struct content_ops {
	int (*map)(const struct plate *p, const void **data);
	void (*span)(const struct plate *p, uint64_t off, const void **out, size_t *n);
	/* NULL: the content cannot be written in place (the image's: pl_copy_up first) */
	int (*span_for_write)(struct plate *p, uint64_t off, void **out, size_t *n);
	/* zero [from, to) where storage exists (growing over unspecified bytes) */
	void (*zero)(struct plate *p, uint64_t from, uint64_t to);
	/* give back the storage from byte size on (shrinking) */
	void (*drop_from)(struct plate *p, uint64_t size);
};

/* ---- image plates: spans of the boot image, read-only ------------------------------------ */

static int image_map(const struct plate *p, const void **data)
{
	*data = p->image;
	return 0;
}

static void image_span(const struct plate *p, uint64_t off, const void **out, size_t *n)
{
	*out = p->image + off;
	*n = p->size - off;
}

static const struct content_ops image_content = { .map = image_map, .span = image_span };

/* ---- run-time plates: pages from the physical allocator ---------------------------------- */

static int ram_map(const struct plate *p, const void **data)
{
	(void)p, (void)data;
	return -ENOTSUP;
}

static void ram_span(const struct plate *p, uint64_t off, const void **out, size_t *n)
{
	uint64_t in_page = off % PL_PAGE;
	const uint8_t *page = pagelist_get(&p->pages, off / PL_PAGE);
	*out = page ? page + in_page : zero_page + in_page;
	*n = p->size - off < PL_PAGE - in_page ? p->size - off : PL_PAGE - in_page;
}

static int ram_span_for_write(struct plate *p, uint64_t off, void **out, size_t *n)
{
	uint8_t *page;
	int err = pagelist_get_alloc(&p->pages, off / PL_PAGE, (void **)&page);
	if (err)
		return err;
	*out = page + off % PL_PAGE;
	*n = PL_PAGE - off % PL_PAGE;
	return 0;
}

static void ram_zero(struct plate *p, uint64_t from, uint64_t to)
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

static void ram_drop_from(struct plate *p, uint64_t size)
{
	pagelist_free_from(&p->pages, (size + PL_PAGE - 1) / PL_PAGE);
}

static const struct content_ops ram_content = {
	.map = ram_map, .span = ram_span, .span_for_write = ram_span_for_write,
	.zero = ram_zero, .drop_from = ram_drop_from,
};

/* ---- the interface (plate.h) -------------------------------------------------------------- */

bool plate_is_disk(rid_t rid)
{
	struct plate *p = plate_obj(rid);
	return p && (p->flags & PF_DISK);
}

int plate_refresh(rid_t rid)
{
	struct plate *p = plate_obj(rid);
	return p && (p->flags & PF_DISK) ? pl_disk_fresh(p) : 0;
}

static const struct content_ops *content(const struct plate *p)
{
	return p->flags & PF_IMAGE ? &image_content : &ram_content;
}

void pl_new_version(struct plate *p)
{
	p->version = ++versions_given;
}

uint64_t plate_version(rid_t rid)
{
	struct plate *p = plate_obj(rid);
	return p ? p->version : 0;
}

int plate_map_image(rid_t rid, const void **data, size_t *size)
{
	struct plate *p = plate_obj(rid);
	int err = pl_check_regular(p);
	if (err || (err = content(p)->map(p, data)))
		return err;
	*size = p->size;
	return 0;
}

int plate_read_span(rid_t rid, uint64_t off, const void **out, size_t *n)
{
	struct plate *p = plate_obj(rid);
	int err = pl_check_regular(p);
	if (err)
		return err;
	if (p->flags & PF_DISK)
		return -ENOTSUP;              /* no content in memory: plate_disk_io */
	pl_content_span(p, off, out, n);
	return 0;
}

void pl_content_span(const struct plate *p, uint64_t off, const void **out, size_t *n)
{
	*n = 0;
	*out = zero_page;
	if (off < p->size)
		content(p)->span(p, off, out, n);
}

uint64_t plate_ram_pages(void)
{
	return pagelist_pages();
}

static int check_writable_file(const struct plate *p)
{
	int err = pl_check_regular(p);
	if (err)
		return err;
	if (p->flags & PF_DISK)
		return -ENOTSUP;
	return PL_READ_ONLY(p) ? -EROFS : 0;
}

/* An image file's first [0, keep) bytes (keep at most its size) copied into pages, which
 * become its content: all or nothing (-ENOSPC when memory runs out, the file unchanged). */
int pl_copy_up(struct plate *p, uint64_t keep)
{
	struct pagelist pages = { 0 };
	if (!(p->flags & PF_IMAGE) || pl_check_regular(p))
		return 0;
	if (keep > p->size)
		keep = p->size;
	for (uint64_t off = 0; off < keep; off += PL_PAGE) {
		void *page;
		int err = pagelist_get_alloc(&pages, off / PL_PAGE, &page);
		if (err) {
			pagelist_free_from(&pages, 0);
			return err;
		}
		memcpy(page, p->image + off, keep - off < PL_PAGE ? keep - off : PL_PAGE);
	}
	p->pages = pages;
	p->image = NULL;
	p->size = keep;
	p->flags &= ~PF_IMAGE;
	pl_new_version(p);
	return 0;
}

int plate_write_span(rid_t rid, uint64_t off, void **out, size_t *n)
{
	struct plate *p = plate_obj(rid);
	int err = check_writable_file(p);
	if (!err && off >= PLATE_MAX_SIZE)
		err = -EFBIG;
	if (!err)
		err = pl_copy_up(p, p->size);
	if (err)
		return err;
	/* the caller writes the span before it commits: the content changes from now on */
	pl_new_version(p);
	return content(p)->span_for_write(p, off, out, n);
}

/* Bytes beyond the size are left unspecified by failed or abandoned writes: they must read as
 * zeros once the size grows over them. */
void plate_write_commit(rid_t rid, uint64_t off, size_t written)
{
	struct plate *p = plate_obj(rid);
	if (check_writable_file(p) || !written)
		return;
	assert(off + written <= PLATE_MAX_SIZE);
	if (off > p->size)
		content(p)->zero(p, p->size, off);
	if (off + written > p->size)
		p->size = off + written;
	p->mtime = pl_now();
	pl_new_version(p);
}

int plate_truncate(rid_t rid, uint64_t size)
{
	struct plate *p = plate_obj(rid);
	if (p && (p->flags & PF_DISK) && !pl_check_regular(p)) {
		struct t_fs_setattr set = { .mask = TFS_SET_SIZE, .size = size };
		return pl_disk_writable(p) ? pl_disk_setattr(p, &set) : -EROFS;
	}
	int err = check_writable_file(p);
	if (!err && size > PLATE_MAX_SIZE)
		err = -EFBIG;
	if (!err)                      /* what truncation would drop is never copied */
		err = pl_copy_up(p, size);
	if (err)
		return err;
	if (size > p->size)
		content(p)->zero(p, p->size, size);
	else
		content(p)->drop_from(p, size);
	p->size = size;
	p->mtime = pl_now();
	pl_new_version(p);
	return 0;
}

long plate_read_at(rid_t rid, uint64_t off, void *kbuf, size_t n)
{
	size_t done = 0;
	if (plate_is_disk(rid))
		return plate_disk_io(rid, off, kbuf, n, 0, 0);
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
	if (plate_is_disk(rid))
		return plate_disk_io(rid, off, (void *)kbuf, n, 1, 0);
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
