/* Packed argument vectors (see args.h): a header of two counts, then argc + envc strings. */
#include "kernel/proc/args.h"
#include "kernel/lib/string.h"
#include "kernel/mm/kmalloc.h"

struct block {
	int argc, envc;
	char strings[];
};

void *args_pack(const char *const *argv, int argc, const char *const *envp, int envc)
{
	size_t need = sizeof(struct block);
	if (argc > ARGS_MAX_STRINGS || envc > ARGS_MAX_STRINGS || argc < 0 || envc < 0)
		return NULL;
	for (int i = 0; i < argc; i++)
		need += strlen(argv[i]) + 1;
	for (int i = 0; i < envc; i++)
		need += strlen(envp[i]) + 1;
	struct block *b = need <= ARGS_MAX_BYTES ? kmalloc(need) : NULL;
	if (!b)
		return NULL;
	b->argc = argc;
	b->envc = envc;
	char *p = b->strings;
	for (int i = 0; i < argc + envc; i++) {
		const char *s = i < argc ? argv[i] : envp[i - argc];
		size_t n = strlen(s) + 1;
		memcpy(p, s, n);
		p += n;
	}
	return b;
}

void args_unpack(const void *block, struct args_view *out)
{
	const struct block *b = block;
	const char *p = b->strings;
	out->argc = b->argc;
	out->envc = b->envc;
	for (int i = 0; i < b->argc + b->envc; i++) {
		if (i < b->argc)
			out->argv[i] = p;
		else
			out->envp[i - b->argc] = p;
		p += strlen(p) + 1;
	}
	out->argv[b->argc] = NULL;
	out->envp[b->envc] = NULL;
}

size_t args_size(const void *block)
{
	const struct block *b = block;
	const char *p = b->strings;
	for (int i = 0; i < b->argc + b->envc; i++)
		p += strlen(p) + 1;
	return (size_t)(p - (const char *)b);
}

void *args_from_bytes(const void *bytes, size_t n)
{
	const struct block *b = bytes;
	if (n < sizeof(*b) || n > ARGS_MAX_BYTES || b->argc < 0 || b->envc < 0 ||
	    b->argc > ARGS_MAX_STRINGS || b->envc > ARGS_MAX_STRINGS)
		return NULL;
	size_t at = sizeof(*b);
	for (int i = 0; i < b->argc + b->envc; i++) {
		size_t len = strnlen((const char *)bytes + at, n - at);
		if (len == n - at)
			return NULL;                 /* a string runs past the end */
		at += len + 1;
	}
	if (at != n)
		return NULL;
	void *copy = kmalloc(n);
	if (copy)
		memcpy(copy, bytes, n);
	return copy;
}
