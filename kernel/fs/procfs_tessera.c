/* Tessera's own view under /proc/tessera (procfs.h), for shell scripts: what the shell's `res`
 * and `kstat` print, one resource or one value per line.
 *   res/all, res/TYPE  TYPE ID NAME OWNER MODE REFS [reusable], as `res [TYPE]` prints them
 *   reuse              the reusable-resource table: per kind cached/capacity, hits, misses
 *   spaces             each virtual space, its attachments and the pids of its processes
 *   runmodes           each process's running mode (umode/smode), pending switch, switches
 *   counts             free and total pages, then live resources per type
 * Names are shown with bytes that could break a line or a field (controls, space) as '?'. */
#include "kernel/fs/procfs.h"
#include "abi/tessera.h"
#include "kernel/fs/ptext.h"
#include "kernel/lib/string.h"
#include "kernel/mm/pmm.h"
#include "kernel/proc/proc.h"
#include "kernel/proc/runmode.h"
#include "kernel/res/res.h"
#include "kernel/res/reuse.h"

static void put_name(struct ptext *t, const char *name, size_t width)
{
	size_t n = strnlen(name, T_NAME_MAX);
	if (!n) {
		ptext_char(t, '-');
		n = 1;
	}
	for (size_t i = 0; i < n && name[0]; i++) {
		uint8_t c = (uint8_t)name[i];
		ptext_char(t, c <= ' ' || c >= 0x7f ? '?' : (char)c);
	}
	for (; n < width; n++)
		ptext_char(t, ' ');
}

static void put_mode(struct ptext *t, uint32_t mode)
{
	static const char letters[5] = { 'r', 'u', 'm', 'd', 'v' };
	const uint32_t cls[3] = { TMODE_OWNER(mode), TMODE_GROUP(mode), mode & TOP_ALL };
	for (int c = 0; c < 3; c++) {
		for (int i = 0; i < 5; i++)
			ptext_char(t, cls[c] & (1u << i) ? letters[i] : '-');
		if (c < 2)
			ptext_char(t, '/');
	}
}

static void put_type(struct ptext *t, uint32_t type, size_t width)
{
	const char *n = res_type_name(type);
	put_name(t, n ? n : "?", width);
}

static void put_resource(struct ptext *t, const struct t_res_info *in)
{
	put_type(t, in->type, 8);
	ptext_fmt(t, " %016llx ", (unsigned long long)in->rid);
	put_name(t, in->name, 16);
	ptext_fmt(t, " %5u ", in->owner);
	put_mode(t, in->mode);
	for (uint32_t i = 0; i < in->nrefs && i < T_MAX_REFS; i++) {
		ptext_char(t, ' ');
		put_name(t, in->refs[i].role, 0);
		ptext_char(t, '=');
		put_type(t, RID_TYPE(in->refs[i].rid), 0);
		ptext_fmt(t, ":%u", (unsigned)RID_INDEX(in->refs[i].rid));
	}
	ptext_str(t, in->flags & TRF_REUSABLE ? " [reusable]\n" : "\n");
}

static void gen_res(struct ptext *t, uint32_t type)
{
	struct t_res_info in;
	rid_t rid = 0;
	ptext_str(t, "TYPE     ID               NAME             OWNER MODE              REFS\n");
	while (res_next(type, rid, &rid) == 0 && !t->cut)
		if (res_info(rid, &in) == 0)
			put_resource(t, &in);
}

static void gen_reuse(struct ptext *t)
{
	static const char *const kinds[TRU_NKINDS] = { "programs", "spaces", "regions" };
	struct t_reuse_stat st;
	reuse_stat(&st);
	ptext_str(t, "kind     cached capacity hits misses\n");
	for (int k = 0; k < TRU_NKINDS; k++) {
		put_name(t, kinds[k], 8);
		ptext_fmt(t, " %u %u %llu %llu\n", st.cached[k], st.capacity[k],
			  (unsigned long long)st.hits[k], (unsigned long long)st.misses[k]);
	}
	ptext_fmt(t, "evicted %llu\nreclaimed %llu\nin-use-mask %u\n", (unsigned long long)st.evicted,
		  (unsigned long long)st.reclaimed, st.mask);
}

static void gen_spaces(struct ptext *t)
{
	struct t_res_info in;
	struct proc *p;
	rid_t rid = 0;
	ptext_str(t, "SPACE NAME             ATTACHMENTS PIDS\n");
	while (res_next(RT_VSPACE, rid, &rid) == 0 && !t->cut) {
		if (res_info(rid, &in))
			continue;
		ptext_fmt(t, "%5u ", (unsigned)RID_INDEX(rid));
		put_name(t, in.name, 16);
		ptext_fmt(t, " %11llu", (unsigned long long)in.v[0]);
		for (uint32_t i = 0; (p = res_iter(RT_PROCESS, &i));)
			if (p->vspace == rid)
				ptext_fmt(t, " %d", p->pid);
		ptext_char(t, '\n');
	}
}

static void gen_runmodes(struct ptext *t)
{
	struct t_runmode_info rm;
	struct proc *p, *self = proc_cur();
	ptext_str(t, "PID   MODE  PENDING SWITCHES NAME\n");
	for (uint32_t i = 0; (p = res_iter(RT_PROCESS, &i));) {
		if (!self || p->state == TPS_ZOMBIE || runmode_info(self, p, &rm))
			continue;
		ptext_fmt(t, "%-5d %-5s %-7s %8llu ", p->pid, rm.mode == TRM_SMODE ? "smode" : "umode",
			  rm.pending == TRM_NONE ? "-" : rm.pending == TRM_SMODE ? "smode" : "umode",
			  (unsigned long long)rm.switches);
		put_name(t, p->hdr.name, 0);
		ptext_char(t, '\n');
	}
}

static void gen_counts(struct ptext *t)
{
	ptext_fmt(t, "pages_free %llu\npages_total %llu\n", (unsigned long long)pmm_free_pages(),
		  (unsigned long long)pmm_total_pages());
	for (uint32_t type = 1; type < RT_NTYPES; type++) {
		put_type(t, type, 0);
		ptext_fmt(t, " %u\n", res_count(type));
	}
}

void procfs_gen_tessera(const struct procfs_node *n, struct ptext *t)
{
	switch (n->kind) {
	case PN_T_RESTYPE:
		gen_res(t, n->arg);
		break;
	case PN_T_REUSE:
		gen_reuse(t);
		break;
	case PN_T_SPACES:
		gen_spaces(t);
		break;
	case PN_T_RUNMODES:
		gen_runmodes(t);
		break;
	case PN_T_COUNTS:
		gen_counts(t);
		break;
	}
}
