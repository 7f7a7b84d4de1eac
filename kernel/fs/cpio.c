/* The newc cpio reader (see cpio.h). Headers are 110 ASCII bytes: a 6-byte magic and thirteen
 * 8-digit hex fields; the name and the data each start on a 4-byte boundary of the archive. */
#include "kernel/fs/cpio.h"
#include "abi/errno.h"

enum {
	F_INO, F_MODE, F_UID, F_GID, F_NLINK, F_MTIME, F_FILESIZE, F_DEVMAJOR, F_DEVMINOR,
	F_RDEVMAJOR, F_RDEVMINOR, F_NAMESIZE, F_CHECK, F_COUNT
};

static const char TRAILER[] = "TRAILER!!!";

static int hexval(uint8_t c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static int parse_field(const uint8_t *p, uint32_t *out)
{
	uint32_t v = 0;
	for (int i = 0; i < 8; i++) {
		int d = hexval(p[i]);
		if (d < 0)
			return -EINVAL;
		v = (v << 4) | (uint32_t)d;
	}
	*out = v;
	return 0;
}

static int parse_header(const uint8_t *h, uint32_t f[F_COUNT])
{
	static const char magic[] = "07070";
	for (int i = 0; i < 5; i++)
		if (h[i] != (uint8_t)magic[i])
			return -EINVAL;
	if (h[5] != '1' && h[5] != '2')
		return -EINVAL;
	for (int i = 0; i < F_COUNT; i++)
		if (parse_field(h + 6 + 8 * i, &f[i]))
			return -EINVAL;
	return 0;
}

/* [off, off+n) lies within the archive (no overflow). */
static int in_bounds(const struct cpio_iter *it, size_t off, size_t n)
{
	return off <= it->len && n <= it->len - off;
}

static size_t align4(size_t v)
{
	return (v + 3) & ~(size_t)3;
}

/* The name must be exactly namesize bytes including one terminating NUL. */
static int check_name(const char *name, uint32_t namesize)
{
	if (namesize == 0)
		return -EINVAL;
	for (uint32_t i = 0; i + 1 < namesize; i++)
		if (name[i] == '\0')
			return -EINVAL;
	return name[namesize - 1] == '\0' ? 0 : -EINVAL;
}

static int is_trailer(const struct cpio_entry *e)
{
	if (e->namelen != sizeof(TRAILER) - 1)
		return 0;
	for (size_t i = 0; i < e->namelen; i++)
		if (e->name[i] != TRAILER[i])
			return 0;
	return 1;
}

void cpio_iter_init(struct cpio_iter *it, const void *base, size_t len)
{
	it->base = base;
	it->len = base ? len : 0;
	it->pos = 0;
	it->state = 0;
}

static int parse_entry(struct cpio_iter *it, struct cpio_entry *out, size_t *next)
{
	uint32_t f[F_COUNT];
	if (!in_bounds(it, it->pos, CPIO_HDR_LEN) || parse_header(it->base + it->pos, f))
		return -EINVAL;
	size_t name_off = it->pos + CPIO_HDR_LEN;
	if (!in_bounds(it, name_off, f[F_NAMESIZE]))
		return -EINVAL;
	const char *name = (const char *)it->base + name_off;
	if (check_name(name, f[F_NAMESIZE]))
		return -EINVAL;
	size_t data_off = align4(name_off + f[F_NAMESIZE]);
	/* empty data may lack its padding: archives may end right after the trailer's name */
	if (f[F_FILESIZE] == 0)
		data_off = name_off + f[F_NAMESIZE];
	else if (!in_bounds(it, data_off, f[F_FILESIZE]))
		return -EINVAL;
	out->name = name;
	out->namelen = f[F_NAMESIZE] - 1;
	out->mode = f[F_MODE];
	out->uid = f[F_UID];
	out->gid = f[F_GID];
	out->mtime = f[F_MTIME];
	out->rdev_major = f[F_RDEVMAJOR];
	out->rdev_minor = f[F_RDEVMINOR];
	out->ino = f[F_INO];
	out->nlink = f[F_NLINK];
	out->data = it->base + data_off;
	out->size = f[F_FILESIZE];
	*next = align4(data_off + f[F_FILESIZE]);
	return 0;
}

int cpio_next(struct cpio_iter *it, struct cpio_entry *out)
{
	if (it->state < 0)
		return it->state;
	if (it->state > 0)
		return 0;
	struct cpio_entry e;
	size_t next;
	if (parse_entry(it, &e, &next)) {
		it->state = -EINVAL;
		return -EINVAL;
	}
	if (is_trailer(&e)) {
		it->state = 1;
		return 0;
	}
	it->pos = next;
	*out = e;
	return 1;
}

int cpio_validate(const void *base, size_t len)
{
	struct cpio_iter it;
	struct cpio_entry e;
	int r;
	cpio_iter_init(&it, base, len);
	while ((r = cpio_next(&it, &e)) > 0)
		;
	return r;
}
