/* Argument vectors kept by the kernel: a process's argv and envp strings, one after another
 * with their NULs (argv's first), in one reference-counted block, so that it can be
 * restarted (metamorphosis back to the initial state) with the same ones, and so that fork
 * children share them instead of copying. Linux's limits apply (args_limit): a block may
 * hold megabytes, so a large one lives in pages of its own, reached through a directory of
 * page addresses, never in one contiguous kernel area (the kernel's window for those is
 * small and shared); the bytes are read and written in pieces that never cross a page. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Linux's MAX_ARG_STRLEN: one string with its NUL may take at most 32 pages. */
#define ARGS_MAX_STRLEN (32ul * 4096)
/* Linux's ARG_MAX: the floor of the total limit whatever the stack limit. */
#define ARGS_MIN_LIMIT (32ul * 4096)
/* Linux's _STK_LIM / 4 * 3: the ceiling of the total limit. */
#define ARGS_MAX_LIMIT (6ul << 20)

struct args;

/* Linux's limit on strings plus one pointer each (bprm_stack_limits): a quarter of the stack
 * limit, between ARGS_MIN_LIMIT and ARGS_MAX_LIMIT. */
size_t args_limit(uint64_t rlim_stack_cur);
/* Whether strings of `bytes` (NULs included) in `count` vectors' entries fit limit. */
bool args_fit(size_t bytes, size_t count, size_t limit);

/* A block for bytes of strings (contents not yet written), one reference: -ENOMEM, or
 * -E2BIG past ARGS_MAX_LIMIT. */
int args_alloc(size_t bytes, uint32_t argc, uint32_t envc, struct args **out);
/* A block holding copies of these kernel strings (NULL when out of memory or too large). */
struct args *args_pack(const char *const *argv, int argc, const char *const *envp, int envc);
void args_get(struct args *a);
void args_put(struct args *a);                  /* a may be NULL */

uint32_t args_argc(const struct args *a);
uint32_t args_envc(const struct args *a);
size_t args_bytes(const struct args *a);        /* of all strings, NULs included */

/* The byte at offset off and how many follow it contiguously (to the end of its page or of
 * the strings, at least 1); NULL for off >= args_bytes. */
char *args_at(const struct args *a, size_t off, size_t *len);
/* Copies n bytes from offset off out of / into the block (the range must lie inside). */
void args_read(const struct args *a, size_t off, void *dst, size_t n);
void args_write(struct args *a, size_t off, const void *src, size_t n);
/* Offset of the end (past the NUL) of the string starting at off. */
size_t args_str_end(const struct args *a, size_t off);
/* Where the argv strings (env false) or the envp strings (env true) lie: their first byte's
 * offset and their bytes, NULs included (what /proc/PID/cmdline and environ show; read them
 * with args_at, piece by piece). */
void args_span(const struct args *a, bool env, size_t *off, size_t *len);
/* The wire form of a block, for another node (kernel/proc/migrate.c, migrate_in.c): argc and
 * envc as two 32-bit numbers, then the strings. args_from_wire takes only bytes that are
 * exactly one well-formed block within the limits (they came over the network), else NULL. */
size_t args_wire_size(const struct args *a);
void args_to_wire(const struct args *a, void *buf);
struct args *args_from_wire(const void *buf, size_t n);
