/* Server communication (see srv.h): who may send what, queueing a request, waiting for it,
 * handing it to the server and its answer back. The queues themselves are srvq.c; each live
 * process has a box there, the one in the slot of its process-table entry, so no box is ever
 * allocated (an interrupt can always be queued). Wait channels: a server waits on its box's
 * queue, an async caller on its box's results, a sync caller on its request slot. The kernel
 * runs with interrupts off, so nothing here races with srv_irq_post. */
#include "kernel/ipc/srv.h"
#include "abi/errno.h"
#include "kernel/ipc/fnid.h"
#include "kernel/ipc/ica.h"
#include "kernel/ipc/srvq.h"
#include "kernel/ipc/srvrepl.h"
#include "kernel/lib/kprintf.h"
#include "kernel/lib/string.h"
#include "kernel/mm/uaccess.h"
#include "kernel/net/netc.h"
#include "kernel/proc/exec.h"
#include "kernel/proc/proc.h"

static struct srvq_box boxes[NPROC];

void srv_init(void)
{
	srvq_init();
	fnid_init();
}

static uint32_t box_index(const struct proc *p)
{
	return RID_INDEX(p->hdr.rid);
}

static struct srvq_box *box_of(struct proc *p)
{
	struct srvq_box *b = &boxes[box_index(p)];
	if (b->pid != p->pid)
		srvq_box_reset(b, p->pid);
	return b;
}

static uint32_t slot_of(const struct srvq_req *r)
{
	return (uint32_t)(r - srvq_reqs);
}

/* A live process by pid, or NULL. */
static struct proc *live(int pid)
{
	struct proc *p = pid > 0 ? proc_by_pid(pid) : NULL;
	return p && p->state != TPS_ZOMBIE ? p : NULL;
}

static int check_icas(const struct t_msg *m, int holder)
{
	int err = 0;
	if (m->ctl && m->ctl == m->data)
		return -EINVAL;
	if (m->ctl)
		err = ica_check_pass(m->ctl, holder);
	if (!err && m->data)
		err = ica_check_pass(m->data, holder);
	return err;
}

static void lend_icas(const struct t_msg *m, rid_t keep_space)
{
	if (m->ctl)
		ica_lend(m->ctl, keep_space);
	if (m->data)
		ica_lend(m->data, keep_space);
}

/* The ICAs of a result arrive at pid (ICA_KERNEL) in space; addresses into m. */
static void arrive_icas(struct t_msg *m, int pid, rid_t space, bool loan)
{
	if (m->ctl)
		ica_arrive(m->ctl, pid, space, loan, &m->ctl_addr);
	if (m->data)
		ica_arrive(m->data, pid, space, loan, &m->data_addr);
}

static void drop_icas(const struct t_msg *m)
{
	if (m->ctl)
		ica_drop(m->ctl);
	if (m->data)
		ica_drop(m->data);
}

/* The space in which ICAs travelling between processes a and b need no remapping. */
static rid_t shared_space(const struct proc *a, const struct proc *b)
{
	return a && b && a->vspace == b->vspace ? a->vspace : 0;
}

/* Check everything, then queue the request for its server; *slot: its request slot. */
static int enqueue(struct proc *caller, const struct t_msg *in, enum srvq_kind kind,
		   uint32_t *slot)
{
	if (in->fn == T_FN_IRQ || in->fn >= T_FN_MAX)
		return -EINVAL;
	struct proc *s = live(fnid_server(in->fn));
	if (!s)
		return -ENOENT;
	if (s == caller && kind != RQ_ASYNC)
		return -EDEADLK;              /* it would wait for itself for ever */
	bool kernel = kind == RQ_KERNEL || kind == RQ_KCB;
	int err = check_icas(in, kernel ? ICA_KERNEL : caller->pid);
	if (err)
		return err;
	struct srvq_box *sb = box_of(s), *cb = caller ? box_of(caller) : NULL;
	if (sb->queue.n >= T_SRV_QLEN || (kind == RQ_ASYNC && cb->outstanding >= T_SRV_QLEN))
		return -EAGAIN;
	/* as the resource tables do, the last slots are root's (and the kernel's): a user who
	 * floods servers with requests cannot stop root from reaching them */
	uint32_t i;
	if (!kernel && caller->cred.uid != 0 && srvq_nfree() <= SRVQ_NREQ / 8)
		return -EAGAIN;
	if ((err = srvq_alloc(&i)))
		return err;
	struct srvq_req *r = &srvq_reqs[i];
	r->kind = (uint8_t)kind;
	r->caller = caller ? caller->pid : 0;
	r->caller_box = caller ? box_index(caller) : 0;
	r->server = s->pid;
	r->msg = *in;
	r->msg.id = r->id;
	r->msg.status = 0;
	/* the kernel's own calls arrive with pid 0: a server tells them from a process's (the
	 * file-system servers serve nobody else; the network server serves anyone through the
	 * kernel, only root directly); uid is the process's on whose behalf the call is made */
	r->msg.pid = kind == RQ_KERNEL ? 0 : r->caller;
	r->msg.uid = caller ? caller->cred.uid : 0;
	r->msg.ctl_addr = r->msg.data_addr = 0;
	r->done = NULL;
	r->done_ctx = NULL;
	lend_icas(&r->msg, kernel ? 0 : shared_space(caller, s));
	srvq_push(&sb->queue, i);
	fnid_count_call(in->fn);
	if (!kernel)
		cb->as_caller++;
	if (kind == RQ_ASYNC)
		cb->outstanding++;
	wakeup(&sb->queue);
	*slot = i;
	return 0;
}

/* The caller's box while the caller is alive, else NULL. */
static struct srvq_box *caller_box(const struct srvq_req *r)
{
	struct srvq_box *b = &boxes[r->caller_box];
	return r->caller && b->pid == r->caller ? b : NULL;
}

/* A sync caller stopped waiting: its request's ICAs go straight back (the kernel's to the
 * kernel, a live caller's to it, detached or attached in its space), a dead one's away. */
static void finish_abandoned(struct srvq_req *r)
{
	struct proc *c = live(r->caller);
	struct srvq_box *cb = caller_box(r);
	if (r->kind == RQ_KERNEL)
		arrive_icas(&r->msg, ICA_KERNEL, 0, false);
	else if (c)
		arrive_icas(&r->msg, c->pid, c->vspace, false);
	else
		drop_icas(&r->msg);
	if (cb && r->kind != RQ_KERNEL)
		cb->as_caller--;
	srvq_free(slot_of(r));
}

/* A kernel request's result: its ICAs back to the kernel, the slot freed, then the
 * completion (which may send again: the slot is free for it). */
static void complete_kernel(struct srvq_req *r)
{
	struct t_msg m;
	arrive_icas(&r->msg, ICA_KERNEL, 0, false);
	m = r->msg;
	m.pid = r->server;
	srvq_done_fn done = r->done;
	void *ctx = r->done_ctx;
	srvq_free(slot_of(r));
	if (done)
		done(ctx, &m);
}

/* The request is answered (by its server, or -EIO for the server's death): off the server's
 * lists, its ICAs on their way back, the caller told. */
static void complete(struct srvq_req *r, const struct t_msg *res, int status)
{
	struct proc *s = proc_by_pid(r->server), *c = live(r->caller);
	if (!s)
		panic("complete: the server %d of request %lx is gone", r->server, r->id);
	struct srvq_box *sb = &boxes[box_index(s)];
	srvq_remove(r->state == RQ_TAKEN ? &sb->taken : &sb->queue, slot_of(r));
	bool kernel = r->kind == RQ_KERNEL || r->kind == RQ_KCB;
	if (r->state == RQ_TAKEN)
		lend_icas(&r->msg, kernel ? 0 : shared_space(c, s));
	r->state = RQ_DONE;
	r->msg.status = status;
	if (res)
		memcpy(r->msg.arg, res->arg, sizeof(r->msg.arg));
	struct srvq_box *cb = caller_box(r);
	if (r->kind == RQ_KCB) {
		complete_kernel(r);
	} else if (r->kind == RQ_ASYNC && cb) {
		srvq_push(&cb->results, slot_of(r));
		wakeup(&cb->results);
		wakeup(&cb->queue);           /* a server waiting with TSRV_RESULTS */
	} else if (r->kind == RQ_ASYNC) {
		drop_icas(&r->msg);           /* the caller is gone: nobody will collect it */
		srvq_free(slot_of(r));
	} else if (r->abandoned) {
		finish_abandoned(r);
	} else {
		wakeup(r);
	}
}

/* A result reaches its caller p (NULL: a kernel call with no process): the ICAs are
 * attached again, the slot freed. */
static void collect(struct proc *p, struct srvq_req *r, struct t_msg *out)
{
	bool kernel = r->kind == RQ_KERNEL;
	arrive_icas(&r->msg, kernel ? ICA_KERNEL : p->pid, kernel ? 0 : p->vspace, false);
	*out = r->msg;
	out->pid = r->server;
	if (!kernel) {
		struct srvq_box *b = box_of(p);
		b->as_caller--;
		if (r->kind == RQ_ASYNC)
			b->outstanding--;
	}
	srvq_free(slot_of(r));
}

/* Wait for sync request r; -EINTR (r abandoned) if p is killed or signalled meanwhile. */
static int wait_done(struct proc *p, struct srvq_req *r, bool patient)
{
	while (r->state != RQ_DONE) {
		if (p && (patient ? p->killed : proc_aborting(p))) {
			r->abandoned = true;
			return -EINTR;
		}
		sleep_on(r, 0);
	}
	return 0;
}

/* A sync call: an error before the result (*done false), or the result's status. */
static int call(struct proc *p, struct t_msg *io, enum srvq_kind kind, bool *done,
		bool patient)
{
	uint32_t i;
	*done = false;
	int err = enqueue(p, io, kind, &i);
	if (err)
		return err;
	struct srvq_req *r = &srvq_reqs[i];
	if ((err = wait_done(p, r, patient)))
		return err;
	collect(p, r, io);
	*done = true;
	return io->status;
}

int srv_call(struct proc *p, struct t_msg *io, bool *done)
{
	return call(p, io, RQ_SYNC, done, false);
}

int srv_call_kernel(struct t_msg *io)
{
	bool done;
	return call(proc_cur(), io, RQ_KERNEL, &done, false);
}

int srv_call_kernel_patient(struct t_msg *io)
{
	bool done;
	return call(proc_cur(), io, RQ_KERNEL, &done, true);
}

int srv_send_kernel(const struct t_msg *req, void (*done)(void *ctx, const struct t_msg *res),
		    void *ctx)
{
	uint32_t i;
	int err = enqueue(NULL, req, RQ_KCB, &i);
	if (!err) {
		srvq_reqs[i].done = done;
		srvq_reqs[i].done_ctx = ctx;
	}
	return err;
}

int srv_send(struct proc *p, const struct t_msg *req, uint64_t *id)
{
	uint32_t i;
	int err = enqueue(p, req, RQ_ASYNC, &i);
	if (!err)
		*id = srvq_reqs[i].id;
	return err;
}

/* A bad buffer is reported at once, not when a message comes (and then lost). */
static int probe(struct t_msg *uout)
{
	static const struct t_msg zero;
	return copy_to_user(uout, &zero, sizeof(zero));
}

int srv_result(struct proc *p, struct t_msg *uout, uint32_t flags)
{
	struct srvq_box *b = box_of(p);
	struct t_msg m;
	if (flags & ~TSRV_NONBLOCK)
		return -EINVAL;
	if (probe(uout))
		return -EFAULT;
	while (!b->results.n) {
		if (!b->outstanding)
			return -ENOENT;
		if (flags & TSRV_NONBLOCK)
			return -EAGAIN;
		if (proc_aborting(p))
			return -EINTR;
		sleep_on(&b->results, 0);
	}
	struct srvq_req *r = &srvq_reqs[srvq_pop(&b->results)];
	collect(p, r, &m);
	return copy_to_user(uout, &m, sizeof(m));
}

/* Server p takes request slot i: its ICAs attached in p's space, on loan. */
static void take(struct proc *p, struct srvq_box *b, uint32_t i, struct t_msg *m)
{
	struct srvq_req *r = &srvq_reqs[i];
	r->state = RQ_TAKEN;
	srvq_push(&b->taken, i);
	b->served++;
	arrive_icas(&r->msg, p->pid, p->vspace, true);
	*m = r->msg;
}

int srv_recv(struct proc *p, struct t_msg *uout, uint32_t flags)
{
	struct srvq_box *b = box_of(p);
	struct t_msg m;
	if (flags & ~(TSRV_NONBLOCK | TSRV_RESULTS))
		return -EINVAL;
	if (probe(uout))
		return -EFAULT;
	for (;;) {
		/* a replacement is told before anything else: the server stops between messages */
		if (srvrepl_notice(p->pid, &m))
			return copy_to_user(uout, &m, sizeof(m));
		if (srvq_irq_take(b, &m)) {
			if (!copy_to_user(uout, &m, sizeof(m)))
				return 0;
			srvq_irq_add(b, m.arg[0], (uint32_t)m.arg[1], (uint32_t)m.arg[2]);
			return -EFAULT;             /* the interrupts stay counted */
		}
		uint32_t i = srvq_pop(&b->queue);
		if (i != SRVQ_NIL) {
			take(p, b, i, &m);
			if (!copy_to_user(uout, &m, sizeof(m)))
				return 0;
			complete(&srvq_reqs[i], NULL, -EIO);   /* the server cannot see it */
			return -EFAULT;
		}
		if ((flags & TSRV_RESULTS) && b->results.n) {
			collect(p, &srvq_reqs[srvq_pop(&b->results)], &m);
			return copy_to_user(uout, &m, sizeof(m)) ? -EFAULT : 1;
		}
		if (flags & TSRV_NONBLOCK)
			return -EAGAIN;
		if (proc_aborting(p))
			return -EINTR;
		sleep_on(&b->queue, 0);
	}
}

int srv_reply(struct proc *p, const struct t_msg *res)
{
	struct srvq_req *r = srvq_find(res->id);
	if (!r || r->state != RQ_TAKEN || r->server != p->pid)
		return -ENOENT;
	complete(r, res, res->status);
	return 0;
}

int srv_fn_register(uint32_t fn, int pid, uint32_t flags)
{
	int err = flags & TFN_UNREGISTER ? fnid_unregister(fn, pid) : fnid_register(fn, pid);
	if (!err)
		netc_fn_changed();          /* the socket layer follows the network server's ids */
	return err;
}

bool srv_stat_nth(uint32_t n, struct t_fn_stat *out)
{
	uint32_t fn = fnid_nth(n);
	struct proc *s = fn ? proc_by_pid(fnid_server(fn)) : NULL;
	if (!s)
		return false;
	struct srvq_box *b = box_of(s);
	memset(out, 0, sizeof(*out));
	out->fn = fn;
	out->pid = s->pid;
	out->queued = b->queue.n;
	out->inflight = b->taken.n;
	out->calls = fnid_calls(fn);
	strlcpy(out->name, s->hdr.name, sizeof(out->name));
	return true;
}

void srv_irq_post(int pid, rid_t dev, uint32_t vector)
{
	struct proc *p = live(pid);
	if (!p)
		return;                 /* a dead driver's device is masked by its claim's end */
	struct srvq_box *b = box_of(p);
	srvq_irq_add(b, dev, vector, 1);
	wakeup(&b->queue);
}

/* Requests p made that are still somewhere: their answers will find no caller. */
static void orphan_requests(int pid)
{
	for (uint32_t i = 0; i < SRVQ_NREQ; i++) {
		struct srvq_req *r = &srvq_reqs[i];
		if (r->state != RQ_FREE && r->state != RQ_DONE && r->caller == pid &&
		    r->kind != RQ_KERNEL && r->kind != RQ_KCB)
			r->caller = 0;
	}
}

void srv_proc_exit(int pid)
{
	/* first: a replacement it takes part in is undone while its state ICAs still exist */
	srvrepl_proc_exit(pid);
	struct proc *p = proc_by_pid(pid);
	struct srvq_box *b = p ? &boxes[box_index(p)] : NULL;
	if (b && b->pid == pid) {
		uint32_t i;
		while ((i = b->queue.head) != SRVQ_NIL)
			complete(&srvq_reqs[i], NULL, -EIO);
		while ((i = b->taken.head) != SRVQ_NIL)
			complete(&srvq_reqs[i], NULL, -EIO);
		while ((i = srvq_pop(&b->results)) != SRVQ_NIL) {
			drop_icas(&srvq_reqs[i].msg);
			srvq_free(i);
		}
		if (b->as_caller)
			orphan_requests(pid);
		srvq_box_reset(b, 0);
	}
	fnid_drop_pid(pid);
	ica_proc_exit(pid);
}

/* A request the old server had taken goes on loan to the new one: its ICAs leave the old
 * space and are attached in the new (a driver's unmapped, as at take). */
static void reloan_icas(struct t_msg *m, const struct proc *to)
{
	if (m->ctl) {
		ica_lend(m->ctl, 0);
		ica_arrive(m->ctl, to->pid, to->vspace, true, &m->ctl_addr);
	}
	if (m->data) {
		ica_lend(m->data, 0);
		ica_arrive(m->data, to->pid, to->vspace, true, &m->data_addr);
	}
}

/* An async request of the old server's (at a server, or its result waiting) becomes the new
 * one's: its result goes to the new server's result queue. */
static void recaller(struct srvq_req *r, const struct proc *to, struct srvq_box *ob,
		     struct srvq_box *nb)
{
	r->caller = to->pid;
	r->caller_box = box_index(to);
	ob->as_caller--;
	ob->outstanding--;
	nb->as_caller++;
	nb->outstanding++;
}

/* The async requests old made that are still at servers. */
static uint32_t recaller_all(int old, const struct proc *to, struct srvq_box *ob,
			     struct srvq_box *nb)
{
	uint32_t n = 0;
	for (uint32_t i = 0; ob->outstanding && i < SRVQ_NREQ; i++) {
		struct srvq_req *r = &srvq_reqs[i];
		if ((r->state == RQ_QUEUED || r->state == RQ_TAKEN) && r->caller == old &&
		    r->kind == RQ_ASYNC) {
			recaller(r, to, ob, nb);
			n++;
		}
	}
	return n;
}

void srv_transfer(int old, int new, struct t_repl_result *mv)
{
	struct proc *o = live(old), *n = live(new);
	if (!o || !n)
		panic("srv_transfer: server %d or %d is gone", old, new);
	struct srvq_box *ob = box_of(o), *nb = box_of(n);
	uint32_t i;
	while ((i = srvq_pop(&ob->queue)) != SRVQ_NIL) {
		srvq_reqs[i].server = new;
		srvq_push(&nb->queue, i);
		mv->moved_queued++;
	}
	while ((i = srvq_pop(&ob->taken)) != SRVQ_NIL) {
		srvq_reqs[i].server = new;
		reloan_icas(&srvq_reqs[i].msg, n);
		srvq_push(&nb->taken, i);
		mv->moved_taken++;
	}
	while ((i = srvq_pop(&ob->results)) != SRVQ_NIL) {
		recaller(&srvq_reqs[i], n, ob, nb);
		srvq_push(&nb->results, i);
		mv->moved_results++;
	}
	mv->moved_async += recaller_all(old, n, ob, nb);
	srvq_irq_merge(nb, ob);
	nb->served += ob->served;
	wakeup(&nb->queue);
	wakeup(&nb->results);
}

void srv_wake(int pid)
{
	struct proc *p = live(pid);
	if (p)
		wakeup(&box_of(p)->queue);
}
