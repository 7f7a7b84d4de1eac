/* This machine as a node of a cluster (see node.h). The kernel never speaks UDP itself: what
 * goes to another node is a request to the node server (function ids TFN_NODE_*, whose
 * arguments abi/fnids.def lists), which answers for the other node or with -EHOSTUNREACH. */
#include "kernel/node/node.h"
#include "abi/errno.h"
#include "abi/srv.h"
#include "arch/paging.h"
#include "arch/timer.h"
#include "kernel/ipc/fnid.h"
#include "kernel/ipc/ica.h"
#include "kernel/ipc/srv.h"
#include "kernel/lib/kprintf.h"
#include "kernel/lib/string.h"
#include "kernel/mm/pmm.h"
#include "kernel/mm/uva.h"
#include "kernel/proc/exec.h"
#include "kernel/proc/proc.h"
#include "kernel/res/reuse.h"

/* Each node allocates system-wide addresses from a slice of its own: 384 GiB, room for
 * T_NODE_MAX slices in [UVA_BASE, UVA_END). */
#define NODE_UVA_SLICE 0x6000000000ul

static uint32_t self, cluster_size;

/* The number after "key=" at the start of word w (0 when absent or malformed). */
static uint32_t word_value(const char *w, size_t wlen, const char *key)
{
	size_t k = strlen(key);
	uint32_t v = 0;
	if (wlen <= k || strncmp(w, key, k))
		return 0;
	for (size_t i = k; i < wlen; i++) {
		if (w[i] < '0' || w[i] > '9' || v > 100000)
			return 0;
		v = v * 10 + (uint32_t)(w[i] - '0');
	}
	return v;
}

void node_boot_args(const char *cmdline)
{
	for (const char *p = cmdline; p && *p;) {
		while (*p == ' ')
			p++;
		size_t n = 0;
		while (p[n] && p[n] != ' ')
			n++;
		uint32_t v;
		if ((v = word_value(p, n, "node=")) && v <= T_NODE_MAX)
			self = v;
		if ((v = word_value(p, n, "nodes=")) && v <= T_NODE_MAX)
			cluster_size = v;
		p += n;
	}
}

void node_init(void)
{
	if (!self)
		return;
	uint64_t lo = UVA_BASE + (uint64_t)(self - 1) * NODE_UVA_SLICE;
	uva_restrict(lo, lo + NODE_UVA_SLICE);
	kprintf("Tessera: node %u of %u\n", self, cluster_size);
}

uint32_t node_self(void)
{
	return self;
}

bool node_rid_remote(rid_t rid, uint32_t *node, rid_t *local)
{
	uint32_t n = RID_NODE(rid), type = RID_TYPE(rid);
	*local = rid;
	if (!n || n > T_NODE_MAX || type == RT_NONE || type >= RT_NTYPES || !RID_GEN(rid))
		return false;
	if (n == self) {
		*local = RID_LOCAL(rid);
		return false;
	}
	*node = n;
	*local = RID_LOCAL(rid);
	return true;
}

static void count_proc(struct proc *p, void *ctx)
{
	struct t_node_info *in = ctx;
	if (p->state == TPS_REMOTE) {
		in->away++;
		return;
	}
	in->nproc++;
	if (p->mig.home_node && p->state != TPS_ZOMBIE)
		in->visitors++;
	if (p->mig.state == PM_FROZEN)
		in->frozen++;
	int st = p->exec ? exec_visible_state(p->exec) : TPS_ZOMBIE;
	if ((st == TPS_READY || st == TPS_RUNNING) && p->mig.state != PM_FROZEN)
		in->runnable++;
}

int node_info(struct t_node_info *out)
{
	memset(out, 0, sizeof(*out));
	out->node = self;
	out->nodes = cluster_size;
	proc_for_each(count_proc, out);
	out->pages_free = pmm_free_pages();
	out->pages_total = pmm_total_pages();
	out->uptime_ms = time_ns() / 1000000;
	return 0;
}

/* ---- the uniform interface across nodes --------------------------------------------------- */

int node_res_remote(uint32_t node, struct t_node_resop *io, const struct cred *cred)
{
	rid_t ica;
	void *kva;
	if (!self || fnid_server(TFN_NODE_RES) <= 0)
		return -EHOSTUNREACH;             /* no cluster, or no node server to get there */
	int err = ica_create_kernel(1, &ica, &kva);
	if (err)
		return err;
	io->uid = cred->uid;
	io->gid = cred->gid;
	io->from_node = self;
	memcpy(kva, io, sizeof(*io));
	struct t_msg m = { .fn = TFN_NODE_RES, .ctl = ica, .arg = { node } };
	err = srv_call_kernel(&m);            /* the other node's answer (-ENOENT: no more) */
	if (err == -EIO)
		err = -EHOSTUNREACH;              /* the node server died meanwhile */
	if (!err)
		memcpy(io, kva, sizeof(*io));
	ica_free_kernel(ica);
	return err;
}

/* Ids in an answer name this node's resources wherever the answer goes. */
static void tag_info(struct t_res_info *in)
{
	in->rid = RID_AT_NODE(in->rid, self);
	for (uint32_t i = 0; i < in->nrefs && i < T_MAX_REFS; i++)
		if (in->refs[i].rid)
			in->refs[i].rid = RID_AT_NODE(in->refs[i].rid, self);
}

static int res_info_for(rid_t rid, const struct cred *cred, struct t_res_info *in)
{
	int err = res_check(rid, TOP_REFER, cred);
	if (err || (err = res_info(rid, in)))
		return err;
	if (reuse_holds(rid))
		in->flags |= TRF_REUSABLE;
	tag_info(in);
	return 0;
}

int node_res_local(struct t_node_resop *io)
{
	const struct cred cred = { .uid = io->uid, .gid = io->gid };
	rid_t rid = io->rid;
	uint32_t n = RID_NODE(rid);
	int err;
	if (n && n != self)
		return -EINVAL;                   /* not ours: no forwarding onwards */
	rid = RID_LOCAL(rid);
	switch (io->op) {
	case TNO_INFO:
		return res_info_for(rid, &cred, &io->info);
	case TNO_NEXT:
		if (io->arg >= RT_NTYPES)
			return -EINVAL;
		if ((err = res_next((uint32_t)io->arg, rid, &io->out_rid)))
			return err;
		io->out_rid = RID_AT_NODE(io->out_rid, self);
		return 0;
	case TNO_DELETE:
		return res_delete(rid, &cred);
	case TNO_CHANGEMOD:
		return io->arg > 0xffffffffu ? -EINVAL : res_changemod(rid, (uint32_t)io->arg, &cred);
	case TNO_CHANGEOID:
		return io->arg > 0xffffffffu ? -EINVAL
					     : res_changeoid(rid, (uint32_t)io->arg, (int)io->arg2, &cred);
	default:
		return -EINVAL;
	}
}

/* ---- notes that need no answer ------------------------------------------------------------ */

static void note_done(void *ctx, const struct t_msg *res)
{
	(void)ctx, (void)res;
}

static void send_note(uint32_t fn, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3,
		      uint64_t a4)
{
	struct t_msg m = { .fn = fn, .arg = { a0, a1, a2, a3, a4 } };
	int err = self ? srv_send_kernel(&m, note_done, NULL) : -ENOENT;
	if (err)
		kprintf("tessera: node: cannot send a note to the node server (%d)\n", err);
}

void node_send_kill(uint32_t node, int pid, int sig, int home_pid, uint32_t uid)
{
	send_note(TFN_NODE_KILL, node, (uint64_t)pid, (uint64_t)sig, (uint64_t)home_pid, uid);
}

void node_send_exit(uint32_t home_node, int home_pid, int status, int pid)
{
	send_note(TFN_NODE_EXIT, home_node, (uint64_t)home_pid, (uint64_t)(uint32_t)status,
		  (uint64_t)pid, 0);
}
