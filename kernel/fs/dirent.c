/* dirent64 packing (see dirent.h). */
#include "kernel/fs/dirent.h"
#include "abi/linux.h"
#include "kernel/lib/string.h"

size_t dirent_reclen(size_t namelen)
{
	size_t raw = offsetof(struct linux_dirent64, d_name) + namelen + 1;
	return (raw + 7) & ~(size_t)7;
}

/* The header fields are stored one by one (fixed-size copies become single stores): under
 * emulation a listing spends much of its time here, once per entry. */
size_t dirent_pack(void *buf, size_t cap, uint64_t ino, int64_t off, uint8_t type,
		   const char *name, size_t namelen)
{
	size_t len = dirent_reclen(namelen), at = offsetof(struct linux_dirent64, d_name);
	if (len > cap || len > UINT16_MAX)
		return 0;
	uint16_t reclen = (uint16_t)len;
	char *p = buf;
	__builtin_memcpy(p + offsetof(struct linux_dirent64, d_ino), &ino, sizeof(ino));
	__builtin_memcpy(p + offsetof(struct linux_dirent64, d_off), &off, sizeof(off));
	__builtin_memcpy(p + offsetof(struct linux_dirent64, d_reclen), &reclen, sizeof(reclen));
	p[offsetof(struct linux_dirent64, d_type)] = (char)type;
	memcpy(p + at, name, namelen);
	memset(p + at + namelen, 0, len - at - namelen);
	return len;
}
