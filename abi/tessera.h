/*
 * The interface shared by the kernel and user space: resource identifiers, resource types,
 * operation modes, and the argument structures of Tessera's native system calls.
 * Plain C types only, so the same header compiles in the freestanding kernel and under musl.
 */
#pragma once
#include <stdint.h>

/* ---- Resource identifiers ----------------------------------------------------------------
 * type (8 bits) | generation (24 bits) | index (32 bits). The generation of a table slot
 * changes every time the slot is freed, so a stale id is detected, never silently reused.
 * Id 0 is never valid. */
typedef uint64_t rid_t;
#define RID_MAKE(type, gen, idx) \
	(((uint64_t)(type) << 56) | (((uint64_t)(gen) & 0xffffffu) << 32) | (uint32_t)(idx))
#define RID_TYPE(rid) ((uint32_t)((rid) >> 56))
#define RID_GEN(rid) ((uint32_t)(((rid) >> 32) & 0xffffffu))
#define RID_INDEX(rid) ((uint32_t)(rid))
/* In a cluster (abi/node.h) the index's top byte names the node that holds the resource:
 * 0 (or the node's own id) is this node, 1..T_NODE_MAX another one, whose node server
 * answers the uniform interface's calls for it (docs/migration.md). No table has 2^24
 * entries, so a local lookup of another node's id fails as out of range. 255 is no node. */
#define T_NODE_MAX 254u
#define RID_NODE(rid) ((uint32_t)(((rid) >> 24) & 0xffu))
#define RID_LOCAL(rid) ((rid) & ~(0xffull << 24))
#define RID_AT_NODE(rid, node) (RID_LOCAL(rid) | ((uint64_t)((node) & 0xffu) << 24))
/* t_res_next's start for another node's resources: its first one after this id */
#define RID_NODE_START(node) ((uint64_t)((node) & 0xffu) << 24)

enum t_res_type {
#define RESTYPE(name, nr, str) RT_##name = nr,
#include "abi/restypes.def"
#undef RESTYPE
	RT_NTYPES
};

/* ---- Operation modes ---------------------------------------------------------------------
 * Five operations, allowed or denied separately for owner, group and others. */
#define TOP_REFER 0x01u
#define TOP_USE 0x02u
#define TOP_MODIFY 0x04u
#define TOP_DELETE 0x08u
#define TOP_MOVE 0x10u
#define TOP_ALL 0x1fu
#define TMODE(owner, group, other) \
	((((owner) & TOP_ALL) << 10) | (((group) & TOP_ALL) << 5) | ((other) & TOP_ALL))
#define TMODE_OWNER(m) (((m) >> 10) & TOP_ALL)
#define TMODE_GROUP(m) (((m) >> 5) & TOP_ALL)
#define TMODE_OTHER(m) ((m) & TOP_ALL)
/* default: owner everything, group and others may refer and use */
#define TMODE_DEFAULT TMODE(TOP_ALL, TOP_REFER | TOP_USE, TOP_REFER | TOP_USE)

#define T_NAME_MAX 32   /* resource names, including the terminating NUL */
#define T_MAX_REFS 8

/* A reference from one resource to another, with the role it plays ("space", "text", ...). */
struct t_res_ref {
	rid_t rid;
	char role[16];
};

/* What t_res_info returns. v[] holds type-specific values, documented per type:
 *  process: v0 pid, v1 parent pid, v2 state (enum t_proc_state), v3 exit status, v4 uid,
 *           v5 where it runs if TPS_REMOTE, or its home if it came from another node:
 *           T_PLOC_* (abi/node.h), 0 for a process of this node running here
 *  program: v0 text size, v1 data size, v2 bss size, v3 entry offset, v4 is_pie, v5 users
 *  plate:   v0 size in bytes, v1 1 if directory
 *  vregion: v0 size in bytes, v1 resident pages, v2 kind (enum t_region_kind), v3 attachments
 *  vspace:  v0 attachments, v1 processes, v2 page-table pages
 *  vuspace/vkspace: v0 address, v1 size
 *  exec:    v0 state, v1 priority, v2 pid (0 = none), v3 ticks run
 *  cbox:    v0 queued containers, v1 bytes queued, v2 waiting receivers, v3 waiting senders
 *  container: v0 size in bytes; ref "box"
 *  device:  v0 vendor << 16 | device id, v1 class code, v2 claimant pid (0 = none), v3 interrupts
 *           taken, v4 MSI-X table entries, v5 interrupt pin (abi/srv.h t_dev_info has all) */
struct t_res_info {
	rid_t rid;
	uint32_t type;
	uint32_t owner;
	uint32_t group;
	uint32_t mode;
	char name[T_NAME_MAX];
	uint32_t nrefs;
	uint32_t flags;          /* TRF_* */
	struct t_res_ref refs[T_MAX_REFS];
	uint64_t v[6];
};

/* TPS_REMOTE: a process of this node running on another one (docs/migration.md); its pid
 * here still names it (kill, wait, ps) */
enum t_proc_state { TPS_NEW = 0, TPS_READY, TPS_RUNNING, TPS_BLOCKED, TPS_ZOMBIE, TPS_REMOTE };
enum t_region_kind {
#define REGION_KIND(name, str) TRK_##name,
#include "abi/regionkinds.def"
#undef REGION_KIND
};

/* ---- Process creation (t_proc_create) ---------------------------------------------------- */
struct t_spawn {
	const char *path;              /* program plate, e.g. "/bin/hello" */
	const char *const *argv;       /* NULL-terminated; NULL means { path, NULL } */
	const char *const *envp;       /* NULL-terminated; NULL means empty */
	const char *name;              /* resource name of the process; NULL: basename of path */
	rid_t vspace;                  /* 0: a new space; otherwise an existing space */
	uint32_t mode;                 /* operation mode of the process; 0: TMODE_DEFAULT */
	int32_t prio;                  /* priority 0 (highest) .. 7; -1: the creator's */
};

/* ---- Container boxes and containers (t_cbox_create/send/recv; docs/ipc.md) --------------
 * A container box is a named mailbox (RT_CBOX); a container is one message (RT_CONTAINER)
 * queued in a box, first in first out. Sending and receiving both need TOP_USE on the box. */
#define CONTAINER_MAX 65536u        /* largest container in bytes (bigger: -EMSGSIZE) */
#define CBOX_QLEN 64u               /* containers one box holds */
#define CBOX_QBYTES (1u << 20)      /* bytes one box holds */
#define TCB_NONBLOCK 1u             /* -EAGAIN instead of waiting for room or a container */

/* t_kctl keys (uid 0 only for changes): value -1 reads the current setting */
#define TK_PCID 1          /* 1: use PCIDs on space switches, 0: flush on every switch */
#define TK_REUSE 2         /* bit mask of reusable-resource kinds in use (TRU_*) */
#define TK_REUSE_FLUSH 3   /* value 1: destroy everything in the reusable-resource table */

/* Kinds of the reusable-resource table (bits of TK_REUSE) */
#define TRU_PROGRAM 0       /* programs, with their text regions */
#define TRU_SPACE 1         /* empty virtual spaces, with their page-table skeleton */
#define TRU_REGION 2        /* data, BSS, heap, stack and mmap regions, by size */
#define TRU_NKINDS 3
#define TRU_ALL ((1u << TRU_NKINDS) - 1)

/* t_reuse_stat: what the reusable-resource table holds and how it served */
struct t_reuse_stat {
	uint32_t mask;                     /* kinds in use */
	uint32_t capacity[TRU_NKINDS];     /* bound per kind */
	uint32_t cached[TRU_NKINDS];       /* entries held now */
	uint64_t hits[TRU_NKINDS];
	uint64_t misses[TRU_NKINDS];
	uint64_t evicted;                  /* dropped because a kind was full */
	uint64_t reclaimed;                /* dropped to give memory back */
};

/* What t_ckpt_save returns: 0 when the checkpoint was taken, T_CKPT_RESTORED when the process
 * came back to it through t_ckpt_restore, T_CKPT_RECOVERED when it came back after a fault.
 * A checkpoint taken by another process stops its target anywhere: it resumes there with all
 * its registers as saved, after a restore or a fault alike. */
#define T_CKPT_RESTORED 1
#define T_CKPT_RECOVERED 2

/* flags in t_res_info.flags */
#define TRF_REUSABLE 1      /* held by the reusable-resource table */

/* t_region_create protection bits */
#define TR_READ 1
#define TR_WRITE 2
#define TR_EXEC 4

/* ---- Running-mode switch (DMSM; t_switch_supervisor/t_switch_user/t_runmode_info,
 * docs/runmode.md) ------------------------------------------------------------------------
 * Every address space has the coexistence control area, read-only, at T_CCA_ADDR: the
 * running mode of the process that is running now (the kernel rewrites it on every switch)
 * and the address of the kernel's function entry, which Smode code calls instead of trapping
 * (rax = call number, arguments as for `syscall`; rcx and r11 are clobbered). */
#define T_CCA_ADDR 0x00007ff000000000ull
#define TRM_UMODE 0u                /* application code runs in ring 3 */
#define TRM_SMODE 1u                /* application code runs in ring 0 */
#define TRM_NONE 0xffu              /* t_runmode_info.pending: no switch waiting */
struct t_cca {
	uint64_t mode;                 /* TRM_UMODE or TRM_SMODE */
	uint64_t entry;                /* the kernel's function entry */
};
struct t_runmode_info {
	uint32_t mode;                 /* TRM_UMODE or TRM_SMODE now */
	uint32_t pending;              /* mode applied at the end of its next call, or TRM_NONE */
	uint64_t switches;             /* mode changes applied to this process */
	uint64_t calls;                /* function-entry calls so far, all processes */
	uint64_t held_back;            /* interrupts held back to the end of an Smode light call */
};

/* ---- Placement of the programs a process's children run (t_place_set/t_place_info; the
 * HVS web evaluation, docs/network.md). A setting of the process, inherited by the children
 * it makes; it changes how the kernel carries out their vfork and execve, so an unmodified
 * program (busybox httpd) runs in any of the three modes of the HVS paper, section 5.3. */
#define TPL_TENDER 0u     /* the default: a vfork child runs on its parent's memory, and its
			   * execve is Tessera's process creation in a fresh space (taken from
			   * the reusable-resource table) */
#define TPL_UNIX 1u       /* UNIX-compatible, as the paper's BSD/OS Apache: vfork is carried
			   * out as fork (a copy-on-write copy of the parent in a space of its
			   * own), and execve replaces that copy */
#define TPL_HVS 2u        /* Tender+HVS: a vfork child's execve puts the new program in the
			   * parent's own space (position-independent programs; a fixed-address
			   * one falls back to TPL_TENDER's fresh space) */
#define TPL_NMODES 3u
/* t_place_info.exec_how: how the process's current program came to be where it runs */
#define TPX_NONE 0u       /* no execve yet (created with its program, or a fork) */
#define TPX_IN_PLACE 1u   /* execve by a process with memory of its own: in its own space */
#define TPX_NEW_SPACE 2u  /* execve of a vfork child: into a fresh space */
#define TPX_PARENT_SPACE 3u   /* execve of a vfork child: into its parent's space (HVS) */
struct t_place_info {
	uint32_t mode;             /* TPL_*: the setting (its children's placement) */
	uint32_t exec_how;         /* TPX_* */
	rid_t space;               /* the space it runs in now */
	uint64_t vforks_as_fork;   /* vforks it made that TPL_UNIX carried out as fork */
	uint64_t hvs_fallbacks;    /* TPL_HVS execs that went to a fresh space instead */
};

/* t_proc_wait flags */
#define TW_NOHANG 1

/* Wait status words follow the Linux encoding: exited normally = (code & 0xff) << 8;
 * killed by a fault = signal number (SIGSEGV 11, SIGFPE 8, SIGILL 4, SIGBUS 7). */

/* ---- Kernel statistics (t_kstat), used by the leak checks of the test suite -------------- */
struct t_kstat {
	uint64_t pages_total;
	uint64_t pages_free;
	uint64_t ticks;              /* timer ticks since boot */
	uint64_t hz;                 /* ticks per second */
	uint32_t res_count[RT_NTYPES];  /* live resources per type */
	uint32_t reserved;
};

/* t_poweroff: the code is the exit status QEMU reports through isa-debug-exit when present */
