/* Per-process resource limits, per-user process counts and root's reserve (see ulimit.h). */
#include "kernel/proc/ulimit.h"
#include "abi/errno.h"
#include "kernel/lib/kprintf.h"
#include "kernel/lib/string.h"
#include "kernel/mm/pmm.h"
#include "kernel/mm/vattach.h"
#include "kernel/mm/vregion.h"
#include "kernel/proc/procmem.h"

#define PAGE_BYTES 4096ull

/* Live processes per non-root real uid (root is not counted: it has no RLIMIT_NPROC). A
 * slot is free when its count is 0. Sixty-four distinct users at once are plenty for this
 * system; the 65th gets -EAGAIN. */
static struct {
	uint32_t uid;
	uint32_t procs;
} users[ULIMIT_USERS];

/* The slot counting uid; with make, a free one if there is none (NULL if all are taken). */
static uint32_t *count_of(uint32_t uid, bool make)
{
	int free_slot = -1;
	for (int i = 0; i < ULIMIT_USERS; i++) {
		if (users[i].procs && users[i].uid == uid)
			return &users[i].procs;
		if (!users[i].procs && free_slot < 0)
			free_slot = i;
	}
	if (!make || free_slot < 0)
		return NULL;
	users[free_slot].uid = uid;
	return &users[free_slot].procs;
}

/* The page allocator asks this before it hands out one of root's reserved pages. */
static bool may_use_reserve(void)
{
	struct proc *p = proc_cur();
	return !p || p->cred.uid == 0;
}

void ulimit_init(void)
{
	uint64_t reserve = pmm_total_pages() / ULIMIT_RESERVE_DIV;
	pmm_set_reserve(reserve < ULIMIT_RESERVE_MIN ? ULIMIT_RESERVE_MIN : reserve,
			may_use_reserve);
}

void ulimit_inherit(struct proc *p, const struct proc *parent)
{
	if (parent) {
		memcpy(p->rlim, parent->rlim, sizeof(p->rlim));
		return;
	}
	for (int i = 0; i < L_RLIMIT_NLIMITS; i++)
		p->rlim[i] = (struct linux_rlimit){ L_RLIM_INFINITY, L_RLIM_INFINITY };
	p->rlim[L_RLIMIT_STACK].cur = STACK_SIZE;
	p->rlim[L_RLIMIT_NOFILE] = (struct linux_rlimit){ NFD_DEFAULT, NFD_MAX };
	p->rlim[L_RLIMIT_NPROC] = (struct linux_rlimit){ ULIMIT_NPROC_DEFAULT, ULIMIT_NPROC_DEFAULT };
}

int ulimit_nproc_charge(const struct proc *creator)
{
	if (!creator || creator->ids.ruid == 0)
		return 0;                       /* root's processes are not counted */
	uint32_t *n = count_of(creator->ids.ruid, true);
	/* counted by real uid; an effective root is exempt from the limit, as Linux */
	if (!n || (*n >= creator->rlim[L_RLIMIT_NPROC].cur && creator->ids.euid != 0))
		return -EAGAIN;
	(*n)++;
	return 0;
}

void ulimit_nproc_uncharge(uint32_t uid)
{
	if (uid == 0)
		return;
	uint32_t *n = count_of(uid, false);
	if (!n)
		panic("ulimit_nproc_uncharge: uid %u has no process counted", uid);
	(*n)--;
}

int ulimit_uid_move(uint32_t from, uint32_t to)
{
	if (from == to)
		return 0;
	/* as Linux's setuid, the new user's limit is not checked here: root chose to do this */
	uint32_t *n = to ? count_of(to, true) : NULL;
	if (to && !n)
		return -EAGAIN;
	if (n)
		(*n)++;
	ulimit_nproc_uncharge(from);
	return 0;
}

int ulimit_prlimit(struct proc *p, const struct cred *by, uint32_t res,
		   const struct linux_rlimit *nl, struct linux_rlimit *old)
{
	if (by->uid != 0 && by->uid != p->ids.ruid)
		return -EPERM;
	if (nl && nl->max > p->rlim[res].max && by->uid != 0)
		return -EPERM;                  /* only root raises a hard limit */
	if (nl && res == L_RLIMIT_NOFILE && nl->max > NFD_MAX)
		return -EPERM;                  /* the descriptor table holds at most NFD_MAX */
	if (old)
		*old = p->rlim[res];
	if (!nl)
		return 0;
	p->rlim[res] = *nl;
	if (res == L_RLIMIT_NOFILE)
		p->fds.limit = (int)nl->cur;    /* open descriptors above it stay, as in Linux */
	return 0;
}

static uint64_t page_round(uint64_t bytes)
{
	return (bytes + PAGE_BYTES - 1) & ~(PAGE_BYTES - 1);
}

/* p's address space (the heap counts as far as its break) and, of that, its private
 * writable memory (Linux's RLIMIT_DATA: data, BSS, heap and writable private mappings). */
static void usage(const struct proc *p, uint64_t *as, uint64_t *data)
{
	*as = *data = 0;
	for (int i = 0; i < p->att_end; i++) {
		rid_t att = p->att[i];
		if (!att)
			continue;
		rid_t region = vattach_region(att);
		uint32_t kind = vregion_kind(region);
		uint64_t size = att == p->heap_att ? page_round(p->brk_cur - p->brk_start)
						   : vattach_size(att);
		*as += size;
		if (kind == TRK_DATA || kind == TRK_BSS || kind == TRK_HEAP ||
		    (kind == TRK_MMAP && (vregion_prot(region) & VR_W)))
			*data += size;
	}
}

int ulimit_mem_check(const struct proc *p, uint64_t bytes, bool data)
{
	uint64_t as, ds;
	bytes = page_round(bytes);
	usage(p, &as, &ds);
	if (as + bytes > p->rlim[L_RLIMIT_AS].cur || as + bytes < as)
		return -ENOMEM;
	if (data && (ds + bytes > p->rlim[L_RLIMIT_DATA].cur || ds + bytes < ds))
		return -ENOMEM;
	/* the pages themselves come at first touch; refusing here what could only come out of
	 * root's reserve gives the program ENOMEM instead of a fault later. The margin covers
	 * the translation tables and radix pages that map them. */
	uint64_t pages = bytes / PAGE_BYTES;
	if (p->cred.uid != 0 && !pmm_user_room(pages + pages / 256 + 8))
		return -ENOMEM;
	return 0;
}
