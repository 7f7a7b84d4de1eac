/* Executions and the scheduler (see exec.h). Interrupts are off throughout the kernel except
 * in the idle loop, so on one CPU the scheduler needs no locks. */
#include "kernel/proc/exec.h"
#include "abi/errno.h"
#include "arch/paging.h"
#include "arch/timer.h"
#include "kernel/lib/kprintf.h"
#include "kernel/lib/string.h"
#include "kernel/mm/pmm.h"
#include "kernel/proc/runmode.h"
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
	bool interrupted;           /* exec_interrupt came while it was not asleep */
	const void *wchan;
	uint64_t deadline;
	uint64_t ticks;
};

static struct exec execs[NEXEC];
static struct res_table exec_table;
static int rq_head[EXEC_NPRIO + 1], rq_tail[EXEC_NPRIO + 1];
static int cur = -1, idle = -1;
static int slice_left = SLICE_TICKS;
bool sched_need_resched;
rid_t exec_current_rid;
static int dead_pending = -1;

void switch_context(uint64_t *save_rsp, uint64_t new_rsp);
void exec_first_entry(void);

static struct exec *get(rid_t rid)
{
	return res_obj(rid, RT_EXEC);
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
	res_add_ref(info, "process", e->proc);
}

static const struct res_ops exec_ops = { .describe = describe };

void exec_init(void)
{
	exec_table = (struct res_table){ .name = "exec", .base = execs, .stride = sizeof(struct exec),
					 .capacity = NEXEC, .ops = &exec_ops };
	res_register(RT_EXEC, &exec_table);
	/* kernel-stack page tables are made once, so executions come and go without
	 * allocating (or leaking) table pages */
	if (pt_prepare(paging_kernel_root(), KSTACK_AREA, (uint64_t)NEXEC * KSTACK_SLOT))
		panic("exec_init: no memory for kernel stack tables");
	for (int p = 0; p <= EXEC_NPRIO; p++)
		rq_head[p] = rq_tail[p] = -1;
}

static void enqueue(int i)
{
	struct exec *e = &execs[i];
	e->state = ES_READY;
	e->next = -1;
	if (rq_tail[e->prio] >= 0)
		execs[rq_tail[e->prio]].next = i;
	else
		rq_head[e->prio] = i;
	rq_tail[e->prio] = i;
	if (cur >= 0 && e->prio < execs[cur].prio)
		sched_need_resched = true;
}

static int dequeue(void)
{
	for (int p = 0; p < EXEC_NPRIO; p++) {
		int i = rq_head[p];
		if (i < 0)
			continue;
		rq_head[p] = execs[i].next;
		if (rq_head[p] < 0)
			rq_tail[p] = -1;
		return i;
	}
	return -1;
}

static void unlink_ready(int i)
{
	int p = execs[i].prio, prev = -1;
	for (int j = rq_head[p]; j >= 0; prev = j, j = execs[j].next) {
		if (j != i)
			continue;
		if (prev >= 0)
			execs[prev].next = execs[j].next;
		else
			rq_head[p] = execs[j].next;
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

int exec_create(int prio, rid_t proc, rid_t *out)
{
	if (prio < 0 || prio >= EXEC_NPRIO)
		return -EINVAL;
	rid_t rid;
	int err = res_alloc(RT_EXEC, "", NULL, TMODE_DEFAULT, &rid);
	if (err)
		return err;
	struct exec *e = get(rid);
	if ((err = map_kstack(RID_INDEX(rid), &e->kstack_top))) {
		res_free(rid);
		return err;
	}
	e->state = ES_BLOCKED;     /* not runnable until exec_make_ready */
	e->prio = prio;
	e->proc = proc;
	e->next = -1;
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

struct trapframe *exec_tf(rid_t rid)
{
	struct exec *e = get(rid);
	return (struct trapframe *)(e->kstack_top - sizeof(struct trapframe));
}

void exec_set_root(rid_t rid, uint64_t root)
{
	struct exec *e = get(rid);
	e->root = root;
	if (&execs[cur] == e && root)
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
		execs[cur].state = ES_RUNNING;
		return;
	}
	int prev = cur;
	struct exec *n = &execs[next], *p = &execs[prev];
	fpu_save(p->fpu);
	p->fs_base = rdmsr(MSR_FS_BASE);
	cur = next;
	exec_current_rid = n->hdr.rid;
	n->state = ES_RUNNING;
	slice_left = SLICE_TICKS;
	sched_need_resched = false;
	if (n->root)
		pt_activate(n->root);
	cpu_set_kstack(n->kstack_top);
	runmode_switch_in(n->proc);        /* its running mode into the control area */
	wrmsr(MSR_FS_BASE, n->fs_base);
	fpu_restore(n->fpu);
	switch_context(&p->saved_rsp, n->saved_rsp);
	sched_after_switch();
}

/* Runs on the new execution's stack right after every switch. */
void sched_after_switch(void)
{
	if (dead_pending >= 0 && dead_pending != cur) {
		struct exec *d = &execs[dead_pending];
		dead_pending = -1;
		unmap_kstack(d);
		d->state = ES_FREE;
		res_free(d->hdr.rid);
	}
}

void sleep_on(const void *chan, uint64_t deadline_ns)
{
	struct exec *e = &execs[cur];
	if (e->interrupted) {
		/* interrupted before it got here: the caller re-checks why it should wait */
		e->interrupted = false;
		return;
	}
	e->wchan = chan;
	e->deadline = deadline_ns;
	e->state = ES_BLOCKED;
	schedule();
	e->wchan = NULL;
	e->deadline = 0;
}

void wakeup(const void *chan)
{
	for (int i = 0; i < NEXEC; i++)
		if (execs[i].hdr.rid && execs[i].state == ES_BLOCKED && execs[i].wchan == chan &&
		    chan)
			enqueue(i);
}

void sched_yield_cur(void)
{
	if (cur != idle)
		enqueue(cur);
	schedule();
}

void sched_tick(void)
{
	uint64_t now = time_ns();
	for (int i = 0; i < NEXEC; i++) {
		struct exec *e = &execs[i];
		if (e->hdr.rid && e->state == ES_BLOCKED && e->deadline && e->deadline <= now)
			enqueue(i);
	}
	if (cur >= 0) {
		execs[cur].ticks++;
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
	execs[cur].state = ES_DEAD;
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
	execs[idle].state = ES_RUNNING;
	execs[idle].prio = EXEC_NPRIO;
	execs[idle].root = paging_kernel_root();
	fpu_init_area(execs[idle].fpu);
	extern char kernel_boot_stack_top[];
	execs[idle].kstack_top = (uint64_t)kernel_boot_stack_top;
	for (;;) {
		if (any_ready())
			schedule();
		__asm__ volatile("sti; hlt; cli");
	}
}

void exec_get_user_state(rid_t rid, struct exec_user_state *out)
{
	struct exec *e = get(rid);
	if (e == &execs[cur]) {
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
	if (e == &execs[cur]) {
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
	execs[cur].fs_base = fs;
	wrmsr(MSR_FS_BASE, fs);
}

uint64_t exec_get_fs(void)
{
	return execs[cur].fs_base;
}
