/* /proc as plates (procfs.h): a plate per node, named by its path like every plate, so that
 * lookup, stat, open, listings and permissions need nothing of their own. The fixed tree
 * (/proc, /proc/meminfo, /proc/tessera/...) is made at boot and pinned. A process's plates
 * (/proc/PID/...) are made when a path reaches them and go when the process is reaped
 * (plate_proc_forget), or earlier when the table runs short and nobody has them open
 * (pl_proc_evict): the table holds what readers use, not every process's files. */
#include "kernel/fs/plate_int.h"
#include "kernel/fs/pathbuf.h"
#include "abi/errno.h"
#include "abi/linux.h"
#include "kernel/lib/kprintf.h"
#include "kernel/lib/string.h"

static uint32_t named;          /* per-process plates that still have their name */
/* The same counted by pid % PID_BUCKETS: a process that ends without plates (nearly all do)
 * costs its exit no scan of the table. */
#define PID_BUCKETS 256
static uint16_t named_by_pid[PID_BUCKETS];

/* Unix permission bits as resource operations (read and search: use; write: modify). */
static uint32_t tmode_of(uint32_t mode)
{
	uint32_t cls[3];
	for (int i = 0; i < 3; i++) {
		uint32_t rwx = (mode >> (6 - 3 * i)) & 7;
		cls[i] = TOP_REFER | (rwx & 5 ? TOP_USE : 0) | (rwx & 2 ? TOP_MODIFY : 0);
	}
	return TMODE(cls[0], cls[1], cls[2]);
}

static int make_node(const char *path, const struct procfs_node *n, rid_t parent,
		     struct plate **out)
{
	struct cred owner;
	uint32_t mode = procfs_mode(n);
	procfs_owner(n, &owner);
	int err;
	while ((err = pl_make(path, mode, tmode_of(mode), &owner, parent, out)) == -ENFILE)
		if (!pl_proc_evict(parent) && !pl_disk_evict(parent))
			break;
	if (err)
		return err;
	(*out)->flags = PF_IMAGE | PF_PROC | (procfs_per_process(n->kind) ? 0 : PF_PINNED);
	(*out)->pnode = *n;
	(*out)->mtime = pl_now();
	if (procfs_per_process(n->kind)) {
		named++;
		named_by_pid[(uint32_t)n->pid % PID_BUCKETS]++;
	}
	return 0;
}

void plate_proc_init(void)
{
	struct procfs_fixed fx;
	char path[128], dir[128];            /* /proc's fixed paths are short */
	struct plate *p;
	rid_t parent = 0;
	for (uint32_t i = 0; procfs_fixed_at(i, &fx); i++) {
		if (ksnprintf(path, sizeof(path), "/proc%s", fx.path) >= (int)sizeof(path))
			panic("%s: %s is too long", __func__, fx.path);
		path_parent(path, dir);
		if (pl_hash_find(dir, &parent) || make_node(path, &fx.node, parent, &p))
			panic("%s: cannot make %s", __func__, path);
	}
}


/* One component below the /proc plate dir: its plate, made from the node if missing. */
static int lookup_one(struct plate *dir, const char *path, size_t len, struct plate **out)
{
	struct procfs_node n;
	rid_t rid;
	if (pl_hash_find(path, &rid) == 0) {
		*out = plate_obj(rid);
		return 0;
	}
	const char *name = path_basename(path);
	int err = procfs_child(&dir->pnode, name, len - (size_t)(name - path), &n);
	return err ? err : make_node(path, &n, dir->hdr.rid, out);
}

/* The components of canon from its seventh character on, each one's plate made if missing;
 * prefix is the buffer the path so far is built in. */
static int lookup_below(const char *canon, size_t n, char *prefix, struct plate *p, rid_t *out)
{
	for (size_t i = 6; i <= n; i++) {
		if (canon[i] != '/' && canon[i] != '\0')
			continue;
		if (!(p->flags & PF_PROC) || !pl_is_dir(p))
			return -ENOENT;
		memcpy(prefix, canon, i);
		prefix[i] = '\0';
		int err = lookup_one(p, prefix, i, &p);
		if (err)
			return err;
	}
	*out = p->hdr.rid;
	return 0;
}

int pl_proc_lookup(const char *canon, rid_t *out)
{
	rid_t rid;
	size_t n = strnlen(canon, PATH_BUF);
	if (n <= 6 || n > CANON_MAX_LEN || strncmp(canon, "/proc/", 6) || pl_hash_find("/proc", &rid))
		return -ENOENT;
	char *prefix = pathbuf_get();
	if (!prefix)
		return -ENOMEM;
	int err = lookup_below(canon, n, prefix, plate_obj(rid), out);
	pathbuf_put(prefix);
	return err;
}

/* ---- going -------------------------------------------------------------------------------- */

/* p loses its name; it is freed now, or at its last close if open. */
static void forget(struct plate *p)
{
	named--;
	named_by_pid[(uint32_t)p->pnode.pid % PID_BUCKETS]--;
	pl_unname(p);
	p->flags |= PF_UNLINKED;
	pl_release_unlinked(p);
}

static bool is_parent(rid_t dir)
{
	return pl_has_children(plate_obj(dir));
}

int pl_proc_touch(struct plate *p)
{
	struct cred owner;
	if (!(p->flags & PF_PROC) || !procfs_per_process(p->pnode.kind))
		return 0;
	if (procfs_gone(&p->pnode)) {
		/* a descriptor closed since (its process's plates go when it is reaped) */
		if (!p->opens && !is_parent(p->hdr.rid))
			forget(p);
		return -ENOENT;
	}
	procfs_owner(&p->pnode, &owner);
	if (owner.uid != p->hdr.owner || owner.gid != p->hdr.group)
		res_reset_owner(p->hdr.rid, &owner, p->hdr.mode);
	return 0;
}

/* In which pass of sweep a per-process plate of kind k goes: its children before it. */
static int sweep_pass(uint16_t k)
{
	switch (k) {
	case PN_TID:
		return 1;
	case PN_P_FD:
	case PN_P_TASK:
		return 2;
	case PN_PID:
		return 3;
	default:
		return 0;                   /* links and files */
	}
}

/* The per-process plates (of pid, or of every process when pid is 0) that match, children
 * before their directory (sweep_pass). Returns how many went. */
static uint32_t sweep(int pid, bool unused_only, rid_t keep)
{
	uint32_t gone = 0;
	for (int pass = 0; pass < 4 && named; pass++) {
		struct plate *p;
		for (uint32_t i = 0; (p = res_iter(RT_PLATE, &i));) {
			uint16_t k = p->pnode.kind;
			if (!(p->flags & PF_PROC) || (p->flags & PF_UNLINKED) ||
			    !procfs_per_process(k) || (pid && p->pnode.pid != pid))
				continue;
			if (sweep_pass(k) != pass)
				continue;
			if (unused_only && (p->opens || p->hdr.rid == keep || is_parent(p->hdr.rid)))
				continue;
			forget(p);
			gone++;
		}
	}
	return gone;
}

void plate_proc_forget(int pid)
{
	if (pid > 0 && named_by_pid[(uint32_t)pid % PID_BUCKETS])
		sweep(pid, false, 0);
}

bool pl_proc_evict(rid_t keep)
{
	return named && sweep(0, true, keep) > 0;
}

/* ---- what the rest of the plate module asks ----------------------------------------------- */

bool plate_is_proc(rid_t rid)
{
	struct plate *p = plate_obj(rid);
	return p && (p->flags & PF_PROC);
}

int plate_proc_may_access(rid_t rid, const struct cred *cred)
{
	struct plate *p = plate_obj(rid);
	return p && (p->flags & PF_PROC) ? procfs_may_access(&p->pnode, cred) : 0;
}

int plate_proc_node(rid_t rid, struct procfs_node *out)
{
	struct plate *p = plate_obj(rid);
	if (!p || !(p->flags & PF_PROC))
		return -EINVAL;
	*out = p->pnode;
	return 0;
}
