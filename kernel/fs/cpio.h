/* A strict reader of cpio archives in the "newc" format (magic 070701, or 070702 whose checksum
 * we ignore): the boot image. Every offset and size is checked against the archive's bounds, so
 * a malformed or truncated archive yields -EINVAL and never a read outside it. */
#pragma once
#include <stddef.h>
#include <stdint.h>

#define CPIO_HDR_LEN 110

struct cpio_entry {
	const char *name;     /* NUL-terminated, inside the archive */
	size_t namelen;       /* without the NUL */
	uint32_t mode;        /* file type and permission bits (S_IF* | 07777) */
	uint32_t uid, gid;
	uint32_t mtime;
	uint32_t rdev_major, rdev_minor;   /* of a device node */
	uint32_t ino, nlink;  /* hard links share ino; newc stores their data once */
	const void *data;     /* inside the archive */
	size_t size;
};

struct cpio_iter {
	const uint8_t *base;
	size_t len;
	size_t pos;           /* offset of the next header */
	int state;            /* 0 going, 1 trailer seen, negative errno once malformed */
};

void cpio_iter_init(struct cpio_iter *it, const void *base, size_t len);
/* 1 and *out filled: an entry; 0: the trailer was reached; -EINVAL: malformed archive (and
 * every later call returns -EINVAL too). */
int cpio_next(struct cpio_iter *it, struct cpio_entry *out);
/* Walks the whole archive: 0 if it is well formed up to its trailer, else -EINVAL. */
int cpio_validate(const void *base, size_t len);
