/*
 * fuzz: the resources and pids no worker may aim at (see the comment above fz_guard in
 * args.c for why each is excluded), and the list of every resource that existed before the
 * run, which the leak check and root's workers leave alone. Processes that existed before
 * (the servers and drivers init started from /etc/svc.conf) are spared by pid too, and with
 * all their resources like init: a root worker's kill would end them, and what a worker put
 * into their spaces would stay there.
 */
#include <stdlib.h>
#include <unistd.h>
#include "fuzz.h"
#include "libtessera.h"

static rid_t before_buf[FZ_MAXBEFORE];

static void add(struct fz_protect *p, rid_t rid)
{
	if (rid && p->nprot < FZ_MAXPROT)
		p->prot[p->nprot++] = rid;
}

/* A process, everything it refers to (space, exec, program), and what those refer to (the
 * space's attachments and regions). */
static void add_process(struct fz_protect *p, int pid)
{
	rid_t rid;
	struct t_res_info in, sub;
	if (t_proc_rid(pid, &rid) < 0 || t_res_info(rid, &in) < 0)
		return;
	add(p, rid);
	for (uint32_t i = 0; i < in.nrefs && i < T_MAX_REFS; i++) {
		add(p, in.refs[i].rid);
		if (t_res_info(in.refs[i].rid, &sub) < 0)
			continue;
		for (uint32_t j = 0; j < sub.nrefs && j < T_MAX_REFS; j++)
			add(p, sub.refs[j].rid);
	}
}

static int cmp_rid(const void *a, const void *b)
{
	rid_t x = *(const rid_t *)a, y = *(const rid_t *)b;
	return x < y ? -1 : x > y;
}

static void note_pids(struct fz_protect *p)
{
	struct t_res_info in;
	p->nbefore_pids = 0;
	for (int i = 0; i < p->nbefore && p->nbefore_pids < FZ_MAXBEFORE_PIDS; i++)
		if (RID_TYPE(p->before[i]) == RT_PROCESS && t_res_info(p->before[i], &in) == 0)
			p->before_pids[p->nbefore_pids++] = (int)in.v[0];
}

int fz_protect_build(struct fz_protect *p, rid_t log_region)
{
	p->init_pid = 1;
	p->parent_pid = getpid();
	p->nprot = 0;
	p->log_region = log_region;
	add_process(p, 1);
	add_process(p, p->parent_pid);
	add(p, log_region);
	p->before = before_buf;
	p->nbefore = 0;
	rid_t rid = 0;
	while (p->nbefore < FZ_MAXBEFORE && t_res_next(RT_NONE, rid, &rid) == 0)
		p->before[p->nbefore++] = rid;
	qsort(p->before, (size_t)p->nbefore, sizeof(rid_t), cmp_rid);
	note_pids(p);
	/* the servers and drivers init started are spared whole, as init is: a worker that
	 * attached a region in a driver's space (not destructive, so allowed on what existed
	 * before) left page tables there for the driver's lifetime, which the leak check saw */
	for (int i = 0; i < p->nbefore_pids; i++)
		add_process(p, p->before_pids[i]);
	return p->nbefore < FZ_MAXBEFORE ? 0 : -1;
}

/* Protected: the rid itself, or the same slot of the same type under another generation
 * only when it is the exact rid (a stale id of a protected slot is harmless). */
int fz_is_protected(const struct fz_protect *p, rid_t rid)
{
	for (int i = 0; i < p->nprot; i++)
		if (p->prot[i] == rid)
			return 1;
	return 0;
}

int fz_existed_before(const struct fz_protect *p, rid_t rid)
{
	return bsearch(&rid, p->before, (size_t)p->nbefore, sizeof(rid_t), cmp_rid) != NULL;
}

int fz_pid_protected(const struct fz_protect *p, long pid)
{
	for (int i = 0; i < p->nbefore_pids; i++)
		if (pid == p->before_pids[i] || pid == -p->before_pids[i])
			return 1;
	return pid == p->init_pid || pid == p->parent_pid || pid == -1 || pid == -p->parent_pid ||
	       pid == -p->init_pid;
}
