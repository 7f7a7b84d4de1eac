/*
 * Programs written at run time (issue 18): a file in /tmp runs by every way of starting a
 * program (fork + execve, posix_spawn, t_proc_create, t_chprog), needs an execute bit, is
 * refused with ENOEXEC when cut short, and runs as it is now: after a rewrite (truncated,
 * overwritten in place, renamed over, deleted and made again) the next start runs the new
 * bytes, while a process already running it (restarted even) keeps the ones it started from.
 * The copy a program keeps of such a file goes back to the page allocator with the program.
 */
#include <elf.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "abi/errno.h"
#include "libtessera.h"
#include "tsys.h"
#include "utest.h"

#define MAX_FILE (160 * 1024)
#define REFUSED 100               /* a forked child whose start failed exits REFUSED + errno */
#define NWAYS 4

enum { FORK_EXECVE, POSIX_SPAWN, PROC_CREATE, CHPROG };
static const char *const way_names[NWAYS] = { "fork+execve", "posix_spawn", "t_proc_create",
					      "t_chprog" };
static char file_buf[MAX_FILE];

/* Copies the first limit bytes of src (all of it if it is shorter) to dst with this mode. */
static size_t copy_file(const char *src, const char *dst, mode_t mode, size_t limit)
{
	int in = open(src, O_RDONLY);
	CHECK(in >= 0);
	ssize_t len = read(in, file_buf, sizeof(file_buf));
	CHECK(len > 0 && len < (ssize_t)sizeof(file_buf));
	close(in);
	size_t n = (size_t)len < limit ? (size_t)len : limit;
	int out = open(dst, O_WRONLY | O_CREAT | O_TRUNC, mode);
	CHECK(out >= 0);
	CHECK_EQ(write(out, file_buf, n), (long)n);
	close(out);
	CHECK_OK(chmod(dst, mode));
	return n;
}

static void read_all(int fd, char *out, size_t cap)
{
	size_t got = 0;
	ssize_t n;
	while (got + 1 < cap && (n = read(fd, out + got, cap - 1 - got)) > 0)
		got += (size_t)n;
	out[got] = '\0';
}

/* The start itself: the pid to wait for, or -errno when the start was refused. A forked
 * child reports its refusal in its exit status. */
static int start(int way, const char *path, const char *const *argv, int out_fd)
{
	int pid = 0;
	if (way == POSIX_SPAWN) {
		posix_spawn_file_actions_t fa;
		posix_spawn_file_actions_init(&fa);
		posix_spawn_file_actions_adddup2(&fa, out_fd, 1);
		int err = posix_spawn(&pid, path, &fa, NULL, (char *const *)argv, NULL);
		posix_spawn_file_actions_destroy(&fa);
		return err ? -err : pid;
	}
	if (way == PROC_CREATE) {
		int saved = dup(1);
		struct t_spawn req = { .path = path, .argv = argv, .prio = -1 };
		fflush(stdout);
		dup2(out_fd, 1);
		int err = t_proc_create(&req, &pid);
		dup2(saved, 1);
		close(saved);
		return err < 0 ? err : pid;
	}
	if ((pid = (int)tsys_fork()) == 0) {
		dup2(out_fd, 1);
		long err = way == FORK_EXECVE ? tsys_execve((long)path, (long)argv, 0)
					      : t_chprog(0, path, argv, NULL);
		tsys_exit_group(REFUSED + (int)-err);
	}
	CHECK(pid > 0);
	return pid;
}

/* Runs path with one argument one way: 0 with its output and wait status, or -errno when
 * the start was refused. *pid_out: the process it ran as. */
static int run_way(int way, const char *path, const char *arg, char *out, size_t cap,
		   int *status, int *pid_out)
{
	const char *argv[] = { path, arg, NULL };
	int fds[2];
	CHECK_OK(pipe(fds));
	int pid = start(way, path, argv, fds[1]);
	close(fds[1]);
	if (pid > 0)
		read_all(fds[0], out, cap);
	close(fds[0]);
	if (pid < 0)
		return pid;
	*status = ut_wait(pid);
	*pid_out = pid;
	if ((way == FORK_EXECVE || way == CHPROG) && WIFEXITED(*status) &&
	    WEXITSTATUS(*status) > REFUSED)
		return -(WEXITSTATUS(*status) - REFUSED);
	return 0;
}

/* path must run one way as /bin/hello does, printing its pid and argument. */
static void check_hello(int way, const char *path)
{
	char out[256], want[128];
	int status = -1, pid = 0;
	int err = run_way(way, path, way_names[way], out, sizeof(out), &status, &pid);
	if (err)
		FAIL("%s of %s refused: %d (%s)", way_names[way], path, err, ut_errname(err));
	snprintf(want, sizeof(want), "Hello from Tessera! (pid %d, arg %s)\n", pid, way_names[way]);
	if (strcmp(out, want) != 0)
		FAIL("%s of %s printed [%s], expected [%s]", way_names[way], path, out, want);
	CHECK_EQ(status, 0);
}

/* path must be refused every way with err, creating nothing. */
static void check_refused(const char *path, int err)
{
	for (int way = 0; way < NWAYS; way++) {
		char out[64];
		int status = 0, pid = 0;
		int r = run_way(way, path, "x", out, sizeof(out), &status, &pid);
		if (r != -err)
			FAIL("%s of %s gave %d (%s, status %#x), expected -%s", way_names[way], path, r,
			     ut_errname(r), status, ut_errname(-err));
	}
	CHECK_ERR(t_proc_wait(-1, NULL, TW_NOHANG), ECHILD);
}

/* The exit status of path run one way (its start must not be refused). */
static int status_of(int way, const char *path)
{
	char out[256];
	int status = -1, pid = 0;
	int err = run_way(way, path, "s", out, sizeof(out), &status, &pid);
	if (err)
		FAIL("%s of %s refused: %d (%s)", way_names[way], path, err, ut_errname(err));
	return status;
}

static void run_all_ways(const char *src)
{
	const char *path = "/tmp/rx-ways";
	copy_file(src, path, 0755, MAX_FILE);
	for (int way = 0; way < NWAYS; way++)
		check_hello(way, path);
	CHECK_OK(unlink(path));
}

/* A copy of /bin/hello in /tmp runs every way, also twice in a row (the second start takes
 * the program back from the reusable-resource table). */
static void runexec_ways(void)
{
	run_all_ways("/bin/hello");
	run_all_ways("/bin/hello");
}

/* A fixed-address (non-PIE) program written at run time runs too. */
static void runexec_static(void)
{
	const char *path = "/tmp/rx-static";
	copy_file("/bin/argecho-static", path, 0755, MAX_FILE);
	for (int way = 0; way < NWAYS; way++) {
		char out[256];
		int status = -1, pid = 0;
		CHECK_EQ(run_way(way, path, "a", out, sizeof(out), &status, &pid), 0);
		CHECK_EQ(status, 0);
		if (strcmp(out, "argc 2\nargv[0] present\nargv[argc] NULL\n") != 0)
			FAIL("%s printed [%s]", way_names[way], out);
	}
	CHECK_OK(unlink(path));
}

/* Without an execute bit: EACCES every way, also once the program was made and cached (the
 * mode is checked at every start, not only when the program is made). */
static void runexec_mode(void)
{
	const char *path = "/tmp/rx-mode";
	copy_file("/bin/hello", path, 0644, MAX_FILE);
	check_refused(path, EACCES);
	CHECK_OK(chmod(path, 0100));
	check_hello(PROC_CREATE, path);
	CHECK_OK(chmod(path, 0600));
	check_refused(path, EACCES);
	CHECK_OK(chmod(path, 0755));
	check_hello(FORK_EXECVE, path);
	CHECK_OK(unlink(path));
}

/* Cut inside the ELF header, inside the program headers, inside the segments, or empty:
 * ENOEXEC every way, also right after the whole file ran (and its program was cached). */
static void runexec_truncated(void)
{
	static const size_t cuts[] = { 0, 40, 100, 6000, 20000 };
	const char *path = "/tmp/rx-cut";
	for (size_t i = 0; i < sizeof(cuts) / sizeof(cuts[0]); i++) {
		copy_file("/bin/hello", path, 0755, MAX_FILE);
		check_hello(PROC_CREATE, path);
		copy_file("/bin/hello", path, 0755, cuts[i]);
		check_refused(path, ENOEXEC);
	}
	CHECK_OK(unlink(path));
}

/* A file run, then rewritten: the next start runs the new content, however it was made. */
static void runexec_rewrite(void)
{
	const char *path = "/tmp/rx-re", *other = "/tmp/rx-re.new";
	copy_file("/bin/true", path, 0755, MAX_FILE);
	CHECK_EQ(status_of(PROC_CREATE, path), 0);
	copy_file("/bin/false", path, 0755, MAX_FILE);          /* O_TRUNC, then written */
	CHECK_EQ(status_of(PROC_CREATE, path), 1 << 8);
	CHECK_EQ(status_of(FORK_EXECVE, path), 1 << 8);
	/* overwritten in place, no truncation (true and false have the same size here or not:
	 * the size is set to true's afterwards) */
	size_t n = copy_file("/bin/true", other, 0755, MAX_FILE);
	int fd = open(path, O_WRONLY);
	CHECK(fd >= 0);
	CHECK_EQ(write(fd, file_buf, n), (long)n);
	CHECK_OK(ftruncate(fd, (off_t)n));
	close(fd);
	CHECK_EQ(status_of(POSIX_SPAWN, path), 0);
	copy_file("/bin/hello", other, 0755, MAX_FILE);
	CHECK_OK(rename(other, path));                            /* renamed over */
	check_hello(CHPROG, path);
	CHECK_OK(unlink(path));                                   /* deleted and made again */
	copy_file("/bin/false", path, 0755, MAX_FILE);
	CHECK_EQ(status_of(FORK_EXECVE, path), 1 << 8);
	/* more versions than the reusable-resource table keeps programs: evictions */
	for (int i = 0; i < 20; i++) {
		copy_file(i % 2 ? "/bin/true" : "/bin/false", path, 0755, MAX_FILE);
		CHECK_EQ(status_of(i % NWAYS, path), i % 2 ? 0 : 1 << 8);
	}
	CHECK_OK(unlink(path));
}

/* Writes line to fd and expects it back from echo_fd (a running cat). */
static void echo_through(int fd, int echo_fd, const char *line)
{
	char buf[64];
	size_t len = strlen(line), got = 0;
	CHECK_EQ(write(fd, line, len), (long)len);
	while (got < len) {
		ssize_t n = read(echo_fd, buf + got, sizeof(buf) - 1 - got);
		CHECK(n > 0);
		got += (size_t)n;
	}
	buf[got] = '\0';
	if (strcmp(buf, line) != 0)
		FAIL("the running program echoed [%s], expected [%s]", buf, line);
}

/* A running program keeps what it started from: its file is rewritten with another program
 * while it runs; a new start runs the new one, the running one still echoes, and restarted
 * (which loads the program again) it is still the program it was. */
static void runexec_running(void)
{
	const char *path = "/tmp/rx-run";
	const char *argv[] = { path, NULL };
	int in[2], out[2], pid = 0;
	copy_file("/bin/cat", path, 0755, MAX_FILE);
	CHECK_OK(pipe(in));
	CHECK_OK(pipe(out));
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, in[0], 0);
	posix_spawn_file_actions_adddup2(&fa, out[1], 1);
	posix_spawn_file_actions_addclose(&fa, in[1]);
	posix_spawn_file_actions_addclose(&fa, out[0]);
	int err = posix_spawn(&pid, path, &fa, NULL, (char *const *)argv, NULL);
	posix_spawn_file_actions_destroy(&fa);
	if (err)
		FAIL("posix_spawn(%s): %d (%s)", path, err, ut_errname(-err));
	close(in[0]);
	close(out[1]);
	echo_through(in[1], out[0], "one\n");
	copy_file("/bin/hello", path, 0755, MAX_FILE);
	for (int way = 0; way < NWAYS; way++)
		check_hello(way, path);
	echo_through(in[1], out[0], "two\n");
	CHECK_OK(t_restart(pid));
	echo_through(in[1], out[0], "three\n");
	close(in[1]);
	CHECK_EQ(ut_wait(pid), 0);
	close(out[0]);
	CHECK_OK(unlink(path));
}

/* Free pages once the kernel has finished freeing (two equal readings 10 ms apart). */
static uint64_t settled_free(void)
{
	struct t_kstat k;
	uint64_t last = 0;
	for (int i = 0; i < 100; i++) {
		CHECK_OK(t_kstat(&k));
		if (k.pages_free == last)
			break;
		last = k.pages_free;
		usleep(10000);
	}
	return last;
}

/* Pages a finished run of path leaves cached in the reusable-resource table; with check,
 * the flush must give every one of them back. */
static int64_t cached_pages(const char *path, bool check)
{
	const char *argv[] = { path, NULL };
	CHECK_OK(t_kctl(TK_REUSE_FLUSH, 1));
	uint64_t before = settled_free();
	CHECK_EQ(ut_run(path, argv), 0);
	uint64_t cached = settled_free();
	CHECK_OK(t_kctl(TK_REUSE_FLUSH, 1));
	uint64_t after = settled_free();
	if (check && after != before)
		FAIL("%s: free pages %llu before the run, %llu after it and the flush", path,
		     (unsigned long long)before, (unsigned long long)after);
	return (int64_t)before - (int64_t)cached;
}

/* A program of a run-time file keeps a copy of it (at least its pages more than the same
 * program of the boot image keeps) while cached, and the flush frees that copy. */
static void runexec_flush(void)
{
	const char *path = "/tmp/rx-flush";
	size_t n = copy_file("/bin/true", path, 0755, MAX_FILE);
	cached_pages("/bin/true", false);           /* warm-up: what a first run allocates */
	cached_pages(path, false);
	int64_t image = cached_pages("/bin/true", true), copy = cached_pages(path, true);
	if (copy - image < (int64_t)((n + 4095) / 4096))
		FAIL("a cached program of /tmp holds %lld pages, of the image %lld: no copy of its "
		     "%zu bytes?", (long long)copy, (long long)image, n);
	CHECK_OK(unlink(path));
}

/* A program file of 16 MiB (hello with a sparse tail): its copy spans many page tables of
 * the kernel's view window, all given back with it (the runner's leak check). */
static void runexec_big(void)
{
	const char *path = "/tmp/rx-big";
	copy_file("/bin/hello", path, 0755, MAX_FILE);
	CHECK_OK(truncate(path, 16 << 20));
	check_hello(PROC_CREATE, path);
	check_hello(FORK_EXECVE, path);
	CHECK_OK(unlink(path));
}

/* uid 1000 writes a program to /tmp and runs it; root runs it too. */
static void runexec_user(void)
{
	const char *path = "/tmp/rx-user";
	int pid = (int)tsys_fork();
	if (pid == 0) {
		CHECK_OK(setuid(1000));
		copy_file("/bin/hello", path, 0755, MAX_FILE);
		check_hello(PROC_CREATE, path);
		check_hello(FORK_EXECVE, path);
		tsys_exit_group(0);
	}
	CHECK(pid > 0);
	CHECK_EQ(ut_wait(pid), 0);
	check_hello(POSIX_SPAWN, path);
	CHECK_OK(unlink(path));
}

/* ---- malformed programs the fuzzer's ELF generator found (fuzz -e) ---------------------- */

/* path: a copy of src whose writable PT_LOAD has p_memsz grown by add. */
static void grow_bss(const char *src, const char *path, uint64_t add)
{
	size_t n = copy_file(src, path, 0755, MAX_FILE);
	Elf64_Ehdr *eh = (Elf64_Ehdr *)file_buf;
	int fd = open(path, O_WRONLY);
	CHECK(fd >= 0 && eh->e_phoff + eh->e_phnum * sizeof(Elf64_Phdr) <= n);
	for (int i = 0; i < eh->e_phnum; i++) {
		Elf64_Phdr *ph = (Elf64_Phdr *)(file_buf + eh->e_phoff) + i;
		if (ph->p_type != PT_LOAD || !(ph->p_flags & PF_W))
			continue;
		ph->p_memsz += add;
		CHECK_EQ(pwrite(fd, ph, sizeof(*ph), (off_t)((char *)ph - file_buf)), sizeof(*ph));
	}
	close(fd);
}

/* A BSS of 8 GiB (fuzz -e -s 1 -p 120): no region can hold it, so every way refuses it at
 * once (ENOMEM), before a change of program has let go of the old image; the changes of
 * program used to kill the process instead (and leak a page each: see runexec_late_failure). */
static void runexec_huge_bss(void)
{
	const char *path = "/tmp/rx-bss";
	grow_bss("/bin/argecho-pie", path, 2ull << 32);
	check_refused(path, ENOMEM);
	grow_bss("/bin/argecho-static", path, 2ull << 32);
	check_refused(path, ENOMEM);
	CHECK_OK(unlink(path));
}

/* The space process pid runs in (libtessera's t_proc_space), failing the test if none. */
static rid_t space_of(int pid)
{
	rid_t space = t_proc_space(pid);
	if (!space)
		FAIL("process %d has no space", pid);
	return space;
}

/* A change of program that fails once the old image is gone (the new one is a fixed-address
 * program whose addresses another process of the space holds: EEXIST) ends the process with
 * SIGKILL, and answers the request first: the caller's own request used to be left allocated
 * (a page lost each time), and another asker used to wait for ever. */
static void runexec_late_failure(void)
{
	const char *const holder[] = { "busybox", "sleep", "600", NULL };
	int a = ut_spawn("/bin/busybox", holder), b, c;
	const char *const self[] = { "utest", "-c", "chprogto", "/bin/busybox", "true", NULL };
	struct t_spawn req = { .path = "/bin/utest", .argv = self, .vspace = space_of(a),
			       .prio = -1 };
	CHECK_OK(t_proc_create(&req, &b));
	CHECK_EQ(ut_wait(b), SIGKILL);
	const char *const sleeper[] = { "utest", "-c", "sleep", "600", NULL };
	const char *const bb[] = { "busybox", "true", NULL };
	req.argv = sleeper;
	CHECK_OK(t_proc_create(&req, &c));
	CHECK_ERR(t_chprog(c, "/bin/busybox", bb, NULL), EEXIST);
	CHECK_EQ(ut_wait(c), SIGKILL);
	CHECK_OK(tsys_kill(a, SIGKILL));
	CHECK_EQ(ut_wait(a), SIGKILL);
}

/* utest -c chprogto PATH ARGS...: changes its own program to PATH (3 if that returns). */
int ut_helper_chprogto(int argc, char **argv)
{
	if (argc < 4)
		return 2;
	int err = t_chprog(0, argv[3], (const char *const *)argv + 3, NULL);
	printf("chprogto: t_chprog returned %d\n", err);
	return 3;
}

const struct utest ut_runexec_tests[] = {
	{ "runexec_ways", runexec_ways },
	{ "runexec_static", runexec_static },
	{ "runexec_mode", runexec_mode },
	{ "runexec_truncated", runexec_truncated },
	{ "runexec_rewrite", runexec_rewrite },
	{ "runexec_running", runexec_running },
	{ "runexec_flush", runexec_flush },
	{ "runexec_big", runexec_big },
	{ "runexec_user", runexec_user },
	{ "runexec_huge_bss", runexec_huge_bss },
	{ "runexec_late_failure", runexec_late_failure },
	{ NULL, NULL },
};
