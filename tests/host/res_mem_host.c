/*
 * The memory of growing resource tables for the host tests (the kernel's is
 * kernel/res/res_mem.c): windows reserved with mmap and no access, chunks made accessible
 * (filled with junk, as the kernel's pages are not zeroed) and taken back to no access, so a
 * touch of an unmapped chunk crashes the test. res_mem_host_fail makes the next maps fail.
 */
#define _DEFAULT_SOURCE
#include "kernel/res/res.h"
#include "abi/errno.h"
#include "tests/host/res_mem_host.h"
#include <string.h>
#include <sys/mman.h>

int res_mem_host_fail;            /* this many next res_mem_map calls fail */
long res_mem_host_pages;          /* pages mapped now */

void *res_mem_reserve(size_t bytes)
{
	void *va = mmap(NULL, bytes, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	return va == MAP_FAILED ? NULL : va;
}

int res_mem_map(void *va, size_t bytes)
{
	if (res_mem_host_fail > 0) {
		res_mem_host_fail--;
		return -ENOMEM;
	}
	if (mprotect(va, bytes, PROT_READ | PROT_WRITE))
		return -ENOMEM;
	memset(va, 0xa5, bytes);
	res_mem_host_pages += (long)(bytes / 4096);
	return 0;
}

void res_mem_unmap(void *va, size_t bytes)
{
	madvise(va, bytes, MADV_DONTNEED);
	mprotect(va, bytes, PROT_NONE);
	res_mem_host_pages -= (long)(bytes / 4096);
}
