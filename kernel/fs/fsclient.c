/* The kernel's calls to file-system servers (see fsclient.h). */
#include "kernel/fs/fsclient.h"
#include "abi/errno.h"
#include "kernel/ipc/ica.h"
#include "kernel/ipc/srv.h"
#include "kernel/lib/string.h"
#include "kernel/proc/exec.h"
#include "kernel/proc/proc.h"
#include "kernel/sys/syscall.h"

#define POOL 8
#define DATA_POOL 4               /* 1 MiB of the ICA pool */

struct area {
	rid_t rid;
	void *kva;
	int busy;
};

struct pool {
	struct area a[POOL];
	uint64_t pages;
	int n;
};

static struct pool ctl_pool = { .pages = T_FS_CTL_PAGES, .n = POOL };
static struct pool data_pool = { .pages = FSC_DATA / 4096, .n = DATA_POOL };
static struct pool small_pool = { .pages = FSC_SMALL / 4096, .n = POOL };

/* A free area of the pool, made if need be; waits while all are busy. */
static int area_get(struct pool *pl, int *slot)
{
	for (;;) {
		for (int i = 0; i < pl->n; i++) {
			struct area *a = &pl->a[i];
			if (a->busy)
				continue;
			if (!a->rid && ica_create_kernel(pl->pages, &a->rid, &a->kva))
				return -ENOMEM;
			a->busy = 1;
			*slot = i;
			return 0;
		}
		sleep_on(pl, 0);
		struct proc *cur = proc_cur();
		if (cur && proc_aborting(cur))
			return -EINTR;
	}
}

/* lost: the server may still hold it (an abandoned call): let it go (deleted when it comes
 * back) and make its successor now, so the number of areas stays what it was */
static void area_put(struct pool *pl, int slot, int lost)
{
	if (slot < 0)
		return;
	if (lost) {
		ica_free_kernel(pl->a[slot].rid);
		if (ica_create_kernel(pl->pages, &pl->a[slot].rid, &pl->a[slot].kva))
			pl->a[slot].rid = 0;
	}
	pl->a[slot].busy = 0;
	wakeup(pl);
}

/* Every area made at once (the first mount), so that the count of ICAs stays put after. */
static void fill(struct pool *pl)
{
	for (int i = 0; i < pl->n; i++)
		if (!pl->a[i].rid && ica_create_kernel(pl->pages, &pl->a[i].rid, &pl->a[i].kva))
			pl->a[i].rid = 0;
}

void fsc_init(void)
{
	fill(&ctl_pool);
	fill(&data_pool);
	fill(&small_pool);
}

int fsc_begin(struct fsc *k, uint32_t fn, uint64_t handle, const char *name, size_t len,
	      size_t data_bytes)
{
	memset(k, 0, sizeof(*k));
	k->ctl_slot = k->data_slot = -1;
	/* a light call (stat, open, getdents64...) must not wait: it is made again on the full
	 * path, and nothing has changed yet, since every change needs a call to the server */
	if (syscall_in_light())
		return SYSCALL_LIGHT_DECLINED;
	if (len > T_FS_NAME_MAX)
		return -ENAMETOOLONG;
	int err = area_get(&ctl_pool, &k->ctl_slot);
	k->small = data_bytes && data_bytes <= FSC_SMALL;
	struct pool *dp = k->small ? &small_pool : &data_pool;
	if (!err && data_bytes)
		err = area_get(dp, &k->data_slot);
	if (err) {
		fsc_end(k);
		return err;
	}
	k->c = ctl_pool.a[k->ctl_slot].kva;
	k->m.fn = fn;
	k->m.ctl = ctl_pool.a[k->ctl_slot].rid;
	k->m.arg[0] = handle;
	if (data_bytes) {
		k->data = dp->a[k->data_slot].kva;
		k->m.data = dp->a[k->data_slot].rid;
	}
	k->c->name_len = k->c->name2_len = 0;
	if (name) {
		memcpy(k->c->name, name, len);
		k->c->name[len] = '\0';
		k->c->name_len = (uint32_t)len;
	}
	return 0;
}

#define NOT_ANSWERED INT32_MIN     /* a status no server gives: the call did not get through */

int fsc_call(struct fsc *k)
{
	k->m.status = NOT_ANSWERED;
	int err = srv_call_kernel(&k->m);
	if (err == -EINTR && k->m.status == NOT_ANSWERED) {
		area_put(&ctl_pool, k->ctl_slot, 1);
		area_put(k->small ? &small_pool : &data_pool, k->data_slot, 1);
		k->ctl_slot = k->data_slot = -1;
		k->c = NULL;
		k->data = NULL;
		return err;
	}
	/* no server, its queue full: the disk is not there for now. The server's own errors
	 * (-ENOENT for a missing name) pass unchanged. */
	return k->m.status == NOT_ANSWERED && err ? -EIO : err;
}

void fsc_end(struct fsc *k)
{
	area_put(&ctl_pool, k->ctl_slot, 0);
	area_put(k->small ? &small_pool : &data_pool, k->data_slot, 0);
	k->ctl_slot = k->data_slot = -1;
}

int fsc_simple(uint32_t fn, uint64_t handle, uint64_t a1, uint64_t a2, struct t_fs_attr *attr)
{
	struct fsc k;
	int err = fsc_begin(&k, fn, handle, NULL, 0, 0);
	if (err)
		return err;
	k.m.arg[1] = a1;
	k.m.arg[2] = a2;
	err = fsc_call(&k);
	if (!err && attr)
		*attr = k.c->attr;
	fsc_end(&k);
	return err;
}
