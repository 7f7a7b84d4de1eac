/*
 * fuzz -e: malformed executables. Mutant I is a real program of the image (chosen by the
 * seed of (run seed, I)) with one to four mutations: cut short, bits flipped in the ELF
 * header or the program headers, segments pointing outside the file, huge or overlapping
 * PT_LOADs, bad alignments, absurd entry points and addresses, PT_INTERP and other types,
 * too many or too big program headers, changed dynamic entries and relocations (what
 * elf_relocate reads). Each is started four ways: fork + execve, posix_spawn
 * (vfork-style clone + execve), t_proc_create and t_chprog (change of program). Each must be
 * refused with an error, or run and end (it is killed after MUTANT_MS); the kernel must not
 * panic, no start may hang unkillably, and nothing may leak (checked at the end). The mutants
 * are files written at run time; every CONTROL_EVERY-th is left unchanged and must run every
 * way, else the run fails (its mutants would not reach the ELF loader).
 */
#include <elf.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "fuzz.h"
#include "libtessera.h"
#include "tsys.h"

#define MAX_IMG (1u << 20)
#define MUTANT_MS 2000
#define HANG_MS 10000
#define OUT_FD 20                 /* the runner's console; 0-2 go to /dev/null */
#define NWAYS 4
#define CONTROL_EVERY 16          /* every 16th is left unchanged: it must run, all ways */

static const char *const bases[] = { "/bin/hello", "/bin/true", "/bin/argecho-static",
				     "/bin/argecho-pie" };
static const char *const way_names[NWAYS] = { "execve", "posix_spawn", "t_proc_create",
					      "t_chprog" };
static uint8_t img[MAX_IMG], orig[MAX_IMG];

struct stats {
	uint64_t mutants, refused, exited, signaled, timed_out;
	uint64_t ran;                 /* mutants started at least one way */
};

static size_t load_base(const char *path)
{
	int fd = open(path, O_RDONLY);
	size_t len = 0;
	long n;
	if (fd < 0)
		return 0;
	while (len < MAX_IMG && (n = read(fd, img + len, MAX_IMG - len)) > 0)
		len += (size_t)n;
	close(fd);
	return len;
}

static Elf64_Phdr *phdr(size_t i)
{
	Elf64_Ehdr *eh = (Elf64_Ehdr *)img;
	uint64_t off = eh->e_phoff + i * sizeof(Elf64_Phdr);
	if (eh->e_phoff >= MAX_IMG || off + sizeof(Elf64_Phdr) > MAX_IMG)
		return NULL;
	return (Elf64_Phdr *)(img + off);
}

static Elf64_Phdr *any_phdr(struct fz_rng *r)
{
	Elf64_Ehdr *eh = (Elf64_Ehdr *)img;
	size_t n = eh->e_phnum ? eh->e_phnum : 1;
	return phdr(fz_below(r, n < 64 ? n : 64));
}

static uint64_t absurd_addr(struct fz_rng *r, uint64_t len)
{
	static const uint64_t v[] = { 0, 1, 0x1000, 0xfff, 0x100000000000ull, 0x7fffffffe000ull,
				      0x800000000000ull, 0xffff800000000000ull, T_CCA_ADDR,
				      0xffffffffffff0000ull, 0x400000, 0x10000 };
	return fz_chance(r, 80) ? v[fz_below(r, sizeof(v) / 8)] : fz_next(r) % (len + 1);
}

static uint64_t huge(struct fz_rng *r)
{
	static const uint64_t v[] = { ~0ull, 1ull << 63, 1ull << 40, 1ull << 32, 0x7fffffff,
				      0xfffffffffffff000ull, MAX_IMG, 1ull << 30 };
	return v[fz_below(r, sizeof(v) / 8)];
}

/* Mutations of the ELF header. */
static const char *mutate_ehdr(struct fz_rng *r, size_t *len, unsigned kind)
{
	Elf64_Ehdr *eh = (Elf64_Ehdr *)img;
	switch (kind) {
	case 0:
		*len = fz_below(r, *len + 1);
		return "truncated";
	case 1:
		img[fz_below(r, sizeof(*eh))] ^= (uint8_t)(1u << fz_below(r, 8));
		return "bit flip in the ELF header";
	case 2:
		eh->e_entry = absurd_addr(r, *len);
		return "absurd entry";
	case 3:
		eh->e_phnum = (Elf64_Half)(fz_chance(r, 50) ? 0xffff : fz_below(r, 2000));
		return "phnum";
	case 4:
		eh->e_phentsize = (Elf64_Half)(fz_chance(r, 50) ? fz_below(r, 64) : 0xffff);
		return "phentsize";
	case 5:
		eh->e_phoff = fz_chance(r, 50) ? huge(r) : *len - fz_below(r, 64);
		return "phoff outside the file";
	case 6:
		eh->e_type = (Elf64_Half)fz_below(r, 6);
		return "e_type";
	case 7:                     /* what a loader must ignore: the mutant should run */
		eh->e_shoff = fz_next(r), eh->e_shnum = (Elf64_Half)fz_next(r);
		eh->e_shstrndx = (Elf64_Half)fz_next(r);
		img[EI_PAD + fz_below(r, EI_NIDENT - EI_PAD)] = (uint8_t)fz_next(r);
		return "section headers and padding";
	default:
		img[EI_CLASS + fz_below(r, 4)] = (uint8_t)fz_next(r);
		return "e_ident";
	}
}

/* Mutations of one program header (or of many). */
static const char *mutate_phdr(struct fz_rng *r, size_t len, unsigned kind)
{
	Elf64_Phdr *ph = any_phdr(r), *other = any_phdr(r);
	if (!ph || !other)
		return "no program header to change";
	switch (kind) {
	case 0:
		ph->p_offset = fz_chance(r, 50) ? huge(r) : len + fz_below(r, 8192);
		return "p_offset outside the file";
	case 1:
		*(fz_chance(r, 50) ? &ph->p_filesz : &ph->p_memsz) = huge(r);
		return "huge p_filesz or p_memsz";
	case 2:
		ph->p_filesz = ph->p_memsz + 1 + fz_below(r, 8192);
		return "p_filesz > p_memsz";
	case 3:
		ph->p_vaddr = absurd_addr(r, len);
		return "absurd p_vaddr";
	case 4:
		ph->p_align = fz_chance(r, 50) ? fz_below(r, 8) : huge(r);
		ph->p_offset += fz_below(r, 3);
		return "bad alignment";
	case 5:
		ph->p_type = fz_chance(r, 50) ? PT_INTERP : (uint32_t)fz_next(r) % 8;
		return "p_type (PT_INTERP, ...)";
	case 6:
		*ph = *other;
		ph->p_vaddr += 4096 * fz_below(r, 3);
		return "overlapping PT_LOADs";
	case 7:
		ph->p_flags = (uint32_t)fz_next(r);
		return "p_flags";
	default:
		((uint8_t *)ph)[fz_below(r, sizeof(*ph))] ^= (uint8_t)(1u << fz_below(r, 8));
		return "bit flip in a program header";
	}
}

/* The file offset of the bytes at vaddr (in some PT_LOAD's file part), or 0 if none. */
static size_t file_off(uint64_t vaddr, size_t len)
{
	Elf64_Ehdr *eh = (Elf64_Ehdr *)img;
	for (size_t i = 0; i < eh->e_phnum && i < 64; i++) {
		Elf64_Phdr *ph = phdr(i);
		if (ph && ph->p_type == PT_LOAD && vaddr >= ph->p_vaddr &&
		    vaddr - ph->p_vaddr < ph->p_filesz && ph->p_offset + (vaddr - ph->p_vaddr) < len)
			return ph->p_offset + (vaddr - ph->p_vaddr);
	}
	return 0;
}

/* The dynamic entries (PT_DYNAMIC) inside the file, and how many; NULL if none. */
static Elf64_Dyn *dyn_table(size_t len, size_t *n)
{
	Elf64_Ehdr *eh = (Elf64_Ehdr *)img;
	for (size_t i = 0; i < eh->e_phnum && i < 64; i++) {
		Elf64_Phdr *ph = phdr(i);
		if (!ph || ph->p_type != PT_DYNAMIC || ph->p_offset % 8 || ph->p_offset >= len ||
		    ph->p_filesz / sizeof(Elf64_Dyn) == 0)
			continue;
		uint64_t room = (len - ph->p_offset) / sizeof(Elf64_Dyn);
		*n = ph->p_filesz / sizeof(Elf64_Dyn) < room ? ph->p_filesz / sizeof(Elf64_Dyn) : room;
		return *n ? (Elf64_Dyn *)(img + ph->p_offset) : NULL;
	}
	return NULL;
}

/* One relocation entry of the DT_RELA table, or NULL. */
static Elf64_Rela *any_rela(struct fz_rng *r, Elf64_Dyn *dyn, size_t n, size_t len)
{
	uint64_t at = 0, size = 0;
	for (size_t i = 0; i < n && dyn[i].d_tag != DT_NULL; i++) {
		if (dyn[i].d_tag == DT_RELA)
			at = dyn[i].d_un.d_ptr;
		if (dyn[i].d_tag == DT_RELASZ)
			size = dyn[i].d_un.d_val;
	}
	size_t off = file_off(at, len), count = size / sizeof(Elf64_Rela);
	if (!off || !count || off % 8 || count > (len - off) / sizeof(Elf64_Rela))
		return NULL;
	return (Elf64_Rela *)(img + off) + fz_below(r, count);
}

/* Mutations of the dynamic section and the relocations it names (what elf_relocate reads). */
static const char *mutate_dyn(struct fz_rng *r, size_t len, unsigned kind)
{
	static const int64_t tags[] = { DT_NULL, DT_NEEDED, DT_PLTRELSZ, DT_RELA, DT_RELASZ,
					DT_RELAENT, DT_REL, DT_RELSZ, DT_PLTREL, DT_JMPREL,
					35, 36, 37 /* DT_RELRSZ, DT_RELR, DT_RELRENT */ };
	size_t n = 0;
	Elf64_Dyn *dyn = dyn_table(len, &n), *d = dyn ? &dyn[fz_below(r, n)] : NULL;
	Elf64_Rela *ra = dyn ? any_rela(r, dyn, n, len) : NULL;
	switch (kind) {
	case 0:
		if (!d)
			return "no dynamic section";
		d->d_tag = tags[fz_below(r, sizeof(tags) / sizeof(tags[0]))];
		return "a dynamic tag";
	case 1:
		if (!d)
			return "no dynamic section";
		d->d_un.d_val = fz_chance(r, 50) ? huge(r) : d->d_un.d_val + fz_below(r, 64) - 32;
		return "a dynamic value";
	case 2:
		if (!ra)
			return "no relocation";
		ra->r_offset = fz_chance(r, 50) ? absurd_addr(r, len) : ra->r_offset + fz_below(r, 16);
		return "a relocation's target";
	default:
		if (!ra)
			return "no relocation";
		if (fz_chance(r, 50))
			ra->r_info = fz_below(r, 43);
		else
			ra->r_addend = (int64_t)huge(r);
		return "a relocation's type or addend";
	}
}

static void mutate(struct fz_rng *r, size_t *len, int verbose)
{
	int n = fz_chance(r, 60) ? 1 : 2 + (int)fz_below(r, 3);   /* mostly one: some run */
	for (int i = 0; i < n; i++) {
		unsigned kind = (unsigned)fz_below(r, 23);
		const char *what;
		if (kind < 9) {
			what = mutate_ehdr(r, len, kind);
		} else if (kind < 18) {
			what = mutate_phdr(r, *len, kind - 9);
		} else if (kind < 22) {
			what = mutate_dyn(r, *len, kind - 18);
		} else {
			for (int j = 0; j < 2 && *len; j++)
				img[fz_below(r, *len < 4096 ? *len : 4096)] ^= (uint8_t)fz_next(r);
			what = "bytes changed in the first page";
		}
		if (verbose)
			dprintf(OUT_FD, "FZE   %s\n", what);
	}
}

/* -v: the bytes the mutations changed (offset: old -> new), so a replay shows the file. */
static void print_changes(size_t orig_len, size_t len)
{
	int shown = 0;
	if (len != orig_len)
		dprintf(OUT_FD, "FZE   length %zu -> %zu\n", orig_len, len);
	for (size_t k = 0; k < len && k < orig_len && shown < 32; k++) {
		if (img[k] == orig[k])
			continue;
		dprintf(OUT_FD, "FZE   byte %#zx: 0x%02x -> 0x%02x\n", k, orig[k], img[k]);
		shown++;
	}
}

static int write_mutant(const char *path, size_t len)
{
	unlink(path);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0755);
	if (fd < 0)
		return -1;
	size_t done = 0;
	long n;
	while (done < len && (n = write(fd, img + done, len - done)) > 0)
		done += (size_t)n;
	close(fd);
	chmod(path, 0755);
	return done == len ? 0 : -1;
}

#define REFUSED 127               /* exit code of a child whose start was refused */

/* Starts path one way; the pid to wait for, or 0 when the start was refused at once. */
static int start_way(int way, const char *path)
{
	char *const argv[] = { (char *)path, "fz", NULL };
	char *const envp[] = { "FZ=1", NULL };
	int pid = 0;
	switch (way) {
	case 0:
		if ((pid = (int)tsys_fork()) == 0) {
			tsys_execve((long)path, (long)argv, (long)envp);
			tsys_exit_group(REFUSED);
		}
		return pid < 0 ? 0 : pid;
	case 1:
		return posix_spawn(&pid, path, NULL, NULL, argv, envp) == 0 ? pid : 0;
	case 2: {
		struct t_spawn req = { .path = path, .argv = (const char *const *)argv,
				       .envp = (const char *const *)envp, .prio = -1 };
		return t_proc_create(&req, &pid) < 0 ? 0 : pid;
	}
	default:
		if ((pid = (int)tsys_fork()) == 0) {
			t_chprog(0, path, (const char *const *)argv, (const char *const *)envp);
			tsys_exit_group(REFUSED);
		}
		return pid < 0 ? 0 : pid;
	}
}

/* Waits for a started mutant: killed after MUTANT_MS; -1 if even SIGKILL does not end it. */
static int wait_mutant(int pid, struct stats *st, int *status)
{
	int64_t start = fz_now_ms(), killed = 0;
	for (;;) {
		int got = t_proc_wait(pid, status, TW_NOHANG);
		if (got == pid || got < 0)
			break;
		int64_t now = fz_now_ms();
		if (!killed && now - start > MUTANT_MS) {
			tsys_kill(pid, SIGKILL);
			killed = now;
			st->timed_out++;
		} else if (killed && now - killed > HANG_MS) {
			return -1;
		}
		fz_sleep_ms(5);
	}
	if (killed)
		return 0;
	if (WIFSIGNALED(*status))
		st->signaled++;
	else if (WEXITSTATUS(*status) == REFUSED)
		st->refused++;
	else
		st->exited++;
	return 0;
}

static int run_mutant(const struct fz_cfg *cfg, uint64_t i, struct stats *st)
{
	struct fz_rng r;
	char path[64];
	fz_seed(&r, fz_mix(cfg->seed ^ 0xe1f, i));
	const char *base = bases[fz_below(&r, sizeof(bases) / sizeof(bases[0]))];
	size_t len = load_base(base);
	if (cfg->verbose)
		dprintf(OUT_FD, "FZE %llu from %s\n", (unsigned long long)i, base);
	if (cfg->verbose)
		memcpy(orig, img, len);
	size_t orig_len = len;
	if (i % CONTROL_EVERY)
		mutate(&r, &len, cfg->verbose);
	if (cfg->verbose)
		print_changes(orig_len, len);
	snprintf(path, sizeof(path), FZ_SCRATCH "/elf%llu", (unsigned long long)(i % 4));
	if (!len || write_mutant(path, len) < 0)
		return 0;
	st->mutants++;
	uint64_t refused = st->refused, started = st->exited + st->signaled + st->timed_out;
	for (int way = 0; way < NWAYS; way++) {
		int status = 0, pid = start_way(way, path);
		if (!pid) {
			st->refused++;
		} else if (wait_mutant(pid, st, &status) < 0) {
			dprintf(OUT_FD, "FUZZ HANG seed %llu mutant %llu (%s): pid %d did not end "
				"%d s after SIGKILL\nFUZZ REPLAY fuzz -e -s %llu -u %d -p %llu -v\n",
				(unsigned long long)cfg->seed, (unsigned long long)i, way_names[way],
				pid, HANG_MS / 1000, (unsigned long long)cfg->seed, cfg->uid,
				(unsigned long long)i);
			return -1;
		}
		if (cfg->verbose)
			dprintf(OUT_FD, "FZE   %s: status %#x\n", way_names[way], status);
	}
	st->ran += st->exited + st->signaled + st->timed_out != started;
	/* An unchanged program must run every way. If it is refused, the mutants do not reach
	 * the ELF loader either (as when the kernel ran only files of the boot image: every file
	 * written at run time was refused before its headers were read), and the run must not
	 * pass as if it had tested them. */
	if (i % CONTROL_EVERY == 0 && st->refused != refused) {
		dprintf(OUT_FD, "FUZZ ERROR: %s, unchanged but written at run time, was refused "
			"(%llu of %d ways): the mutants do not reach the ELF loader\n",
			base, (unsigned long long)(st->refused - refused), NWAYS);
		return -1;
	}
	return 0;
}

static int more(const struct fz_cfg *cfg, uint64_t i, int64_t end)
{
	if (cfg->only_prog >= 0)
		return i == (uint64_t)cfg->only_prog;
	if (cfg->ncalls)
		return i < cfg->ncalls;
	return fz_now_ms() < end;
}

/* The runner: a child of the parent, with the run's uid; the mutants' output goes nowhere. */
static _Noreturn void runner(const struct fz_cfg *cfg)
{
	struct stats st = { 0 };
	int rc = 0;
	int64_t end = fz_now_ms() + (int64_t)cfg->seconds * 1000;
	int null = open("/dev/null", O_RDWR);
	dup2(1, OUT_FD);
	for (int fd = 0; fd < 3; fd++)
		dup2(null, fd);
	if (cfg->uid && setuid((uid_t)cfg->uid) != 0)
		_exit(3);
	uint64_t i = cfg->only_prog >= 0 ? (uint64_t)cfg->only_prog : 0;
	for (; more(cfg, i, end) && rc == 0; i++) {
		dprintf(OUT_FD, "FZE+ %llu\n", (unsigned long long)i);
		rc = run_mutant(cfg, i, &st);
	}
	dprintf(OUT_FD, "FUZZ END elf seed %llu uid %d: %llu mutants (%llu ran at least one way), "
		"%llu starts refused, %llu ran and exited, %llu died by a signal, %llu killed after "
		"%d ms\n",
		(unsigned long long)cfg->seed, cfg->uid, (unsigned long long)st.mutants,
		(unsigned long long)st.ran, (unsigned long long)st.refused,
		(unsigned long long)st.exited,
		(unsigned long long)st.signaled, (unsigned long long)st.timed_out, MUTANT_MS);
	_exit(rc ? 1 : 0);
}

int fz_run_elf(const struct fz_cfg *cfg)
{
	static struct fz_protect prot;
	struct t_kstat before;
	int status = 0, keep[1] = { 0 };
	for (size_t b = 0; b < sizeof(bases) / sizeof(bases[0]); b++)
		if (!load_base(bases[b]))
			printf("FUZZ WARNING: no %s\n", bases[b]);
	fz_protect_build(&prot, 0);
	fz_kill_strays(&prot, keep, 0, 1);     /* its tables and opendir's heap: touched now */
	fz_rm_tree(FZ_SCRATCH);
	fz_kstat_settled(&before);
	fflush(stdout);
	int pid = (int)tsys_fork();
	if (pid == 0)
		runner(cfg);
	if (pid < 0 || t_proc_wait(pid, &status, 0) != pid) {
		printf("FUZZ ERROR: cannot run the ELF runner\n");
		return 1;
	}
	int failed = !WIFEXITED(status) || WEXITSTATUS(status) != 0;
	if (failed)
		printf("FUZZ ERROR: the ELF runner ended with status %#x\n", status);
	if (fz_cleanup_and_check(&prot, &before, keep, 0) < 0)
		failed = 1;
	return failed;
}
