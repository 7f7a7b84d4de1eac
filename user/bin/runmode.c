/*
 * runmode: the management command of the running-mode switch (docs/runmode.md). It switches
 * any process between Umode (ring 3) and Smode (ring 0) by pid, so unmodified programs can
 * be switched too.
 *   runmode                   every process with its mode
 *   runmode PID               one process: mode, pending switch, switches applied
 *   runmode PID s|u           switch it (applied at the end of its next system call)
 *   runmode -s PROG [ARGS]    run PROG in Smode (from its first system call on), wait for it
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include "libtessera.h"

static void usage(void)
{
	fprintf(stderr, "usage: runmode [PID [s|u]] | runmode -s PROG [ARGS...]\n");
	exit(2);
}

static int show(int pid)
{
	struct t_runmode_info in;
	int err = t_runmode_info(pid, &in);
	if (err < 0) {
		fprintf(stderr, "runmode: %d: %s\n", pid, strerror(-err));
		return 1;
	}
	printf("%5d %-6s %-8s %llu\n", pid, t_runmode_name(in.mode),
	       in.pending == TRM_NONE ? "-" : t_runmode_name(in.pending),
	       (unsigned long long)in.switches);
	return 0;
}

static void header(void)
{
	printf("%5s %-6s %-8s %s\n", "PID", "MODE", "PENDING", "SWITCHES");
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

static int set_mode(int pid, const char *m)
{
	int err;
	if (strcmp(m, "s") == 0 || strcmp(m, "smode") == 0)
		err = t_switch_supervisor(pid);
	else if (strcmp(m, "u") == 0 || strcmp(m, "umode") == 0)
		err = t_switch_user(pid);
	else
		usage();
	if (err < 0) {
		fprintf(stderr, "runmode: %d: %s\n", pid, strerror(-err));
		return 1;
	}
	header();
	return show(pid);
}

/* Starts the program and registers the switch before it has run: its first system call
 * (musl's start-up) ends in ring 0. Exit status as a shell reports it. */
static int run_smode(char **argv)
{
	int pid, status = 0;
	char path[256];
	snprintf(path, sizeof(path), strchr(argv[0], '/') ? "%s" : "/bin/%s", argv[0]);
	int err = t_spawnv(path, (const char *const *)argv, &pid);
	if (err < 0) {
		fprintf(stderr, "runmode: %s: %s\n", argv[0], strerror(-err));
		return 127;
	}
	if ((err = t_switch_supervisor(pid)) < 0)
		fprintf(stderr, "runmode: %d: %s (runs in Umode)\n", pid, strerror(-err));
	if ((err = t_proc_wait(pid, &status, 0)) < 0) {
		fprintf(stderr, "runmode: wait: %s\n", strerror(-err));
		return 1;
	}
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

int main(int argc, char **argv)
{
	if (argc == 1)
		return show_all();
	if (strcmp(argv[1], "-s") == 0)
		return argc > 2 ? run_smode(argv + 2) : (usage(), 2);
	char *end;
	long pid = strtol(argv[1], &end, 10);
	if (*end || end == argv[1] || pid < 0 || pid > 0x7fffffff || argc > 3)
		usage();
	if (argc == 2) {
		header();
		return show((int)pid);
	}
	return set_mode((int)pid, argv[2]);
}
