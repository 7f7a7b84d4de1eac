/* What the job-control tests (t_jobctl.c, t_ctty.c) share. */
#pragma once
#include <errno.h>

/* -errno of a failed call, else its result */
#define R(x) ((x) < 0 ? -errno : (long)(x))

/* A child's cases: the exit code names the first that failed. */
#define EXPECT(n, cond)          \
	do {                     \
		if (!(cond))     \
			return n; \
	} while (0)

/* Sleeps ms milliseconds, whatever signals come. */
void jc_pause_ms(long ms);
/* A child that runs fn and exits with its result (0: passed). */
int jc_fork_run(int (*fn)(void));
/* Waits for pid with flags (waitpid's) and returns its status; fails the test otherwise. */
int jc_wait_status(int pid, int flags);
/* Runs fn in a child and fails the test with the case number it exits with. */
void jc_check_child(int (*fn)(void));
/* A child sleeping until killed; pgid >= 0: in that group (0: its own), set on both sides. */
int jc_fork_sleeper(int pgid);
/* SIGKILL to pid, then its status checked. */
void jc_kill_and_reap(int pid);
/* /proc/PID/stat's pgrp, session, tty_nr and tpgid. */
void jc_stat_fields(int pid, int f[4]);
/* A SIGHUP handler writing 'H' to jc_hup_pipe. */
extern int jc_hup_pipe;
void jc_on_hup(int sig);
