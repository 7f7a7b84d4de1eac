/* Live replacement of servers (see srvrepl.h and abi/srv.h). A replacement is a record in a
 * small table, looked up again by pid after every sleep (never held across one): the
 * requester waits on the record, the new server waits on it for the handover, and the old
 * server waits on its own entry of a per-process table for the outcome, because the requester
 * frees the record as soon as it has its result. Everything that moves (srv_transfer,
 * dev_claims_move, fnid_move) moves in one go with interrupts off, so no request or interrupt
 * can slip between the old server and the new one. */
#include "kernel/ipc/srvrepl.h"
#include "abi/errno.h"
#include "abi/linux.h"
#include "arch/paging.h"
#include "arch/timer.h"
#include "kernel/dev/device.h"
#include "kernel/ipc/fnid.h"
#include "kernel/ipc/ica.h"
#include "kernel/ipc/srv.h"
#include "kernel/lib/kprintf.h"
#include "kernel/lib/string.h"
#include "kernel/mm/vspace.h"
#include "kernel/net/netc.h"
#include "kernel/proc/exec.h"
#include "kernel/proc/args.h"
#include "kernel/proc/proc.h"
#include "kernel/proc/procmem.h"

/* In order: a record is active from RP_CREATING to RP_TAKEN. */
enum repl_stage { RP_FREE, RP_CREATING, RP_STARTED, RP_HANDED, RP_TAKEN, RP_DONE, RP_FAILED };
enum repl_outcome { RO_NONE, RO_WAITING, RO_COMMITTED, RO_ROLLED_BACK };

/* A piece of state: an ICA, or an attachment of the old server's (a memory region), which
 * stays in the old server's space until the new one takes it. */
struct piece {
	rid_t rid;
	bool region;
	uint64_t addr, len;
};

struct repl {
	uint8_t stage;
	bool notified;                 /* the old server has had the notice */
	int requester, old_pid, new_pid;
	int err;                       /* the outcome once RP_DONE / RP_FAILED */
	uint32_t nstate;
	struct piece state[T_REPL_MAX_STATE];
	uint64_t t0, at[TREPL_NSTEPS]; /* monotonic ns */
	struct t_repl_result res;      /* versions, counts, steps */
};

/* What this module knows of a process, in the slot of its process-table entry. */
struct repl_proc {
	int pid;
	uint32_t version;              /* declared state version, 0: not replaceable */
	uint8_t outcome;               /* an old server waiting in t_repl_handover */
};

static struct repl repls[REPL_SLOTS];
static struct repl_proc procs[NPROC];

static struct proc *live(int pid)
{
	struct proc *p = pid > 0 ? proc_by_pid(pid) : NULL;
	return p && p->state != TPS_ZOMBIE ? p : NULL;
}

static struct repl_proc *rp_of(const struct proc *p)
{
	struct repl_proc *rp = &procs[RID_INDEX(p->hdr.rid) % NPROC];
	if (rp->pid != p->pid)
		*rp = (struct repl_proc){ .pid = p->pid };
	return rp;
}

static uint32_t version_of(int pid)
{
	struct proc *p = live(pid);
	return p ? rp_of(p)->version : 0;
}

static bool active(const struct repl *r)
{
	return r->stage >= RP_CREATING && r->stage <= RP_TAKEN;
}

static struct repl *find_old(int pid)
{
	for (int i = 0; i < REPL_SLOTS; i++)
		if (active(&repls[i]) && repls[i].old_pid == pid)
			return &repls[i];
	return NULL;
}

static struct repl *find_new(int pid)
{
	for (int i = 0; pid > 0 && i < REPL_SLOTS; i++)
		if (active(&repls[i]) && repls[i].new_pid == pid)
			return &repls[i];
	return NULL;
}

static void stamp(struct repl *r, enum t_repl_step step)
{
	r->at[step] = time_ns();
	r->res.steps = step + 1;
}

/* The new server goes (its exit undoes nothing more: the record is final by then). */
static void kill_new(int pid)
{
	struct proc *p = live(pid);
	if (!p)
		return;
	if (p == proc_cur()) {
		p->killed = true;             /* it leaves at its return to user mode */
		p->kill_sig = L_SIGKILL;
	} else {
		proc_kill(p, L_SIGKILL);
	}
}

/* An ICA of the state, in flight or held by the new server n, back to the old server o. */
static void ica_back(rid_t ica, bool taken, struct proc *o)
{
	uint64_t addr;
	if (res_validate(ica, RT_ICA))
		return;
	if (taken)
		ica_lend(ica, 0);
	if (o)
		ica_arrive(ica, o->pid, o->vspace, false, &addr);
	else
		ica_drop(ica);
}

/* The state, in flight or taken by the new server, back to the old one at the same addresses.
 * A process exits only after srvrepl_proc_exit, so nothing can have gone. */
static void state_back(struct repl *r)
{
	struct proc *o = live(r->old_pid), *n = proc_by_pid(r->new_pid);
	bool taken = r->stage == RP_TAKEN;
	for (uint32_t i = 0; i < r->nstate; i++) {
		struct piece *s = &r->state[i];
		if (!s->region)
			ica_back(s->rid, taken, o);
		else if (taken && o && n)
			procmem_pass(n, s->rid, o);   /* o had the slot: nothing took it since */
	}
	r->nstate = 0;
}

/* Rollback: the old server goes on as it was, the new one is killed, the requester told. */
static void fail(struct repl *r, int err)
{
	if (!active(r))
		return;
	struct proc *o = live(r->old_pid);
	bool waiting = r->stage == RP_HANDED || r->stage == RP_TAKEN;
	if (waiting)
		state_back(r);
	if (o && waiting) {
		rp_of(o)->outcome = RO_ROLLED_BACK;
		wakeup(&rp_of(o)->outcome);
	}
	kill_new(r->new_pid);
	r->err = err;
	r->stage = RP_FAILED;
	wakeup(r);
}

void srvrepl_declare(struct proc *p, uint32_t version)
{
	rp_of(p)->version = version;
}

bool srvrepl_notice(int pid, struct t_msg *m)
{
	struct repl *r = find_old(pid);
	if (!r || r->stage != RP_STARTED || r->notified)
		return false;
	r->notified = true;
	stamp(r, TREPL_NOTIFIED);
	memset(m, 0, sizeof(*m));
	m->fn = T_FN_REPLACE;
	m->pid = r->requester;
	m->arg[0] = (uint64_t)r->new_pid;
	m->arg[1] = (uint64_t)r->requester;
	return true;
}

/* The old server's state as pieces: its own ICAs (not on loan, so not a request's) and its
 * own passable mappings, each once. */
static int check_state(struct proc *p, const struct t_repl_item *items, uint32_t n,
		       struct piece *out)
{
	for (uint32_t i = 0; i < n; i++) {
		const struct t_repl_item *it = &items[i];
		int err = 0;
		out[i] = (struct piece){ it->rid, !it->rid, it->addr, it->len };
		if (it->rid)
			err = ica_check_pass(it->rid, p->pid);
		else if (!(out[i].rid = procmem_passable(p, it->addr, it->len)))
			err = -EINVAL;
		if (err)
			return err;
		for (uint32_t j = 0; j < i; j++)
			if (out[j].rid == out[i].rid)
				return -EINVAL;
	}
	return 0;
}

/* The old server waits for the outcome; it leaves only through a commit or a rollback. */
static int await_outcome(struct proc *p)
{
	struct repl_proc *rp = rp_of(p);
	while (rp->outcome == RO_WAITING) {
		if (proc_aborting(p)) {
			struct repl *r = find_old(p->pid);
			if (r)
				fail(r, p->killed ? -ESRCH : -EINTR);
			break;
		}
		sleep_on(&rp->outcome, 0);
	}
	uint8_t outcome = rp->outcome;
	rp->outcome = RO_NONE;
	if (outcome == RO_COMMITTED)
		proc_exit(0);                /* step 12: the old server ends */
	return -ECANCELED;
}

int srvrepl_handover(struct proc *p, const struct t_repl_item *items, uint32_t n,
		     uint32_t version)
{
	struct repl *r = find_old(p->pid);
	if (!r || r->stage != RP_STARTED || !r->notified)
		return -ENOENT;
	if (!version) {
		fail(r, -EAGAIN);            /* the old server cannot stop now */
		return -ECANCELED;
	}
	int err = check_state(p, items, n, r->state);
	if (err) {
		fail(r, err);
		return err;
	}
	for (uint32_t i = 0; i < n; i++)
		if (!r->state[i].region)
			ica_lend(r->state[i].rid, 0);
	r->nstate = n;
	r->res.old_version = version;
	r->res.state_items = n;
	r->stage = RP_HANDED;
	stamp(r, TREPL_HANDED);
	rp_of(p)->outcome = RO_WAITING;
	wakeup(r);                           /* the new server waits in t_repl_take */
	return await_outcome(p);
}

/* Whether the new server p has room for the state's regions. */
static bool room_for(const struct repl *r, const struct proc *p)
{
	uint32_t regions = 0;
	for (uint32_t i = 0; i < r->nstate; i++)
		regions += r->state[i].region;
	return (uint32_t)procmem_free_slots(p) >= regions && vspace_has_room(p->vspace, regions);
}

/* One piece arrives at the new server p (from the old one, o). ICAs are on loan until the
 * commit: it can neither delete them nor pass them on, so a rollback finds every one. */
static void take_piece(struct piece *s, struct proc *o, struct proc *p, struct t_repl_item *out)
{
	*out = (struct t_repl_item){ s->region ? 0 : s->rid, s->addr, s->len };
	if (s->region) {
		if (procmem_pass(o, s->rid, p))
			panic("take_piece: region %lx could not move (room was checked)", s->rid);
		return;
	}
	ica_arrive(s->rid, p->pid, p->vspace, true, &out->addr);
	out->len = ica_pages(s->rid) * PAGE_SIZE;
}

int srvrepl_take(struct proc *p, struct t_repl_state *out)
{
	struct repl *r;
	while ((r = find_new(p->pid)) && r->stage == RP_STARTED) {
		if (proc_aborting(p))
			return -EINTR;
		sleep_on(r, 0);
	}
	if (!r)
		return -ESRCH;
	if (r->stage != RP_HANDED)
		return -EALREADY;
	struct proc *o = live(r->old_pid);
	if (!o || !room_for(r, p)) {
		fail(r, o ? -ENOMEM : -ESRCH);
		return -ECANCELED;
	}
	memset(out, 0, sizeof(*out));
	for (uint32_t i = 0; i < r->nstate; i++)
		take_piece(&r->state[i], o, p, &out->item[i]);
	out->old_pid = r->old_pid;
	out->version = r->res.old_version;
	out->n = r->nstate;
	r->stage = RP_TAKEN;
	stamp(r, TREPL_TAKEN);
	return 0;
}

/* Every id the old server serves must be among the new one's, and an id the new one adds
 * must be free or its own (another server holding it: -EADDRINUSE, the replacement is
 * refused). */
static int check_fns(int old, int new, const uint32_t *fns, uint32_t n)
{
	uint32_t fn;
	for (uint32_t i = 0; i < n; i++) {
		int holder = fnid_server(fns[i]);
		if (holder && holder != old && holder != new)
			return -EADDRINUSE;
	}
	for (uint32_t k = 0; (fn = fnid_nth(k)); k++) {
		if (!fnid_serves(fn, old))
			continue;
		bool found = false;
		for (uint32_t i = 0; i < n && !found; i++)
			found = fns[i] == fn;
		if (!found)
			return -ENOPROTOOPT;
	}
	return 0;
}

/* The old server's ids move (counters kept); the ids the new server adds are registered
 * for it (checked free by check_fns, and nothing ran since). */
static void move_fns(struct repl *r, const uint32_t *fns, uint32_t n, uint64_t now)
{
	uint32_t fn;
	for (uint32_t k = 0; (fn = fnid_nth(k)); k++)
		if (fnid_move(fn, r->old_pid, r->new_pid, now, now - r->t0) == 0)
			r->res.moved_fns++;
	for (uint32_t i = 0; i < n; i++)
		if (!fnid_server(fns[i]) && fnid_register(fns[i], r->new_pid) == 0)
			r->res.added_fns++;
}

/* Steps 8-11: everything moves to the new server, which owns the state from now on. */
static int commit(struct repl *r, struct proc *n, const uint32_t *fns, uint32_t nfn)
{
	struct proc *o = live(r->old_pid);
	if (!o)
		return -ESRCH;
	int err = dev_claims_move(o->pid, n->pid, &r->res.moved_claims);
	if (err)
		return err;
	srv_transfer(o->pid, n->pid, &r->res);
	move_fns(r, fns, nfn, time_ns());
	for (uint32_t i = 0; i < r->nstate; i++)
		if (!r->state[i].region)
			ica_settle(r->state[i].rid);
	r->nstate = 0;
	r->res.new_version = rp_of(n)->version;
	r->stage = RP_DONE;
	r->err = 0;
	stamp(r, TREPL_DONE);
	rp_of(o)->outcome = RO_COMMITTED;
	wakeup(&rp_of(o)->outcome);
	wakeup(r);
	netc_replaced(o->pid, n->pid);       /* the socket layer's session goes on with n */
	netc_fn_changed();
	return 0;
}

int srvrepl_ready(struct proc *p, const uint32_t *fns, uint32_t n)
{
	struct repl *r = find_new(p->pid);
	if (!r)
		return -ESRCH;
	if (r->stage != RP_TAKEN)
		return -EINVAL;              /* t_repl_take first */
	stamp(r, TREPL_READY);
	int err = check_fns(r->old_pid, r->new_pid, fns, n);
	if (!err)
		err = commit(r, p, fns, n);
	if (err)
		fail(r, err);
	return err;
}

int srvrepl_abort(struct proc *p, int status)
{
	struct repl *r = find_new(p->pid);
	if (!r)
		return -ESRCH;
	r->res.new_status = status;
	fail(r, status == -EPROTO ? -EPROTO : -ECANCELED);
	return 0;
}

int srvrepl_stat(uint32_t fn, struct t_repl_stat *out)
{
	int pid = fnid_server(fn);
	if (!pid)
		return -ENOENT;
	memset(out, 0, sizeof(*out));
	out->pid = pid;
	out->version = version_of(pid);
	fnid_repl_stat(fn, &out->replacements, &out->last_at_ns, &out->last_ns);
	struct repl *r = find_old(pid);
	out->pending = r ? r->new_pid : 0;
	return 0;
}

void srvrepl_proc_exit(int pid)
{
	for (int i = 0; i < REPL_SLOTS; i++) {
		struct repl *r = &repls[i];
		if (active(r) && r->new_pid == pid)
			fail(r, -ECHILD);    /* the new server crashed or gave up during its start */
		else if (active(r) && r->old_pid == pid)
			fail(r, -ESRCH);
	}
}

/* A checked old server, a free record: RP_CREATING, or an error. */
static int begin(struct proc *req, struct proc *o, struct repl **out)
{
	if (o == req)
		return -EDEADLK;             /* it would wait for itself */
	if (!rp_of(o)->version)
		return -EOPNOTSUPP;
	if (find_old(o->pid) || find_new(o->pid))
		return -EBUSY;
	for (int i = 0; i < REPL_SLOTS; i++) {
		struct repl *r = &repls[i];
		if (r->stage == RP_FREE) {
			memset(r, 0, sizeof(*r));
			r->stage = RP_CREATING;
			r->requester = req->pid;
			r->old_pid = o->pid;
			r->t0 = time_ns();
			*out = r;
			return 0;
		}
	}
	return -EAGAIN;
}

/* Step 2: the new server, as the old one's sibling, with its priority and name. */
static int create(struct repl *r, struct proc *req, struct proc *o,
		  const struct srvrepl_prog *prog)
{
	struct proc *parent = live(o->ppid);
	char name[T_NAME_MAX];
	int pid, prio = exec_get_prio(o->exec);
	strlcpy(name, o->hdr.name, sizeof(name));
	args_get(prog->args);              /* proc_create takes this reference over */
	int err = proc_create(prog->path, prog->args, name, 0, 0, prio, parent ? parent : req,
			      &pid);
	if (err)
		return err;
	r->new_pid = pid;
	stamp(r, TREPL_CREATED);
	if (r->stage == RP_FAILED) {      /* the old server exited while the program loaded */
		kill_new(pid);
		return r->err;
	}
	struct proc *np = proc_by_pid(pid), *op = live(r->old_pid);
	if (np && op && (err = proc_inherit_fds(np, op))) {
		kill_new(pid);
		return err;
	}
	r->stage = RP_STARTED;
	srv_wake(r->old_pid);            /* step 3: it finds the notice at its next receive */
	return 0;
}

static void finish(struct repl *r, struct t_repl_result *res)
{
	*res = r->res;
	res->old_pid = r->old_pid;
	res->new_pid = r->new_pid;
	res->total_ns = time_ns() - r->t0;
	for (int i = 0; i < TREPL_NSTEPS; i++)
		res->at_ns[i] = r->at[i] ? r->at[i] - r->t0 : 0;
	r->stage = RP_FREE;
	r->requester = 0;
}

int srvrepl_request(struct proc *req, const struct srvrepl_prog *prog, uint32_t fn, int pid,
		    uint32_t deadline_ms, struct t_repl_result *res)
{
	struct proc *o = live(fn ? fnid_server(fn) : pid);
	struct repl *r;
	memset(res, 0, sizeof(*res));
	if (!o)
		return fn ? -ENOENT : -ESRCH;
	int err = begin(req, o, &r);
	if (err)
		return err;
	uint64_t deadline = r->t0 + (uint64_t)deadline_ms * 1000000;
	r->res.old_version = rp_of(o)->version;
	if ((err = create(r, req, o, prog))) {
		r->err = err;
		finish(r, res);
		return err;
	}
	while (active(r)) {
		if (proc_aborting(req))
			fail(r, -EINTR);
		else if (time_ns() >= deadline)
			fail(r, -ETIMEDOUT);
		else
			sleep_on(r, deadline);
	}
	err = r->err;
	finish(r, res);
	return err;
}
