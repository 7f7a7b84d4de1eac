/* Migration: the stub a process leaves at its home, and what other nodes report about
 * processes of this node or ask about processes here (see migrate.h): signals forwarded to
 * where a process runs, its end there, its moves on, whether a process came, and signals
 * from another node's processes, each checked against who the process is. */
#include "kernel/proc/migrate.h"
#include "abi/errno.h"
#include "kernel/node/node.h"
#include "kernel/proc/signal.h"

int mig_stub_signal(struct proc *p, int sig, uint32_t uid)
{
	if (sig < 0 || sig > SIG_MAX)
		return -EINVAL;
	if (sig)
		node_send_kill(p->mig.where_node, p->mig.where_pid, sig, p->pid, uid);
	return 0;
}

static struct proc *stub_at(int home_pid, uint32_t node, int pid)
{
	struct proc *p = proc_by_pid(home_pid);
	if (!p || p->state != TPS_REMOTE)
		return NULL;
	return p->mig.where_node == node && p->mig.where_pid == pid ? p : NULL;
}

int mig_remote_exited(int home_pid, int status, uint32_t from_node, int from_pid)
{
	struct proc *p = stub_at(home_pid, from_node, from_pid), *h = proc_by_pid(home_pid);
	if (!p && h && h->mig.state == PM_FROZEN)
		return -EAGAIN;                  /* its move is not committed here yet: ask again */
	if (!p)
		return h ? -ESTALE : -ESRCH;
	if (p->mig.state == PM_BUILDING)
		mig_build_drop(p);               /* it was coming home: it ended first */
	proc_remote_exit(p, status);
	return 0;
}

int mig_locate(int home_pid, uint32_t old_node, int old_pid, uint32_t node, int pid)
{
	struct proc *p = stub_at(home_pid, old_node, old_pid);
	if (!p)
		return proc_by_pid(home_pid) ? -ESTALE : -ESRCH;
	if (!node || node > T_NODE_MAX || pid <= 0)
		return -EINVAL;
	p->mig.where_node = node;
	p->mig.where_pid = pid;
	return 0;
}

struct query_ctx {
	uint32_t node;
	int pid, found;
	uint32_t state;
};

static void query_one(struct proc *p, void *c)
{
	struct query_ctx *q = c;
	if (p->state == TPS_ZOMBIE || p->mig.home_node != q->node || p->mig.home_pid != q->pid)
		return;
	q->found = p->pid;
	q->state = p->mig.state == PM_BUILDING ? TMQ_BUILDING : TMQ_RUNNING;
}

uint32_t mig_query(uint32_t home_node, int home_pid, int *pid)
{
	struct query_ctx q = { home_node, home_pid, 0, TMQ_ABSENT };
	if (home_node == node_self()) {
		/* its home: the entry with its pid, a stub until it is back (a zombie: it came
		 * back and ended already) */
		struct proc *p = proc_by_pid(home_pid);
		q.found = home_pid;
		if (p && p->mig.state == PM_BUILDING)
			q.state = TMQ_BUILDING;
		else if (p && p->state != TPS_REMOTE && !p->mig.home_node)
			q.state = TMQ_RUNNING;
	} else {
		proc_for_each(query_one, &q);
	}
	*pid = q.state == TMQ_ABSENT ? 0 : q.found;
	return q.state;
}

int mig_signal_local(int pid, int sig, uint32_t uid, uint32_t home_node, int home_pid)
{
	struct proc *p = proc_by_pid(pid);
	if (sig < 0 || sig > SIG_MAX)
		return -EINVAL;
	/* only a visitor from that home: a node's own processes are not another's to signal */
	if (!p || p->state == TPS_ZOMBIE || p->state == TPS_REMOTE || !home_node ||
	    p->mig.home_node != home_node || p->mig.home_pid != home_pid)
		return -ESRCH;
	if (!ident_uid_may_signal(uid, p))
		return -EPERM;
	return signal_send(p, sig);
}
