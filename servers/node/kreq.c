/* The kernel's calls to other nodes (TFN_NODE_*, arguments in abi/fnids.def), each made a
 * remote procedure call to the node concerned. One at a time: a call to a node that does not
 * answer holds the others back for the RPC's give-up time (a few seconds). */
#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <unistd.h>
#include "node.h"
#include "srv.h"

#define EXIT_RETRY_MS 8000     /* an end reported before its home knows where it ran */

static struct tnode_rpc rpc = { .sock = -1 };

static int call(uint32_t node, uint16_t op, const void *req, size_t len, void *resp, size_t max)
{
	if (rpc.sock < 0 && tnode_rpc_open(&rpc))
		return -EHOSTUNREACH;
	return tnode_call(&rpc, node, op, req, len, resp, max, NULL);
}

static int node_ok(uint64_t node)
{
	return node && node <= T_NODE_MAX && node != node_id;
}

static int do_res(struct t_msg *m)
{
	struct t_node_resop *io = srv_ctl(m);
	if (!io || !node_ok(m->arg[0]) || srv_ica_pages(m->ctl) * 4096 < sizeof(*io))
		return -EINVAL;
	struct t_node_resop req = *io;
	return call((uint32_t)m->arg[0], NP_RES, &req, sizeof(req), io, sizeof(*io));
}

static int do_kill(struct t_msg *m)
{
	struct np_kill k = { (int32_t)m->arg[1], (int32_t)m->arg[2], (uint32_t)m->arg[4],
			     node_id, (int32_t)m->arg[3] };
	if (!node_ok(m->arg[0]))
		return -EINVAL;
	return call((uint32_t)m->arg[0], NP_KILL, &k, sizeof(k), NULL, 0);
}

/* The home may not know yet that the process ran here (its move here is committed there
 * just after it started here): asked again for a while. */
static int do_exit(struct t_msg *m)
{
	struct np_exit e = { (int32_t)m->arg[1], (int32_t)m->arg[2], (int32_t)m->arg[3] };
	int err = -EINVAL;
	if (!node_ok(m->arg[0]))
		return err;
	for (int waited = 0; waited < EXIT_RETRY_MS; waited += 200) {
		err = call((uint32_t)m->arg[0], NP_EXIT, &e, sizeof(e), NULL, 0);
		if (err != -EAGAIN && err != -ESTALE)
			break;
		usleep(200000);
	}
	return err;
}

static int do_cons(struct t_msg *m)
{
	struct np_cons c = { .home_pid = (int32_t)m->arg[1], .len = (uint32_t)m->arg[2] };
	const char *data = srv_data(m);
	if (!data || !node_ok(m->arg[0]) || c.len > NP_CONS_MAX ||
	    srv_ica_pages(m->data) * 4096 < c.len)
		return -EINVAL;
	memcpy(c.bytes, data, c.len);
	return call((uint32_t)m->arg[0], NP_CONS, &c, offsetof(struct np_cons, bytes) + c.len,
		    NULL, 0);
}

int kreq_handle(struct t_msg *m, void *ctx)
{
	(void)ctx;
	if (m->pid != 0)
		return -EPERM;            /* the kernel's calls only: a program uses the syscalls */
	switch (m->fn) {
	case TFN_NODE_RES:
		return do_res(m);
	case TFN_NODE_KILL:
		return do_kill(m);
	case TFN_NODE_EXIT:
		return do_exit(m);
	case TFN_NODE_CONS:
		return do_cons(m);
	default:
		return -ENOSYS;
	}
}
