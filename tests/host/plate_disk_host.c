/* For the host tests of the plate table (test_fs_plate.c): the kernel pieces that disk plates
 * (kernel/fs/plate_disk*.c) call, as they are with nothing mounted: no mount exists, so no
 * request ever reaches a file-system server (every one fails with -ENOSYS if it did). */
#include <string.h>
#include "abi/errno.h"
#include "kernel/fs/fsclient.h"
#include "kernel/fs/mount.h"
#include "kernel/mm/uaccess.h"
#include "kernel/sys/syscall.h"

const struct mount *mnt_get(uint32_t idx)
{
	(void)idx;
	return NULL;
}

void fsc_init(void)
{
}

int fsc_begin(struct fsc *k, uint32_t fn, uint64_t handle, const char *name, size_t len,
	      size_t data_bytes)
{
	(void)fn, (void)handle, (void)name, (void)len, (void)data_bytes;
	memset(k, 0, sizeof(*k));
	return -ENOSYS;
}

int fsc_call(struct fsc *k)
{
	(void)k;
	return -ENOSYS;
}

void fsc_end(struct fsc *k)
{
	(void)k;
}

int fsc_simple(uint32_t fn, uint64_t handle, uint64_t a1, uint64_t a2, struct t_fs_attr *attr)
{
	(void)fn, (void)handle, (void)a1, (void)a2, (void)attr;
	return -ENOSYS;
}

bool syscall_in_light(void)
{
	return false;
}

int copy_to_user(void *dst, const void *src, size_t n)
{
	memcpy(dst, src, n);
	return 0;
}

int copy_from_user(void *dst, const void *src, size_t n)
{
	memcpy(dst, src, n);
	return 0;
}
