/*
 * libsrv: replaceable servers (docs/replacement.md). A server keeps everything its
 * replacement needs in *state memory*: ICAs (srv_salloc), and for big things mappings of its
 * memory (srv_smap), which it hands to the kernel when it is replaced and which its successor
 * takes over without a copy. Both keep their virtual address for life (ICAs and mmap's fresh
 * mappings have system-wide addresses), so pointers from one state object to another stay
 * valid in the new server; pointers into a program's own code or static data do not (the new
 * program sits elsewhere), so the state holds none, or the new server sets them again
 * (resume).
 *
 * The first state ICA starts with a header: a magic number, the server's kind ("echo"), the
 * layout version of its state, its root object, and the list of every piece of state. A server
 * describes itself with struct srv_desc and calls srv_state_start at its start, then
 * srv_state_loop (or its own loop, calling srv_state_handover at a replacement notice):
 *
 *   fresh start      init(root) on a zeroed root of root_size bytes; the server registers
 *                    its function ids (or svc did)
 *   replacement      the old state arrives (t_repl_take) read-only until the commit. The same
 *                    layout version: adopt says yes and the state is used as it is. An older
 *                    one: adopt converts it (a transfer function) into new state memory.
 *                    Anything else: -EPROTO, the state is rejected and the old server goes on.
 *                    Then t_repl_ready with the server's function ids, and after the commit
 *                    resume(root), where the state may be written again.
 */
#pragma once
#include <stddef.h>
#include <stdint.h>
#include "abi/srv.h"
#include "srv.h"

#define SRV_STATE_MAGIC 0x31535354u     /* "TSS1": the header's own layout */
#define SRV_KIND_MAX 16

/* A piece of state: an ICA (rid), or (rid 0) a mapping made by srv_smap. */
struct srv_state_ica {
	rid_t rid;
	uint64_t addr;
	uint64_t bytes;
};

/* At the start of the first state ICA. */
struct srv_state_hdr {
	uint32_t magic;
	uint32_t version;               /* the layout version of the server's state */
	char kind[SRV_KIND_MAX];
	void *root;                     /* the server's root object (in this ICA) */
	uint32_t n;                     /* pieces of state, this ICA first */
	uint32_t reserved;
	struct srv_state_ica ica[T_REPL_MAX_STATE];
};

struct srv_desc {
	const char *kind;               /* what kind of state this server keeps */
	uint32_t version;               /* the layout version this program keeps it in */
	const uint32_t *fns;            /* the function ids it provides; NULL: those of the */
	uint32_t nfn;                   /* environment's SVC_FNS (svc passes it), else none */
	size_t root_size;               /* bytes of its root object */
	/* A fresh start: root is zeroed state memory of root_size bytes. 0 or an error. */
	int (*init)(void *root, void *ctx);
	/* A replacement, before the commit: old_root is the old server's root, in layout
	 * old_version, read only. Use it (*root = old_root, the same layout) or convert it into
	 * new state memory (srv_salloc; *root = the new root), or -EPROTO: rejected. Any other
	 * error is a failed initialisation. NULL: only the same version is taken. */
	int (*adopt)(void *old_root, uint32_t old_version, void **root, void *ctx);
	/* After the commit (the new server owns the state): set code pointers again, finish.
	 * NULL: nothing to do. Runs before the first request. */
	int (*resume)(void *root, void *ctx);
	/* The old server at the notice, before it hands its state over (a driver tells its
	 * device about requests it queued, a file system writes what only its cache holds).
	 * An error refuses the replacement (it fails with -EAGAIN), the server goes on. NULL:
	 * nothing to do. */
	int (*quiesce)(void *root, void *ctx);
	/* The old server after a failed replacement: its state is back, unchanged. */
	void (*rolled_back)(void *root, void *ctx);
};

/* Starts the server: fresh (init) or as a replacement (adopt, t_repl_ready, resume). *root:
 * the server's root object; *replaced: 1 when it took over a running server. Errors: the
 * server should exit (as a replacement it has told the kernel already). */
int srv_state_start(const struct srv_desc *d, void *ctx, void **root, int *replaced);
/* At a replacement notice (m->fn == T_FN_REPLACE): quiesce, hand the state over. Returns
 * only if the replacement failed (the server goes on, its state back). */
int srv_state_handover(const struct srv_desc *d, void *ctx);
/* srv_loop for a replaceable server: replacement notices are handled here. */
int srv_state_loop(const struct srv_desc *d, srv_handler handle, void *ctx);

/* State memory: zeroed, page-granular, listed in the header; NULL when out of memory or of
 * pieces (T_REPL_MAX_STATE in all). srv_salloc gives an ICA (physically contiguous, from the
 * ICA pool: a sixteenth of RAM; what a device DMAs into, or a request lends, must be one),
 * srv_smap a mapping of ordinary memory, backed as it is touched (for big things: caches). */
void *srv_salloc(size_t bytes);
void *srv_smap(size_t bytes);
void srv_sfree(void *p);
/* Resize (a new piece of the same kind, the old contents copied): NULL on failure, p then
 * unchanged. */
void *srv_srealloc(void *p, size_t bytes);
/* The ICA of a state allocation (its start), 0 if p is none (for t_ica_phys). */
rid_t srv_state_rid(const void *p);
/* The root object and version of the running server's state. */
void *srv_state_root(void);
/* The pid of the server this one replaced (0: a fresh start). */
int srv_state_predecessor(void);
