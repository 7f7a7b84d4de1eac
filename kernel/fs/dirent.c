/* dirent64 packing (see dirent.h). */
#include "kernel/fs/dirent.h"
#include "abi/linux.h"
#include "kernel/lib/string.h"

size_t dirent_reclen(size_t namelen)
{
	size_t raw = offsetof(struct linux_dirent64, d_name) + namelen + 1;
	return (raw + 7) & ~(size_t)7;
}

size_t dirent_pack(void *buf, size_t cap, uint64_t ino, int64_t off, uint8_t type,
		   const char *name, size_t namelen)
{
	size_t len = dirent_reclen(namelen);
	if (len > cap || len > UINT16_MAX)
		return 0;
	struct linux_dirent64 d = { .d_ino = ino, .d_off = off, .d_reclen = (uint16_t)len,
				    .d_type = type };
	char *p = buf;
	memset(p, 0, len);
	memcpy(p, &d, offsetof(struct linux_dirent64, d_name));
	memcpy(p + offsetof(struct linux_dirent64, d_name), name, namelen);
	return len;
}
