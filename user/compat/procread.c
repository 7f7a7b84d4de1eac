/* Compatibility program: what a /proc reader relies on, printed so that the output is the same
 * on Linux and on Tessera: the fields of /proc/self/stat and status against the process's own
 * calls, cmdline against argv, the self, exe, cwd and fd links, the layout of meminfo, mounts,
 * uptime, loadavg and stat, and statfs of /proc. Values that differ between machines (memory
 * sizes, times, paths of the data root) are checked, not printed. argv[1] is the data root. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statfs.h>
#include <unistd.h>

static long slurp(const char *path, char *buf, size_t cap)
{
	int fd = open(path, O_RDONLY);
	long len = 0, n;
	if (fd < 0)
		return -1;
	while ((n = read(fd, buf + len, cap - 1 - (size_t)len)) > 0)
		len += n;
	close(fd);
	buf[len] = '\0';
	return len;
}

static void yes(const char *what, int ok)
{
	printf("%s: %s\n", what, ok ? "yes" : "no");
}

static long after(const char *text, const char *key)
{
	const char *p = strstr(text, key);
	return p ? strtol(p + strlen(key), NULL, 10) : -1;
}

static void self_stat(void)
{
	char buf[4096], want[64];
	slurp("/proc/self/stat", buf, sizeof(buf));
	snprintf(want, sizeof(want), "%d (procread-", (int)getpid());
	yes("stat starts with pid (comm", strncmp(buf, want, strlen(want)) == 0);
	char *rest = strrchr(buf, ')');
	char state;
	int ppid, pgrp, fields = 0;
	yes("stat state and ppid", rest && sscanf(rest + 2, "%c %d %d", &state, &ppid, &pgrp) == 3 &&
				       state == 'R' && ppid == getppid());
	for (char *t = rest ? strtok(rest + 1, " \n") : NULL; t; t = strtok(NULL, " \n"))
		fields++;
	yes("stat has 52 fields or more", fields + 2 >= 52);
	slurp("/proc/self/status", buf, sizeof(buf));
	yes("status Name", strncmp(buf, "Name:\tprocread-", 15) == 0);
	yes("status Pid", after(buf, "\nPid:\t") == getpid());
	yes("status PPid", after(buf, "\nPPid:\t") == getppid());
	yes("status Uid", after(buf, "\nUid:\t") == (long)getuid());
	yes("status State R", strstr(buf, "\nState:\tR (running)\n") != NULL);
	yes("status VmRSS", after(buf, "\nVmRSS:\t") > 0);
	long size = 0, res = 0;
	slurp("/proc/self/statm", buf, sizeof(buf));
	yes("statm", sscanf(buf, "%ld %ld", &size, &res) == 2 && res > 0 && res <= size);
	slurp("/proc/self/comm", buf, sizeof(buf));
	yes("comm", strncmp(buf, "procread-", 9) == 0 && buf[strlen(buf) - 1] == '\n');
}

static void self_links(int argc, char **argv)
{
	char buf[4096], link[512], want[32];
	long n = slurp("/proc/self/cmdline", buf, sizeof(buf)), k = 0;
	for (int i = 0; i < argc; i++)
		k += (long)strlen(argv[i]) + 1;
	yes("cmdline is argv", n == k && strcmp(buf, argv[0]) == 0 &&
				       strcmp(buf + strlen(argv[0]) + 1, argv[1]) == 0);
	snprintf(want, sizeof(want), "%d", (int)getpid());
	n = readlink("/proc/self", link, sizeof(link));
	yes("self link", n == (long)strlen(want) && memcmp(link, want, (size_t)n) == 0);
	n = readlink("/proc/self/exe", link, sizeof(link) - 1);
	link[n > 0 ? n : 0] = '\0';
	yes("exe link", n > 0 && link[0] == '/' && strstr(link, "/procread-") != NULL);
	yes("cwd link", readlink("/proc/self/cwd", link, sizeof(link)) > 0 && link[0] == '/');
	snprintf(buf, sizeof(buf), "%s/data/hello.txt", argv[1]);
	int fd = open(buf, O_RDONLY);
	snprintf(want, sizeof(want), "/proc/self/fd/%d", fd);
	n = readlink(want, link, sizeof(link) - 1);
	link[n > 0 ? n : 0] = '\0';
	yes("fd link", n >= 15 && strcmp(link + n - 15, "/data/hello.txt") == 0);
	close(fd);
	yes("closed fd link gone", readlink(want, link, sizeof(link)) < 0);
}

static void system_files(void)
{
	char buf[8192];
	slurp("/proc/meminfo", buf, sizeof(buf));
	yes("meminfo MemTotal first", strncmp(buf, "MemTotal:", 9) == 0 && after(buf, "MemTotal:") > 0);
	yes("meminfo MemFree", after(buf, "\nMemFree:") > 0);
	yes("meminfo MemAvailable", after(buf, "\nMemAvailable:") > 0);
	yes("meminfo Cached", after(buf, "\nCached:") >= 0);
	slurp("/proc/mounts", buf, sizeof(buf));
	yes("mounts has /proc", strstr(buf, " /proc proc rw") != NULL);
	yes("mounts has /", strstr(buf, " / ") != NULL);
	double up, idle, l1, l5, l15;
	int run, total, last;
	slurp("/proc/uptime", buf, sizeof(buf));
	yes("uptime", sscanf(buf, "%lf %lf", &up, &idle) == 2 && up > 0);
	slurp("/proc/loadavg", buf, sizeof(buf));
	yes("loadavg", sscanf(buf, "%lf %lf %lf %d/%d %d", &l1, &l5, &l15, &run, &total, &last) == 6 &&
			       run >= 1 && total >= run);
	slurp("/proc/stat", buf, sizeof(buf));
	yes("stat cpu line", strncmp(buf, "cpu  ", 5) == 0 && strstr(buf, "\nbtime ") &&
				     strstr(buf, "\nprocesses "));
	slurp("/proc/sys/kernel/ostype", buf, sizeof(buf));
	yes("ostype line", strlen(buf) > 1 && buf[strlen(buf) - 1] == '\n');
	struct statfs sf;
	yes("statfs /proc", statfs("/proc", &sf) == 0 && sf.f_type == 0x9fa0);
	/* offsets: a read at an offset gives the rest of the same text */
	char a[64], b[64];
	int fd = open("/proc/self/status", O_RDONLY);
	yes("pread", pread(fd, a, 10, 0) == 10 && pread(fd, b, 5, 5) == 5 && !memcmp(a + 5, b, 5));
	yes("seek end refused", lseek(fd, 0, SEEK_END) < 0);
	close(fd);
}

int main(int argc, char **argv)
{
	if (argc < 2)
		return 2;
	self_stat();
	self_links(argc, argv);
	system_files();
	return 0;
}
