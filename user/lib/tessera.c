/* Typed wrappers of the native calls: cast the arguments and pass the kernel's answer on. */
#include "libtessera.h"
#include "tsys.h"

extern char **environ;

int t_res_info(rid_t rid, struct t_res_info *out)
{
	return (int)tsys_t_res_info((long)rid, (long)out);
}

int t_res_next(uint32_t type, rid_t after, rid_t *out)
{
	return (int)tsys_t_res_next((long)type, (long)after, (long)out);
}

int t_res_lookup(uint32_t type, const char *name, rid_t *out)
{
	return (int)tsys_t_res_lookup((long)type, (long)name, (long)out);
}

int t_res_delete(rid_t rid)
{
	return (int)tsys_t_res_delete((long)rid);
}

int t_res_changeoid(rid_t rid, uint32_t oid, int flag)
{
	return (int)tsys_t_res_changeoid((long)rid, (long)oid, (long)flag);
}

int t_res_changemod(rid_t rid, uint32_t mode)
{
	return (int)tsys_t_res_changemod((long)rid, (long)mode);
}

int t_proc_create(const struct t_spawn *req, int *pid_out)
{
	return (int)tsys_t_proc_create((long)req, (long)pid_out);
}

int t_proc_wait(int pid, int *status, int flags)
{
	return (int)tsys_t_proc_wait((long)pid, (long)status, (long)flags);
}

int t_kstat(struct t_kstat *out)
{
	return (int)tsys_t_kstat((long)out);
}

int t_poweroff(int code)
{
	return (int)tsys_t_poweroff((long)code);
}

int t_proc_rid(int pid, rid_t *out)
{
	return (int)tsys_t_proc_rid((long)pid, (long)out);
}

int t_set_prio(int pid, int prio)
{
	return (int)tsys_t_set_prio((long)pid, (long)prio);
}

int t_spawnv(const char *path, const char *const *argv, int *pid_out)
{
	struct t_spawn req = {
		.path = path,
		.argv = argv,
		.envp = (const char *const *)environ,
		.name = NULL,
		.vspace = 0,
		.mode = 0,
		.prio = -1,
	};
	return t_proc_create(&req, pid_out);
}
