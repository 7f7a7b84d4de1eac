/* Migration, the node a process comes to (see migrate.h): the paper's remote creation and
 * metamorphosis. The process entry is made with no execution (or the stub is taken back
 * when it comes home), then given a space, its regions at their old addresses (text too:
 * created and filled from the pages that come, never from a program file), their contents,
 * and at the start its registers. Every field of the image is checked first: it came over
 * the network, from a node that is trusted to say who the process belongs to, but not to
 * hand the kernel a bad address, size or register. */
#include "abi/errno.h"
#include "abi/linux.h"
#include "arch/paging.h"
#include "kernel/fs/file.h"
#include "kernel/lib/kprintf.h"
#include "kernel/lib/string.h"
#include "kernel/fs/fsproc.h"
#include "kernel/mm/kmalloc.h"
#include "kernel/mm/uaccess.h"
#include "kernel/mm/uva.h"
#include "kernel/mm/vattach.h"
#include "kernel/mm/vregion.h"
#include "kernel/mm/vspace.h"
#include "kernel/node/node.h"
#include "kernel/proc/args.h"
#include "kernel/proc/exec.h"
#include "kernel/proc/migrate.h"
#include "kernel/proc/procmem.h"
#include "kernel/proc/procmove.h"
#include "kernel/proc/ptimer.h"
#include "kernel/proc/runmode.h"
#include "kernel/proc/signal.h"
#include "kernel/proc/ulimit.h"
#include "kernel/proc/vdso.h"
#include "abi/vdso.h"

/* What waits in a process being built until t_mig_start gives it an execution. */
struct mig_build {
	struct trapframe tf;
	struct exec_user_state us;
	int prio;
	uint64_t alarm_left, alarm_interval;
	uint64_t sig_mask;                     /* its thread's, as the execution is made */
	struct linux_stack altstack;
};

/* ---- checking the image --------------------------------------------------------------------- */

/* The coexistence control area and the vDSO, at fixed addresses in every space: no region
 * may come there. */
#define FIXED_END (VDSO_TEXT_ADDR + VDSO_MAX_PAGES * PAGE_SIZE)

static bool user_addr(uint64_t a)
{
	return a < USER_TOP;
}

static bool seg_ok(const struct t_mig_seg *s)
{
	uint64_t end = s->addr + s->size;
	return !(s->addr & (PAGE_SIZE - 1)) && !(s->size & (PAGE_SIZE - 1)) && s->size &&
	       s->size <= VREGION_MAX_SIZE && end > s->addr && end <= USER_TOP && s->addr &&
	       s->kind <= TRK_MMAP && !(s->prot & ~(TR_READ | TR_WRITE | TR_EXEC)) &&
	       !(s->flags & ~TMS_HEAP) && (!(s->flags & TMS_HEAP) || s->kind == TRK_HEAP) &&
	       (end <= T_CCA_ADDR || s->addr >= FIXED_END);
}

static bool segs_ok(const struct t_mig_image *img, const struct t_mig_seg *segs)
{
	int heaps = 0;
	if (img->nseg > T_MIG_MAXSEG)
		return false;
	for (uint32_t i = 0; i < img->nseg; i++) {
		const struct t_mig_seg *s = &segs[i];
		if (!seg_ok(s))
			return false;
		heaps += (s->flags & TMS_HEAP) != 0;
		for (uint32_t k = 0; k < i; k++) {
			const struct t_mig_seg *o = &segs[k];
			if (s->addr < o->addr + o->size && o->addr < s->addr + s->size)
				return false;
		}
	}
	return heaps <= 1;
}

static bool strings_ok(const struct t_mig_image *img)
{
	return strnlen(img->name, sizeof(img->name)) < sizeof(img->name) &&
	       strnlen(img->cwd, sizeof(img->cwd)) < sizeof(img->cwd) && img->cwd[0] == '/';
}

static bool image_ok(const struct t_mig_image *img, const struct t_mig_seg *segs)
{
	const struct t_mig_regs *r = &img->regs;
	bool span_ok = !img->img_span ||
		       (!(img->img_va & (PAGE_SIZE - 1)) && !(img->img_span & (PAGE_SIZE - 1)) &&
			img->img_va >= UVA_BASE && img->img_va + img->img_span <= UVA_END &&
			img->img_va + img->img_span > img->img_va);
	return img->version == T_MIG_VERSION && img->size == sizeof(*img) && span_ok &&
	       img->home_node && img->home_node <= T_NODE_MAX && img->home_pid > 0 &&
	       img->prio >= 0 && img->prio < EXEC_NPRIO && img->args_len <= T_MIG_ARGS_MAX &&
	       user_addr(r->rip) && user_addr(r->rsp) && user_addr(r->fs_base) &&
	       img->brk_start <= img->brk_cur && img->brk_cur <= img->brk_max &&
	       img->alarm_left_ns < (1ull << 62) && img->alarm_interval_ns < (1ull << 62) &&
	       strings_ok(img) && segs_ok(img, segs);
}

/* ---- building --------------------------------------------------------------------------------- */

static void take_identity(struct proc *p, const struct t_mig_image *img)
{
	res_set_name(p->hdr.rid, img->name);
	p->hdr.mode = img->mode;
	p->umask = img->umask & 0777;
	for (int s = 1; s < 65; s++)
		p->sig[s] = (struct sigact){ img->sig[s].handler, img->sig[s].flags,
					     img->sig[s].restorer, img->sig[s].mask };
	p->sig_pending = img->sig_pending;
	for (int i = 0; i < L_RLIMIT_NLIMITS && i < 16; i++)
		p->rlim[i] = (struct linux_rlimit){ img->rlim[i][0], img->rlim[i][1] };
	uint64_t nofile = p->rlim[L_RLIMIT_NOFILE].cur;
	p->fds.limit = nofile < NFD_MAX ? (int)nofile : NFD_MAX;

}

/* Its console descriptors: the console itself back home, else the home's console through
 * the node server. One open file for all of them, as they shared one where they came from. */
static int take_fds(struct proc *p, const struct t_mig_image *img, bool home)
{
	struct file *con = NULL;
	for (int fd = 0; fd < T_MIG_NFD && fd < NFD; fd++) {
		if (img->fd_kind[fd] == TMFD_NONE)
			continue;
		if (img->fd_kind[fd] != TMFD_CONSOLE)
			return -EINVAL;
		int err = con ? (file_get(con), 0)
			      : home ? file_open_console(&con)
				     : file_open_rcons(img->home_node, img->home_pid, &con);
		if (err)
			return err;
		fd_put_at(&p->fds, fd, con, img->fd_cloexec[fd] != 0);
	}
	return 0;
}

static uint32_t vr_prot(uint32_t tr)
{
	return (tr & TR_READ ? VR_R : 0) | (tr & TR_WRITE ? VR_W : 0) | (tr & TR_EXEC ? VR_X : 0);
}

static int take_memory(struct proc *p, const struct t_mig_image *img,
		       const struct t_mig_seg *segs)
{
	int err = img->img_span ? uva_take(img->img_va, img->img_span) : 0;
	if (err)
		return err;
	p->img_va = img->img_va;                 /* procmem_release gives it back */
	p->img_span = img->img_span;
	for (uint32_t i = 0; i < img->nseg; i++) {
		const struct t_mig_seg *s = &segs[i];
		rid_t att;
		if ((err = procmem_add_arrived(p, s->size, s->kind, vr_prot(s->prot), s->addr,
					       &att)))
			return err;
		if (s->flags & TMS_HEAP)
			p->heap_att = att;
	}
	p->brk_start = img->brk_start;
	p->brk_cur = img->brk_cur;
	p->brk_max = img->brk_max;
	/* the coexistence control area (DMSM) and the vDSO every space has */
	int cca = runmode_map_cca(vspace_root(p->vspace));
	return cca ? cca : vdso_map(vspace_root(p->vspace));
}

static int take_space(struct proc *p, rid_t space)
{
	int err;
	if (!space)
		err = proc_space_new(p, &space);
	else if (!(err = res_validate(space, RT_VSPACE)))
		err = res_check(space, TOP_MOVE, &p->cred);
	if (err)
		return err;
	p->vspace = space;
	vspace_proc_ref(space, 1);
	return 0;
}

static void take_regs(struct mig_build *b, const struct t_mig_image *img)
{
	const struct t_mig_regs *r = &img->regs;
	struct trapframe *tf = &b->tf;
	memset(tf, 0, sizeof(*tf));
	tf->r15 = r->r15, tf->r14 = r->r14, tf->r13 = r->r13, tf->r12 = r->r12;
	tf->r11 = r->r11, tf->r10 = r->r10, tf->r9 = r->r9, tf->r8 = r->r8;
	tf->rbp = r->rbp, tf->rdi = r->rdi, tf->rsi = r->rsi, tf->rdx = r->rdx;
	tf->rcx = r->rcx, tf->rbx = r->rbx, tf->rax = r->rax;
	tf->rip = r->rip, tf->rsp = r->rsp;
	tf->cs = SEL_UCODE, tf->ss = SEL_UDATA;
	/* only the flags a program may set (as sigreturn takes them); interrupts on */
	tf->rflags = (r->rflags & 0xcd5ul) | RFLAGS_IF | 0x2;
	memcpy(b->us.fpu, r->fpu, sizeof(b->us.fpu));
	*(uint32_t *)(b->us.fpu + 24) &= 0xffffu;   /* MXCSR: reserved bits would fault */
	b->us.fs_base = r->fs_base;
	b->prio = img->prio;
	b->alarm_left = img->alarm_left_ns;
	b->alarm_interval = img->alarm_interval_ns;
	b->sig_mask = img->sig_mask & ~UNBLOCKABLE;
	b->altstack = (struct linux_stack){ .sp = img->altstack_sp, .size = img->altstack_size,
					    .flags = img->altstack_flags };
}

/* The entry to build in: a new one, or the stub of a process coming home. */
static int entry_for(const struct t_mig_image *img, bool home, struct proc **out)
{
	const struct cred cred = { .uid = img->uid, .gid = img->gid };
	const struct proc_ids ids = { img->ruid, img->euid, img->suid,
				      img->rgid, img->egid, img->sgid };
	if (!home)
		return proc_new_arrival(img->name, img->mode, &ids, &cred, out);
	struct proc *p = proc_by_pid(img->home_pid);
	if (!p || p->state != TPS_REMOTE || p->mig.state != PM_NONE)
		return -ESRCH;
	if (p->ids.ruid != img->ruid)
		ulimit_uid_move(p->ids.ruid, img->ruid);
	p->ids = ids;
	p->cred = cred;
	p->hdr.owner = ids.euid;
	p->hdr.group = ids.egid;
	*out = p;
	return 0;
}

static int build(struct proc *p, const struct t_mig_image *img, const struct t_mig_seg *segs,
		 const void *args, rid_t space, bool home)
{
	int err;
	take_identity(p, img);
	if ((err = fsp_dir_set(&p->cwd, img->cwd)))
		return err;
	if (img->args_len && !(p->args = args_from_wire(args, img->args_len)))
		return -EINVAL;
	if ((err = take_fds(p, img, home)) || (err = take_space(p, space)) ||
	    (err = take_memory(p, img, segs)))
		return err;
	if (!(p->mig.build = kmalloc(sizeof(*p->mig.build))))
		return -ENOMEM;
	take_regs(p->mig.build, img);
	return 0;
}

int mig_create(struct proc *builder, const struct t_mig_image *img,
	       const struct t_mig_seg *segs, const void *args, rid_t space, int *pid_out)
{
	struct proc *p;
	if (!node_self())
		return -EHOSTUNREACH;
	if (!image_ok(img, segs))
		return -EINVAL;
	bool home = img->home_node == node_self();
	int err = entry_for(img, home, &p);
	if (err)
		return err;
	if ((err = build(p, img, segs, args, space, home))) {
		proc_discard_arrival(p);         /* a stub is a stub again */
		return err;
	}
	p->mig.state = PM_BUILDING;
	p->mig.owner = builder->pid;
	p->mig.home_node = home ? 0 : img->home_node;
	p->mig.home_pid = home ? 0 : img->home_pid;
	mig_active++;
	*pid_out = p->pid;
	return 0;
}

static struct proc *building(struct proc *builder, struct proc *p)
{
	return p && p->mig.state == PM_BUILDING && p->mig.owner == builder->pid ? p : NULL;
}

/* The attachment of p (its own, not another's in a shared space) holding page addr. */
static rid_t own_att(struct proc *p, uint64_t addr, uint64_t *start)
{
	uint64_t size;
	for (int i = 0; i < p->att_end; i++)
		if (p->att[i] && vattach_range(p->att[i], start, &size) && addr >= *start &&
		    addr - *start < size)
			return p->att[i];
	return 0;
}

#define BOUNCE 2048                  /* kmalloc's pages have a header: half a page at a time */

/* One page of the batch into the region of attachment att, through a kernel bounce buffer
 * (vregion_write takes kernel memory, and copies a shared page first). */
static int write_page(rid_t att, uint64_t off, const char *ubuf, char *bounce)
{
	for (uint64_t done = 0; done < PAGE_SIZE; done += BOUNCE) {
		int err = copy_from_user(bounce, ubuf + done, BOUNCE);
		if (err || (err = vregion_write(vattach_region(att), off + done, bounce, BOUNCE)))
			return err;
	}
	return 0;
}

int mig_write(struct proc *builder, struct proc *p, const struct t_mig_pages *io)
{
	if (!building(builder, p))
		return -ESRCH;
	char *bounce = kmalloc(BOUNCE);
	int err = bounce ? 0 : -ENOMEM;
	for (uint32_t i = 0; i < io->n && !err; i++) {
		uint64_t start, addr = io->addr[i];
		rid_t att = (addr & (PAGE_SIZE - 1)) ? 0 : own_att(p, addr, &start);
		err = att ? write_page(att, addr - start,
				       (const char *)(io->buf + (uint64_t)i * PAGE_SIZE), bounce)
			  : -EINVAL;
	}
	kfree(bounce);
	return err;
}

int mig_start(struct proc *builder, struct proc *p, uint64_t late)
{
	if (!building(builder, p))
		return -ESRCH;
	struct mig_build *b = p->mig.build;
	int err = exec_create(b->prio, p->hdr.rid, &p->cred, &p->exec);
	if (err)
		return err;
	thread_init_leader(p, p->exec);             /* one thread, its tid the pid here */
	thread_of(p->exec)->sig_mask = b->sig_mask;
	thread_of(p->exec)->altstack = b->altstack;
	*exec_tf(p->exec) = b->tf;
	exec_set_user_state(p->exec, &b->us);
	exec_set_root(p->exec, vspace_root(p->vspace));
	p->sig_pending |= late;             /* came after the image was read */
	if (b->alarm_left)
		ptimer_set(p, b->alarm_left, b->alarm_interval);
	kfree(b);
	p->mig.build = NULL;
	p->mig.state = PM_NONE;
	p->mig.where_node = 0;
	p->mig.where_pid = 0;
	mig_active--;
	p->state = TPS_READY;
	exec_make_ready(p->exec);
	return 0;
}

void mig_build_drop(struct proc *p)
{
	kfree(p->mig.build);
	p->mig.build = NULL;
	p->mig.state = PM_NONE;
	mig_active--;
	if (p->state == TPS_REMOTE)
		p->mig.home_node = 0, p->mig.home_pid = 0;
	proc_discard_arrival(p);
}

int mig_discard(struct proc *builder, struct proc *p)
{
	if (!building(builder, p))
		return -ESRCH;
	mig_build_drop(p);
	return 0;
}
