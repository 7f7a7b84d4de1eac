/*
 * /proc (kernel/fs/procfs.h): the per-process files against what the process knows of
 * itself, the system files against the calls that give the same numbers (sysinfo, statfs,
 * uname, t_kstat), Tessera's view against the resource calls, reads at every offset and size,
 * a process that ends while its file is open, other users' files, and bad input.
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysinfo.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>
#include "abi/errno.h"
#include "libtessera.h"
#include "tsys.h"
#include "utest.h"

#define AT_CWD (-100)

/* The whole content of path (NUL-terminated, at most cap - 1 bytes); its length. */
static long slurp(const char *path, char *buf, size_t cap)
{
	long fd = tsys_open((long)path, O_RDONLY, 0), n, len = 0;
	CHECK_OK(fd);
	while ((n = tsys_read(fd, (long)(buf + len), (long)(cap - 1 - (size_t)len))) > 0)
		len += n;
	CHECK_OK(n);
	tsys_close(fd);
	buf[len] = '\0';
	return len;
}

/* The number after "key" in text (a line "key value..."), or -1. */
static long field(const char *text, const char *key)
{
	const char *p = strstr(text, key);
	return p ? strtol(p + strlen(key), NULL, 10) : -1;
}

static void self_files(void)
{
	char buf[4096], path[64], want[64];
	int pid = getpid();
	snprintf(want, sizeof(want), "%d", pid);
	CHECK_EQ(tsys_readlink((long)"/proc/self", (long)path, sizeof(path)), (long)strlen(want));
	CHECK(memcmp(path, want, strlen(want)) == 0);
	/* stat: pid, (comm), state R (it is reading), ppid, and 52 fields in all */
	slurp("/proc/self/stat", buf, sizeof(buf));
	snprintf(want, sizeof(want), "%d (utest) R %d %d %d ", pid, getppid(), getpgrp(),
		 getsid(0));
	CHECK(strncmp(buf, want, strlen(want)) == 0);
	int fields = 0;
	for (char *t = strtok(strrchr(buf, ')') + 1, " \n"); t; t = strtok(NULL, " \n"))
		fields++;
	CHECK_EQ(fields, 50);
	slurp("/proc/self/status", buf, sizeof(buf));
	CHECK(strncmp(buf, "Name:\tutest\n", 12) == 0);
	CHECK_EQ(field(buf, "\nPid:\t"), pid);
	CHECK_EQ(field(buf, "\nPPid:\t"), getppid());
	CHECK_EQ(field(buf, "\nUid:\t"), (long)getuid());
	CHECK(field(buf, "\nVmRSS:\t") > 0);
	/* cmdline: the runner started it as "utest -r NAME" */
	long n = slurp("/proc/self/cmdline", buf, sizeof(buf));
	CHECK_EQ(n, (long)sizeof("utest\0-r\0procfs_self_files"));
	CHECK(memcmp(buf, "utest\0-r\0procfs_self_files", (size_t)n) == 0);
	slurp("/proc/self/comm", buf, sizeof(buf));
	CHECK(strcmp(buf, "utest\n") == 0);
	slurp("/proc/self/statm", buf, sizeof(buf));
	long size, res;
	CHECK_EQ(sscanf(buf, "%ld %ld", &size, &res), 2);
	CHECK(size > 0 && res > 0 && res <= size);
	slurp("/proc/self/maps", buf, sizeof(buf));
	CHECK(strstr(buf, "r-xp 00000000 00:01 ") && strstr(buf, " /bin/utest\n"));
	CHECK(strstr(buf, "[stack]\n"));
	/* [heap] is the part below the break, as Linux's: none until brk moves it */
	long brk0 = tsys_brk(0);                  /* musl's sbrk moves nothing */
	CHECK(brk0 > 0 && tsys_brk(brk0 + 8192) == brk0 + 8192);
	slurp("/proc/self/maps", buf, sizeof(buf));
	char heap[64];
	snprintf(heap, sizeof(heap), "%lx-%lx rw-p", (unsigned long)brk0,
		 (unsigned long)brk0 + 8192);
	CHECK(strstr(buf, heap) && strstr(buf, "[heap]\n"));
	CHECK_EQ(tsys_brk(brk0), brk0);
	CHECK_EQ(tsys_readlink((long)"/proc/self/exe", (long)path, sizeof(path)), 10);
	CHECK(memcmp(path, "/bin/utest", 10) == 0);
	CHECK_OK(chdir("/data"));
	CHECK_EQ(tsys_readlink((long)"/proc/self/cwd", (long)path, sizeof(path)), 5);
	CHECK(memcmp(path, "/data", 5) == 0);
	/* links are followed: the cwd link leads into the directory */
	CHECK_OK(access("/proc/self/cwd/hello.txt", R_OK));
}

/* Reads in pieces of every size see the same text as one read; offsets past the end give
 * nothing; only SEEK_SET and SEEK_CUR make sense for generated text. */
static void offsets(void)
{
	char whole[2048], piece[2048], b[64];
	long len = slurp("/proc/self/status", whole, sizeof(whole));
	CHECK(len > 100);
	for (long step = 1; step < 40; step += 13) {
		long fd = tsys_open((long)"/proc/self/status", O_RDONLY, 0), got = 0, n;
		CHECK_OK(fd);
		while ((n = tsys_read(fd, (long)(piece + got), step)) > 0)
			got += n;
		CHECK_EQ(got, len);
		CHECK(memcmp(piece, whole, (size_t)len) == 0);
		tsys_close(fd);
	}
	long fd = tsys_open((long)"/proc/self/status", O_RDONLY, 0);
	CHECK_OK(fd);
	CHECK_EQ(tsys_pread64(fd, (long)b, 5, 6), 5);
	CHECK(memcmp(b, "utest", 5) == 0);
	CHECK_EQ(tsys_pread64(fd, (long)b, sizeof(b), 1L << 40), 0);
	CHECK_EQ(tsys_lseek(fd, 1L << 40, SEEK_SET), 1L << 40);
	CHECK_EQ(tsys_read(fd, (long)b, sizeof(b)), 0);
	CHECK_ERR(tsys_lseek(fd, 0, SEEK_END), EINVAL);
	CHECK_ERR(tsys_lseek(fd, -1, SEEK_SET), EINVAL);
	CHECK_ERR(tsys_pread64(fd, (long)b, 4, -1), EINVAL);
	CHECK_ERR(tsys_write(fd, (long)"x", 1), EBADF);
	uintptr_t bad[UT_NBAD];
	ut_bad_addrs(bad);
	for (int i = 0; i < UT_NBAD; i++) {
		CHECK_EQ(tsys_lseek(fd, 0, SEEK_SET), 0);
		CHECK_ERR(tsys_read(fd, (long)bad[i], 16), EFAULT);
	}
	tsys_close(fd);
}

static void bad_names(void)
{
	static const char *const none[] = {
		"/proc/0", "/proc/-1", "/proc/01", "/proc/99999999999", "/proc/4194304",
		"/proc/self/fd/99", "/proc/self/fd/007", "/proc/self/nothing", "/proc/nothing",
		"/proc/tessera/res/nothing", "/proc/self/stat/x", "/proc/meminfo/x",
	};
	struct stat st;
	char buf[16];
	for (size_t i = 0; i < sizeof(none) / sizeof(none[0]); i++) {
		long r = tsys_stat((long)none[i], (long)&st);
		if (r != -ENOENT && r != -ENOTDIR)
			FAIL("stat %s gave %ld", none[i], r);
	}
	CHECK(tsys_open((long)"/proc/new", O_CREAT | O_RDWR, 0644) < 0);
	CHECK(tsys_mkdir((long)"/proc/self/d", 0755) < 0);
	CHECK(tsys_unlink((long)"/proc/meminfo") < 0);
	CHECK(tsys_rename((long)"/proc/uptime", (long)"/tmp/u") < 0);
	CHECK(tsys_open((long)"/proc/self/stat", O_WRONLY, 0) < 0);
	CHECK(tsys_chmod((long)"/proc/self/stat", 0777) < 0);
	CHECK_OK(tsys_stat((long)"/proc/meminfo", (long)&st));
	CHECK_ERR(tsys_readlink((long)"/proc/meminfo", (long)buf, sizeof(buf)), EINVAL);
	CHECK_ERR(tsys_readlink((long)"/proc/self", 0, sizeof(buf)), EFAULT);
	/* a directory record that cannot fit */
	long d = tsys_open((long)"/proc", O_RDONLY | O_DIRECTORY, 0);
	CHECK_OK(d);
	CHECK_ERR(tsys_getdents64(d, (long)buf, 8), EINVAL);
	tsys_close(d);
	/* executing generated text is refused */
	const char *argv[] = { "stat", NULL };
	CHECK(tsys_execve((long)"/proc/self/stat", (long)argv, 0) < 0);
}

/* The names in directory path, space-separated, into out. */
static void list(const char *path, char *out, size_t cap)
{
	DIR *d = opendir(path);
	struct dirent *e;
	CHECK(d != NULL);
	out[0] = '\0';
	while ((e = readdir(d))) {
		strncat(out, e->d_name, cap - strlen(out) - 2);
		strcat(out, " ");
	}
	closedir(d);
}

static void listings(void)
{
	char names[4096], me[32], link[64];
	snprintf(me, sizeof(me), " %d ", getpid());
	list("/proc", names, sizeof(names));
	CHECK(strncmp(names, ". .. ", 5) == 0);
	CHECK(strstr(names, " meminfo ") && strstr(names, " self ") && strstr(names, " tessera "));
	CHECK(strstr(names, me) && strstr(names, " 1 "));
	list("/proc/self", names, sizeof(names));
	CHECK(strstr(names, " stat ") && strstr(names, " fd ") && strstr(names, " maps "));
	int fd = open("/data/hello.txt", O_RDONLY);
	CHECK(fd > 2);
	list("/proc/self/fd", names, sizeof(names));
	char want[40];
	snprintf(want, sizeof(want), " %d ", fd);
	CHECK(strstr(names, ". .. 0 1 2 ") == names && strstr(names, want));
	snprintf(want, sizeof(want), "/proc/self/fd/%d", fd);
	CHECK_EQ(readlink(want, link, sizeof(link)), 15);
	CHECK(memcmp(link, "/data/hello.txt", 15) == 0);
	struct stat st;
	CHECK_OK(tsys_lstat((long)want, (long)&st));
	CHECK(S_ISLNK(st.st_mode));
	close(fd);
	CHECK_ERR(tsys_readlink((long)want, (long)link, sizeof(link)), ENOENT);
	CHECK_ERR(tsys_lstat((long)want, (long)&st), ENOENT);
	int p[2];
	CHECK_OK(pipe(p));
	snprintf(want, sizeof(want), "/proc/self/fd/%d", p[0]);
	long n = readlink(want, link, sizeof(link) - 1);
	CHECK(n > 6);
	link[n] = '\0';
	CHECK(strncmp(link, "pipe:[", 6) == 0);
	close(p[0]), close(p[1]);
	list("/proc/tessera/res", names, sizeof(names));
	CHECK(strstr(names, " all ") && strstr(names, " process ") && strstr(names, " plate "));
	/* every type with a table, also those registered after the plates */
	CHECK(strstr(names, " device ") && strstr(names, " cbox ") && !strstr(names, " ? "));
	struct stat dst;
	CHECK_OK(tsys_stat((long)"/proc/tessera/res/device", (long)&dst));
	CHECK_ERR(tsys_stat((long)"/proc/tessera/res/?", (long)&dst), ENOENT);
}

static void system_files(void)
{
	char buf[4096], buf2[4096], link[32];
	struct sysinfo si;
	slurp("/proc/meminfo", buf, sizeof(buf));
	CHECK_OK(sysinfo(&si));
	CHECK_EQ(field(buf, "MemTotal:"), (long)(si.totalram / 1024));
	CHECK(field(buf, "MemFree:") > 0 && field(buf, "MemFree:") <= field(buf, "MemTotal:"));
	CHECK_EQ(field(buf, "Shmem:"), (long)(si.sharedram / 1024));
	/* mounts: the fixed file systems, and /etc/mtab is a link to it */
	long n = slurp("/proc/mounts", buf, sizeof(buf));
	CHECK(strstr(buf, "image / rootfs rw 0 0\n") == buf);
	CHECK(strstr(buf, "\ntmpfs /tmp tmpfs rw") && strstr(buf, "\nproc /proc proc rw"));
	CHECK_EQ(readlink("/etc/mtab", link, sizeof(link)), 12);
	CHECK(memcmp(link, "/proc/mounts", 12) == 0);
	CHECK_EQ(slurp("/etc/mtab", buf2, sizeof(buf2)), n);
	CHECK(strcmp(buf, buf2) == 0);
	struct statfs sf;
	CHECK_OK(statfs("/proc", &sf));
	CHECK_EQ(sf.f_type, 0x9fa0);
	CHECK_EQ(sf.f_blocks, 0);
	/* uptime, load, stat */
	double up, idle;
	slurp("/proc/uptime", buf, sizeof(buf));
	CHECK_EQ(sscanf(buf, "%lf %lf", &up, &idle), 2);
	CHECK(up > 0 && idle >= 0 && idle <= up + 1);
	slurp("/proc/loadavg", buf, sizeof(buf));
	int running, total, last;
	double l1, l5, l15;
	CHECK_EQ(sscanf(buf, "%lf %lf %lf %d/%d %d", &l1, &l5, &l15, &running, &total, &last), 6);
	CHECK(running >= 1 && total >= running && last >= getpid());
	slurp("/proc/stat", buf, sizeof(buf));
	CHECK(strncmp(buf, "cpu  ", 5) == 0 && strstr(buf, "\ncpu0 ") && strstr(buf, "\nbtime "));
	CHECK(field(buf, "\nprocesses ") >= getpid());
	/* the names */
	struct utsname u;
	CHECK_OK(uname(&u));
	slurp("/proc/sys/kernel/hostname", buf, sizeof(buf));
	snprintf(buf2, sizeof(buf2), "%s\n", u.nodename);
	CHECK(strcmp(buf, buf2) == 0);
	slurp("/proc/sys/kernel/ostype", buf, sizeof(buf));
	snprintf(buf2, sizeof(buf2), "%s\n", u.sysname);
	CHECK(strcmp(buf, buf2) == 0);
	slurp("/proc/sys/kernel/osrelease", buf, sizeof(buf));
	CHECK(strncmp(buf, u.release, strlen(u.release)) == 0);
	slurp("/proc/cpuinfo", buf, sizeof(buf));
	CHECK(strncmp(buf, "processor\t: 0\n", 14) == 0 && strstr(buf, "\nflags\t\t:"));
	slurp("/proc/filesystems", buf, sizeof(buf));
	CHECK(strstr(buf, "nodev\tproc\n") && strstr(buf, "\text2\n"));
}

/* statfs of every mount's directory answers for that file system, and each has its own
 * device number; fstatfs of a pipe answers for Linux's pipe file system. */
static void mounts_statfs(void)
{
	char buf[2048], src[64], dir[128], type[32], opts[128];
	dev_t devs[16];
	int n = 0, off = 0, used;
	slurp("/proc/mounts", buf, sizeof(buf));
	while (n < 16 && sscanf(buf + off, "%63s %127s %31s %127s 0 0\n%n", src, dir, type, opts,
				&used) == 4) {
		struct statfs sf;
		struct stat st;
		long want = !strcmp(type, "proc") ? 0x9fa0 : !strcmp(type, "ext2") ? 0xef53 : 0x01021994;
		CHECK_OK(statfs(dir, &sf));
		if ((long)sf.f_type != want)
			FAIL("statfs %s: type %lx, want %lx", dir, (long)sf.f_type, want);
		CHECK_EQ(!!(sf.f_flags & ST_RDONLY), !strncmp(opts, "ro", 2));
		CHECK_OK(stat(dir, &st));
		for (int i = 0; i < n; i++)
			CHECK(devs[i] != st.st_dev);
		devs[n++] = st.st_dev;
		off += used;
	}
	CHECK(n >= 4);
	int p[2];
	struct statfs sf;
	CHECK_OK(pipe(p));
	CHECK_OK(fstatfs(p[0], &sf));
	CHECK_EQ(sf.f_type, 0x50495045);
	close(p[0]), close(p[1]);
	long fd = tsys_open((long)"/proc/self/stat", O_RDONLY, 0);
	CHECK_OK(tsys_fstatfs(fd, (long)&sf));
	CHECK_EQ(sf.f_type, 0x9fa0);
	tsys_close(fd);
}

/* Tessera's view agrees with the resource calls. */
static void tessera_view(void)
{
	static char buf[65536];
	char want[64];
	struct t_kstat ks;
	rid_t me;
	CHECK_OK(t_proc_rid(getpid(), &me));
	slurp("/proc/tessera/res/process", buf, sizeof(buf));
	CHECK(strncmp(buf, "TYPE ", 5) == 0);
	snprintf(want, sizeof(want), "\nprocess  %016llx utest ", (unsigned long long)me);
	CHECK(strstr(buf, want) != NULL);
	CHECK(strstr(buf, "\nplate ") == NULL);
	slurp("/proc/tessera/res/all", buf, sizeof(buf));
	CHECK(strstr(buf, want) && strstr(buf, "\nplate "));
	slurp("/proc/tessera/counts", buf, sizeof(buf));
	CHECK_OK(t_kstat(&ks));
	CHECK_EQ(field(buf, "\nprocess "), (long)ks.res_count[RT_PROCESS]);
	CHECK_EQ(field(buf, "pages_total "), (long)ks.pages_total);
	slurp("/proc/tessera/runmodes", buf, sizeof(buf));
	snprintf(want, sizeof(want), "\n%-5d umode -", getpid());
	CHECK(strstr(buf, want) != NULL);
	slurp("/proc/tessera/spaces", buf, sizeof(buf));
	snprintf(want, sizeof(want), " %d\n", getpid());
	CHECK(strstr(buf, want) != NULL);
	slurp("/proc/tessera/reuse", buf, sizeof(buf));
	CHECK(strstr(buf, "\nprograms ") && strstr(buf, "\nregions "));
}

/* A process that ends while its file is open: the open file stays valid and says ESRCH,
 * and the process's names go with it. */
static void exit_while_open(void)
{
	const char *const args[] = { "sleep", "2000", NULL };
	char path[64], buf[512];
	int pid = ut_spawn_helper(args), status;
	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	long fd = tsys_open((long)path, O_RDONLY, 0);
	CHECK_OK(fd);
	CHECK(tsys_read(fd, (long)buf, sizeof(buf)) > 0);
	snprintf(path, sizeof(path), "/proc/%d", pid);
	long dfd = tsys_open((long)path, O_RDONLY | O_DIRECTORY, 0);
	CHECK_OK(dfd);
	CHECK_OK(kill(pid, SIGKILL));
	CHECK_EQ(waitpid(pid, &status, 0), pid);
	CHECK_EQ(tsys_lseek(fd, 0, SEEK_SET), 0);
	CHECK_ERR(tsys_read(fd, (long)buf, sizeof(buf)), ESRCH);
	CHECK_ERR(tsys_getdents64(dfd, (long)buf, sizeof(buf)), 0);
	struct stat st;
	CHECK_ERR(tsys_stat((long)path, (long)&st), ENOENT);
	tsys_close(fd);
	tsys_close(dfd);
}

/* Another user's process: its stat is readable, its memory map, environment, descriptors
 * and links are not (Linux's ptrace access rule). */
static void other_user(void)
{
	int parent = getpid(), status;
	int pid = fork();
	if (pid == 0) {
		char path[64], buf[256];
		if (setgid(1000) || setuid(1000))
			_exit(10);
		snprintf(path, sizeof(path), "/proc/%d/stat", parent);
		int ok = open(path, O_RDONLY) >= 0;
		snprintf(path, sizeof(path), "/proc/%d/maps", parent);
		ok = ok && tsys_open((long)path, O_RDONLY, 0) == -EACCES;
		snprintf(path, sizeof(path), "/proc/%d/environ", parent);
		ok = ok && tsys_open((long)path, O_RDONLY, 0) == -EACCES;
		snprintf(path, sizeof(path), "/proc/%d/fd", parent);
		ok = ok && tsys_open((long)path, O_RDONLY | O_DIRECTORY, 0) == -EACCES;
		snprintf(path, sizeof(path), "/proc/%d/exe", parent);
		ok = ok && tsys_readlink((long)path, (long)buf, sizeof(buf)) == -EACCES;
		snprintf(path, sizeof(path), "/proc/%d/cwd/data", parent);
		ok = ok && tsys_open((long)path, O_RDONLY, 0) == -EACCES;
		/* its own files are its own */
		ok = ok && open("/proc/self/maps", O_RDONLY) >= 0 && open("/proc/self/fd", O_RDONLY) >= 0;
		struct stat st;
		ok = ok && stat("/proc/self", &st) == 0 && st.st_uid == 1000;
		_exit(ok ? 0 : 11);
	}
	CHECK(pid > 0);
	CHECK_EQ(waitpid(pid, &status, 0), pid);
	CHECK_EQ(status, 0);
}

/* A full plate table (as many plates as memory has pages, or the memory itself): /proc's
 * plates that nobody has open make room for files, an open one stays, and /proc works again
 * once there is room. */
static void table_full(void)
{
	char path[64], buf[256];
	struct stat st;
	int made = 0;
	long held = tsys_open((long)"/proc/self/status", O_RDONLY, 0);
	CHECK_OK(held);
	CHECK_OK(tsys_stat((long)"/proc/self/statm", (long)&st));
	CHECK_OK(tsys_stat((long)"/proc/self/fd/0", (long)&st));
	CHECK_OK(tsys_mkdir((long)"/tmp/pf", 0755));
	for (;; made++) {
		snprintf(path, sizeof(path), "/tmp/pf/%d", made);
		long fd = tsys_open((long)path, O_CREAT | O_WRONLY, 0644);
		if (fd == -ENOSPC)
			break;
		CHECK_OK(fd);
		tsys_close(fd);
		CHECK(made < (1 << 22));
	}
	CHECK(made > 100);
	/* the unused plates of /proc went to make files; the open file still reads */
	CHECK(tsys_read(held, (long)buf, sizeof(buf)) > 0);
	CHECK(tsys_stat((long)"/proc/self/fd/0", (long)&st) < 0);
	for (int i = 0; i < made; i++) {
		snprintf(path, sizeof(path), "/tmp/pf/%d", i);
		CHECK_OK(tsys_unlink((long)path));
	}
	CHECK_OK(tsys_rmdir((long)"/tmp/pf"));
	CHECK_OK(tsys_stat((long)"/proc/self/fd/0", (long)&st));
	CHECK_EQ(tsys_lseek(held, 0, SEEK_SET), 0);
	CHECK(tsys_read(held, (long)buf, sizeof(buf)) > 0);
	tsys_close(held);
}

/* sethostname: root changes the name uname and /proc give; nobody else may. */
static void hostname(void)
{
	char buf[128];
	struct utsname u;
	CHECK_OK(tsys_sethostname((long)"pfhost", 6));
	slurp("/proc/sys/kernel/hostname", buf, sizeof(buf));
	CHECK(strcmp(buf, "pfhost\n") == 0);
	CHECK_OK(uname(&u));
	CHECK(strcmp(u.nodename, "pfhost") == 0);
	memset(buf, 'h', 65);
	CHECK_ERR(tsys_sethostname((long)buf, 65), EINVAL);
	CHECK_ERR(tsys_sethostname(1, 4), EFAULT);
	CHECK_OK(tsys_sethostname((long)"tessera", 7));
	int pid = fork(), status;
	if (pid == 0)
		_exit(setuid(1000) == 0 && tsys_sethostname((long)"x", 1) == -EPERM ? 0 : 1);
	CHECK_EQ(waitpid(pid, &status, 0), pid);
	CHECK_EQ(status, 0);
	CHECK_OK(uname(&u));
	CHECK(strcmp(u.nodename, "tessera") == 0);
}

const struct utest ut_procfs_tests[] = {
	{ "procfs_self_files", self_files },
	{ "procfs_offsets", offsets },
	{ "procfs_bad_names", bad_names },
	{ "procfs_listings", listings },
	{ "procfs_system_files", system_files },
	{ "procfs_tessera_view", tessera_view },
	{ "procfs_mounts_statfs", mounts_statfs },
	{ "procfs_exit_while_open", exit_while_open },
	{ "procfs_other_user", other_user },
	{ "procfs_table_full", table_full },
	{ "procfs_hostname", hostname },
	{ NULL, NULL },
};
