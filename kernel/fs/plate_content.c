/* Plate content: image plates are spans of the boot image; run-time plates live in pages
 * from the physical allocator (pagelist.h). Bytes beyond a plate's size are unspecified
 * (abandoned writes, shrinking), so growing the size zeroes what it takes over. */
#include "kernel/fs/plate_int.h"
#include "abi/errno.h"
#include "abi/linux.h"
#include "kernel/lib/kprintf.h"
#include "kernel/lib/string.h"

static const uint8_t zero_page[PL_PAGE];

int plate_map_image(rid_t rid, const void **data, size_t *size)
{
	struct plate *p = plate_obj(rid);
	int err = pl_check_regular(p);
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
	struct plate *p = plate_obj(rid);
	int err = pl_check_regular(p);
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
	int err = pl_check_regular(p);
	if (err)
		return err;
	return p->flags & PF_IMAGE ? -EROFS : 0;
}

int plate_write_span(rid_t rid, uint64_t off, void **out, size_t *n)
{
	struct plate *p = plate_obj(rid);
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
	struct plate *p = plate_obj(rid);
	if (check_writable_file(p) || !written)
		return;
	assert(off + written <= PLATE_MAX_SIZE);
	if (off > p->size)
		zero_range(p, p->size, off);
	if (off + written > p->size)
		p->size = off + written;
	p->mtime = pl_now();
}

int plate_truncate(rid_t rid, uint64_t size)
{
	struct plate *p = plate_obj(rid);
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
	p->mtime = pl_now();
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
