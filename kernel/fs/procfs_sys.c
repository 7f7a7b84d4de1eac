/* The system-wide files of /proc (procfs.h) in Linux's formats: memory (the same numbers
 * sysinfo(2) gives, so free's columns agree), processor time, uptime, load, the mounted file
 * systems (fsinfo.h: df and mount read them), the processor, and the system's names. */
#include "kernel/fs/procfs.h"
#include "abi/linux.h"
#include "arch/paging.h"
#include "arch/timer.h"
#include "kernel/fs/fsinfo.h"
#include "kernel/fs/ptext.h"
#include "kernel/lib/string.h"
#include "kernel/mm/pmm.h"
#include "kernel/proc/cputime.h"
#include "kernel/proc/exec.h"
#include "kernel/proc/loadavg.h"
#include "kernel/proc/proc.h"
#include "kernel/proc/uts.h"
#include "kernel/res/res.h"

#define USER_HZ 100u
#define NS_PER_TICK (1000000000ull / USER_HZ)

static void mem_line(struct ptext *t, const char *name, uint64_t kb)
{
	size_t n = strlen(name);
	ptext_str(t, name);
	ptext_char(t, ':');
	for (; n < 15; n++)
		ptext_char(t, ' ');
	ptext_fmt(t, "%8llu kB\n", (unsigned long long)kb);
}

static void gen_meminfo(struct ptext *t)
{
	struct fsinfo_mem m;
	fsinfo_mem(&m);
	mem_line(t, "MemTotal", m.total_kb);
	mem_line(t, "MemFree", m.free_kb);
	mem_line(t, "MemAvailable", m.free_kb);
	mem_line(t, "Buffers", 0);
	mem_line(t, "Cached", m.shared_kb);
	mem_line(t, "SwapCached", 0);
	mem_line(t, "Active", m.total_kb - m.free_kb);
	mem_line(t, "Inactive", 0);
	mem_line(t, "SwapTotal", 0);
	mem_line(t, "SwapFree", 0);
	mem_line(t, "Dirty", 0);
	mem_line(t, "Shmem", m.shared_kb);
	mem_line(t, "Slab", 0);
	mem_line(t, "SReclaimable", 0);
	mem_line(t, "SUnreclaim", 0);
	mem_line(t, "CommitLimit", m.total_kb);
}

/* Processor time in clock ticks (cputime.h): user, system and idle. */
static void cpu_times(uint64_t *user, uint64_t *sys, uint64_t *idle)
{
	uint64_t u, s, i;
	cputime_system(&u, &s, &i);
	*user = u / NS_PER_TICK;
	*sys = s / NS_PER_TICK;
	*idle = i / NS_PER_TICK;
}

static void gen_stat(struct ptext *t)
{
	uint64_t user, sys, idle, avg[3];
	uint32_t running;
	cpu_times(&user, &sys, &idle);
	loadavg_get(avg, &running);
	for (int cpu = -1; cpu < 1; cpu++) {
		ptext_str(t, cpu < 0 ? "cpu  " : "cpu0 ");
		ptext_fmt(t, "%llu 0 %llu %llu 0 0 0 0 0 0\n", (unsigned long long)user,
			  (unsigned long long)sys, (unsigned long long)idle);
	}
	uint64_t boot = (time_realtime_ns() - time_ns()) / 1000000000ull;
	ptext_fmt(t, "intr 0\nctxt %llu\nbtime %llu\nprocesses %llu\n",
		  (unsigned long long)cputime_switches(), (unsigned long long)boot,
		  (unsigned long long)proc_created());
	ptext_fmt(t, "procs_running %u\nprocs_blocked 0\nsoftirq 0 0 0 0 0 0 0 0 0 0 0\n",
		  running);
}

static void gen_uptime(struct ptext *t)
{
	uint64_t user, sys, idle, up = time_ns() / NS_PER_TICK;
	cpu_times(&user, &sys, &idle);
	ptext_fmt(t, "%llu.%02llu %llu.%02llu\n", (unsigned long long)(up / 100),
		  (unsigned long long)(up % 100), (unsigned long long)(idle / 100),
		  (unsigned long long)(idle % 100));
}

static void gen_loadavg(struct ptext *t)
{
	uint64_t avg[3];
	uint32_t running;
	loadavg_get(avg, &running);
	for (int i = 0; i < 3; i++) {
		uint64_t a = avg[i] + LOADAVG_FIXED_1 / 200;          /* rounded as Linux does */
		ptext_fmt(t, "%llu.%02llu ", (unsigned long long)(a >> LOADAVG_FSHIFT),
			  (unsigned long long)(((a & (LOADAVG_FIXED_1 - 1)) * 100) >> LOADAVG_FSHIFT));
	}
	ptext_fmt(t, "%u/%u %d\n", running, res_count(RT_EXEC) - 1, proc_last_pid());
}

static void gen_mounts(struct ptext *t)
{
	struct fsinfo_mount m;
	for (uint32_t i = 0; fsinfo_mount_at(i, &m); i++) {
		ptext_str(t, m.source);
		ptext_char(t, ' ');
		ptext_str(t, m.dir);
		ptext_char(t, ' ');
		ptext_str(t, m.type);
		ptext_str(t, m.rdonly ? " ro" : " rw");
		ptext_str(t, m.options);
		ptext_str(t, " 0 0\n");
	}
}

static void gen_filesystems(struct ptext *t)
{
	ptext_str(t, "nodev\trootfs\nnodev\ttmpfs\nnodev\tdevtmpfs\nnodev\tproc\n\text2\n");
}

static void cpuid(uint32_t leaf, uint32_t r[4])
{
	__asm__ volatile("cpuid" : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3]) : "a"(leaf), "c"(0));
}

/* Feature names of CPUID leaf 1 (edx bits, then ecx bits), in /proc/cpuinfo's spelling. */
static void cpu_flags(struct ptext *t, uint32_t edx, uint32_t ecx)
{
	static const char *const e[32] = { "fpu", "vme", "de", "pse", "tsc", "msr", "pae", "mce",
		"cx8", "apic", NULL, "sep", "mtrr", "pge", "mca", "cmov", "pat", "pse36", NULL,
		"clflush", NULL, NULL, NULL, "mmx", "fxsr", "sse", "sse2" };
	static const char *const c[32] = { "pni", "pclmulqdq", NULL, NULL, NULL, NULL, NULL, NULL,
		NULL, "ssse3", NULL, NULL, "fma", "cx16", NULL, NULL, NULL, "pcid", NULL, "sse4_1",
		"sse4_2", "x2apic", "movbe", "popcnt", NULL, "aes", "xsave", NULL, "avx", "f16c",
		"rdrand", "hypervisor" };
	ptext_str(t, "flags\t\t:");
	for (int i = 0; i < 64; i++) {
		const char *name = i < 32 ? e[i] : c[i - 32];
		if (name && ((i < 32 ? edx : ecx) >> (i % 32) & 1)) {
			ptext_char(t, ' ');
			ptext_str(t, name);
		}
	}
	ptext_char(t, '\n');
}

static void gen_cpuinfo(struct ptext *t)
{
	uint32_t r[4], brand[13] = { 0 }, vendor[4] = { 0 };
	cpuid(0, r);
	vendor[0] = r[1], vendor[1] = r[3], vendor[2] = r[2];
	cpuid(0x80000000u, r);
	for (uint32_t i = 0; i < 3 && r[0] >= 0x80000004u; i++)
		cpuid(0x80000002u + i, &brand[i * 4]);
	cpuid(1, r);
	uint32_t family = (r[0] >> 8) & 0xf, model = (r[0] >> 4) & 0xf;
	if (family == 0xf)
		family += (r[0] >> 20) & 0xff;
	if (family >= 6)
		model |= ((r[0] >> 16) & 0xf) << 4;
	uint64_t mhz = tsc_per_us();
	ptext_str(t, "processor\t: 0\nvendor_id\t: ");
	ptext_str(t, (const char *)vendor);
	ptext_fmt(t, "\ncpu family\t: %u\nmodel\t\t: %u\nmodel name\t: ", family, model);
	ptext_str(t, brand[0] ? (const char *)brand : "unknown");
	ptext_fmt(t, "\nstepping\t: %u\ncpu MHz\t\t: %llu.000\n", r[0] & 0xf, (unsigned long long)mhz);
	ptext_str(t, "physical id\t: 0\nsiblings\t: 1\ncore id\t\t: 0\ncpu cores\t: 1\n"
		     "fpu\t\t: yes\nfpu_exception\t: yes\n");
	cpu_flags(t, r[3], r[2]);
	ptext_fmt(t, "bogomips\t: %llu.00\n\n", (unsigned long long)(mhz * 2));
}

static void line(struct ptext *t, const char *s)
{
	ptext_str(t, s);
	ptext_char(t, '\n');
}

void procfs_gen_sys(const struct procfs_node *n, struct ptext *t)
{
	static void (*const gen[PN_NKINDS])(struct ptext *) = {
		[PN_MEMINFO] = gen_meminfo,	  [PN_STAT] = gen_stat,
		[PN_UPTIME] = gen_uptime,	  [PN_LOADAVG] = gen_loadavg,
		[PN_MOUNTS] = gen_mounts,	  [PN_FILESYSTEMS] = gen_filesystems,
		[PN_CPUINFO] = gen_cpuinfo,
	};
	if (gen[n->kind]) {
		gen[n->kind](t);
	} else if (n->kind == PN_VERSION) {
		ptext_str(t, uts_sysname);
		ptext_str(t, " version ");
		ptext_str(t, uts_release);
		ptext_str(t, " (");
		ptext_str(t, uts_version);
		ptext_str(t, ")\n");
	} else if (n->kind == PN_HOSTNAME) {
		line(t, uts_hostname());
	} else if (n->kind == PN_OSTYPE) {
		line(t, uts_sysname);
	} else if (n->kind == PN_OSRELEASE) {
		line(t, uts_release);
	}
}
