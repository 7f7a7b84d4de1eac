/* Migration, the node a process leaves (see migrate.h): what may move, freezing, reading the
 * image and the pages out, thaw or commit, and the stub a process leaves at its home. */
#include "kernel/proc/migrate.h"
#include "abi/errno.h"
#include "abi/linux.h"
#include "arch/paging.h"
#include "kernel/dev/console.h"
#include "kernel/dev/device.h"
#include "kernel/fs/file.h"
#include "kernel/ipc/fnid.h"
#include "kernel/ipc/ica.h"
#include "kernel/lib/string.h"
#include "kernel/mm/kmalloc.h"
#include "kernel/mm/uaccess.h"
#include "kernel/mm/vattach.h"
#include "kernel/mm/vregion.h"
#include "kernel/mm/vspace.h"
#include "kernel/net/sock.h"
#include "kernel/node/node.h"
#include "kernel/proc/args.h"
#include "kernel/proc/ctty.h"
#include "kernel/proc/exec.h"
#include "kernel/proc/metamorph.h"
#include "kernel/proc/ptimer.h"
#include "kernel/proc/runmode.h"
#include "kernel/proc/signal.h"

uint32_t mig_active;

/* ---- what may move -------------------------------------------------------------------------- */

/* Job control does not cross nodes: a stopped process (the stop would not move with it) and a
 * session leader with the console (its terminal stays here) stay. Any other process moves;
 * its stub here keeps its group, so a signal to the group still reaches it (forwarded), and
 * on arrival it leads a group of its own in init's session there (jobctl_init_arrival). */
static bool why_jobctl(const struct proc *p)
{
	return p->stopped || (ctty_is_mine(p) && p->sid == p->pid);
}

static uint32_t why_fds(struct proc *p)
{
	for (int fd = 0; fd < p->fds.top; fd++) {
		struct file *f;
		if (fd_get(&p->fds, fd, &f))
			continue;
		if (sock_is(f))
			return TMIG_SOCKET;
		if ((!file_is_console(f) && !file_is_rcons(f)) || fd >= T_MIG_NFD || fd >= NFD)
			return TMIG_FILE;             /* the image carries the first descriptors */
	}
	return TMIG_NONE;
}

struct space_count {
	rid_t space;
	uint32_t atts;
	int owner;                   /* check: every process of the space frozen by it */
	bool all_frozen;
};

static void count_space(struct proc *p, void *c)
{
	struct space_count *s = c;
	if (p->vspace != s->space || p->state == TPS_ZOMBIE)
		return;
	for (int i = 0; i < p->att_end; i++)
		s->atts += p->att[i] != 0;
	bool mine = (p->mig.state == PM_FROZEN || p->mig.state == PM_COMMITTED) &&
		    p->mig.owner == s->owner && p->mig.whole_space;
	s->all_frozen &= mine;
}

/* Its regions must be process regions, and (whole: with those of the other processes of
 * its space) the only ones in its space: no free-standing region attached there. */
static uint32_t why_regions(struct proc *p, bool whole)
{
	uint32_t n = 0;
	for (int i = 0; i < p->att_end; i++) {
		rid_t att = p->att[i], region;
		if (!att)
			continue;
		region = vattach_region(att);
		if (vregion_home(region) || vattach_standalone(att) ||
		    vregion_kind(region) > TRK_MMAP)
			return TMIG_REGION;
		n++;
	}
	if (n > T_MIG_MAXSEG)
		return TMIG_TOOBIG;
	struct space_count s = { .space = p->vspace };
	if (whole)
		proc_for_each(count_space, &s);
	else
		s.atts = n;
	return vspace_count_overlaps(p->vspace, 0, USER_TOP) == s.atts ? TMIG_NONE : TMIG_REGION;
}

uint32_t mig_why(struct proc *p, uint32_t flags)
{
	uint32_t why;
	if (p->pid == 1 || !p->exec || p->state == TPS_ZOMBIE)
		return TMIG_KERNEL;
	if (p->mig.state != PM_NONE || p->meta)
		return TMIG_BUSY;
	if (p->vfork_parent)
		return TMIG_VFORK;
	if (p->nthreads > 1)
		return TMIG_THREADS;
	if (vspace_nprocs(p->vspace) > 1 && !(flags & TMF_SPACE))
		return TMIG_SHARED;
	if (runmode_of(p->hdr.rid) != TRM_UMODE)
		return TMIG_SMODE;
	if (dev_claims_any(p->pid))
		return TMIG_DEVICE;
	if (ica_holds_any(p->pid))
		return TMIG_ICA;
	if (fnid_serves_any(p->pid))
		return TMIG_SERVER;
	if (p->child_first)
		return TMIG_CHILDREN;
	if (p->fault_ckpt)
		return TMIG_CKPT;
	if (p->root[0] || strlen(p->cwd) >= sizeof(((struct t_mig_image *)0)->cwd))
		return TMIG_CHROOT;         /* the image carries no root directory, and a short cwd */
	if ((why = why_fds(p)) || (why = why_regions(p, flags & TMF_SPACE)))
		return why;
	if (console_waiting(p->pid))
		return TMIG_CONSOLE;
	if (why_jobctl(p))
		return TMIG_JOBCTL;
	return TMIG_NONE;
}

/* ---- freezing ------------------------------------------------------------------------------- */

int mig_apply_freeze(struct proc *p, struct trapframe *tf, struct meta_req *req)
{
	if (req->abandoned)
		return -EINTR;                  /* nobody would ever thaw it */
	if ((req->why = mig_why(p, req->flags)))
		return -EBUSY;
	signal_call_stop(p, tf);
	p->mig.state = PM_FROZEN;
	p->mig.owner = req->owner;
	p->mig.whole_space = req->flags & TMF_SPACE;
	mig_active++;
	return 0;
}

void mig_hold(struct proc *p)
{
	while (p->mig.state == PM_FROZEN && !p->killed)
		sleep_on(&p->mig, 0);
	if (p->mig.state == PM_FROZEN) {    /* killed while frozen: it ends here */
		p->mig.state = PM_NONE;
		p->mig.whole_space = false;
		mig_active--;
	}
	if (p->mig.state == PM_COMMITTED)
		proc_migrated();
}

static void copy_regs(struct t_mig_regs *r, const struct trapframe *tf,
		      const struct exec_user_state *us)
{
	r->r15 = tf->r15, r->r14 = tf->r14, r->r13 = tf->r13, r->r12 = tf->r12;
	r->r11 = tf->r11, r->r10 = tf->r10, r->r9 = tf->r9, r->r8 = tf->r8;
	r->rbp = tf->rbp, r->rdi = tf->rdi, r->rsi = tf->rsi, r->rdx = tf->rdx;
	r->rcx = tf->rcx, r->rbx = tf->rbx, r->rax = tf->rax;
	r->rip = tf->rip, r->rflags = tf->rflags, r->rsp = tf->rsp;
	r->fs_base = us->fs_base;
	memcpy(r->fpu, us->fpu, sizeof(r->fpu));
}

_Static_assert(sizeof(struct t_mig_image) <= 4080, "the kernel holds an image in a page");
_Static_assert(sizeof(struct t_mig_seg) * T_MIG_MAXSEG <= 4080 && T_MIG_ARGS_MAX <= 4080,
	       "and the regions and the vectors in one each");

static uint32_t export_segs(struct proc *p, struct t_mig_seg *segs)
{
	uint32_t n = 0;
	for (int i = 0; i < p->att_end; i++) {
		rid_t att = p->att[i], region;
		if (!att)
			continue;
		region = vattach_region(att);
		uint32_t vp = vregion_prot(region);
		segs[n++] = (struct t_mig_seg){
			.addr = vattach_addr(att), .size = vattach_size(att),
			.kind = vregion_kind(region),
			.prot = (vp & VR_R ? TR_READ : 0) | (vp & VR_W ? TR_WRITE : 0) |
				(vp & VR_X ? TR_EXEC : 0),
			.flags = att == p->heap_att ? TMS_HEAP : 0,
			.resident = (uint32_t)vregion_resident(region),
			.id = att,
		};
	}
	return n;
}

static void export_state(struct proc *p, struct t_mig_image *img)
{
	for (int s = 0; s < 65; s++)
		img->sig[s] = (struct t_mig_sigact){ p->sig[s].handler, p->sig[s].flags,
						     p->sig[s].restorer, p->sig[s].mask };
	struct thread *t = thread_of(p->exec);     /* its one thread (mig_why) */
	img->sig_mask = t->sig_mask;
	/* sent to the process, or to its one thread alone: the same for a single thread */
	img->sig_pending = p->sig_pending | t->sig_pending;
	ptimer_get(p, &img->alarm_left_ns, &img->alarm_interval_ns);
	for (int i = 0; i < L_RLIMIT_NLIMITS && i < 16; i++)
		img->rlim[i][0] = p->rlim[i].cur, img->rlim[i][1] = p->rlim[i].max;
	img->altstack_sp = t->altstack.sp;
	img->altstack_size = t->altstack.size;
	img->altstack_flags = t->altstack.flags;
	for (int fd = 0; fd < NFD && fd < T_MIG_NFD; fd++) {
		img->fd_kind[fd] = p->fds.fd[fd] ? TMFD_CONSOLE : TMFD_NONE;   /* mig_why: only */
		img->fd_cloexec[fd] = p->fds.cloexec[fd];
	}
}

static void export_image(struct proc *p, struct t_mig_image *img, struct t_mig_seg *segs,
			 void *args)
{
	struct exec_user_state us;
	memset(img, 0, sizeof(*img));
	img->version = T_MIG_VERSION;
	img->size = sizeof(*img);
	img->pid = p->pid;
	img->home_node = p->mig.home_node ? p->mig.home_node : node_self();
	img->home_pid = p->mig.home_node ? p->mig.home_pid : p->pid;
	img->uid = p->cred.uid, img->gid = p->cred.gid, img->mode = p->hdr.mode;
	img->ruid = p->ids.ruid, img->euid = p->ids.euid, img->suid = p->ids.suid;
	img->rgid = p->ids.rgid, img->egid = p->ids.egid, img->sgid = p->ids.sgid;
	img->prio = exec_get_prio(p->exec);
	img->umask = p->umask;
	strlcpy(img->name, p->hdr.name, sizeof(img->name));
	strlcpy(img->cwd, p->cwd, sizeof(img->cwd));
	exec_get_user_state(p->exec, &us);
	copy_regs(&img->regs, exec_tf(p->exec), &us);
	img->brk_start = p->brk_start, img->brk_cur = p->brk_cur, img->brk_max = p->brk_max;
	img->img_va = p->img_va, img->img_span = p->img_span;
	export_state(p, img);
	img->nseg = export_segs(p, segs);
	/* argument blocks may be up to 6 MiB since execve follows Linux's limits; a block over
	 * T_MIG_ARGS_MAX does not travel, and the process moves without it (no restart to its
	 * start there, an empty /proc cmdline) */
	size_t len = p->args ? args_wire_size(p->args) : 0;
	img->args_len = len <= T_MIG_ARGS_MAX ? (uint32_t)len : 0;
	if (img->args_len)
		args_to_wire(p->args, args);
}

int mig_freeze(struct proc *owner, struct proc *p, struct t_mig_image *img,
	       struct t_mig_seg *segs, void *args, uint32_t flags, uint32_t *why)
{
	rid_t none;
	if (flags & ~TMF_SPACE)
		return -EINVAL;
	*why = mig_why(p, flags);
	if (*why)
		return -EBUSY;                   /* asked now; asked again in the process itself */
	struct meta_req *req = kmalloc(sizeof(*req));
	if (!req)
		return -ENOMEM;
	memset(req, 0, sizeof(*req));
	req->kind = MK_FREEZE;
	req->owner = owner->pid;
	req->flags = flags;
	/* meta_request frees req: what the process said comes back through this copy */
	long err = meta_request(p, req, &none);
	if (err == -EBUSY) {
		*why = mig_why(p, flags);
		if (!*why)
			*why = TMIG_BUSY;
	}
	if (err)
		return (int)err;
	export_image(p, img, segs, args);
	return 0;
}

/* ---- reading it out ------------------------------------------------------------------------ */

static struct proc *owned(struct proc *owner, struct proc *p, enum proc_mig_state st)
{
	return p && p->mig.state == st && p->mig.owner == owner->pid ? p : NULL;
}

/* The attachment of p holding addr (0: none). */
static rid_t att_at(struct proc *p, uint64_t addr, uint64_t *start, uint64_t *size)
{
	for (int i = 0; i < p->att_end; i++)
		if (p->att[i] && vattach_range(p->att[i], start, size) && addr >= *start &&
		    addr - *start < *size)
			return p->att[i];
	return 0;
}

/* Whether the page at va of p goes into this batch: resident, and for TMP_DIRTY written
 * since it was last read so (its dirty bit, which reading clears, as TMP_CLEAN does). */
static bool wanted(struct proc *p, uint64_t va, uint64_t pa, uint32_t flags)
{
	if (!pa)
		return false;
	bool dirty = (flags & (TMP_DIRTY | TMP_CLEAN)) &&
		     pt_test_clear_dirty(vspace_root(p->vspace), va);
	return !(flags & TMP_DIRTY) || dirty;
}

int mig_layout(struct proc *p, struct t_mig_seg *segs, uint32_t *n)
{
	if (p->state == TPS_ZOMBIE || !p->exec)
		return -ESRCH;
	if (why_regions(p, false))
		return -EBUSY;
	*n = export_segs(p, segs);
	return 0;
}

int mig_read(struct proc *owner, struct proc *p, struct t_mig_pages *io)
{
	uint64_t a, size;
	bool live = io->flags & TMP_LIVE;
	if (io->flags & ~(TMP_DIRTY | TMP_CLEAN | TMP_LIVE))
		return -EINVAL;
	if (live ? !p || p->state == TPS_ZOMBIE || !p->exec : !owned(owner, p, PM_FROZEN))
		return -ESRCH;
	rid_t att = att_at(p, io->from, &a, &size);
	if (!att || io->to <= io->from || (io->from | io->to) & (PAGE_SIZE - 1))
		return -EINVAL;
	rid_t region = vattach_region(att);
	uint64_t end = io->to < a + size ? io->to : a + size, at = io->from;
	io->n = 0;
	for (; at < end && io->n < T_MIG_BATCH; at += PAGE_SIZE) {
		uint64_t pa = vregion_page(region, (at - a) / PAGE_SIZE, false);
		if (!wanted(p, at, pa, io->flags))
			continue;
		if (copy_to_user((void *)(io->buf + (uint64_t)io->n * PAGE_SIZE),
				 phys_to_virt(pa), PAGE_SIZE))
			return -EFAULT;
		io->addr[io->n++] = at;
	}
	io->next = at < end ? at : io->to;
	return 0;
}

static void thaw(struct proc *p)
{
	p->mig.state = PM_NONE;
	p->mig.whole_space = false;
	mig_active--;
	wakeup(&p->mig);
}

int mig_thaw(struct proc *owner, struct proc *p)
{
	if (!owned(owner, p, PM_FROZEN))
		return -ESRCH;
	thaw(p);
	return 0;
}

int mig_commit(struct proc *owner, struct proc *p, uint32_t node, int pid, uint64_t *late)
{
	if (!owned(owner, p, PM_FROZEN))
		return -ESRCH;
	if (!node_self())
		return -EHOSTUNREACH;             /* in no cluster: there is nowhere to go */
	if (!node || node > T_NODE_MAX || node == node_self() || pid <= 0)
		return -EINVAL;
	if (p->mig.whole_space) {
		/* a whole space goes once every process of it is frozen for it */
		struct space_count s = { .space = p->vspace, .owner = owner->pid, .all_frozen = true };
		proc_for_each(count_space, &s);
		if (!s.all_frozen)
			return -EBUSY;
	}
	p->mig.state = PM_COMMITTED;
	p->mig.where_node = node;
	p->mig.where_pid = pid;
	*late = p->sig_pending;
	mig_active--;
	wakeup(&p->mig);
	return 0;
}

static void undo_owned(struct proc *p, void *ctx)
{
	int pid = *(int *)ctx;
	if (p->mig.owner != pid)
		return;
	if (p->mig.state == PM_FROZEN)
		thaw(p);
	else if (p->mig.state == PM_BUILDING)
		mig_build_drop(p);
}

void mig_owner_exit(int pid)
{
	if (mig_active)
		proc_for_each(undo_owned, &pid);
}
