/* Argument vectors kept by the kernel: a process's argv and envp packed into one block, so
 * that it can be restarted (metamorphosis back to the initial state) with the same ones. */
#pragma once
#include <stddef.h>

#define ARGS_MAX_BYTES 4000
#define ARGS_MAX_STRINGS 64

struct args_view {
	const char *argv[ARGS_MAX_STRINGS + 1];
	const char *envp[ARGS_MAX_STRINGS + 1];
	int argc, envc;
};

/* A kmalloc'd copy of both vectors; NULL when they do not fit or memory is short. */
void *args_pack(const char *const *argv, int argc, const char *const *envp, int envc);
/* Pointers into a packed block (valid while the block lives). */
void args_unpack(const void *block, struct args_view *out);
/* The size in bytes of a packed block (what args_from_bytes takes back). */
size_t args_size(const void *block);
/* A kmalloc'd block from n bytes that came from elsewhere (another node): NULL unless they
 * are exactly a well-formed block within the limits. */
void *args_from_bytes(const void *bytes, size_t n);
