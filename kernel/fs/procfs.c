/* /proc's nodes (see procfs.h): which names each directory holds, their modes and owners,
 * directory listings, the links, and the dispatch to the generators. */
#include "kernel/fs/procfs.h"
#include "abi/errno.h"
#include "abi/linux.h"
#include "kernel/fs/dirent.h"
#include "kernel/fs/chroot.h"
#include "kernel/fs/eventfd.h"
#include "kernel/fs/file.h"
#include "kernel/fs/pathbuf.h"
#include "kernel/fs/plate.h"
#include "kernel/fs/ptext.h"
#include "kernel/lib/kprintf.h"
#include "kernel/lib/string.h"
#include "kernel/net/sock.h"
#include "kernel/proc/proc.h"
#include "kernel/proc/program.h"
#include "kernel/res/res.h"

#define R 0444
#define DIR_MODE (L_S_IFDIR | 0555)
#define LNK_MODE (L_S_IFLNK | 0777)

/* Named entries of the directories whose names are fixed: parent kind, name, kind, mode. */
static const struct entry {
	uint16_t parent;
	const char *name;
	uint16_t kind;
	uint32_t mode;
} entries[] = {
	{ PN_ROOT, "self", PN_SELF, LNK_MODE },
	{ PN_ROOT, "net", PN_NET, LNK_MODE },
	{ PN_ROOT, "meminfo", PN_MEMINFO, L_S_IFREG | R },
	{ PN_ROOT, "stat", PN_STAT, L_S_IFREG | R },
	{ PN_ROOT, "uptime", PN_UPTIME, L_S_IFREG | R },
	{ PN_ROOT, "loadavg", PN_LOADAVG, L_S_IFREG | R },
	{ PN_ROOT, "mounts", PN_MOUNTS, L_S_IFREG | R },
	{ PN_ROOT, "filesystems", PN_FILESYSTEMS, L_S_IFREG | R },
	{ PN_ROOT, "cpuinfo", PN_CPUINFO, L_S_IFREG | R },
	{ PN_ROOT, "version", PN_VERSION, L_S_IFREG | R },
	{ PN_ROOT, "sys", PN_SYS, DIR_MODE },
	{ PN_ROOT, "tessera", PN_TESSERA, DIR_MODE },
	{ PN_SYS, "kernel", PN_SYS_KERNEL, DIR_MODE },
	{ PN_SYS_KERNEL, "hostname", PN_HOSTNAME, L_S_IFREG | R },
	{ PN_SYS_KERNEL, "ostype", PN_OSTYPE, L_S_IFREG | R },
	{ PN_SYS_KERNEL, "osrelease", PN_OSRELEASE, L_S_IFREG | R },
	{ PN_TESSERA, "res", PN_T_RES, DIR_MODE },
	{ PN_TESSERA, "reuse", PN_T_REUSE, L_S_IFREG | R },
	{ PN_TESSERA, "spaces", PN_T_SPACES, L_S_IFREG | R },
	{ PN_TESSERA, "runmodes", PN_T_RUNMODES, L_S_IFREG | R },
	{ PN_TESSERA, "counts", PN_T_COUNTS, L_S_IFREG | R },
	/* every process's directory (the modes are Linux's; see procfs_may_access) */
	{ PN_PID, "cmdline", PN_P_CMDLINE, L_S_IFREG | R },
	{ PN_PID, "comm", PN_P_COMM, L_S_IFREG | 0644 },
	{ PN_PID, "cwd", PN_P_CWD, LNK_MODE },
	{ PN_PID, "environ", PN_P_ENVIRON, L_S_IFREG | 0400 },
	{ PN_PID, "exe", PN_P_EXE, LNK_MODE },
	{ PN_PID, "fd", PN_P_FD, L_S_IFDIR | 0500 },
	{ PN_PID, "maps", PN_P_MAPS, L_S_IFREG | R },
	{ PN_PID, "net", PN_P_NET, DIR_MODE },
	{ PN_PID, "root", PN_P_ROOT, LNK_MODE },
	{ PN_PID, "stat", PN_P_STAT, L_S_IFREG | R },
	{ PN_PID, "statm", PN_P_STATM, L_S_IFREG | R },
	{ PN_PID, "status", PN_P_STATUS, L_S_IFREG | R },
	{ PN_PID, "task", PN_P_TASK, DIR_MODE },
	{ PN_P_NET, "arp", PN_NET_ARP, L_S_IFREG | R },
	{ PN_P_NET, "dev", PN_NET_DEV, L_S_IFREG | R },
	{ PN_P_NET, "route", PN_NET_ROUTE, L_S_IFREG | R },
	{ PN_P_NET, "tcp", PN_NET_TCP, L_S_IFREG | R },
	{ PN_P_NET, "tcp6", PN_NET_TCP6, L_S_IFREG | R },
	{ PN_P_NET, "udp", PN_NET_UDP, L_S_IFREG | R },
	{ PN_P_NET, "udp6", PN_NET_UDP6, L_S_IFREG | R },
	{ PN_P_NET, "unix", PN_NET_UNIX, L_S_IFREG | R },
	/* every thread's directory, /proc/PID/task/TID */
	{ PN_TID, "comm", PN_TID_COMM, L_S_IFREG | 0644 },
	{ PN_TID, "stat", PN_TID_STAT, L_S_IFREG | R },
	{ PN_TID, "status", PN_TID_STATUS, L_S_IFREG | R },
};
#define NENTRIES (sizeof(entries) / sizeof(entries[0]))

bool procfs_per_process(uint16_t kind)
{
	return kind >= PN_PID && kind < PN_NKINDS;
}

static struct proc *node_proc(const struct procfs_node *n)
{
	struct proc *p = proc_get(n->proc);
	return p && p->pid == n->pid ? p : NULL;
}

/* Whether thread tid is a live thread of p. */
static bool has_thread(const struct proc *p, int tid)
{
	rid_t e = tid > 0 ? thread_by_tid(tid) : 0;
	return e && exec_proc(e) == p->hdr.rid;
}

bool procfs_gone(const struct procfs_node *n)
{
	struct file *f;
	struct proc *p = procfs_per_process(n->kind) ? node_proc(n) : NULL;
	if (!procfs_per_process(n->kind))
		return false;
	/* per-thread nodes, and every node under /proc/TID, go with their thread */
	return !p || (n->kind == PN_P_FDLINK && fd_get(&p->fds, n->arg, &f)) ||
	       (n->tid && !has_thread(p, n->tid));
}

/* A decimal number without sign or leading zeros, below limit; -1 otherwise. */
static long parse_num(const char *s, size_t len, long limit)
{
	long v = 0;
	if (len == 0 || len > 10 || (len > 1 && s[0] == '0'))
		return -1;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v < limit ? v : -1;
}

/* /proc/ID: a process, or (as Linux, though readdir does not list it) a thread that is
 * not its process's first, shown as its process with that thread's id and state. */
static int pid_dir(int id, struct procfs_node *out)
{
	struct proc *p = proc_by_pid(id);
	rid_t e = p ? 0 : thread_by_tid(id);
	if (!p && e)
		p = proc_get(exec_proc(e));
	if (!p)
		return -ENOENT;
	*out = (struct procfs_node){ .kind = PN_PID, .pid = p->pid, .proc = p->hdr.rid,
				     .tid = p->pid == id ? 0 : id };
	return 0;
}

static int dynamic_child(const struct procfs_node *dir, const char *name, size_t len,
			 struct procfs_node *out)
{
	struct file *f;
	long v;
	if (dir->kind == PN_ROOT && (v = parse_num(name, len, INT32_MAX)) > 0)
		return pid_dir((int)v, out);
	if (dir->kind == PN_P_FD && (v = parse_num(name, len, NFD_MAX)) >= 0) {
		struct proc *p = node_proc(dir);
		if (!p || fd_get(&p->fds, (int)v, &f))
			return -ENOENT;
		*out = *dir;
		out->kind = PN_P_FDLINK;
		out->arg = (uint16_t)v;
		return 0;
	}
	if (dir->kind == PN_P_TASK && (v = parse_num(name, len, INT32_MAX)) > 0) {
		struct proc *p = node_proc(dir);
		if (!p || !has_thread(p, (int)v))
			return -ENOENT;
		*out = *dir;
		out->kind = PN_TID;
		out->tid = (int32_t)v;
		return 0;
	}
	if (dir->kind == PN_T_RES) {
		for (uint32_t t = 0; t < RT_NTYPES; t++) {
			const char *tn = t ? res_type_name(t) : "all";
			if (strcmp(tn, "?") && strlen(tn) == len && !memcmp(tn, name, len)) {
				*out = (struct procfs_node){ .kind = PN_T_RESTYPE, .arg = (uint16_t)t };
				return 0;
			}
		}
	}
	return -ENOENT;
}

int procfs_child(const struct procfs_node *dir, const char *name, size_t len,
		 struct procfs_node *out)
{
	if (procfs_gone(dir))
		return -ENOENT;
	for (size_t i = 0; i < NENTRIES; i++) {
		const struct entry *e = &entries[i];
		if (e->parent == dir->kind && strlen(e->name) == len && !memcmp(e->name, name, len)) {
			*out = *dir;
			out->kind = e->kind;
			out->arg = 0;
			return 0;
		}
	}
	return dynamic_child(dir, name, len, out);
}

uint32_t procfs_mode(const struct procfs_node *n)
{
	switch (n->kind) {
	case PN_ROOT:
	case PN_PID:
	case PN_TID:
	case PN_T_RES:
		return DIR_MODE;
	case PN_P_FDLINK:
		return L_S_IFLNK | 0700;
	case PN_T_RESTYPE:
		return L_S_IFREG | R;
	}
	for (size_t i = 0; i < NENTRIES; i++)
		if (entries[i].kind == n->kind)
			return entries[i].mode;
	return 0;
}

void procfs_owner(const struct procfs_node *n, struct cred *out)
{
	struct proc *p = procfs_per_process(n->kind) ? node_proc(n) : NULL;
	*out = p ? (struct cred){ .uid = p->ids.euid, .gid = p->ids.egid } : (struct cred){ .uid = 0, .gid = 0 };
}

int procfs_may_access(const struct procfs_node *n, const struct cred *cred)
{
	struct proc *p = procfs_per_process(n->kind) ? node_proc(n) : NULL;
	switch (n->kind) {
	case PN_P_MAPS:
	case PN_P_ENVIRON:
	case PN_P_FD:
	case PN_P_FDLINK:
	case PN_P_CWD:
	case PN_P_EXE:
	case PN_P_ROOT:
		if (!p)
			return -ESRCH;
		return cred->uid == 0 || cred->uid == p->ids.euid ? 0 : -EACCES;
	default:
		return procfs_gone(n) ? -ESRCH : 0;
	}
}

/* ---- listings -------------------------------------------------------------------------- */

static uint8_t dtype_of(uint32_t mode)
{
	switch (mode & L_S_IFMT) {
	case L_S_IFDIR:
		return L_DT_DIR;
	case L_S_IFLNK:
		return L_DT_LNK;
	default:
		return L_DT_REG;
	}
}

/* Listing positions: 0 ".", 1 "..", then the fixed entries of the kind from 2 on, then the
 * dynamic ones at DYN + their number (a pid, a descriptor, a type), so a position stays
 * valid whatever ends or starts between two getdents calls. */
#define DYN 64u

struct dent {
	char name[24];
	uint32_t mode;
	uint64_t ino;
};

/* The first entry at or after position pos, advancing pos to it; false at the end. */
static bool fixed_at(uint16_t kind, uint64_t *pos, struct dent *d)
{
	uint64_t k = 2;
	for (size_t i = 0; i < NENTRIES; i++) {
		if (entries[i].parent != kind)
			continue;
		if (k++ < *pos)
			continue;
		*pos = k - 1;
		strlcpy(d->name, entries[i].name, sizeof(d->name));
		d->mode = entries[i].mode;
		d->ino = 0x1000u + (uint64_t)i;
		return true;
	}
	if (*pos < DYN)
		*pos = DYN;
	return false;
}

/* The smallest live pid >= from. */
static int next_pid(uint64_t from)
{
	struct proc *p;
	int best = 0;
	for (uint32_t i = 0; (p = res_iter(RT_PROCESS, &i));)
		if ((uint64_t)p->pid >= from && (!best || p->pid < best))
			best = p->pid;
	return best;
}

/* The smallest thread id of p >= from (0: none). */
static int next_tid(const struct proc *p, uint64_t from)
{
	int best = 0;
	THREAD_FOR_EACH(p, e) {
		int tid = thread_of(e)->tid;
		if ((uint64_t)tid >= from && (!best || tid < best))
			best = tid;
	}
	return best;
}

static bool dynamic_at(const struct procfs_node *dir, uint64_t *pos, struct dent *d)
{
	struct proc *p = node_proc(dir);
	struct file *f;
	uint64_t i = *pos - DYN;
	int pid;
	switch (dir->kind) {
	case PN_ROOT:
		if (!(pid = next_pid(i)))
			return false;
		*pos = DYN + (uint64_t)pid;
		ksnprintf(d->name, sizeof(d->name), "%d", pid);
		d->mode = DIR_MODE;
		d->ino = 0x100000u + (uint64_t)pid * 64;
		return true;
	case PN_P_TASK:
		if (!p || !(pid = next_tid(p, i)))
			return false;
		*pos = DYN + (uint64_t)pid;
		ksnprintf(d->name, sizeof(d->name), "%d", pid);
		d->mode = DIR_MODE;
		d->ino = 0x100000u + (uint64_t)pid * 64 + 1;
		return true;
	case PN_P_FD:
		while (p && i < (uint64_t)p->fds.top && fd_get(&p->fds, (int)i, &f))
			i++;
		if (!p || i >= (uint64_t)p->fds.top)
			return false;
		ksnprintf(d->name, sizeof(d->name), "%u", (unsigned)i);
		d->mode = L_S_IFLNK | 0700;
		break;
	case PN_T_RES:
		while (i > 0 && i < RT_NTYPES && !strcmp(res_type_name((uint32_t)i), "?"))
			i++;                        /* a type without a table has no file */
		if (i >= RT_NTYPES)
			return false;
		strlcpy(d->name, i ? res_type_name((uint32_t)i) : "all", sizeof(d->name));
		d->mode = L_S_IFREG | R;
		break;
	default:
		return false;
	}
	*pos = DYN + i;
	d->ino = 0x2000u + i;
	return true;
}

long procfs_dir_read(const struct procfs_node *dir, uint64_t *pos, void *buf, size_t cap)
{
	size_t done = 0;
	struct dent d;
	if (procfs_gone(dir))
		return 0;
	for (;;) {
		if (*pos < 2) {
			strlcpy(d.name, *pos ? ".." : ".", sizeof(d.name));
			d.mode = DIR_MODE;
			d.ino = 1;
		} else if (!(*pos < DYN && fixed_at(dir->kind, pos, &d)) && !dynamic_at(dir, pos, &d)) {
			break;
		}
		size_t len = dirent_pack((char *)buf + done, cap - done, d.ino, (int64_t)(*pos + 1),
					 dtype_of(d.mode), d.name, strlen(d.name));
		if (!len)
			return done ? (long)done : -EINVAL;
		done += len;
		(*pos)++;
	}
	return (long)done;
}

/* ---- links ------------------------------------------------------------------------------ */

static long copy_link(const char *s, char *kbuf, size_t size)
{
	size_t n = strlen(s);
	if (n > size)
		n = size;
	memcpy(kbuf, s, n);
	return (long)n;
}

/* A path link as the reader sees it: inside its root (chroot.h) when it has one, as Linux
 * shows paths relative to the reader's root (a path outside it is shown whole). */
static long copy_path_link(const char *global, char *kbuf, size_t size)
{
	const char *root = fs_root_cur();
	size_t rl = root ? strlen(root) : 0;
	if (root && !strncmp(global, root, rl) && (global[rl] == '/' || !global[rl]))
		global = global[rl] ? global + rl : "/";
	return copy_link(global, kbuf, size);
}

/* copy_path_link of the path of plate ("/ (deleted)" once it has lost its name, as Linux
 * shows a deleted file's). */
static long copy_plate_link(rid_t plate, char *kbuf, size_t size)
{
	char *path = pathbuf_get();
	long n = path ? plate_path(plate, path, PATH_BUF) : -ENOMEM;
	if (n >= 0)
		n = copy_path_link(n ? path : "/ (deleted)", kbuf, size);
	pathbuf_put(path);
	return n;
}

/* What descriptor fd of p shows as its target: the path of its plate, or what Linux shows
 * for an object without a name. */
static long fd_target(struct proc *p, int fd, char *kbuf, size_t size)
{
	struct file *f;
	char tmp[48];
	if (fd_get(&p->fds, fd, &f))
		return -ENOENT;
	if (f->plate && !res_validate(f->plate, RT_PLATE))
		return copy_plate_link(f->plate, kbuf, size);
	uint32_t ino = (uint32_t)((uintptr_t)f->priv >> 4);
	if (file_is_pipe(f))
		ksnprintf(tmp, sizeof(tmp), "pipe:[%u]", ino);
	else if (file_is_eventfd(f))
		strlcpy(tmp, "anon_inode:[eventfd]", sizeof(tmp));
	else if (sock_is(f))
		ksnprintf(tmp, sizeof(tmp), "socket:[%lu]", (unsigned long)sock_ino(f));
	else if (f->priv)
		ksnprintf(tmp, sizeof(tmp), "socket:[%u]", ino);
	else
		strlcpy(tmp, "/dev/console", sizeof(tmp));
	return copy_link(tmp, kbuf, size);
}

long procfs_readlink(const struct procfs_node *n, char *kbuf, size_t size)
{
	static const struct cred kernel = { .uid = 0, .gid = 0 };
	char tmp[16];
	struct proc *p = node_proc(n), *self = proc_cur();
	const struct cred *cred = self ? &self->cred : &kernel;
	if (n->kind == PN_SELF) {
		if (!self)
			return -ENOENT;
		ksnprintf(tmp, sizeof(tmp), "%d", self->pid);
		return copy_link(tmp, kbuf, size);
	}
	if (n->kind == PN_NET)
		return copy_link("self/net", kbuf, size);
	if (n->kind != PN_P_CWD && n->kind != PN_P_EXE && n->kind != PN_P_FDLINK &&
	    n->kind != PN_P_ROOT)
		return -EINVAL;
	int err = procfs_may_access(n, cred);
	if (err)
		return err;
	if (p->state == TPS_ZOMBIE)
		return -ENOENT;
	if (n->kind == PN_P_CWD)
		return copy_path_link(p->cwd, kbuf, size);
	if (n->kind == PN_P_ROOT)
		return copy_path_link(p->root[0] ? p->root : "/", kbuf, size);
	if (n->kind == PN_P_FDLINK)
		return fd_target(p, n->arg, kbuf, size);
	rid_t plate = p->program ? program_plate(p->program) : 0;
	return plate && !res_validate(plate, RT_PLATE) ? copy_plate_link(plate, kbuf, size) : -ENOENT;
}

/* ---- content ---------------------------------------------------------------------------- */

int procfs_generate(const struct procfs_node *n, struct ptext *out)
{
	ptext_reset(out);
	if (procfs_per_process(n->kind)) {
		struct proc *p = node_proc(n);
		if (!p)
			return -ESRCH;
		procfs_gen_pid(n, p, out);
	} else if (n->kind >= PN_TESSERA) {
		procfs_gen_tessera(n, out);
	} else {
		procfs_gen_sys(n, out);
	}
	return 0;
}

/* ---- the fixed tree --------------------------------------------------------------------- */

static const struct {
	const char *path;
	uint16_t kind;
} dirs[] = { { "", PN_ROOT }, { "/sys", PN_SYS }, { "/sys/kernel", PN_SYS_KERNEL },
	     { "/tessera", PN_TESSERA }, { "/tessera/res", PN_T_RES } };
#define NDIRS (sizeof(dirs) / sizeof(dirs[0]))

static const char *dir_path(uint16_t kind)
{
	for (size_t i = 0; i < NDIRS; i++)
		if (dirs[i].kind == kind)
			return dirs[i].path;
	return NULL;
}

/* Directories first (each after its parent), then the named files of the fixed directories,
 * then one file per resource type. */
bool procfs_fixed_at(uint32_t i, struct procfs_fixed *out)
{
	static char path[64];
	if (i < NDIRS) {
		*out = (struct procfs_fixed){ dirs[i].path, { .kind = dirs[i].kind } };
		return true;
	}
	i -= NDIRS;
	for (size_t k = 0; k < NENTRIES; k++) {
		const char *dp = dir_path(entries[k].parent);
		if (!dp || (entries[k].mode & L_S_IFMT) == L_S_IFDIR || i--)
			continue;
		ksnprintf(path, sizeof(path), "%s/%s", dp, entries[k].name);
		*out = (struct procfs_fixed){ path, { .kind = entries[k].kind } };
		return true;
	}
	for (uint32_t t = 0; t < RT_NTYPES; t++) {
		if ((t && !strcmp(res_type_name(t), "?")) || i--)
			continue;                   /* a type without a table has no file */
		ksnprintf(path, sizeof(path), "/tessera/res/%s", t ? res_type_name(t) : "all");
		*out = (struct procfs_fixed){ path, { .kind = PN_T_RESTYPE, .arg = (uint16_t)t } };
		return true;
	}
	return false;
}
