/* The per-process files of /proc (procfs.h), field by field in Linux's formats (proc(5)): what
 * ps, top, pidof and killall read, and the same per thread under /proc/PID/task/TID.
 * Processor time is the accounting of cputime.h (user and system time apart, children's
 * added when they are reaped); priorities 0..7 show as nice values (priority - 4) * 5, so
 * the default priority is nice 0. */
#include "kernel/fs/procfs.h"
#include "abi/linux.h"
#include "abi/vdso.h"
#include "arch/paging.h"
#include "arch/timer.h"
#include "kernel/fs/pathbuf.h"
#include "kernel/fs/plate.h"
#include "kernel/fs/ptext.h"
#include "kernel/lib/string.h"
#include "kernel/mm/vattach.h"
#include "kernel/net/netinfo.h"
#include "kernel/mm/vregion.h"
#include "kernel/proc/args.h"
#include "kernel/proc/cputime.h"
#include "kernel/proc/exec.h"
#include "kernel/proc/ctty.h"
#include "kernel/proc/proc.h"
#include "kernel/proc/thread.h"
#include "kernel/proc/program.h"
#include "kernel/proc/vdso.h"

#define USER_HZ 100u
#define KB(pages) ((pages) * (PAGE_SIZE / 1024))

/* What the process's memory holds, by kind (sizes in pages). */
struct memsum {
	uint64_t size, resident, text, text_res, data, stack, start_code, end_code, start_stack;
};

/* An attachment's range as Linux would show it: the heap's region is reserved up to the
 * largest break allowed, but only the part below the current break counts (Linux's brk VMA
 * ends there), so VSZ and maps do not show 256 MiB of heap for every process. */
static bool shown_range(const struct proc *p, rid_t att, uint64_t *addr, uint64_t *size)
{
	if (!vattach_range(att, addr, size))
		return false;
	if (att == p->heap_att && p->brk_cur >= p->brk_start) {
		uint64_t used = (p->brk_cur - p->brk_start + PAGE_SIZE - 1) & ~(uint64_t)(PAGE_SIZE - 1);
		*size = used < *size ? used : *size;
	}
	return true;
}

static void add_att(struct memsum *m, const struct proc *p, rid_t att)
{
	uint64_t addr, size;
	rid_t region = vattach_region(att);
	if (!shown_range(p, att, &addr, &size) || !region)
		return;
	uint64_t pages = size / PAGE_SIZE, res = vregion_resident(region);
	m->size += pages;
	m->resident += res;
	switch (vregion_kind(region)) {
	case TRK_TEXT:
		m->text += pages;
		m->text_res += res;
		if (!m->start_code || addr < m->start_code)
			m->start_code = addr;
		if (addr + size > m->end_code)
			m->end_code = addr + size;
		break;
	case TRK_STACK:
		m->stack += pages;
		m->start_stack = addr + size;
		break;
	default:
		m->data += pages;
	}
}

static void mem_of(const struct proc *p, struct memsum *m)
{
	memset(m, 0, sizeof(*m));
	for (int i = 0; i < p->att_end; i++)
		if (p->att[i])
			add_att(m, p, p->att[i]);
}

/* The state of execution e of p (for the process: its first one). */
static char state_letter(const struct proc *p, rid_t e)
{
	if (p->state == TPS_ZOMBIE)
		return 'Z';
	if (p->stopped)
		return 'T';
	switch (exec_visible_state(e)) {
	case TPS_BLOCKED:
		return 'S';
	case TPS_ZOMBIE:
		return 'Z';
	default:
		return 'R';
	}
}

static const char *state_name(char c)
{
	return c == 'R' ? "R (running)" : c == 'S' ? "S (sleeping)" : c == 'T' ? "T (stopped)"
								      : "Z (zombie)";
}

static int nice_of(const struct proc *p)
{
	return (exec_get_prio(p->exec) - EXEC_DEFAULT_PRIO) * 5;
}

/* Linux's comm: the name, at most 15 bytes. */
static void put_comm(struct ptext *t, const struct proc *p)
{
	ptext_put(t, p->hdr.name, strnlen(p->hdr.name, 15));
}

static uint64_t clock_ticks(uint64_t ns)
{
	return ns / (1000000000ull / USER_HZ);
}

/* The blocked signals of execution e (masks are per thread: kernel/proc/thread.h). */
static uint64_t blocked_mask(rid_t e)
{
	const struct thread *th = e ? thread_of(e) : NULL;
	return th ? th->sig_mask : 0;
}

/* Signals by disposition: ignored (handler 1) and caught (a function). */
static void sig_sets(const struct proc *p, uint64_t *ign, uint64_t *caught)
{
	*ign = *caught = 0;
	for (int s = 1; s <= 64; s++) {
		if (p->sig[s].handler == 1)
			*ign |= 1ull << (s - 1);
		else if (p->sig[s].handler > 1)
			*caught |= 1ull << (s - 1);
	}
}

/* The view one file gives: the whole process, or one of its threads (task/TID). */
struct view {
	struct proc *p;
	rid_t exec;                /* the thread, or the process's first execution (0: none) */
	int id;                    /* the thread id, or the pid */
	struct cputime cpu;        /* the thread's, or the process's */
};

/* What a file shows: the files of /proc/PID/task/TID one thread, those of /proc/PID the
 * process, and those of /proc/TID (a thread that is not the first) the process as seen from
 * that thread: its id and state, the whole process's times (Linux's). */
static void view_of(const struct procfs_node *n, struct proc *p, struct view *v)
{
	bool thread = procfs_per_thread(n->kind);
	v->p = p;
	v->exec = n->tid ? thread_by_tid(n->tid) : p->exec;
	if (n->tid && v->exec && exec_proc(v->exec) != p->hdr.rid)
		v->exec = 0;                 /* ended since the lookup (its id taken again) */
	v->id = n->tid ? n->tid : p->pid;
	if (thread)
		cputime_exec(v->exec, &v->cpu);
	else
		cputime_proc(p, &v->cpu);
}

static void gen_stat(struct ptext *t, const struct view *v)
{
	struct memsum m;
	uint64_t ign, caught;
	const struct proc *p = v->p;
	mem_of(p, &m);
	sig_sets(p, &ign, &caught);
	int nice = nice_of(p);
	ptext_fmt(t, "%d (", v->id);
	put_comm(t, p);
	ptext_fmt(t, ") %c %d %d %d %d %d 4194304 %llu %llu 0 0 ", state_letter(p, v->exec),
		  p->ppid, p->pgid, p->sid, ctty_nr(p), ctty_tpgid(p), (unsigned long long)v->cpu.minflt,
		  (unsigned long long)p->cpu_children.minflt);
	ptext_fmt(t, "%llu %llu %llu %llu ", (unsigned long long)clock_ticks(v->cpu.utime_ns),
		  (unsigned long long)clock_ticks(v->cpu.stime_ns),
		  (unsigned long long)clock_ticks(p->cpu_children.utime_ns),
		  (unsigned long long)clock_ticks(p->cpu_children.stime_ns));
	ptext_fmt(t, "%d %d %u 0 %llu ", 20 + nice, nice, p->nthreads ? p->nthreads : 1,
		  (unsigned long long)clock_ticks(p->start_ns));
	ptext_fmt(t, "%llu %llu 18446744073709551615 %llu %llu %llu 0 0 ",
		  (unsigned long long)(m.size * PAGE_SIZE), (unsigned long long)m.resident,
		  (unsigned long long)m.start_code, (unsigned long long)m.end_code,
		  (unsigned long long)m.start_stack);
	ptext_fmt(t, "%llu %llu %llu %llu 0 0 0 17 0 0 0 0 0 0 ",
		  (unsigned long long)(p->sig_pending & 0x7fffffffffffffffull),
		  (unsigned long long)blocked_mask(v->exec), (unsigned long long)ign,
		  (unsigned long long)caught);
	ptext_fmt(t, "%llu %llu %llu 0 0 0 0 %d\n", 0ull, 0ull,
		  (unsigned long long)p->brk_start, p->state == TPS_ZOMBIE ? p->exit_status : 0);
}

static void vm_line(struct ptext *t, const char *name, uint64_t pages)
{
	ptext_fmt(t, "%s:\t%8llu kB\n", name, (unsigned long long)KB(pages));
}

static void gen_status_mem(struct ptext *t, const struct proc *p)
{
	struct memsum m;
	mem_of(p, &m);
	vm_line(t, "VmPeak", m.size);
	vm_line(t, "VmSize", m.size);
	vm_line(t, "VmLck", 0);
	vm_line(t, "VmPin", 0);
	vm_line(t, "VmHWM", m.resident);
	vm_line(t, "VmRSS", m.resident);
	vm_line(t, "RssAnon", m.resident - m.text_res);
	vm_line(t, "RssFile", m.text_res);
	vm_line(t, "RssShmem", 0);
	vm_line(t, "VmData", m.data);
	vm_line(t, "VmStk", m.stack);
	vm_line(t, "VmExe", m.text);
	vm_line(t, "VmLib", 0);
	vm_line(t, "VmPTE", 0);
	vm_line(t, "VmSwap", 0);
}

static void gen_status(struct ptext *t, const struct view *v)
{
	uint64_t ign, caught;
	const struct proc *p = v->p;
	char c = state_letter(p, v->exec);
	const struct cred *cr = &p->cred;
	const struct proc_ids *i = &p->ids;
	ptext_str(t, "Name:\t");
	put_comm(t, p);
	ptext_fmt(t, "\nUmask:\t0%u%u%u\n", (p->umask >> 6) & 7, (p->umask >> 3) & 7, p->umask & 7);
	ptext_fmt(t, "State:\t%s\nTgid:\t%d\nNgid:\t0\nPid:\t%d\nPPid:\t%d\nTracerPid:\t0\n",
		  state_name(c), p->pid, v->id, p->ppid);
	/* real, effective, saved, file system (ident.h) */
	ptext_fmt(t, "Uid:\t%u\t%u\t%u\t%u\n", i->ruid, i->euid, i->suid, cr->uid);
	ptext_fmt(t, "Gid:\t%u\t%u\t%u\t%u\n", i->rgid, i->egid, i->sgid, cr->gid);
	int fdsize = 64;                     /* as Linux: 64, doubled as descriptors need */
	while (fdsize < p->fds.top)
		fdsize *= 2;
	ptext_fmt(t, "FDSize:\t%d\nGroups:\t", fdsize);
	for (uint32_t i = 0; i < p->cred.ngroups && i < PROC_NGROUPS; i++)
		ptext_fmt(t, "%u ", p->cred.groups[i]);
	ptext_char(t, '\n');
	ptext_fmt(t, "NStgid:\t%d\nNSpid:\t%d\nNSpgid:\t%d\nNSsid:\t%d\n", p->pid, v->id, p->pgid,
		  p->sid);
	if (c != 'Z')
		gen_status_mem(t, p);
	sig_sets(p, &ign, &caught);
	ptext_fmt(t, "Threads:\t%u\nSigQ:\t0/%llu\nSigPnd:\t%016llx\nShdPnd:\t0000000000000000\n",
		  p->nthreads ? p->nthreads : 1, (unsigned long long)p->rlim[11 /* RLIMIT_SIGPENDING */].cur,
		  (unsigned long long)p->sig_pending);
	ptext_fmt(t, "SigBlk:\t%016llx\nSigIgn:\t%016llx\nSigCgt:\t%016llx\n",
		  (unsigned long long)blocked_mask(v->exec), (unsigned long long)ign,
		  (unsigned long long)caught);
	const char *caps = cr->uid == 0 ? "000001ffffffffff" : "0000000000000000";
	ptext_str(t, "CapInh:\t0000000000000000\nCapPrm:\t");
	ptext_str(t, caps);
	ptext_str(t, "\nCapEff:\t");
	ptext_str(t, caps);
	ptext_str(t, "\nCapBnd:\t000001ffffffffff\nCapAmb:\t0000000000000000\nNoNewPrivs:\t0\n"
		     "Seccomp:\t0\n");
	ptext_fmt(t, "voluntary_ctxt_switches:\t%llu\nnonvoluntary_ctxt_switches:\t%llu\n",
		  (unsigned long long)v->cpu.nvcsw, (unsigned long long)v->cpu.nivcsw);
}

static void gen_statm(struct ptext *t, const struct proc *p)
{
	struct memsum m;
	mem_of(p, &m);
	ptext_fmt(t, "%llu %llu %llu %llu 0 %llu 0\n", (unsigned long long)m.size,
		  (unsigned long long)m.resident, (unsigned long long)m.text_res,
		  (unsigned long long)m.text, (unsigned long long)(m.data + m.stack));
}

/* argv (cmdline) or envp (environ) as the process was started with them, each string ending
 * in a NUL; empty for a zombie, as on Linux. */
static void gen_vector(struct ptext *t, const struct proc *p, bool env)
{
	size_t off, len, piece;
	if (!p->args || p->state == TPS_ZOMBIE)
		return;
	args_span(p->args, env, &off, &len);
	for (; len; off += piece, len -= piece) {
		const char *s = args_at(p->args, off, &piece);
		piece = piece < len ? piece : len;
		ptext_put(t, s, piece);
	}
}

/* ---- maps ---------------------------------------------------------------------------- */

/* The attachment with the lowest address above after (0: the lowest), or 0. */
static rid_t next_att(const struct proc *p, uint64_t after, bool first)
{
	rid_t best = 0;
	uint64_t best_addr = 0, addr, size;
	for (int i = 0; i < p->att_end; i++) {
		if (!p->att[i] || !vattach_range(p->att[i], &addr, &size))
			continue;
		if ((first || addr > after) && (!best || addr < best_addr)) {
			best = p->att[i];
			best_addr = addr;
		}
	}
	return best;
}

static void maps_name(struct ptext *t, const struct proc *p, uint32_t kind, size_t col)
{
	const char *name = NULL;
	char *path = NULL;
	rid_t plate = p->program ? program_plate(p->program) : 0;
	if ((kind == TRK_TEXT || kind == TRK_DATA) && plate && (path = pathbuf_get()) &&
	    plate_path(plate, path, PATH_BUF) > 0)
		name = path;
	else if (kind == TRK_HEAP)
		name = "[heap]";
	else if (kind == TRK_STACK)
		name = "[stack]";
	for (; name && col < 73; col++)
		ptext_char(t, ' ');
	if (name)
		ptext_str(t, name);
	pathbuf_put(path);
}

/* The kernel's own mappings in every space, as Linux names them: the vDSO's data page
 * ([vvar]) and image ([vdso]), kernel/proc/vdso.c. */
static void special_line(struct ptext *t, uint64_t addr, uint64_t size, const char *perm,
			 const char *name)
{
	size_t before = t->len;
	ptext_fmt(t, "%08llx-%08llx %s 00000000 00:00 0 ", (unsigned long long)addr,
		  (unsigned long long)(addr + size), perm);
	for (size_t col = t->len - before; col < 73; col++)
		ptext_char(t, ' ');
	ptext_str(t, name);
	ptext_char(t, '\n');
}

/* The special mappings below address limit not printed yet (*done counts them). */
static void specials_below(struct ptext *t, uint64_t limit, int *done)
{
	if (*done == 0 && VDSO_DATA_ADDR < limit) {
		special_line(t, VDSO_DATA_ADDR, PAGE_SIZE, "r--p", "[vvar]");
		(*done)++;
	}
	if (*done == 1 && VDSO_TEXT_ADDR < limit) {
		special_line(t, VDSO_TEXT_ADDR, (uint64_t)vdso_pages() * PAGE_SIZE, "r-xp", "[vdso]");
		(*done)++;
	}
}

static void gen_maps(struct ptext *t, const struct proc *p)
{
	uint64_t addr = 0, size;
	int specials = 0;
	for (rid_t a = next_att(p, 0, true); a; a = next_att(p, addr, false)) {
		rid_t region = vattach_region(a);
		if (!shown_range(p, a, &addr, &size) || !region)
			break;
		if (!size)
			continue;                   /* a heap with nothing below the break yet */
		specials_below(t, addr, &specials);
		uint32_t prot = vregion_prot(region), kind = vregion_kind(region);
		rid_t plate = p->program ? program_plate(p->program) : 0;
		bool file = (kind == TRK_TEXT || kind == TRK_DATA) && plate;
		size_t before = t->len;
		ptext_fmt(t, "%08llx-%08llx %c%c%cp 00000000 00:%02x %llu ", (unsigned long long)addr,
			  (unsigned long long)(addr + size), prot & TR_READ ? 'r' : '-',
			  prot & TR_WRITE ? 'w' : '-', prot & TR_EXEC ? 'x' : '-', file ? 1 : 0,
			  (unsigned long long)(file ? plate_ino(plate) : 0));
		maps_name(t, p, kind, t->len - before);
		ptext_char(t, '\n');
	}
	specials_below(t, UINT64_MAX, &specials);
	/* the legacy page: calls into it are emulated, reads fault (Linux's vsyscall=xonly) */
	special_line(t, VSYSCALL_ADDR, PAGE_SIZE, "--xp", "[vsyscall]");
}

void procfs_gen_pid(const struct procfs_node *n, struct proc *p, struct ptext *t)
{
	struct view v;
	view_of(n, p, &v);
	switch (n->kind) {
	case PN_P_STAT:
	case PN_TID_STAT:
		gen_stat(t, &v);
		break;
	case PN_P_STATUS:
	case PN_TID_STATUS:
		gen_status(t, &v);
		break;
	case PN_P_STATM:
		gen_statm(t, p);
		break;
	case PN_P_CMDLINE:
		gen_vector(t, p, false);
		break;
	case PN_P_ENVIRON:
		gen_vector(t, p, true);
		break;
	case PN_P_COMM:
	case PN_TID_COMM:
		put_comm(t, p);
		ptext_char(t, '\n');
		break;
	case PN_P_MAPS:
		if (p->state != TPS_ZOMBIE)
			gen_maps(t, p);
		break;
	case PN_NET_DEV:
	case PN_NET_ROUTE:
	case PN_NET_TCP:
	case PN_NET_UDP:
	case PN_NET_UNIX:
	case PN_NET_ARP:
	case PN_NET_TCP6:
	case PN_NET_UDP6:
		/* asks the network server: may sleep, so the text is made again from empty */
		ptext_reset(t);
		netinfo_text((enum netinfo_file)(n->kind - PN_NET_DEV), t);
		break;
	}
}
