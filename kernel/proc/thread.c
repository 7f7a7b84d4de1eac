/* Threads (see thread.h): further executions of a process, their ids, their end, and one of
 * them becoming the only one (execve from a thread). */
#include "kernel/proc/thread.h"
#include "abi/errno.h"
#include "kernel/lib/kprintf.h"
#include "kernel/mm/uaccess.h"
#include "kernel/mm/vspace.h"
#include "kernel/proc/futex.h"
#include "kernel/proc/jobctl.h"
#include "kernel/proc/proc.h"
#include "kernel/proc/ulimit.h"

/* tid -> execution: a hash of chains linked through the thread states (tid_next). */
#define TID_BUCKETS 1024
static rid_t tid_hash[TID_BUCKETS];

rid_t thread_by_tid(int tid)
{
	if (tid <= 0)
		return 0;
	for (rid_t e = tid_hash[tid % TID_BUCKETS]; e; e = thread_of(e)->tid_next)
		if (thread_of(e)->tid == tid)
			return e;
	return 0;
}

bool thread_tid_used(int tid)
{
	return thread_by_tid(tid) != 0;
}

static void tid_add(rid_t e)
{
	struct thread *t = thread_of(e);
	rid_t *bucket = &tid_hash[t->tid % TID_BUCKETS];
	t->tid_next = *bucket;
	*bucket = e;
}

static void tid_remove(rid_t e)
{
	struct thread *t = thread_of(e);
	for (rid_t *r = &tid_hash[t->tid % TID_BUCKETS]; *r; r = &thread_of(*r)->tid_next) {
		if (*r == e) {
			*r = t->tid_next;
			t->tid_next = 0;
			return;
		}
	}
	panic("tid_remove: thread %d is not in the hash", t->tid);
}

/* e goes into p's list of executions after `after` (0: in front, as its leader). */
static void list_insert(struct proc *p, rid_t after, rid_t e)
{
	struct thread *t = thread_of(e);
	t->prev = after;
	t->next = after ? thread_of(after)->next : p->exec;
	if (t->next)
		thread_of(t->next)->prev = e;
	if (after)
		thread_of(after)->next = e;
	else
		p->exec = e;
}

static void list_remove(struct proc *p, rid_t e)
{
	struct thread *t = thread_of(e);
	if (t->prev)
		thread_of(t->prev)->next = t->next;
	else
		p->exec = t->next;
	if (t->next)
		thread_of(t->next)->prev = t->prev;
	t->next = t->prev = 0;
}

void thread_init_leader(struct proc *p, rid_t e)
{
	thread_of(e)->tid = p->pid;
	p->exec = 0;
	list_insert(p, 0, e);
	tid_add(e);
	p->nthreads = 1;
}

void thread_end_last(struct proc *p)
{
	rid_t e = p->exec;
	if (p->nthreads != 1 || !e || thread_of(e)->next)
		panic("thread_end_last: pid %d has %u threads", p->pid, p->nthreads);
	cputime_thread_end(p, e);
	tid_remove(e);
	list_remove(p, e);
	p->nthreads = 0;
}

void thread_inherit(rid_t e, bool as_exec)
{
	struct thread *t = thread_of(e), *from = thread_cur();
	t->sig_mask = from->sig_mask;
	if (!as_exec)
		t->altstack = from->altstack;
}

/* The new execution e resumes where the caller's frame tf returns, with 0 in rax, on its own
 * stack and thread pointer if clone gave them; its FPU state is a copy of the caller's. */
static void start_frame(rid_t e, const struct trapframe *tf, const struct thread_spawn *s)
{
	struct trapframe *ctf = exec_tf(e);
	struct exec_user_state st;
	*ctf = *tf;
	ctf->rax = 0;
	if (s->stack)
		ctf->rsp = s->stack;
	exec_get_user_state(exec_cur(), &st);
	if (s->flags & L_CLONE_SETTLS)
		st.fs_base = s->tls;
	exec_set_user_state(e, &st);
}

int thread_create(struct proc *p, const struct trapframe *tf, const struct thread_spawn *s,
		  int *tid_out)
{
	rid_t e, me = exec_cur();
	int err = ulimit_nproc_charge(p);       /* threads count as Linux counts them */
	if (err)
		return err;
	if ((err = exec_create(exec_get_prio(me), p->hdr.rid, &p->cred, &e))) {
		ulimit_nproc_uncharge(p->ids.ruid);
		return err == -ENFILE ? -EAGAIN : err;
	}
	start_frame(e, tf, s);
	exec_set_root(e, vspace_root(p->vspace));
	struct thread *t = thread_of(e);
	t->tid = proc_alloc_pid();
	t->sig_mask = thread_cur()->sig_mask;   /* no alternate stack: Linux's CLONE_VM rule */
	t->clear_tid = s->flags & L_CLONE_CHILD_CLEARTID ? s->ctid : 0;
	tid_add(e);
	list_insert(p, me, e);
	p->nthreads++;
	/* both words are in the memory the threads share; sys_clone checked the addresses, and
	 * a store that still fails is ignored, as Linux ignores it */
	if (s->flags & L_CLONE_PARENT_SETTID)
		(void)copy_to_user((void *)s->ptid, &t->tid, sizeof(t->tid));
	if (s->flags & L_CLONE_CHILD_SETTID)
		(void)copy_to_user((void *)s->ctid, &t->tid, sizeof(t->tid));
	*tid_out = t->tid;
	exec_make_ready(e);
	return 0;
}

/* A robust futex word at uaddr whose owner (tid) is gone: marked OWNER_DIED, and one waiter
 * woken (Linux's handle_futex_death). */
static void owner_died(uint64_t uaddr, int tid)
{
	uint32_t v;
	if ((uaddr & 3) || copy_from_user(&v, (const void *)uaddr, sizeof(v)))
		return;
	if ((v & L_FUTEX_TID_MASK) != (uint32_t)tid)
		return;
	uint32_t nv = (v & L_FUTEX_WAITERS) | L_FUTEX_OWNER_DIED;
	if (!copy_to_user((void *)uaddr, &nv, sizeof(nv)) && (v & L_FUTEX_WAITERS))
		futex_wake(uaddr, false, 1, FUTEX_BITSET_ANY);
}

/* Walk the robust list the thread registered (set_robust_list): every futex it still holds
 * is marked. Its memory is hostile: a bad pointer ends the walk, and a loop ends after
 * L_ROBUST_LIST_LIMIT entries. */
static void robust_release(struct thread *t)
{
	struct linux_robust_list_head h;
	if (copy_from_user(&h, (const void *)t->robust_head, sizeof(h)))
		return;
	uint64_t entry = h.next & ~1ul, pending = h.op_pending & ~1ul;
	for (int n = 0; entry != t->robust_head && n < L_ROBUST_LIST_LIMIT; n++) {
		uint64_t next;
		if (copy_from_user(&next, (const void *)entry, sizeof(next)))
			break;
		if (entry != pending)
			owner_died(entry + (uint64_t)h.futex_offset, t->tid);
		entry = next & ~1ul;
	}
	if (pending)
		owner_died(pending + (uint64_t)h.futex_offset, t->tid);
}

void thread_release_user(struct proc *p, bool clear_tid)
{
	struct thread *t = thread_cur();
	uint32_t zero = 0;
	(void)p;
	if (t->robust_head)
		robust_release(t);
	t->robust_head = 0;
	/* what pthread_join and musl's thread-list lock wait for */
	if (clear_tid && t->clear_tid &&
	    !copy_to_user((void *)t->clear_tid, &zero, sizeof(zero)))
		futex_wake(t->clear_tid, false, 1, FUTEX_BITSET_ANY);
	t->clear_tid = 0;
}

void thread_exec_reset(void)
{
	struct thread *t = thread_cur();
	t->clear_tid = 0;
	t->robust_head = 0;
	t->altstack = (struct linux_stack){ 0, L_SS_DISABLE, 0, 0 };
}

_Noreturn void thread_leave(struct proc *p)
{
	rid_t e = exec_cur();
	if (p->nthreads < 2 || exec_proc(e) != p->hdr.rid)
		panic("thread_leave: pid %d has %u threads", p->pid, p->nthreads);
	thread_release_user(p, true);
	cputime_thread_end(p, e);
	tid_remove(e);
	list_remove(p, e);
	p->nthreads--;
	ulimit_nproc_uncharge(p->ids.ruid);
	wakeup(&p->nthreads);                /* thread_single waits for this */
	jobctl_stop_check(p);                /* it may have been the last one not stopped */
	exec_exit_cur();
}

_Noreturn void thread_exit(int status_word)
{
	struct proc *p = proc_cur();
	if (p->nthreads > 1)
		thread_leave(p);
	/* the last one: the process ends, with the group's status if one was given */
	proc_exit(p->killed ? p->kill_sig : status_word);
}

void thread_interrupt_all(struct proc *p)
{
	rid_t me = exec_cur();
	THREAD_FOR_EACH(p, e)
		if (e != me)
			exec_interrupt(e);
}

/* The current execution becomes p's leader, with the pid as its thread id. */
static void become_leader(struct proc *p, rid_t me)
{
	struct thread *t = thread_of(me);
	if (p->exec != me) {
		list_remove(p, me);
		list_insert(p, 0, me);
	}
	if (t->tid != p->pid) {
		tid_remove(me);
		t->tid = p->pid;
		tid_add(me);
	}
}

int thread_single(struct proc *p)
{
	rid_t me = exec_cur();
	if (p->nthreads > 1) {
		if (p->single_exec || p->killed || thread_of(me)->killed)
			return -EAGAIN;
		p->single_exec = me;
		THREAD_FOR_EACH(p, e) {
			if (e != me) {
				thread_of(e)->killed = true;
				exec_interrupt(e);
			}
		}
		/* only the end of the whole process stops this wait (Linux's de_thread) */
		while (p->nthreads > 1 && !p->killed)
			sleep_on(&p->nthreads, 0);
		p->single_exec = 0;
		if (p->nthreads > 1)
			return -EAGAIN;
	}
	become_leader(p, me);
	return 0;
}

rid_t thread_for_signal(struct proc *p, int sig)
{
	uint64_t bit = 1ull << (sig - 1);
	rid_t me = exec_cur();
	if (exec_proc(me) == p->hdr.rid && !(thread_of(me)->sig_mask & bit))
		return me;
	THREAD_FOR_EACH(p, e)
		if (!(thread_of(e)->sig_mask & bit))
			return e;
	return 0;
}
