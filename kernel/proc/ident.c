/*
 * Real, effective, saved and file-system ids (ident.h), with Linux's rules for who may set
 * which. A change of the real uid moves the process's count for RLIMIT_NPROC (ulimit.h); the
 * process resource's owner and group follow the effective ids, so its rights on itself (and
 * Tessera's resource checks) go with the identity it acts under.
 */
#include "kernel/proc/ident.h"
#include "abi/errno.h"
#include "abi/linux.h"
#include "kernel/fs/plate.h"
#include "kernel/proc/proc.h"
#include "kernel/proc/program.h"
#include "kernel/proc/ulimit.h"

static bool privileged(const struct proc *p)
{
	return p->ids.euid == 0;
}

/* One of the three current uids (or gids): what an unprivileged process may pick from. */
static bool one_of(uint32_t id, uint32_t a, uint32_t b, uint32_t c)
{
	return id == IDENT_KEEP || id == a || id == b || id == c;
}

static uint32_t pick(uint32_t want, uint32_t old)
{
	return want == IDENT_KEEP ? old : want;
}

void ident_set_all(struct proc *p, uint32_t uid, uint32_t gid)
{
	p->ids = (struct proc_ids){ uid, uid, uid, gid, gid, gid };
	p->cred = (struct cred){ .uid = uid, .gid = gid };
	p->hdr.owner = uid;
	p->hdr.group = gid;
}

/* Make the uids r, e, s (fs uid = e); the real uid's process count moves first, once for
 * the process and once per further thread, and only the first move can fail. */
static int apply_uids(struct proc *p, uint32_t r, uint32_t e, uint32_t s)
{
	if (r != p->ids.ruid) {
		int err = ulimit_uid_move(p->ids.ruid, r);
		if (err)
			return err;
		for (uint32_t i = 1; i < p->nthreads; i++)
			ulimit_uid_move(p->ids.ruid, r);
	}
	p->ids.ruid = r, p->ids.euid = e, p->ids.suid = s;
	p->cred.uid = e;
	p->hdr.owner = e;
	return 0;
}

static int apply_gids(struct proc *p, uint32_t r, uint32_t e, uint32_t s)
{
	p->ids.rgid = r, p->ids.egid = e, p->ids.sgid = s;
	p->cred.gid = e;
	p->hdr.group = e;
	return 0;
}

int ident_setuid(struct proc *p, uint32_t uid)
{
	const struct proc_ids *i = &p->ids;
	if (privileged(p))
		return apply_uids(p, uid, uid, uid);
	if (uid != i->ruid && uid != i->suid)
		return -EPERM;
	return apply_uids(p, i->ruid, uid, i->suid);
}

int ident_setgid(struct proc *p, uint32_t gid)
{
	const struct proc_ids *i = &p->ids;
	if (privileged(p))
		return apply_gids(p, gid, gid, gid);
	if (gid != i->rgid && gid != i->sgid)
		return -EPERM;
	return apply_gids(p, i->rgid, gid, i->sgid);
}

/* setreuid's rule for the saved id: it becomes the new effective id when the real id is set,
 * or the effective id is set to something other than the old real id. */
static uint32_t re_saved(uint32_t r, uint32_t e, uint32_t old_r, uint32_t new_e, uint32_t old_s)
{
	return r != IDENT_KEEP || (e != IDENT_KEEP && e != old_r) ? new_e : old_s;
}

int ident_setreuid(struct proc *p, uint32_t r, uint32_t e)
{
	const struct proc_ids *i = &p->ids;
	if (!privileged(p) && (!one_of(r, i->ruid, i->euid, i->euid) ||
			       !one_of(e, i->ruid, i->euid, i->suid)))
		return -EPERM;
	uint32_t ne = pick(e, i->euid);
	return apply_uids(p, pick(r, i->ruid), ne, re_saved(r, e, i->ruid, ne, i->suid));
}

int ident_setregid(struct proc *p, uint32_t r, uint32_t e)
{
	const struct proc_ids *i = &p->ids;
	if (!privileged(p) && (!one_of(r, i->rgid, i->egid, i->egid) ||
			       !one_of(e, i->rgid, i->egid, i->sgid)))
		return -EPERM;
	uint32_t ne = pick(e, i->egid);
	return apply_gids(p, pick(r, i->rgid), ne, re_saved(r, e, i->rgid, ne, i->sgid));
}

int ident_setresuid(struct proc *p, uint32_t r, uint32_t e, uint32_t s)
{
	const struct proc_ids *i = &p->ids;
	if (!privileged(p) && (!one_of(r, i->ruid, i->euid, i->suid) ||
			       !one_of(e, i->ruid, i->euid, i->suid) ||
			       !one_of(s, i->ruid, i->euid, i->suid)))
		return -EPERM;
	return apply_uids(p, pick(r, i->ruid), pick(e, i->euid), pick(s, i->suid));
}

int ident_setresgid(struct proc *p, uint32_t r, uint32_t e, uint32_t s)
{
	const struct proc_ids *i = &p->ids;
	if (!privileged(p) && (!one_of(r, i->rgid, i->egid, i->sgid) ||
			       !one_of(e, i->rgid, i->egid, i->sgid) ||
			       !one_of(s, i->rgid, i->egid, i->sgid)))
		return -EPERM;
	return apply_gids(p, pick(r, i->rgid), pick(e, i->egid), pick(s, i->sgid));
}

uint32_t ident_setfsuid(struct proc *p, uint32_t fsuid)
{
	uint32_t old = p->cred.uid;
	const struct proc_ids *i = &p->ids;
	if (fsuid != IDENT_KEEP &&
	    (privileged(p) || one_of(fsuid, i->ruid, i->euid, i->suid) || fsuid == old))
		p->cred.uid = fsuid;
	return old;
}

uint32_t ident_setfsgid(struct proc *p, uint32_t fsgid)
{
	uint32_t old = p->cred.gid;
	const struct proc_ids *i = &p->ids;
	if (fsgid != IDENT_KEEP &&
	    (privileged(p) || one_of(fsgid, i->rgid, i->egid, i->sgid) || fsgid == old))
		p->cred.gid = fsgid;
	return old;
}

bool ident_uid_may_signal(uint32_t uid, const struct proc *to)
{
	return uid == 0 || uid == to->ids.ruid || uid == to->ids.suid;
}

bool ident_may_signal(const struct proc *from, const struct proc *to)
{
	return from == to || privileged(from) || ident_uid_may_signal(from->ids.ruid, to) ||
	       ident_uid_may_signal(from->ids.euid, to);
}

void ident_exec(struct proc *p, rid_t program)
{
	struct linux_stat st;
	rid_t plate = program_plate(program);
	uint32_t euid = p->ids.euid, egid = p->ids.egid;
	if (plate && plate_stat(plate, &st) == 0) {
		if (st.st_mode & L_S_ISUID)
			euid = st.st_uid;
		if ((st.st_mode & L_S_ISGID) && (st.st_mode & 0010))
			egid = st.st_gid;     /* without group execute it marks locking (Linux) */
	}
	/* the real uid does not change, so this cannot fail */
	apply_uids(p, p->ids.ruid, euid, euid);
	apply_gids(p, p->ids.rgid, egid, egid);
}

struct cred ident_real_cred(const struct proc *p)
{
	struct cred c = p->cred;          /* the supplementary groups stay, as on Linux */
	c.uid = p->ids.ruid;
	c.gid = p->ids.rgid;
	return c;
}
