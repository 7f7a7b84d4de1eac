/* Executions and the scheduler (see exec.h). Interrupts are off throughout the kernel except
 * in the idle loop, so on one CPU the scheduler needs no locks. */
#include "kernel/proc/exec.h"
#include "abi/errno.h"
#include "arch/paging.h"
#include "arch/timer.h"
#include "kernel/dev/device.h"
#include "kernel/lib/kprintf.h"
#include "kernel/lib/string.h"
#include "kernel/mm/pmm.h"
#include "kernel/proc/cputime.h"
#include "kernel/proc/runmode.h"
#include "kernel/proc/thread.h"
#include "kernel/res/res.h"

#define KSTACK_PAGES 4
#define KSTACK_SLOT (8 * PAGE_SIZE)      /* stack + unmapped guard pages */
#define SLICE_TICKS 10

enum exec_state { ES_FREE, ES_READY, ES_RUNNING, ES_BLOCKED, ES_DEAD };

struct exec {
	struct res_hdr hdr;
	uint8_t fpu[512] __attribute__((aligned(16)));
	enum exec_state state;
	int prio;
	rid_t proc;
	uint64_t root;              /* translation table to activate; 0 = keep current */
	uint64_t kstack_top;
	uint64_t saved_rsp;
	uint64_t fs_base;
	int next;                   /* run-queue link (index in this table), -1 = none */
	int wprev, wnext;           /* wait-channel bucket links while asleep on a channel */
	int tprev, tnext;           /* timed-sleeper list links while asleep with a deadline */
	bool interrupted;           /* exec_interrupt came while it was not asleep */
	const void *wchan;
	uint64_t deadline;
	uint64_t ticks;
	struct thread thr;          /* its Linux thread state, kept by thread.c */
};

static struct res_table exec_table;
static int rq_head[EXEC_NPRIO + 1], rq_tail[EXEC_NPRIO + 1];
static int cur = -1, idle = -1;
static int slice_left = SLICE_TICKS;
bool sched_need_resched;
rid_t exec_current_rid;
/* Never NULL once the scheduler runs: the idle execution has (an empty) one too. */
static struct thread no_thread;
struct thread *exec_current_thread = &no_thread;
static int dead_pending = -1;
/* Sleepers: a hash of wait channels, each a list of the executions asleep on one of its
 * channels, so wakeup looks only at those; and a list of the ones with a deadline, with the
 * earliest deadline kept, so a tick with nothing due costs one comparison. */
#define WAIT_BUCKETS 256
static int wait_head[WAIT_BUCKETS];
static int timed_head = -1;
static uint64_t next_deadline = UINT64_MAX;

void switch_context(uint64_t *save_rsp, uint64_t new_rsp);
void exec_first_entry(void);

static struct exec *get(rid_t rid)
{
	return res_obj(rid, RT_EXEC);
}

/* The live execution in slot i (run queues and sleeper lists link slots by index). */
static struct exec *ex(int i)
{
	return res_slot(RT_EXEC, (uint32_t)i);
}

int exec_visible_state(rid_t rid)
{
	static const int vis[] = { TPS_NEW, TPS_READY, TPS_RUNNING, TPS_BLOCKED, TPS_ZOMBIE };
	struct exec *e = get(rid);
	return e ? vis[e->state] : TPS_ZOMBIE;
}

static void describe(rid_t rid, struct t_res_info *info)
{
	struct exec *e = get(rid);
	info->v[0] = exec_visible_state(rid);
	info->v[1] = e->prio;
	struct t_res_info owner;
	info->v[2] = e->proc && res_info(e->proc, &owner) == 0 ? owner.v[0] : 0;   /* pid */
	info->v[3] = e->ticks;
	info->v[4] = (uint64_t)e->thr.tid;
	res_add_ref(info, "process", e->proc);
}

static const struct res_ops exec_ops = { .describe = describe };

void exec_init(void)
{
	exec_table = (struct res_table){ .stride = sizeof(struct exec),
					 .capacity = NEXEC, .ops = &exec_ops };
	res_register(RT_EXEC, &exec_table);
	/* kernel-stack page tables are made once, so executions come and go without
	 * allocating (or leaking) table pages */
	if (pt_prepare(paging_kernel_root(), KSTACK_AREA, (uint64_t)NEXEC * KSTACK_SLOT))
		panic("exec_init: no memory for kernel stack tables");
	for (int p = 0; p <= EXEC_NPRIO; p++)
		rq_head[p] = rq_tail[p] = -1;
	for (int b = 0; b < WAIT_BUCKETS; b++)
		wait_head[b] = -1;
}

static void enqueue(int i)
{
	struct exec *e = ex(i);
	e->state = ES_READY;
	e->next = -1;
	if (rq_tail[e->prio] >= 0)
		ex(rq_tail[e->prio])->next = i;
	else
		rq_head[e->prio] = i;
	rq_tail[e->prio] = i;
	if (cur >= 0 && e->prio < ex(cur)->prio)
		sched_need_resched = true;
}

static int dequeue(void)
{
	for (int p = 0; p < EXEC_NPRIO; p++) {
		int i = rq_head[p];
		if (i < 0)
			continue;
		rq_head[p] = ex(i)->next;
		if (rq_head[p] < 0)
			rq_tail[p] = -1;
		return i;
	}
	return -1;
}

static void unlink_ready(int i)
{
	int p = ex(i)->prio, prev = -1;
	for (int j = rq_head[p]; j >= 0; prev = j, j = ex(j)->next) {
		if (j != i)
			continue;
		if (prev >= 0)
			ex(prev)->next = ex(j)->next;
		else
			rq_head[p] = ex(j)->next;
		if (rq_tail[p] == j)
			rq_tail[p] = prev;
		return;
	}
}

static int map_kstack(int idx, uint64_t *top)
{
	uint64_t base = KSTACK_AREA + (uint64_t)idx * KSTACK_SLOT + PAGE_SIZE;  /* guard below */
	for (int i = 0; i < KSTACK_PAGES; i++) {
		uint64_t pa = pmm_alloc_dirty();
		if (!pa || pt_map(paging_kernel_root(), base + i * PAGE_SIZE, pa,
				    PTE_W | PTE_NX | PTE_G)) {
			if (pa)
				pmm_free(pa);
			while (i--)
				pmm_free(pt_unmap(paging_kernel_root(), base + i * PAGE_SIZE));
			return -ENOMEM;
		}
	}
	*top = base + KSTACK_PAGES * PAGE_SIZE;
	return 0;
}

static void unmap_kstack(struct exec *e)
{
	uint64_t base = e->kstack_top - KSTACK_PAGES * PAGE_SIZE;
	for (int i = 0; i < KSTACK_PAGES; i++)
		pmm_free(pt_unmap(paging_kernel_root(), base + i * PAGE_SIZE));
}

int exec_create(int prio, rid_t proc, const struct cred *owner, rid_t *out)
{
	if (prio < 0 || prio >= EXEC_NPRIO)
		return -EINVAL;
	rid_t rid;
	int err = res_alloc(RT_EXEC, "", owner, TMODE_DEFAULT, &rid);
	if (err)
		return err;
	struct exec *e = get(rid);
	if ((err = map_kstack(RID_INDEX(rid), &e->kstack_top))) {
		res_free(rid);
		return err;
	}
	e->state = ES_BLOCKED;     /* not runnable until exec_make_ready */
	e->prio = prio;
	cputime_reset((int)RID_INDEX(rid));
	e->proc = proc;
	e->next = -1;
	e->thr.altstack.flags = L_SS_DISABLE;
	fpu_init_area(e->fpu);
	struct trapframe *tf = exec_tf(rid);
	memset(tf, 0, sizeof(*tf));
	uint64_t *sp = (uint64_t *)tf;
	*--sp = (uint64_t)exec_first_entry;
	for (int i = 0; i < 6; i++)
		*--sp = 0;                 /* rbp rbx r12..r15 for switch_context */
	e->saved_rsp = (uint64_t)sp;
	*out = rid;
	return 0;
}

struct thread *exec_thread(rid_t rid)
{
	struct exec *e = get(rid);
	return e ? &e->thr : NULL;
}

struct trapframe *exec_tf(rid_t rid)
{
	struct exec *e = get(rid);
	return (struct trapframe *)(e->kstack_top - sizeof(struct trapframe));
}

void exec_set_root(rid_t rid, uint64_t root)
{
	struct exec *e = get(rid);
	e->root = root;
	if (e->hdr.rid == exec_current_rid && root)
		pt_activate(root);
}

rid_t exec_proc(rid_t rid)
{
	struct exec *e = get(rid);
	return e ? e->proc : 0;
}

void exec_make_ready(rid_t rid)
{
	struct exec *e = get(rid);
	assert(e && e->state == ES_BLOCKED);
	enqueue((int)RID_INDEX(rid));
}

void exec_interrupt(rid_t rid)
{
	struct exec *e = get(rid);
	if (e && e->state == ES_BLOCKED && (e->wchan || e->deadline))
		enqueue((int)RID_INDEX(rid));
	else if (e)
		e->interrupted = true;    /* its next sleep_on returns at once */
}

int exec_get_prio(rid_t rid)
{
	struct exec *e = get(rid);
	return e ? e->prio : EXEC_DEFAULT_PRIO;
}

int exec_set_prio(rid_t rid, int prio)
{
	struct exec *e = get(rid);
	if (!e)
		return -ESTALE;
	if (prio < 0 || prio >= EXEC_NPRIO)
		return -EINVAL;
	int i = (int)RID_INDEX(rid);
	if (e->state == ES_READY) {
		unlink_ready(i);
		e->prio = prio;
		enqueue(i);
	} else {
		e->prio = prio;
	}
	return 0;
}

static bool any_ready(void)
{
	for (int p = 0; p < EXEC_NPRIO; p++)
		if (rq_head[p] >= 0)
			return true;
	return false;
}

/* Switch to the best ready execution (or idle). The caller has set the current state. */
static void schedule(void)
{
	int next = dequeue();
	if (next < 0)
		next = idle;
	if (next == cur) {
		ex(cur)->state = ES_RUNNING;
		return;
	}
	int prev = cur;
	struct exec *n = ex(next), *p = ex(prev);
	cputime_switch(prev, next, p->state == ES_BLOCKED);
	fpu_save(p->fpu);
	p->fs_base = rdmsr(MSR_FS_BASE);
	cur = next;
	exec_current_rid = n->hdr.rid;
	exec_current_thread = &n->thr;
	n->state = ES_RUNNING;
	slice_left = SLICE_TICKS;
	sched_need_resched = false;
	if (n->root)
		pt_activate(n->root);
	cpu_set_kstack(n->kstack_top);
	runmode_switch_in(n->proc);        /* its running mode into the control area */
	dev_switch_in(n->proc);            /* its device ports into the I/O bitmap */
	wrmsr(MSR_FS_BASE, n->fs_base);
	fpu_restore(n->fpu);
	switch_context(&p->saved_rsp, n->saved_rsp);
	sched_after_switch();
}

/* Runs on the new execution's stack right after every switch. */
void sched_after_switch(void)
{
	if (dead_pending >= 0 && dead_pending != cur) {
		struct exec *d = ex(dead_pending);
		dead_pending = -1;
		unmap_kstack(d);
		d->state = ES_FREE;
		res_free(d->hdr.rid);
	}
}

static int wait_bucket(const void *chan)
{
	uint64_t h = (uint64_t)chan;
	return (int)((h >> 4 ^ h >> 12 ^ h >> 20) % WAIT_BUCKETS);
}

/* Put execution i on a doubly linked list (head, links prev/next in each entry). */
#define LIST_ADD(head, i, prev, next)                 \
	do {                                          \
		ex(i)->prev = -1;                     \
		ex(i)->next = (head);                 \
		if ((head) >= 0)                      \
			ex(head)->prev = (i);         \
		(head) = (i);                         \
	} while (0)
#define LIST_DEL(head, i, prev, next)                             \
	do {                                                      \
		struct exec *e_ = ex(i);                          \
		if (e_->prev >= 0)                                \
			ex(e_->prev)->next = e_->next;            \
		else                                              \
			(head) = e_->next;                        \
		if (e_->next >= 0)                                \
			ex(e_->next)->prev = e_->prev;            \
	} while (0)

/* The current execution goes on the sleeper lists its wait needs, and off them again. */
static void sleepers_add(const void *chan, uint64_t deadline)
{
	if (chan)
		LIST_ADD(wait_head[wait_bucket(chan)], cur, wprev, wnext);
	if (deadline) {
		LIST_ADD(timed_head, cur, tprev, tnext);
		if (deadline < next_deadline)
			next_deadline = deadline;
	}
}

static void sleepers_remove(const void *chan, uint64_t deadline)
{
	if (chan)
		LIST_DEL(wait_head[wait_bucket(chan)], cur, wprev, wnext);
	if (deadline)
		LIST_DEL(timed_head, cur, tprev, tnext);
}

void sleep_on(const void *chan, uint64_t deadline_ns)
{
	struct exec *e = ex(cur);
	if (e->interrupted) {
		/* interrupted before it got here: the caller re-checks why it should wait */
		e->interrupted = false;
		return;
	}
	e->wchan = chan;
	e->deadline = deadline_ns;
	e->state = ES_BLOCKED;
	sleepers_add(chan, deadline_ns);
	schedule();
	sleepers_remove(chan, deadline_ns);
	e->wchan = NULL;
	e->deadline = 0;
}

void wakeup(const void *chan)
{
	if (!chan)
		return;
	for (int i = wait_head[wait_bucket(chan)]; i >= 0; i = ex(i)->wnext)
		if (ex(i)->state == ES_BLOCKED && ex(i)->wchan == chan)
			enqueue(i);
}

void sched_yield_cur(void)
{
	if (cur != idle)
		enqueue(cur);
	schedule();
}

/* Wake the timed sleepers whose deadline has come; keep the earliest of the others. */
static void expire_deadlines(uint64_t now)
{
	next_deadline = UINT64_MAX;
	for (int i = timed_head; i >= 0; i = ex(i)->tnext) {
		struct exec *e = ex(i);
		if (e->state != ES_BLOCKED || !e->deadline)
			continue;
		if (e->deadline <= now)
			enqueue(i);
		else if (e->deadline < next_deadline)
			next_deadline = e->deadline;
	}
}

void sched_tick(void)
{
	uint64_t now = time_ns();
	if (now >= next_deadline)
		expire_deadlines(now);
	if (cur >= 0) {
		ex(cur)->ticks++;
		if (--slice_left <= 0)
			sched_need_resched = true;
	}
}

void sched_preempt_slow(void)
{
	if (cur != idle)
		sched_yield_cur();
}

_Noreturn void exec_exit_cur(void)
{
	assert(dead_pending < 0);
	ex(cur)->state = ES_DEAD;
	dead_pending = cur;
	schedule();
	panic("exec_exit_cur: a dead execution ran again");
}

_Noreturn void sched_start(void)
{
	rid_t rid;
	int err = res_alloc(RT_EXEC, "idle", NULL, TMODE_DEFAULT, &rid);
	assert(!err);
	idle = cur = (int)RID_INDEX(rid);
	exec_current_rid = rid;
	exec_current_thread = &ex(idle)->thr;
	cputime_set_idle(idle);
	ex(idle)->state = ES_RUNNING;
	ex(idle)->prio = EXEC_NPRIO;
	ex(idle)->root = paging_kernel_root();
	fpu_init_area(ex(idle)->fpu);
	extern char kernel_boot_stack_top[];
	ex(idle)->kstack_top = (uint64_t)kernel_boot_stack_top;
	for (;;) {
		if (any_ready())
			schedule();
		__asm__ volatile("sti; hlt; cli");
	}
}

void exec_get_user_state(rid_t rid, struct exec_user_state *out)
{
	struct exec *e = get(rid);
	if (e->hdr.rid == exec_current_rid) {
		fpu_save(e->fpu);
		e->fs_base = rdmsr(MSR_FS_BASE);
	}
	memcpy(out->fpu, e->fpu, sizeof(out->fpu));
	out->fs_base = e->fs_base;
}

void exec_set_user_state(rid_t rid, const struct exec_user_state *in)
{
	struct exec *e = get(rid);
	memcpy(e->fpu, in->fpu, sizeof(e->fpu));
	e->fs_base = in->fs_base;
	if (e->hdr.rid == exec_current_rid) {
		fpu_restore(e->fpu);
		wrmsr(MSR_FS_BASE, e->fs_base);
	}
}

void exec_reset_user_state(rid_t rid)
{
	static struct exec_user_state fresh;
	fpu_init_area(fresh.fpu);
	fresh.fs_base = 0;
	exec_set_user_state(rid, &fresh);
}

void exec_set_fs(uint64_t fs)
{
	ex(cur)->fs_base = fs;
	wrmsr(MSR_FS_BASE, fs);
}

uint64_t exec_get_fs(void)
{
	return ex(cur)->fs_base;
}

/* ---- the debug dump (kdebug.h): what every execution is doing, for a stalled system ------ */

/* Return addresses up the frame-pointer chain from rbp, staying inside [lo, hi). Reads only
 * the execution's own kernel stack, so a corrupt chain cannot fault. */
static void print_chain(uint64_t rbp, uint64_t lo, uint64_t hi)
{
	for (int n = 0; n < 12 && rbp >= lo && rbp + 16 <= hi && !(rbp & 7); n++) {
		const uint64_t *f = (const uint64_t *)rbp;
		kprintf(" %lx", f[1]);
		if (f[0] <= rbp)
			break;
		rbp = f[0];
	}
}

void exec_debug_dump(uint64_t cur_rbp)
{
	static const char *const st[] = { "free", "ready", "running", "blocked", "dead" };
	struct exec *e;
	kprintf("DBG sched now %lu next_deadline %lu timed_head %d cur %d slice %d resched %d\n",
		time_ns(), next_deadline, timed_head, cur, slice_left, sched_need_resched);
	for (uint32_t i = 0; (e = res_iter(RT_EXEC, &i));) {
		bool running = (int)(i - 1) == cur;
		uint64_t lo = e->kstack_top - KSTACK_PAGES * PAGE_SIZE;
		kprintf("DBG exec %u proc %lx tid %d %s prio %d wchan %lx deadline %lu ticks %lu "
			"stack", i - 1, e->proc, e->thr.tid, st[e->state], e->prio,
			(uint64_t)e->wchan, e->deadline, e->ticks);
		if (running && cur_rbp)
			print_chain(cur_rbp, lo, e->kstack_top);
		else if (!running && e->saved_rsp >= lo && e->saved_rsp + 56 <= e->kstack_top) {
			const uint64_t *s = (const uint64_t *)e->saved_rsp;
			kprintf(" %lx", s[6]);          /* switch_context's return address */
			print_chain(s[5], lo, e->kstack_top);
		}
		kprintf("\n");
	}
}
