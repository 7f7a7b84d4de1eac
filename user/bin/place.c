/*
 * place: the management command of the placement of children's programs (docs/network.md,
 * "The HVS web evaluation"). It sets, by pid, how the kernel carries out the vfork and execve
 * of a process's children, so an unmodified server (busybox httpd) runs its CGI programs in
 * the three modes of the HVS paper:
 *   place                      every process: mode, how its program was placed, its space
 *   place PID                  one process (with its counters)
 *   place PID tender|unix|hvs  set it (root or the process's owner); children inherit it
 *   place -m MODE PROG [ARGS]  run PROG (looked up in /bin) with that mode, in this process
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "libtessera.h"

static void usage(void)
{
	fprintf(stderr, "usage: place [PID [tender|unix|hvs]] | place -m MODE PROG [ARGS...]\n");
	exit(2);
}

static void header(void)
{
	printf("%5s %-7s %-13s %6s %10s %9s\n", "PID", "MODE", "EXEC", "SPACE", "VFORK>FORK",
	       "FALLBACKS");
}

static int show(int pid)
{
	struct t_place_info in;
	int err = t_place_info(pid, &in);
	if (err < 0) {
		fprintf(stderr, "place: %d: %s\n", pid, strerror(-err));
		return 1;
	}
	printf("%5d %-7s %-13s %6u %10llu %9llu\n", pid, t_place_name(in.mode),
	       t_place_exec_name(in.exec_how), RID_INDEX(in.space),
	       (unsigned long long)in.vforks_as_fork, (unsigned long long)in.hvs_fallbacks);
	return 0;
}

static int show_all(void)
{
	rid_t rid = 0;
	struct t_res_info in;
	header();
	while (t_res_next(RT_PROCESS, rid, &rid) == 0)
		if (t_res_info(rid, &in) == 0 && in.v[2] != TPS_ZOMBIE)
			show((int)in.v[0]);
	return 0;
}

static int mode_arg(const char *name)
{
	int m = t_place_parse(name);
	if (m < 0)
		usage();
	return m;
}

/* Set our own mode, then become PROG: the mode stays with the process through execve. */
static int run_placed(const char *mode, char **argv)
{
	char path[256];
	int err = t_place_set(0, (uint32_t)mode_arg(mode));
	if (err < 0) {
		fprintf(stderr, "place: %s\n", strerror(-err));
		return 1;
	}
	snprintf(path, sizeof(path), strchr(argv[0], '/') ? "%s" : "/bin/%s", argv[0]);
	execv(path, argv);
	perror(path);
	return 127;
}

int main(int argc, char **argv)
{
	if (argc == 1)
		return show_all();
	if (strcmp(argv[1], "-m") == 0)
		return argc > 3 ? run_placed(argv[2], argv + 3) : (usage(), 2);
	char *end;
	long pid = strtol(argv[1], &end, 10);
	if (*end || end == argv[1] || pid < 0 || pid > 0x7fffffff || argc > 3)
		usage();
	if (argc == 3) {
		int err = t_place_set((int)pid, (uint32_t)mode_arg(argv[2]));
		if (err < 0) {
			fprintf(stderr, "place: %ld: %s\n", pid, strerror(-err));
			return 1;
		}
	}
	header();
	return show((int)pid);
}
