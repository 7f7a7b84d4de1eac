/* For the host tests of the plate table (test_fs_plate.c): /proc as it is without processes.
 * The plate module asks procfs for the fixed tree and for nodes below it; here there is no
 * tree at all, so /proc is never made and no lookup reaches a node. */
#include "abi/errno.h"
#include "kernel/fs/plate_int.h"

bool procfs_fixed_at(uint32_t i, struct procfs_fixed *out)
{
	(void)i, (void)out;
	return false;
}

int procfs_child(const struct procfs_node *dir, const char *name, size_t len,
		 struct procfs_node *out)
{
	(void)dir, (void)name, (void)len, (void)out;
	return -ENOENT;
}

bool procfs_gone(const struct procfs_node *n)
{
	(void)n;
	return true;
}

bool procfs_per_process(uint16_t kind)
{
	return kind >= PN_PID;
}

uint32_t procfs_mode(const struct procfs_node *n)
{
	(void)n;
	return 0;
}

void procfs_owner(const struct procfs_node *n, struct cred *out)
{
	(void)n;
	*out = (struct cred){ .uid = 0, .gid = 0 };
}

int procfs_may_access(const struct procfs_node *n, const struct cred *cred)
{
	(void)n, (void)cred;
	return -ESRCH;
}

long procfs_dir_read(const struct procfs_node *dir, uint64_t *pos, void *buf, size_t cap)
{
	(void)dir, (void)pos, (void)buf, (void)cap;
	return 0;
}

long procfs_readlink(const struct procfs_node *n, char *kbuf, size_t size)
{
	(void)n, (void)kbuf, (void)size;
	return -ENOENT;
}
