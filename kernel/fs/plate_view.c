/* Read-only contiguous views of a plate's content (see plate.h): what a program runs from.
 * An image plate is already contiguous and its bytes never change (a write copies the file
 * to memory first: pl_copy_up), so its view is its bytes. A
 * run-time plate's pages are scattered and may be rewritten at any time, so its view is a
 * copy in fresh pages mapped at consecutive kernel addresses (vmap.h): a program keeps the
 * bytes it was started from, whatever happens to the file afterwards. */
#include "kernel/fs/plate_int.h"
#include "abi/errno.h"
#include "arch/paging.h"
#include "kernel/lib/string.h"
#include "kernel/mm/pmm.h"
#include "kernel/mm/vmap.h"

/* Copies page i of the plate's content into a new page mapped at base + i pages. */
static int copy_page(rid_t plate, void *base, size_t i)
{
	uint64_t pa = pmm_alloc_dirty();
	if (!pa)
		return -ENOMEM;
	long n = plate_read_at(plate, i * PAGE_SIZE, phys_to_virt(pa), PAGE_SIZE);
	int err = n < 0 ? (int)n : vmap_page(base, i, pa, PTE_NX);
	if (err) {
		pmm_free(pa);
		return err;
	}
	memset((uint8_t *)phys_to_virt(pa) + n, 0, PAGE_SIZE - (size_t)n);
	return 0;
}

static int copy_content(const struct plate *p, struct plate_view *out)
{
	size_t npages = (p->size + PAGE_SIZE - 1) / PAGE_SIZE;
	void *base;
	int err = pmm_user_room(npages) ? vmap_reserve(npages, &base) : -ENOMEM;
	for (size_t i = 0; !err && i < npages; i++)
		if ((err = copy_page(p->hdr.rid, base, i)))
			vmap_release(base, true);
	if (err)
		return err;
	out->data = base;
	out->copy = base;
	return 0;
}

int plate_view_open(rid_t rid, uint64_t max, struct plate_view *out)
{
	static const uint8_t nothing[1];
	struct plate *p = plate_obj(rid);
	int err = pl_check_regular(p);
	if (!err && (p->flags & PF_DISK) && !(err = pl_disk_refresh(p)) && !(p = plate_obj(rid)))
		err = -ESTALE;                /* size and version as the disk has them now */
	if (err)
		return err;
	if (p->size > max)
		return -EFBIG;
	*out = (struct plate_view){ .data = nothing, .size = p->size, .version = p->version };
	if (p->flags & PF_IMAGE)
		return plate_map_image(rid, &out->data, &out->size);
	return p->size ? copy_content(p, out) : 0;
}

void plate_view_close(struct plate_view *view)
{
	if (view->copy)
		vmap_release(view->copy, true);
	*view = (struct plate_view){ 0 };
}
