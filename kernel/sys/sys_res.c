/* The uniform resource interface as system calls (look up, info, list, changeoid,
 * changemod, delete). Every call checks the caller's rights through the resource layer. */
#include "abi/errno.h"
#include "abi/tessera.h"
#include "kernel/mm/uaccess.h"
#include "kernel/node/node.h"
#include "kernel/proc/proc.h"
#include "kernel/res/res.h"
#include "kernel/res/reuse.h"
#include "kernel/sys/syscall.h"
#include "kernel/sys/sysarg.h"

/* Another node's resource (abi/tessera.h RID_NODE): the operation goes there, with the
 * caller's uid and gid, and is checked there as it would be here (node_res_remote). */
static int remote_op(uint32_t node, uint32_t op, rid_t rid, uint64_t arg, uint64_t arg2,
		     struct t_node_resop *io)
{
	*io = (struct t_node_resop){ .op = op, .rid = rid, .arg = arg, .arg2 = arg2 };
	return node_res_remote(node, io, sysarg_cred());
}

static long remote_info(uint32_t node, rid_t rid, uint64_t uout)
{
	struct t_node_resop io;
	if (sysarg_out(uout, sizeof(io.info)))
		return -EFAULT;
	int err = remote_op(node, TNO_INFO, rid, 0, 0, &io);
	return err ? err : copy_to_user((void *)uout, &io.info, sizeof(io.info));
}

long sys_t_res_info(const struct sysargs *a)
{
	struct t_res_info info;
	rid_t rid;
	uint32_t node;
	if (node_rid_remote(a->a[0], &node, &rid))
		return remote_info(node, rid, a->a[1]);
	int err = res_check(rid, TOP_REFER, sysarg_cred());
	if (err)
		return err;
	if (sysarg_out(a->a[1], sizeof(info)))
		return -EFAULT;
	if ((err = res_info(rid, &info)))
		return err;
	if (reuse_holds(rid))
		info.flags |= TRF_REUSABLE;
	return copy_to_user((void *)a->a[1], &info, sizeof(info));
}

/* Where a listing of another node goes on: its start (RID_NODE_START) or one of its ids. */
static bool remote_after(rid_t after, uint32_t *node, rid_t *local)
{
	uint32_t n = RID_NODE(after);
	if (after == RID_NODE_START(n) && n && n <= T_NODE_MAX && n != node_self()) {
		*node = n;
		*local = 0;
		return true;
	}
	return node_rid_remote(after, node, local);
}

long sys_t_res_next(const struct sysargs *a)
{
	rid_t out, after;
	uint32_t node;
	struct t_node_resop io;
	if (a->a[0] >= RT_NTYPES)
		return -EINVAL;
	if (sysarg_out(a->a[2], sizeof(out)))
		return -EFAULT;
	bool remote = remote_after(a->a[1], &node, &after);
	int err = remote ? remote_op(node, TNO_NEXT, after, a->a[0], 0, &io)
			 : res_next((uint32_t)a->a[0], after, &out);
	if (remote && !err)
		out = io.out_rid;
	return err ? err : copy_to_user((void *)a->a[2], &out, sizeof(out));
}

long sys_t_res_lookup(const struct sysargs *a)
{
	char name[T_NAME_MAX];
	rid_t out;
	if (a->a[0] == RT_NONE || a->a[0] >= RT_NTYPES)
		return -EINVAL;
	int err = sysarg_name(a->a[1], name, false);
	if (err || (err = sysarg_out(a->a[2], sizeof(out))))
		return err;
	err = res_lookup((enum t_res_type)a->a[0], name, &out);
	return err ? err : copy_to_user((void *)a->a[2], &out, sizeof(out));
}

long sys_t_res_delete(const struct sysargs *a)
{
	rid_t rid;
	uint32_t node;
	struct t_node_resop io;
	if (node_rid_remote(a->a[0], &node, &rid))
		return remote_op(node, TNO_DELETE, rid, 0, 0, &io);
	return res_delete(rid, sysarg_cred());
}

long sys_t_res_changeoid(const struct sysargs *a)
{
	rid_t rid;
	uint32_t node;
	struct t_node_resop io;
	if (a->a[1] > 0xffffffffu)
		return -EINVAL;
	if (node_rid_remote(a->a[0], &node, &rid))
		return remote_op(node, TNO_CHANGEOID, rid, a->a[1], (uint64_t)(int)a->a[2], &io);
	return res_changeoid(rid, (uint32_t)a->a[1], (int)a->a[2], sysarg_cred());
}

long sys_t_res_changemod(const struct sysargs *a)
{
	rid_t rid;
	uint32_t node;
	struct t_node_resop io;
	if (a->a[1] > 0xffffffffu)
		return -EINVAL;
	if (node_rid_remote(a->a[0], &node, &rid))
		return remote_op(node, TNO_CHANGEMOD, rid, a->a[1], 0, &io);
	return res_changemod(rid, (uint32_t)a->a[1], sysarg_cred());
}
