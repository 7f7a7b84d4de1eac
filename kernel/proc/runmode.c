/* Dynamic running-mode switch (see runmode.h and docs/runmode.md): the per-process mode and
 * pending requests, the coexistence control area, and applying a switch to a return frame. */
#include "kernel/proc/runmode.h"
#include "abi/errno.h"
#include "arch/paging.h"
#include "arch/smode.h"
#include "kernel/lib/string.h"
#include "kernel/mm/pmm.h"
#include "kernel/mm/vspace.h"
#include "kernel/sys/syscall.h"

struct runmode_ent runmode_tab[NPROC];
uint64_t runmode_npending;


/* The control area: one page for the whole system (one CPU: only the running process reads
 * it). Allocated with the first space that needs it and kept for good. */
static uint64_t cca_pa;
static struct t_cca *cca;

static inline __attribute__((always_inline)) struct runmode_ent *ent(rid_t proc)
{
	return &runmode_tab[RID_INDEX(proc) % NPROC];
}

uint32_t runmode_of(rid_t proc)
{
	struct runmode_ent *e = ent(proc);
	return proc && e->proc == proc ? e->mode : TRM_UMODE;
}

void runmode_switch_in(rid_t proc)
{
	uint32_t mode = runmode_of(proc);
	if (cca)
		cca->mode = mode;
	cpu_set_app_mode(mode == TRM_SMODE);
}

static int cca_page(void)
{
	if (cca_pa)
		return 0;
	uint64_t pa = pmm_alloc();             /* zeroed */
	if (!pa)
		return -ENOMEM;
	cca_pa = pa;
	cca = phys_to_virt(pa);
	cca->entry = (uint64_t)smode_call_entry;
	cca->mode = TRM_UMODE;
	return 0;
}

/* The translation table the area was last found or put in: a switch of oneself checks only
 * this (if that table has been reused for a space without the area, the fault path maps it
 * on first touch, as for any space). */
static uint64_t cca_last_root;

int runmode_map_cca(uint64_t root)
{
	int err = cca_page();
	if (err)
		return err;
	if (!pt_lookup(root, T_CCA_ADDR) &&
	    /* user-readable so Umode code can read it; never writable, not executable */
	    (err = pt_map(root, T_CCA_ADDR, cca_pa, PTE_U | PTE_NX)))
		return err;
	cca_last_root = root;
	return 0;
}

/* Whether the area is known to be in the running process's space. */
static bool cca_mapped_here(void)
{
	return cca && (paging_active_root & PTE_ADDR) == (cca_last_root & PTE_ADDR);
}

bool runmode_cca_fault(uint64_t root, uint64_t addr)
{
	if (addr < T_CCA_ADDR || addr >= T_CCA_ADDR + PAGE_SIZE || pt_lookup(root, T_CCA_ADDR))
		return false;
	return runmode_map_cca(root) == 0;
}

static void set_frame(struct trapframe *tf, uint32_t mode)
{
	tf->cs = mode == TRM_SMODE ? SEL_KCODE : SEL_UCODE;
	tf->ss = mode == TRM_SMODE ? SEL_KDATA : SEL_UDATA;
}

void runmode_fix_frame(struct proc *p, struct trapframe *tf)
{
	set_frame(tf, runmode_of(p->hdr.rid));
}

/* Every change of a pending word goes through here, so the count stays exact. */
static inline __attribute__((always_inline)) void set_pending(struct runmode_ent *e, rid_t rid)
{
	runmode_npending += (rid != 0) - (e->pending != 0);
	e->pending = rid;
}

/* p takes the mode it asked for: the control area and the CPU's application segments follow
 * at once, the return frame (if any) is the caller's business. */
static void apply(struct proc *p)
{
	struct runmode_ent *e = ent(p->hdr.rid);
	set_pending(e, 0);
	if (e->want == e->mode)
		return;
	/* Smode code reads the area in ring 0, where a missing page would be a kernel-mode
	 * fault: have it mapped before the first instruction runs (a failure here is not
	 * fatal: the fault path maps it later) */
	if (e->want == TRM_SMODE)
		runmode_map_cca(vspace_root(p->vspace));
	e->mode = e->want;
	e->switches++;
	runmode_switch_in(p->hdr.rid);
}

void runmode_apply(struct proc *p, struct trapframe *tf)
{
	apply(p);
	set_frame(tf, ent(p->hdr.rid)->mode);
}

void runmode_forget(struct proc *p)
{
	struct runmode_ent *e = ent(p->hdr.rid);
	if (e->proc == p->hdr.rid)
		set_pending(e, 0);
}

/* The entry of p, reset if it still describes a process that used the slot before. Always
 * inlined, as ent and set_pending: the switch fast path may call nothing. */
static inline __attribute__((always_inline)) struct runmode_ent *ent_for(struct proc *p)
{
	struct runmode_ent *e = ent(p->hdr.rid);
	if (e->proc != p->hdr.rid) {
		set_pending(e, 0);           /* a request left by a process that ended */
		*e = (struct runmode_ent){ .proc = p->hdr.rid, .mode = TRM_UMODE };
	}
	return e;
}

int runmode_request(struct proc *caller, struct proc *p, uint32_t mode)
{
	if (mode != TRM_UMODE && mode != TRM_SMODE)
		return -EINVAL;
	/* giving ring 0 up for oneself is always allowed; anything else is a change of the
	 * process that needs the modify right */
	int err = p == caller && mode == TRM_UMODE ? 0
						   : res_check(p->hdr.rid, TOP_MODIFY, &caller->cred);
	if (err)
		return err;
	/* ring 0 gives the process the whole machine: only root may hand that out */
	if (mode == TRM_SMODE && caller->cred.uid != 0)
		return -EPERM;
	struct runmode_ent *e = ent_for(p);
	/* the mode is the process's, the frame each thread's own: a switch would leave the
	 * other threads returning in the old mode (docs/threads.md) */
	if (p->nthreads > 1 && mode != e->mode)
		return -EBUSY;
	e->want = mode;
	/* a request for the mode it already has cancels one still pending */
	set_pending(e, mode == e->mode ? 0 : p->hdr.rid);
	return 0;
}

/*
 * What runmode_request(p, 0, mode) and applying it do, for the running process p, in one
 * function without the general checks a switch of oneself does not need (under emulation
 * every call and return costs tens of nanoseconds, and a switch pair was mostly that). Same
 * rules: Smode needs root. Calls nothing unless the control area must be mapped first, and
 * then only if may_map (else it declines).
 */
static inline long switch_self(struct proc *p, uint32_t mode, bool may_map)
{
	if (mode == TRM_SMODE && p->cred.uid != 0)
		return -EPERM;
	if (p->nthreads > 1 && ent_for(p)->mode != mode)
		return -EBUSY;            /* as runmode_request */
	if (mode == TRM_SMODE && !cca_mapped_here()) {
		int err = may_map ? runmode_map_cca(vspace_root(p->vspace)) : SYSCALL_LIGHT_DECLINED;
		if (err)
			return err;
	}
	struct runmode_ent *e = ent_for(p);
	set_pending(e, 0);
	e->want = mode;
	if (e->mode == mode)
		return 0;
	e->mode = mode;
	e->switches++;
	cca->mode = mode;        /* there is an area: mapped just above, or this was Smode */
	cpu_set_app_mode(mode == TRM_SMODE);
	return 0;
}

long runmode_switch_self(struct proc *p, uint32_t mode)
{
	return p ? switch_self(p, mode, true) : -ESRCH;
}

/* The entries call these before saving any register (SWITCH_FAST, frame.S.h), so every
 * register is the callee's to keep, and nothing may be called. Everything that could make
 * the switch need more than a few stores declines, to the light path: a pid other than 0, a
 * switch pending anywhere, a process cache miss, a process without its mode entry yet, and
 * for Smode a caller that is not root or a control area not known to be mapped here. Under
 * emulation each branch ends a translated block and each instruction counts, so the checks
 * are folded into one test. */
static inline long switch_fast(uint64_t pid, uint32_t mode)
{
	rid_t e = exec_cur();
	if (pid | runmode_npending | (e ^ proc_cache_exec) | (uint64_t)(e == 0))
		return SYSCALL_LIGHT_DECLINED;
	struct proc *p = proc_cache;
	struct runmode_ent *ent_p = ent(p->hdr.rid);
	uint64_t bad = (ent_p->proc ^ p->hdr.rid) | (p->nthreads ^ 1);
	/* cca_last_root is set only once the area exists: no test of cca itself is needed */
	if (mode == TRM_SMODE)
		bad |= p->cred.uid | ((paging_active_root ^ cca_last_root) & PTE_ADDR);
	if (bad)
		return SYSCALL_LIGHT_DECLINED;
	/* no switch is pending anywhere (runmode_npending), so neither is one for p */
	ent_p->want = mode;
	if (ent_p->mode != mode) {
		ent_p->mode = mode;
		ent_p->switches++;
		cca->mode = mode;
		cpu_set_app_mode(mode == TRM_SMODE);
	}
	return 0;
}

__attribute__((no_caller_saved_registers)) long runmode_switch_fast_s(uint64_t pid)
{
	return switch_fast(pid, TRM_SMODE);
}

__attribute__((no_caller_saved_registers)) long runmode_switch_fast_u(uint64_t pid)
{
	return switch_fast(pid, TRM_UMODE);
}

int runmode_info(struct proc *caller, struct proc *p, struct t_runmode_info *out)
{
	int err = res_check(p->hdr.rid, TOP_REFER, &caller->cred);
	if (err)
		return err;
	struct runmode_ent *e = ent(p->hdr.rid);
	bool valid = e->proc == p->hdr.rid;
	memset(out, 0, sizeof(*out));
	out->mode = valid ? e->mode : TRM_UMODE;
	out->pending = valid && e->pending == p->hdr.rid ? e->want : TRM_NONE;
	out->switches = valid ? e->switches : 0;
	out->calls = smode_calls;
	out->held_back = smode_light_held;
	return 0;
}
