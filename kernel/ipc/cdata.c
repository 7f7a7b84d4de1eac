/* Copying data path of containers (see cdata.h): kmalloc for small messages, physical pages
 * for big ones, copy_from_user/copy_to_user for every byte that crosses the boundary. */
#include "kernel/ipc/cdata.h"
#include "abi/errno.h"
#include "arch/paging.h"
#include "kernel/lib/string.h"
#include "kernel/mm/kmalloc.h"
#include "kernel/mm/pmm.h"
#include "kernel/mm/uaccess.h"

void cdata_free(struct cdata *d)
{
	kfree(d->small);
	for (uint32_t i = 0; i < CDATA_PAGES; i++)
		if (d->pages[i])
			pmm_free(d->pages[i]);
	memset(d, 0, sizeof(*d));
}

static int from_user_pages(struct cdata *d, const char *ubuf, size_t size)
{
	for (size_t off = 0, i = 0; off < size; off += PAGE_SIZE, i++) {
		size_t n = size - off < PAGE_SIZE ? size - off : PAGE_SIZE;
		/* every byte of the page is overwritten or never read: no need to zero it */
		if (!(d->pages[i] = pmm_alloc_dirty()))
			return -ENOMEM;
		int err = copy_from_user(phys_to_virt(d->pages[i]), ubuf + off, n);
		if (err)
			return err;
	}
	return 0;
}

int cdata_from_user(struct cdata *d, const void *ubuf, size_t size)
{
	int err = 0;
	memset(d, 0, sizeof(*d));
	if (size > CONTAINER_MAX)
		return -EMSGSIZE;
	d->size = (uint32_t)size;
	if (size == 0)
		return 0;
	if (size <= CDATA_SMALL) {
		if (!(d->small = kmalloc(size)))
			return -ENOMEM;
		err = copy_from_user(d->small, ubuf, size);
	} else {
		err = from_user_pages(d, ubuf, size);
	}
	if (err)
		cdata_free(d);
	return err;
}

int cdata_to_user(const struct cdata *d, void *ubuf)
{
	if (d->size <= CDATA_SMALL)
		return d->size ? copy_to_user(ubuf, d->small, d->size) : 0;
	for (size_t off = 0, i = 0; off < d->size; off += PAGE_SIZE, i++) {
		size_t n = d->size - off < PAGE_SIZE ? d->size - off : PAGE_SIZE;
		int err = copy_to_user((char *)ubuf + off, phys_to_virt(d->pages[i]), n);
		if (err)
			return err;
	}
	return 0;
}
