/* Checked user-memory access (see uaccess.h): each page of the range is checked (and faulted
 * in if it is demand-zero) in the caller's space before the kernel touches it, so a bad
 * pointer is an -EFAULT, never a kernel fault. */
#include "kernel/mm/uaccess.h"
#include "abi/errno.h"
#include "arch/paging.h"
#include "kernel/lib/string.h"
#include "kernel/mm/vspace.h"
#include "kernel/proc/proc.h"

int user_range_ok(uint64_t uaddr, size_t n)
{
	return uaddr + n >= uaddr && uaddr + n <= USER_TOP;
}

/* Make sure the page holding va is mapped with the needed access. */
static int ensure_page(uint64_t va, bool write)
{
	struct proc *p = proc_cur();
	if (!p || !p->vspace)
		return -EFAULT;
	uint64_t pte = pt_lookup(vspace_root(p->vspace), va);
	if ((pte & PTE_P) && (pte & PTE_U) && (!write || (pte & PTE_W)))
		return 0;
	if (pte & PTE_P)
		return -EFAULT;
	return vspace_fault(p->vspace, va, write, true) ? -EFAULT : 0;
}

static int check_range(uint64_t uaddr, size_t n, bool write)
{
	if (!user_range_ok(uaddr, n))
		return -EFAULT;
	if (!n)
		return 0;
	for (uint64_t va = uaddr & ~(PAGE_SIZE - 1); va < uaddr + n; va += PAGE_SIZE)
		if (ensure_page(va, write))
			return -EFAULT;
	return 0;
}

int copy_from_user(void *dst, const void *usrc, size_t n)
{
	int err = check_range((uint64_t)usrc, n, false);
	if (!err)
		memcpy(dst, usrc, n);
	return err;
}

int copy_to_user(void *udst, const void *src, size_t n)
{
	int err = check_range((uint64_t)udst, n, true);
	if (!err)
		memcpy(udst, src, n);
	return err;
}

long strncpy_from_user(char *dst, const char *usrc, size_t max)
{
	uint64_t va = (uint64_t)usrc;
	for (size_t i = 0; i < max; i++, va++) {
		if (i == 0 || (va & (PAGE_SIZE - 1)) == 0)
			if (!user_range_ok(va, 1) || ensure_page(va, false))
				return -EFAULT;
		dst[i] = *(const char *)va;
		if (!dst[i])
			return (long)i;
	}
	return -ENAMETOOLONG;
}
