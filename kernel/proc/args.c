/* Argument vectors (see args.h). A small block keeps its strings inline in its kmalloc'd
 * header; a larger one in whole pages, found through directory pages of 512 page addresses
 * each (so reaching any byte costs two loads whatever the size). */
#include "kernel/proc/args.h"
#include "abi/errno.h"
#include "arch/paging.h"
#include "kernel/lib/string.h"
#include "kernel/mm/kmalloc.h"
#include "kernel/mm/pmm.h"

#define PER_DIR (PAGE_SIZE / sizeof(uint64_t))
#define NDIRS ((ARGS_MAX_LIMIT + PER_DIR * PAGE_SIZE - 1) / (PER_DIR * PAGE_SIZE))

struct args {
	uint32_t refs, argc, envc;
	size_t bytes;
	uint64_t dir[NDIRS];          /* physical addresses of directory pages; 0: inline */
	char inl[];
};

#define INLINE_MAX (4096 - sizeof(struct args))

size_t args_limit(uint64_t rlim_stack_cur)
{
	uint64_t l = rlim_stack_cur / 4;
	if (l > ARGS_MAX_LIMIT)
		l = ARGS_MAX_LIMIT;
	return l < ARGS_MIN_LIMIT ? ARGS_MIN_LIMIT : (size_t)l;
}

bool args_fit(size_t bytes, size_t count, size_t limit)
{
	size_t ptrs = count * sizeof(void *);
	return count <= limit / sizeof(void *) && ptrs < limit && bytes <= limit - ptrs;
}

static uint64_t *dir_page(const struct args *a, size_t d)
{
	return phys_to_virt(a->dir[d]);
}

static void free_pages(struct args *a)
{
	size_t npages = (a->bytes + PAGE_SIZE - 1) / PAGE_SIZE;
	for (size_t d = 0; d < NDIRS && a->dir[d]; d++) {
		uint64_t *ents = dir_page(a, d);
		for (size_t i = 0; i < PER_DIR && d * PER_DIR + i < npages; i++)
			if (ents[i])
				pmm_free(ents[i]);
		pmm_free(a->dir[d]);
	}
}

/* The pages of a large block (its directory pages zeroed first, so a failure halfway leaves
 * zeros where nothing was put, which free_pages skips). */
static int alloc_pages(struct args *a)
{
	size_t npages = (a->bytes + PAGE_SIZE - 1) / PAGE_SIZE;
	if (!pmm_user_room(npages + NDIRS))
		return -ENOMEM;
	for (size_t p = 0; p < npages; p++) {
		size_t d = p / PER_DIR;
		if (!a->dir[d] && !(a->dir[d] = pmm_alloc()))
			return -ENOMEM;
		uint64_t pa = pmm_alloc_dirty();
		if (!pa)
			return -ENOMEM;
		dir_page(a, d)[p % PER_DIR] = pa;
	}
	return 0;
}

int args_alloc(size_t bytes, uint32_t argc, uint32_t envc, struct args **out)
{
	if (bytes > ARGS_MAX_LIMIT)
		return -E2BIG;
	bool inl = bytes <= INLINE_MAX;
	struct args *a = kmalloc(sizeof(*a) + (inl ? bytes : 0));
	if (!a)
		return -ENOMEM;
	*a = (struct args){ .refs = 1, .argc = argc, .envc = envc, .bytes = bytes };
	int err = inl ? 0 : alloc_pages(a);
	if (err) {
		free_pages(a);
		kfree(a);
		return err;
	}
	*out = a;
	return 0;
}

struct args *args_pack(const char *const *argv, int argc, const char *const *envp, int envc)
{
	size_t bytes = 0, off = 0;
	struct args *a;
	if (argc < 0 || envc < 0)
		return NULL;
	for (int i = 0; i < argc + envc; i++)
		bytes += strlen(i < argc ? argv[i] : envp[i - argc]) + 1;
	if (args_alloc(bytes, (uint32_t)argc, (uint32_t)envc, &a))
		return NULL;
	for (int i = 0; i < argc + envc; i++) {
		const char *s = i < argc ? argv[i] : envp[i - argc];
		size_t n = strlen(s) + 1;
		args_write(a, off, s, n);
		off += n;
	}
	return a;
}

void args_get(struct args *a)
{
	a->refs++;
}

void args_put(struct args *a)
{
	if (!a || --a->refs)
		return;
	if (a->bytes > INLINE_MAX)
		free_pages(a);
	kfree(a);
}

uint32_t args_argc(const struct args *a)
{
	return a->argc;
}

uint32_t args_envc(const struct args *a)
{
	return a->envc;
}

size_t args_bytes(const struct args *a)
{
	return a->bytes;
}

char *args_at(const struct args *a, size_t off, size_t *len)
{
	if (off >= a->bytes)
		return NULL;
	if (a->bytes <= INLINE_MAX) {
		*len = a->bytes - off;
		return (char *)a->inl + off;
	}
	size_t page = off / PAGE_SIZE, in = off % PAGE_SIZE;
	uint64_t pa = dir_page(a, page / PER_DIR)[page % PER_DIR];
	*len = PAGE_SIZE - in < a->bytes - off ? PAGE_SIZE - in : a->bytes - off;
	return (char *)phys_to_virt(pa) + in;
}

void args_read(const struct args *a, size_t off, void *dst, size_t n)
{
	for (size_t len = 0; n; off += len, n -= len) {
		const char *p = args_at(a, off, &len);
		len = len < n ? len : n;
		memcpy(dst, p, len);
		dst = (char *)dst + len;
	}
}

void args_write(struct args *a, size_t off, const void *src, size_t n)
{
	for (size_t len = 0; n; off += len, n -= len) {
		char *p = args_at(a, off, &len);
		len = len < n ? len : n;
		memcpy(p, src, len);
		src = (const char *)src + len;
	}
}

size_t args_str_end(const struct args *a, size_t off)
{
	size_t len;
	for (const char *p; (p = args_at(a, off, &len)); off += len) {
		size_t n = strnlen(p, len);
		if (n < len)
			return off + n + 1;
	}
	return a->bytes;
}

void args_span(const struct args *a, bool env, size_t *off, size_t *len)
{
	size_t end = 0;
	for (uint32_t i = 0; i < a->argc; i++)
		end = args_str_end(a, end);
	*off = env ? end : 0;
	*len = env ? a->bytes - end : end;
}

size_t args_wire_size(const struct args *a)
{
	return 2 * sizeof(uint32_t) + a->bytes;
}

void args_to_wire(const struct args *a, void *buf)
{
	uint32_t counts[2] = { a->argc, a->envc };
	memcpy(buf, counts, sizeof(counts));
	if (a->bytes)
		args_read(a, 0, (char *)buf + sizeof(counts), a->bytes);
}

/* Every string ends in its NUL, no string is longer than Linux allows, and there are exactly
 * as many as the counts say. */
static bool wire_strings_ok(const char *s, size_t bytes, uint64_t strings)
{
	uint64_t seen = 0;
	size_t start = 0;
	for (size_t i = 0; i < bytes; i++) {
		if (s[i])
			continue;
		if (i + 1 - start > ARGS_MAX_STRLEN)
			return false;
		seen++;
		start = i + 1;
	}
	return seen == strings && start == bytes;
}

struct args *args_from_wire(const void *buf, size_t n)
{
	uint32_t counts[2];
	struct args *a;
	if (n < sizeof(counts))
		return NULL;
	memcpy(counts, buf, sizeof(counts));
	const char *s = (const char *)buf + sizeof(counts);
	size_t bytes = n - sizeof(counts);
	if (!wire_strings_ok(s, bytes, (uint64_t)counts[0] + counts[1]) ||
	    args_alloc(bytes, counts[0], counts[1], &a))
		return NULL;
	if (bytes)
		args_write(a, 0, s, bytes);
	return a;
}
