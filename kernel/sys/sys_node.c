/* Nodes and migration as system calls (abi/node.h, kernel/node, kernel/proc/migrate.h): fetch
 * and check, then call the module. Freezing a process and reading it out needs the move
 * right on it (the process's owner has it); everything a node server does for another node
 * (building a process from an image, resource operations and signals on a remote caller's
 * behalf, the ends and moves of processes away) is root's. */
#include "abi/errno.h"
#include "abi/node.h"
#include "arch/paging.h"
#include "kernel/mm/kmalloc.h"
#include "kernel/mm/uaccess.h"
#include "kernel/node/node.h"
#include "kernel/proc/migrate.h"
#include "kernel/sys/syscall.h"
#include "kernel/sys/sysarg.h"

static bool is_root(void)
{
	return proc_cur()->cred.uid == 0;
}

long sys_t_node_info(const struct sysargs *a)
{
	struct t_node_info in;
	if (sysarg_out(a->a[0], sizeof(in)))
		return -EFAULT;
	node_info(&in);
	return copy_to_user((void *)a->a[0], &in, sizeof(in));
}

long sys_t_node_resop(const struct sysargs *a)
{
	struct t_node_resop io;
	if (!is_root())
		return -EPERM;
	if (copy_from_user(&io, (const void *)a->a[0], sizeof(io)))
		return -EFAULT;
	int err = node_res_local(&io);
	if (!err && copy_to_user((void *)a->a[0], &io, sizeof(io)))
		return -EFAULT;
	return err;
}

long sys_t_node_signal(const struct sysargs *a)
{
	if (!is_root())
		return -EPERM;
	if (a->a[0] > INT32_MAX || a->a[2] > UINT32_MAX || a->a[3] > T_NODE_MAX ||
	    a->a[4] > INT32_MAX)
		return -EINVAL;
	return mig_signal_local((int)a->a[0], (int)a->a[1], (uint32_t)a->a[2],
				(uint32_t)a->a[3], (int)a->a[4]);
}

/* ---- the node a process leaves ------------------------------------------------------------- */

/* A process the caller may freeze: another one, with the move right on it. */
static int freeze_target(uint64_t pid, struct proc **out)
{
	int err = sysarg_proc(pid, TOP_MOVE, out);
	if (!err && (*out == proc_cur() || !pid))
		err = -EINVAL;
	return err;
}

/* What a freeze or a create works with: the image, the regions, the argument vectors, each
 * a page of kernel memory. */
struct mig_bufs {
	struct t_mig_image *img;
	struct t_mig_seg *segs;
	void *args;
};

static int bufs_get(struct mig_bufs *b)
{
	b->img = kmalloc(sizeof(*b->img));
	b->segs = kmalloc(sizeof(*b->segs) * T_MIG_MAXSEG);
	b->args = kmalloc(T_MIG_ARGS_MAX);
	return b->img && b->segs && b->args ? 0 : -ENOMEM;
}

static void bufs_put(struct mig_bufs *b)
{
	kfree(b->img);
	kfree(b->segs);
	kfree(b->args);
}

static int copy_frozen(const struct mig_bufs *b, const struct sysargs *a)
{
	if (copy_to_user((void *)a->a[1], b->img, sizeof(*b->img)) ||
	    copy_to_user((void *)a->a[2], b->segs, sizeof(*b->segs) * b->img->nseg) ||
	    (b->img->args_len && copy_to_user((void *)a->a[3], b->args, b->img->args_len)))
		return -EFAULT;
	return 0;
}

/* t_mig_freeze(pid, image, regions[T_MIG_MAXSEG], args[T_MIG_ARGS_MAX], &why): *why is
 * read first as flags (TMF_*), then written with the reason of a refusal */
long sys_t_mig_freeze(const struct sysargs *a)
{
	struct proc *p;
	struct mig_bufs b;
	uint32_t why = TMIG_NONE, flags;
	int err = freeze_target(a->a[0], &p);
	if (!err && (err = copy_from_user(&flags, (const void *)a->a[4], sizeof(flags))))
		return err;
	if (err || (err = sysarg_out(a->a[1], sizeof(struct t_mig_image))) ||
	    (err = sysarg_out(a->a[2], sizeof(struct t_mig_seg) * T_MIG_MAXSEG)) ||
	    (err = sysarg_out(a->a[3], T_MIG_ARGS_MAX)) || (err = sysarg_out(a->a[4], 4)))
		return err;
	if (!(err = bufs_get(&b)))
		err = mig_freeze(proc_cur(), p, b.img, b.segs, b.args, flags, &why);
	/* frozen, but the caller cannot have what it needs: it goes on */
	if (!err && (err = copy_frozen(&b, a)))
		mig_thaw(proc_cur(), p);
	if (copy_to_user((void *)a->a[4], &why, sizeof(why)) && !err) {
		mig_thaw(proc_cur(), p);
		err = -EFAULT;
	}
	bufs_put(&b);
	return err;
}

/* A batch of pages as the caller passes it: at most T_MIG_BATCH pages of user memory. */
static int fetch_pages(uint64_t uio, struct t_mig_pages *io, bool in)
{
	if (copy_from_user(io, (const void *)uio, sizeof(*io)))
		return -EFAULT;
	if (in && io->n > T_MIG_BATCH)
		return -EINVAL;
	uint64_t pages = in ? io->n : T_MIG_BATCH;
	if (pages && !user_range_ok(io->buf, pages * PAGE_SIZE))
		return -EFAULT;
	return 0;
}

/* The process named by pid, whatever its state (the mig_* calls check which they take). */
static struct proc *any_proc(uint64_t pid)
{
	return pid && pid <= INT32_MAX ? proc_by_pid((int)pid) : NULL;
}

/* t_mig_read(pid, &batch): of a process the caller froze, or (TMP_LIVE, pre-copy) of one it
 * may move */
long sys_t_mig_read(const struct sysargs *a)
{
	struct t_mig_pages io;
	struct proc *p = any_proc(a->a[0]);
	int err = fetch_pages(a->a[1], &io, false);
	if (!err && (io.flags & TMP_LIVE))
		err = freeze_target(a->a[0], &p);
	if (err || (err = mig_read(proc_cur(), p, &io)))
		return err;
	return copy_to_user((void *)a->a[1], &io, sizeof(io));
}

/* t_mig_layout(pid, regions[T_MIG_MAXSEG]): how many */
long sys_t_mig_layout(const struct sysargs *a)
{
	struct proc *p;
	uint32_t n;
	int err = freeze_target(a->a[0], &p);
	if (err || (err = sysarg_out(a->a[1], sizeof(struct t_mig_seg) * T_MIG_MAXSEG)))
		return err;
	struct t_mig_seg *segs = kmalloc(sizeof(*segs) * T_MIG_MAXSEG);
	if (!segs)
		return -ENOMEM;
	if (!(err = mig_layout(p, segs, &n)))
		err = copy_to_user((void *)a->a[1], segs, sizeof(*segs) * n);
	kfree(segs);
	return err ? err : (long)n;
}

long sys_t_mig_thaw(const struct sysargs *a)
{
	return mig_thaw(proc_cur(), any_proc(a->a[0]));
}

long sys_t_mig_commit(const struct sysargs *a)
{
	uint64_t late;
	if (a->a[1] > T_NODE_MAX || a->a[2] > INT32_MAX)
		return -EINVAL;
	if (sysarg_out(a->a[3], sizeof(late)))
		return -EFAULT;
	int err = mig_commit(proc_cur(), any_proc(a->a[0]), (uint32_t)a->a[1], (int)a->a[2],
			     &late);
	/* committed: the copy elsewhere starts with what is in its image if this fails */
	return err ? err : (copy_to_user((void *)a->a[3], &late, sizeof(late)), 0);
}

/* ---- the node a process comes to ------------------------------------------------------------- */

static int fetch_image(const struct sysargs *a, struct mig_bufs *b)
{
	int err = copy_from_user(b->img, (const void *)a->a[0], sizeof(*b->img));
	if (err)
		return err;
	if (b->img->nseg > T_MIG_MAXSEG || b->img->args_len > T_MIG_ARGS_MAX)
		return -EINVAL;
	if ((err = copy_from_user(b->segs, (const void *)a->a[1],
				  sizeof(*b->segs) * b->img->nseg)))
		return err;
	return b->img->args_len ? copy_from_user(b->args, (const void *)a->a[2], b->img->args_len)
				: 0;
}

/* t_mig_create(image, regions, args, space, &pid) */
long sys_t_mig_create(const struct sysargs *a)
{
	struct mig_bufs b;
	int pid = 0, err;
	if (!is_root())
		return -EPERM;
	if (sysarg_out(a->a[4], sizeof(int)))
		return -EFAULT;
	if (!(err = bufs_get(&b)) && !(err = fetch_image(a, &b)) &&
	    !(err = mig_create(proc_cur(), b.img, b.segs, b.args, a->a[3], &pid)) &&
	    copy_to_user((void *)a->a[4], &pid, sizeof(pid))) {
		mig_discard(proc_cur(), proc_by_pid(pid));
		err = -EFAULT;
	}
	bufs_put(&b);
	return err;
}

long sys_t_mig_write(const struct sysargs *a)
{
	struct t_mig_pages io;
	if (!is_root())
		return -EPERM;
	int err = fetch_pages(a->a[1], &io, true);
	return err ? err : mig_write(proc_cur(), any_proc(a->a[0]), &io);
}

long sys_t_mig_start(const struct sysargs *a)
{
	if (!is_root())
		return -EPERM;
	return mig_start(proc_cur(), any_proc(a->a[0]), a->a[1]);
}

long sys_t_mig_discard(const struct sysargs *a)
{
	if (!is_root())
		return -EPERM;
	return mig_discard(proc_cur(), any_proc(a->a[0]));
}

long sys_t_mig_exited(const struct sysargs *a)
{
	if (!is_root())
		return -EPERM;
	if (a->a[0] > INT32_MAX || a->a[2] > T_NODE_MAX || a->a[3] > INT32_MAX)
		return -EINVAL;
	return mig_remote_exited((int)a->a[0], (int)a->a[1], (uint32_t)a->a[2], (int)a->a[3]);
}

long sys_t_mig_query(const struct sysargs *a)
{
	int pid;
	if (!is_root())
		return -EPERM;
	if (a->a[0] > T_NODE_MAX || a->a[1] > INT32_MAX || sysarg_out(a->a[2], sizeof(pid)))
		return a->a[0] > T_NODE_MAX || a->a[1] > INT32_MAX ? -EINVAL : -EFAULT;
	uint32_t state = mig_query((uint32_t)a->a[0], (int)a->a[1], &pid);
	return copy_to_user((void *)a->a[2], &pid, sizeof(pid)) ? -EFAULT : (long)state;
}

long sys_t_mig_locate(const struct sysargs *a)
{
	if (!is_root())
		return -EPERM;
	if (a->a[0] > INT32_MAX || a->a[1] > T_NODE_MAX || a->a[2] > INT32_MAX ||
	    a->a[3] > T_NODE_MAX || a->a[4] > INT32_MAX)
		return -EINVAL;
	return mig_locate((int)a->a[0], (uint32_t)a->a[1], (int)a->a[2], (uint32_t)a->a[3],
			  (int)a->a[4]);
}
