/* Wrappers of the metamorphosis calls (change program, restart, checkpoints, fault
 * recovery) and of the reusable-resource table's statistics. */
#include "libtessera.h"
#include "tsys.h"

int t_chprog(int pid, const char *path, const char *const *argv, const char *const *envp)
{
	struct t_spawn req = { .path = path, .argv = argv, .envp = envp, .prio = -1 };
	return (int)tsys_t_chprog((long)pid, (long)&req);
}

int t_restart(int pid)
{
	return (int)tsys_t_restart((long)pid);
}

int t_ckpt_save(int pid, const char *name, rid_t *out)
{
	return (int)tsys_t_ckpt_save((long)pid, (long)name, (long)out);
}

int t_ckpt_restore(int pid, rid_t ckpt)
{
	return (int)tsys_t_ckpt_restore((long)pid, (long)ckpt);
}

int t_ckpt_onfault(rid_t ckpt)
{
	return (int)tsys_t_ckpt_onfault((long)ckpt);
}

int t_reuse_stat(struct t_reuse_stat *out)
{
	return (int)tsys_t_reuse_stat((long)out);
}
