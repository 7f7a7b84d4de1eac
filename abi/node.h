/*
 * Nodes and process migration (issue 16, docs/migration.md): the kernel's side of a cluster
 * of Tessera machines. A node has an id (1..T_NODE_MAX, from the kernel command line
 * `node=N`; 0 = not in a cluster), resource ids may name another node's resources
 * (RID_NODE, abi/tessera.h), and a process can be frozen, exported page by page, created
 * from that image on another node and deleted here (the calls t_mig_*). The node server
 * (servers/node) carries all of it between nodes; these structures are what it passes to
 * the kernel. Plain C types only: shared by the kernel and user space.
 */
#pragma once
#include <stdint.h>
#include "abi/tessera.h"

/* ---- the node ---------------------------------------------------------------------------- */
struct t_node_info {
	uint32_t node;               /* this node's id, 0: not in a cluster */
	uint32_t nodes;              /* cluster size from the command line (`nodes=N`), 0: unknown */
	uint32_t nproc;              /* processes (stubs of processes away not counted) */
	uint32_t runnable;           /* executions ready or running now */
	uint32_t visitors;           /* processes here whose home is another node */
	uint32_t away;               /* processes of this node running elsewhere (stubs) */
	uint32_t frozen;             /* processes stopped for a migration */
	uint32_t pad;
	uint64_t pages_free, pages_total;
	uint64_t uptime_ms;
};

/* t_res_info v5 of a process: where it runs (a stub, TPS_REMOTE) or, for a visitor, its home */
#define T_PLOC_PID(v) ((int32_t)((v) & 0x7fffffffu))
#define T_PLOC_NODE(v) ((uint32_t)(((v) >> 32) & 0xffu))
#define T_PLOC_HOME (1ull << 40)     /* v5 names the home of a process that came from there */
#define T_PLOC(node, pid, flags) (((uint64_t)(node) << 32) | (uint32_t)(pid) | (flags))

/* ---- why a process cannot move (t_mig_freeze's *why; -EBUSY) ----------------------------- */
#define TMIG_WHY_LIST(X) \
	X(NONE, "movable") \
	X(SOCKET, "it holds a socket") \
	X(DEVICE, "it has claimed a device") \
	X(ICA, "it holds an ICA") \
	X(FILE, "it has a file open (descriptor not on the console)") \
	X(CONSOLE, "it is waiting for console input (input is not forwarded)") \
	X(VFORK, "it is a vfork child running on its parent's memory") \
	X(SHARED, "it shares its space with other processes") \
	X(THREADS, "it has more than one thread") \
	X(CHILDREN, "it has children (wait could not follow it)") \
	X(SERVER, "it serves function ids (an OS server)") \
	X(SMODE, "it runs in supervisor mode") \
	X(CKPT, "it returns to a checkpoint on faults") \
	X(REGION, "it has a system-wide region attached") \
	X(KERNEL, "it is init or a kernel-held process") \
	X(BUSY, "another migration or change of it is under way") \
	X(TOOBIG, "it has more regions than a migration image holds") \
	X(JOBCTL, "it is stopped, or leads a session with a terminal") \
	X(CHROOT, "it has a root directory of its own (chroot)")
enum t_mig_why {
#define TMIG_ENUM(name, str) TMIG_##name,
	TMIG_WHY_LIST(TMIG_ENUM)
#undef TMIG_ENUM
	TMIG_NWHY
};

/* ---- the image of a process: what moves besides its memory --------------------------------- */
#define T_MIG_MAXSEG 100             /* attached regions a movable process may have */
/* the image, the region array and the vectors each fit what kmalloc gives (a page less 16) */
#define T_MIG_NFD 32                 /* descriptors (NFD) */
#define T_MIG_ARGS_MAX 4000          /* packed argv + envp (the kernel keeps no more) */
#define T_MIG_VERSION 2

/* a region of the process: where, how big, what kind (enum t_region_kind), protection
 * (TR_READ|TR_WRITE|TR_EXEC), and flags */
#define TMS_HEAP 1u                  /* the heap that brk grows */
struct t_mig_seg {
	uint64_t addr, size;
	uint32_t kind, prot;
	uint32_t flags;
	uint32_t resident;           /* pages with contents (what will be sent) */
	uint64_t id;                 /* the attachment's resource id: the same region as in an
				      * earlier layout (pre-copy) only if the id is the same */
};

/* descriptor kinds (others refuse the migration: TMIG_FILE, TMIG_SOCKET) */
#define TMFD_NONE 0u
#define TMFD_CONSOLE 1u              /* the console, or a console forwarded to the home node */

/* the user registers as the process left the kernel */
struct t_mig_regs {
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
	uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
	uint64_t rip, rflags, rsp;
	uint64_t fs_base;
	uint8_t fpu[512] __attribute__((aligned(16)));   /* FXSAVE area */
};

struct t_mig_sigact {
	uint64_t handler, flags, restorer, mask;
};

struct t_mig_image {
	uint32_t version;            /* T_MIG_VERSION */
	uint32_t size;               /* sizeof(struct t_mig_image) */
	int32_t pid;                 /* its pid on the node it leaves */
	uint32_t home_node;          /* where it was created (its pid there names it everywhere) */
	int32_t home_pid;
	uint32_t uid, gid, mode;     /* uid, gid: the file-system ids (the access checks') */
	uint32_t ruid, euid, suid;   /* real, effective and saved ids (setresuid(2)) */
	uint32_t rgid, egid, sgid;
	int32_t prio;
	uint32_t umask;
	char name[T_NAME_MAX];
	char cwd[256];
	struct t_mig_regs regs;
	uint64_t brk_start, brk_cur, brk_max;
	uint64_t img_va, img_span;   /* system-wide addresses its PIE image holds */
	uint64_t sig_mask, sig_pending;
	struct t_mig_sigact sig[65];
	uint64_t alarm_left_ns, alarm_interval_ns;
	uint64_t rlim[16][2];        /* RLIMIT_* cur, max */
	uint64_t altstack_sp, altstack_size;
	int32_t altstack_flags;
	uint32_t args_len;           /* packed argv/envp that go along (t_mig_create's args) */
	uint8_t fd_kind[T_MIG_NFD];  /* TMFD_* */
	uint8_t fd_cloexec[T_MIG_NFD];
	uint32_t nseg;               /* its regions: an array of struct t_mig_seg beside it */
	uint32_t pad;
};

/* ---- pages in and out (t_mig_read, t_mig_write, t_mig_dirty) -------------------------------
 * A batch of whole pages: addr[i] is where page i (at buf + i * 4096) belongs. t_mig_read
 * fills it with the resident pages of [from, to) and says where to go on; t_mig_write puts
 * n pages into the process being built. */
#define T_MIG_BATCH 64               /* pages per batch at most */
struct t_mig_pages {
	uint64_t from, to;           /* read: the range to look in */
	uint64_t next;               /* read: where the next call goes on (== to: done) */
	uint32_t n;                  /* pages in the batch */
	uint32_t flags;
	uint64_t buf;                /* user address of n * 4096 bytes */
	uint64_t addr[T_MIG_BATCH];
};
#define TMP_DIRTY 1u                 /* only pages written since they were last read with
				      * TMP_DIRTY or TMP_CLEAN (pre-copy) */
#define TMP_CLEAN 2u                 /* every resident page, each marked clean */
#define TMP_LIVE 4u                  /* the process need not be frozen (pre-copy rounds: the
				      * caller needs the move right on it) */

/* t_mig_query: is the process of home node/pid on this node (after a migration stream broke,
 * the node it left asks whether it got here) */
#define TMQ_ABSENT 0u
#define TMQ_BUILDING 1u
#define TMQ_RUNNING 2u                /* started here (it may have ended since) */

/* t_mig_freeze: *why is read first as these flags */
#define TMF_SPACE 1u                 /* its space moves whole: others may share it, if every
				      * one of them is frozen by the same migrator before any
				      * commits */

/* ---- remote resource operations (t_node_resop: the node server runs them for a caller on
 * another node, with that caller's uid and gid) --------------------------------------------- */
enum t_node_op { TNO_INFO = 1, TNO_NEXT, TNO_DELETE, TNO_CHANGEMOD, TNO_CHANGEOID };
struct t_node_resop {
	uint32_t op;                 /* enum t_node_op */
	uint32_t uid, gid;           /* the caller's, on its node */
	uint32_t from_node;
	rid_t rid;                   /* local to this node (no node field) */
	uint64_t arg, arg2;          /* NEXT: type; CHANGEMOD: mode; CHANGEOID: oid, flag */
	rid_t out_rid;               /* NEXT: the next resource (with this node's field) */
	struct t_res_info info;      /* INFO: rids in it carry this node's field */
};
