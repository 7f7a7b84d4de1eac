/*
 * The outer core's interface (AnT, SPEC section 11; docs/servers.md): devices as resources,
 * ICAs (physically contiguous page areas passed between processes without copying), function
 * identifiers, and the request and result messages that carry calls to OS servers and driver
 * processes. Plain C types only: shared by the kernel and user space.
 */
#pragma once
#include <stdint.h>
#include "abi/tessera.h"

/* ---- ICA ----------------------------------------------------------------------------------
 * An ICA is n pages of physically contiguous memory (at most T_ICA_MAX_PAGES), zeroed at
 * creation. It has one virtual address for its whole life, taken from the system-wide user
 * address allocator, so it lands at the same address in whichever space holds it and pointers
 * inside it stay valid. It has one holder at a time (a process, or a request in flight) and is
 * attached, read-write, in at most the holder's space. Passing it in a request or a result
 * detaches it from the sender's space and attaches it in the receiver's. */
#define T_ICA_MAX_PAGES 1024u          /* 4 MiB */
struct t_ica {
	rid_t rid;
	uint64_t addr;                 /* where it is attached (0: detached) */
	uint64_t pages;
};

/* ---- Function identifiers -------------------------------------------------------------------
 * A caller names a function, never a server. abi/fnids.def lists the well-known ones; a server
 * registers the ids it serves with t_fn_register (root only). Ids 1..T_FN_MAX-1. */
#define T_FN_MAX 4096u
#define T_FN_IRQ 0u                    /* fn of an interrupt message (never registered) */
enum t_fn {
#define FNID(name, nr, str) TFN_##name = nr,
#include "abi/fnids.def"
#undef FNID
};
#define TFN_BLK_STRIDE 0x10u           /* block unit u serves TFN_BLK_* + u * stride */
#define TFN_BLK_UNITS 8u
/* t_fn_register flags */
#define TFN_UNREGISTER 1u

/* ---- Messages --------------------------------------------------------------------------------
 * One structure for a request (caller -> server), a result (server -> caller) and an
 * interrupt message (kernel -> driver). Small arguments and results travel in arg[]; bulk data
 * in the control and data ICAs, never copied. */
struct t_msg {
	uint64_t id;           /* request id: set by the kernel at send, echoed in the result */
	uint32_t fn;           /* function id (T_FN_IRQ: interrupt message) */
	int32_t status;        /* result: 0 or a negative errno (-EIO: the server died) */
	int32_t pid;           /* at the server: the caller's pid; at the caller: the server's */
	uint32_t uid;          /* at the server: the caller's uid (so a server can check rights) */
	rid_t ctl;             /* control ICA, 0 for none */
	rid_t data;            /* data ICA, 0 for none */
	uint64_t ctl_addr;     /* where ctl is attached at the receiver (set by the kernel) */
	uint64_t data_addr;    /* where data is attached at the receiver (set by the kernel) */
	uint64_t arg[6];       /* interrupt message: arg[0] device rid, arg[1] vector index,
	                        * arg[2] interrupts counted since the last message */
};

/* t_srv_* flags */
#define TSRV_NONBLOCK 1u       /* -EAGAIN instead of waiting for a request or a result */
#define TSRV_RESULTS 4u        /* t_srv_recv: a result of the caller's own async requests
                                * counts as a message too (returned 1 instead of 0), so a
                                * server that calls a driver asynchronously waits for both
                                * in one place (the AnT model's server, docs/replacement.md) */
#define T_SRV_QLEN 64u         /* requests one server queues; async requests one caller has
                                * outstanding. More: -EAGAIN */

/* What t_srv_stat reports of one registered function id (svc lists these). */
struct t_fn_stat {
	uint32_t fn;
	int32_t pid;           /* the server */
	uint32_t queued;       /* requests in the server's queue now */
	uint32_t inflight;     /* taken by the server, not yet answered */
	uint64_t calls;        /* requests to this id since it was registered */
	char name[T_NAME_MAX]; /* the server's process name */
};

/* ---- Devices ---------------------------------------------------------------------------------
 * Each PCI function found at boot is a resource of type RT_DEVICE, owned by root, mode
 * TMODE(TOP_ALL, TOP_REFER, TOP_REFER): claiming needs TOP_USE. Resource names are
 * "pci-BB:DD.F". */
#define T_DEV_BARS 6
#define TBAR_NONE 0u
#define TBAR_MEM 1u
#define TBAR_IO 2u
struct t_dev_info {
	rid_t rid;
	uint16_t vendor, device;
	uint8_t bus, slot, func, irq_pin;      /* irq_pin: 0 none, 1..4 INTA..INTD */
	uint32_t class_code;                   /* class << 16 | subclass << 8 | prog-if */
	uint16_t subsys_vendor, subsys_id;
	uint32_t msix_vectors;                 /* 0: no MSI-X */
	int32_t claimant;                      /* pid, 0 when unclaimed */
	uint64_t irq_count;                    /* interrupts taken from it since boot */
	uint32_t bar_kind[T_DEV_BARS];         /* TBAR_* */
	uint64_t bar_base[T_DEV_BARS];         /* physical address or I/O port */
	uint64_t bar_size[T_DEV_BARS];
};
/* What t_dev_claim returns: memory BARs mapped uncached into the claimant's space, I/O BARs
 * opened to it in the I/O permission bitmap. */
struct t_dev_claim {
	uint64_t bar_addr[T_DEV_BARS];         /* mapped address of a memory BAR, else 0 */
	uint32_t nvec;                         /* interrupt vectors: MSI-X entries 0..nvec-1, or
	                                        * 1 for INTx (vector index 0) */
	uint32_t msix;                         /* 1: MSI-X, 0: INTx through the IOAPIC */
};

/* ---- Live replacement of servers (docs/replacement.md) ---------------------------------------
 * A server that can be replaced says so with t_repl_declare(version): it understands the
 * notice below and keeps what it must hand over in state ICAs whose layout has that version
 * number (0: no longer replaceable). libsrv does all of this (user/libsrv/srvstate.h).
 * A requester (root) asks the kernel to replace the server of a function id (or a server by
 * pid) with a new program, as AnT's twelve steps (seed 003, figure 5):
 *  1. t_repl_request(req, &res): the kernel creates the new server (the old one's priority
 *     and name), marks the replacement pending on the old one and wakes it; the requester
 *     waits for the result.
 *  2. The old server's next t_srv_recv returns the notice (fn T_FN_REPLACE, arg[0] the new
 *     server's pid) before any further interrupt, result or queued request: it stops at a
 *     request boundary. Requests it has taken and not answered (a driver's requests in flight
 *     in its device, a server's waiting for a driver's result) are part of what moves.
 *  3. It hands its state over: t_repl_handover(items, n, version), its state (state ICAs,
 *     and regions of its memory too big for the ICA pool) and the version number of its
 *     layout; it waits for the outcome.
 *     (Version 0 refuses: it cannot stop now; the replacement fails with -EAGAIN.)
 *  4. The new server, started as an ordinary process, asks t_repl_take(&st): -ESRCH means an
 *     ordinary start; otherwise it waits for the handover and gets the state, every piece at
 *     its own address in its space, with the old layout's version. It must not write them before it is
 *     ready (they go back to the old server if the replacement fails); a newer layout is
 *     converted into ICAs of its own (a transfer function).
 *  5. t_repl_ready(fns, n) is its registration: the function ids it provides, which must
 *     include every id the old server serves (else -ENOPROTOOPT: refused). The kernel then
 *     moves, at once: the function ids (their counters kept), every request queued for the
 *     old server, every request it had taken (their ICAs re-lent to the new one), the results
 *     of its asynchronous requests and those still under way, its pending interrupts and its
 *     device claims (the device is not reset: BARs mapped at the same addresses, ports, DMA
 *     and interrupts go on). The state becomes the new server's for good.
 *  6. The old server's t_repl_handover never returns: it exits (status 0). The requester gets
 *     the result: pids, versions, how long each step took.
 * Callers keep addressing the same function ids and see only a delay.
 *
 * Rollback: if the new server exits before it is ready (a crash during its start), gives up
 * (t_repl_abort: failed initialisation, or -EPROTO: it rejects the state), is not ready by
 * the deadline, or is refused, the kernel kills it, gives the state back to the old server
 * (at the same addresses) and t_repl_handover returns -ECANCELED there: the old
 * server goes on with every request, counter and function id as they were. The requester's
 * t_repl_request returns:
 *   -ECHILD      the new server exited (crashed) before it was ready
 *   -ECANCELED   it failed its initialisation (res.new_status: its error)
 *   -EPROTO      it rejected the state (an unknown layout version, say)
 *   -ETIMEDOUT   the old server did not reach a request boundary, or the new one was not
 *                ready, within the deadline
 *   -ENOPROTOOPT the new program does not provide the old server's function ids (refused)
 *   -EAGAIN      the old server refused at its request boundary (it could not stop now)
 *   -ESRCH       the old server exited meanwhile; -EINTR the requester was signalled
 * and before anything started: -EPERM (not root), -ENOENT (nobody serves fn), -EOPNOTSUPP
 * (the server never declared itself replaceable: t_repl_declare), -EBUSY (a replacement of it
 * is under way), -EDEADLK (the requester is the server), or the program's own errors. */
#define T_FN_REPLACE 0xffffffffu        /* fn of the replacement notice (never registered) */
#define T_REPL_MAX_STATE 64u            /* pieces of state one handover carries */
#define T_REPL_DEADLINE_MS 5000u        /* deadline when the request gives 0 */
#define T_REPL_DEADLINE_MAX_MS 600000u

struct t_repl_req {
	uint32_t fn;                    /* replace the server of this function id; 0: of pid */
	int32_t pid;
	const char *path;               /* the new server's program */
	const char *const *argv;        /* NULL-terminated; NULL means { path, NULL } */
	const char *const *envp;        /* NULL-terminated; NULL means empty */
	uint32_t deadline_ms;           /* for the whole replacement; 0: T_REPL_DEADLINE_MS */
	uint32_t flags;                 /* must be 0 */
};

/* The steps of a replacement, in order; res.at_ns[step] is when it happened. */
enum t_repl_step {
	TREPL_CREATED,                  /* the new server exists */
	TREPL_NOTIFIED,                 /* the old server took the notice (request boundary) */
	TREPL_HANDED,                   /* the old server handed its state over */
	TREPL_TAKEN,                    /* the new server took it */
	TREPL_READY,                    /* the new server registered (t_repl_ready) */
	TREPL_DONE,                     /* everything moved: the result */
	TREPL_NSTEPS
};

struct t_repl_result {
	int32_t old_pid, new_pid;
	uint32_t old_version;           /* the state's layout version, as the old server had it */
	uint32_t new_version;           /* as the new server declares it */
	int32_t new_status;             /* what the new server gave t_repl_abort, else 0 */
	uint32_t steps;                 /* how many steps were reached (TREPL_DONE + 1: all) */
	uint64_t total_ns;              /* request to result */
	uint64_t at_ns[TREPL_NSTEPS];   /* when each step happened, ns after the request */
	uint32_t moved_fns;             /* function ids */
	uint32_t moved_queued;          /* requests queued for the old server */
	uint32_t moved_taken;           /* requests it had taken and not answered */
	uint32_t moved_results;         /* results of its async requests, not yet collected */
	uint32_t moved_async;           /* its async requests still at other servers */
	uint32_t moved_claims;          /* device claims */
	uint32_t state_items;           /* pieces of state handed over (ICAs and regions) */
	uint32_t added_fns;             /* ids the new server provides that the old one did
	                                 * not: registered to it at the commit */
};

/* One piece of state: an ICA (rid), or (rid 0) the old server's memory mapping of exactly
 * [addr, addr + len), an anonymous or file mmap at the system-wide addresses mmap gives when
 * no address is asked for. A mapping moves into the new server's space at the same address:
 * no page is copied or cleared, the new server's touches map them. */
struct t_repl_item {
	rid_t rid;
	uint64_t addr;
	uint64_t len;                   /* bytes */
};

/* What t_repl_take gives the new server: the pieces in the order the old server gave them;
 * an ICA's addr is where it is attached (0: not, for want of memory: t_ica_attach). */
struct t_repl_state {
	int32_t old_pid;
	uint32_t version;               /* the state's layout version */
	uint32_t n;
	uint32_t reserved;
	struct t_repl_item item[T_REPL_MAX_STATE];
};

/* t_repl_stat(fn, &st): the replacement history of fn's server (svc lists it). */
struct t_repl_stat {
	int32_t pid;                    /* the server of fn now */
	uint32_t version;               /* its declared state version; 0: not replaceable */
	uint64_t replacements;          /* of fn's server since fn was registered */
	uint64_t last_at_ns;            /* when the last one ended (monotonic clock; 0: never) */
	uint64_t last_ns;               /* how long it took */
	int32_t pending;                /* a replacement is under way: the new server's pid */
	uint32_t reserved;
};
