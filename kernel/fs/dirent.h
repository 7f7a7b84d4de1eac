/* Packing of Linux dirent64 records (getdents64), kept free of any kernel state so that the
 * exact byte layout is tested on the host. */
#pragma once
#include <stddef.h>
#include <stdint.h>

/* Record length for a name of namelen bytes: header, name, NUL, rounded up to 8. */
size_t dirent_reclen(size_t namelen);
/* Writes one record at buf (cap bytes available); returns its length, or 0 if it does not fit
 * (nothing written then). off is the position of the record after this one. */
size_t dirent_pack(void *buf, size_t cap, uint64_t ino, int64_t off, uint8_t type,
		   const char *name, size_t namelen);
