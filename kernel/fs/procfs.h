/*
 * /proc: files the kernel generates, in Linux's formats for the tools that read them (ps, top,
 * free, df, mount...), and Tessera's own view of its resources under /proc/tessera. Each file
 * or directory is a node: a kind, and for the per-process ones the pid and the process's rid
 * (so a pid used again never reaches the old node's process). The plate module makes a plate
 * for a node when its path is looked up (plate_proc.c), so the names, stat, open, readlink and
 * permissions of /proc work as for every plate; this module says what the nodes are, lists
 * directories, and generates the content, which an open file keeps as one snapshot per read
 * from the start (file_proc.c): offsets and short reads are always consistent.
 */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "abi/tessera.h"

struct ptext;
struct cred;

enum procfs_kind {
	PN_NONE,
	/* the fixed tree (made at boot, pinned) */
	PN_ROOT, PN_SELF, PN_MEMINFO, PN_STAT, PN_UPTIME, PN_LOADAVG, PN_MOUNTS, PN_FILESYSTEMS,
	PN_CPUINFO, PN_VERSION, PN_SYS, PN_SYS_KERNEL, PN_HOSTNAME, PN_OSTYPE, PN_OSRELEASE,
	PN_NET,                /* the link "self/net", as Linux's */
	PN_TESSERA, PN_T_RES, PN_T_RESTYPE, PN_T_REUSE, PN_T_SPACES, PN_T_RUNMODES, PN_T_COUNTS,
	/* per process (made on lookup, gone with the process) */
	PN_PID, PN_P_STAT, PN_P_STATUS, PN_P_CMDLINE, PN_P_COMM, PN_P_STATM, PN_P_MAPS,
	PN_P_ENVIRON, PN_P_CWD, PN_P_EXE, PN_P_FD, PN_P_FDLINK, PN_P_TASK, PN_P_ROOT,
	/* /proc/PID/net: the network as that process sees it (one network: all the same),
	 * in the order of enum netinfo_file (kernel/net/netinfo.h) */
	PN_P_NET, PN_NET_DEV, PN_NET_ROUTE, PN_NET_TCP, PN_NET_UDP, PN_NET_UNIX, PN_NET_ARP,
	PN_NET_TCP6, PN_NET_UDP6,
	/* per thread (/proc/PID/task/TID: gone with the thread) */
	PN_TID, PN_TID_STAT, PN_TID_STATUS, PN_TID_COMM,
	PN_NKINDS
};

struct procfs_node {
	uint16_t kind;
	uint16_t arg;          /* PN_T_RESTYPE: the resource type; PN_P_FDLINK: the descriptor */
	int32_t pid;           /* per-process nodes */
	rid_t proc;            /* per-process nodes: the process's rid when the node was made */
	int32_t tid;           /* per-thread nodes: the thread id */
};

/* The child called name (len bytes) of directory node dir: 0 and *out, or -ENOENT (also for a
 * process that is gone, or a descriptor that is not open). */
int procfs_child(const struct procfs_node *dir, const char *name, size_t len,
		 struct procfs_node *out);
/* Whether a per-process node belongs to a process that is gone (fixed nodes never are), or
 * names a descriptor that is no longer open. */
bool procfs_gone(const struct procfs_node *n);
bool procfs_per_process(uint16_t kind);
static inline bool procfs_per_thread(uint16_t kind)
{
	return kind >= PN_TID && kind <= PN_TID_COMM;
}
/* Its type and permission bits as Linux shows them, and its owner (the process's user for
 * per-process nodes, root otherwise). */
uint32_t procfs_mode(const struct procfs_node *n);
void procfs_owner(const struct procfs_node *n, struct cred *out);
/* Whether cred may open or read the link of n beyond its permission bits: maps, environ, the
 * fd directory and the cwd, exe and fd links are the process's user's (or root's) alone, as
 * Linux's ptrace access check keeps them. -EACCES otherwise, -ESRCH when it is gone. */
int procfs_may_access(const struct procfs_node *n, const struct cred *cred);
/* Packs dirent64 records of directory node dir from position *pos on (as plate_dir_read). */
long procfs_dir_read(const struct procfs_node *dir, uint64_t *pos, void *buf, size_t cap);
/* The target of a link node as the calling process sees it (self: its pid), at most size
 * bytes; -EINVAL for a node that is no link, -ESRCH/-ENOENT when its process or descriptor
 * is gone, -EACCES (procfs_may_access with the caller's credentials). */
long procfs_readlink(const struct procfs_node *n, char *kbuf, size_t size);
/* The content of file node n now: 0, or -ESRCH when its process is gone. */
int procfs_generate(const struct procfs_node *n, struct ptext *out);

/* The fixed tree, parents before children, for the plate module to make at boot. */
struct procfs_fixed {
	const char *path;          /* below /proc ("" for /proc itself) */
	struct procfs_node node;
};
/* Entry i of the fixed tree (false past its end). */
bool procfs_fixed_at(uint32_t i, struct procfs_fixed *out);

/* ---- generators (procfs_pid.c, procfs_sys.c, procfs_tessera.c) ------------------------- */
struct proc;
void procfs_gen_pid(const struct procfs_node *n, struct proc *p, struct ptext *t);
void procfs_gen_sys(const struct procfs_node *n, struct ptext *t);
void procfs_gen_tessera(const struct procfs_node *n, struct ptext *t);
/* The host name (uname's nodename; /proc/sys/kernel/hostname) and the release. */
extern const char procfs_ostype[], procfs_osrelease[];
const char *procfs_hostname(void);
