/*
 * sh: Tessera's shell. Reads command lines from the console (the kernel does the line
 * editing and echo) or from a script file given as argv[1], splits them into words (with
 * "double" and 'single' quotes), and runs builtins or programs. Programs are started with
 * t_proc_create (Tessera has no fork/exec): a word containing '/' is a path, any other
 * name is looked up as /bin/NAME. A line that needs a full shell's grammar (pipes,
 * redirection, lists, background jobs, variables, substitution) is handed whole to
 * `busybox sh -c`, so what a user types at the prompt does what a Linux user expects.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "libtessera.h"
#include "abi/node.h"

#define LINE_MAX_LEN 1024
#define MAX_WORDS 64

struct reader {
	int fd;
	size_t len, pos;
	char buf[LINE_MAX_LEN];
};

struct builtin {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *help;
};

static int last_status;
static int interactive;

/* ---- input ---------------------------------------------------------------------------- */

/* Next line without its newline, truncated to LINE_MAX_LEN-1 bytes; -1 at end of input. */
static int read_line(struct reader *r, char *line)
{
	size_t n = 0;
	for (;;) {
		if (r->pos == r->len) {
			ssize_t got = read(r->fd, r->buf, sizeof(r->buf));
			if (got <= 0) {
				if (got < 0 && errno == EINTR)
					continue;
				line[n] = '\0';
				return n > 0 ? 0 : -1;
			}
			r->len = (size_t)got;
			r->pos = 0;
		}
		char c = r->buf[r->pos++];
		if (c == '\n' || c == '\r') {
			line[n] = '\0';
			return 0;
		}
		if (n < LINE_MAX_LEN - 1)
			line[n++] = c;
	}
}

/* Splits line in place into words; returns the count, or -1 on an unclosed quote. */
static int split_words(char *line, char **words, int max)
{
	int n = 0;
	char *src = line, *dst = line;
	for (;;) {
		while (*src == ' ' || *src == '\t')
			src++;
		if (!*src || *src == '#')
			break;
		if (n == max - 1)
			break;
		words[n++] = dst;
		while (*src && *src != ' ' && *src != '\t') {
			if (*src == '"' || *src == '\'') {
				char q = *src++;
				while (*src && *src != q)
					*dst++ = *src++;
				if (!*src)
					return -1;
				src++;
			} else {
				*dst++ = *src++;
			}
		}
		if (*src)
			src++;
		*dst++ = '\0';
	}
	words[n] = NULL;
	return n;
}

/* ---- running programs ----------------------------------------------------------------- */

static void report_status(const char *name, int status)
{
	if (WIFSIGNALED(status))
		printf("sh: %s: killed by signal %d (%s)\n", name, WTERMSIG(status),
		       strsignal(WTERMSIG(status)));
	else if (WIFEXITED(status) && WEXITSTATUS(status))
		printf("sh: %s: exit status %d\n", name, WEXITSTATUS(status));
}

/* Make group pgid the console's foreground one. A shell in the background may do so only
 * with SIGTTOU blocked (else the kernel stops it, or answers EIO: its group is orphaned),
 * as every job-control shell does. */
static int foreground(int pgid)
{
	sigset_t ttou, old;
	sigemptyset(&ttou);
	sigaddset(&ttou, SIGTTOU);
	sigprocmask(SIG_BLOCK, &ttou, &old);
	int r = tcsetpgrp(0, pgid);
	sigprocmask(SIG_SETMASK, &old, NULL);
	return r;
}

static int run_program(int argc, char **argv)
{
	char path[PATH_MAX];
	(void)argc;
	if (strchr(argv[0], '/'))
		snprintf(path, sizeof(path), "%s", argv[0]);
	else
		snprintf(path, sizeof(path), "/bin/%s", argv[0]);
	fflush(stdout);
	int pid;
	int err = t_spawnv(path, (const char *const *)argv, &pid);
	if (err == -ENOENT) {
		printf("sh: %s: not found\n", argv[0]);
		return 127;
	}
	if (err < 0) {
		printf("sh: %s: error %d (%s)\n", argv[0], err, strerror(-err));
		return 126;
	}
	int status = 0;
	int got;
	/* the program leads a process group of its own in the foreground, so ^C, ^\ and ^Z on
	 * the console signal it and not the shell (kernel/proc/ctty.h); SIGCONT in case it
	 * stopped itself, finding itself in the background before the group changed */
	if (interactive && setpgid(pid, pid) == 0 && foreground(pid) == 0)
		kill(-pid, SIGCONT);
	while ((got = waitpid(pid, &status, WUNTRACED)) < 0 && errno == EINTR)
		;
	if (interactive)
		foreground(getpgrp());
	if (got < 0) {
		printf("sh: %s: wait: %s\n", argv[0], strerror(errno));
		return 126;
	}
	if (WIFSTOPPED(status)) {
		/* no job control here: it stays stopped until `kill -CONT PID` (busybox sh and
		 * bash have fg and bg) */
		printf("sh: %s: stopped by signal %d (pid %d)\n", argv[0], WSTOPSIG(status), pid);
		return 128 + WSTOPSIG(status);
	}
	report_status(argv[0], status);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static int run_words(int argc, char **argv);

/* ---- builtins ----------------------------------------------------------------------- */

static int bi_cd(int argc, char **argv)
{
	const char *dir = argc > 1 ? argv[1] : "/";
	if (chdir(dir) < 0) {
		printf("sh: cd: %s: %s\n", dir, strerror(errno));
		return 1;
	}
	return 0;
}

static int bi_pwd(int argc, char **argv)
{
	char buf[PATH_MAX];
	(void)argc, (void)argv;
	if (!getcwd(buf, sizeof(buf))) {
		printf("sh: pwd: %s\n", strerror(errno));
		return 1;
	}
	printf("%s\n", buf);
	return 0;
}

static int bi_echo(int argc, char **argv)
{
	for (int i = 1; i < argc; i++)
		printf("%s%s", argv[i], i + 1 < argc ? " " : "");
	printf("\n");
	return 0;
}

static int bi_exit(int argc, char **argv)
{
	fflush(stdout);
	exit(argc > 1 ? atoi(argv[1]) : last_status);
}

static int bi_poweroff(int argc, char **argv)
{
	fflush(stdout);
	int err = t_poweroff(argc > 1 ? atoi(argv[1]) : 0);
	(void)argv;
	printf("sh: poweroff: error %d (%s)\n", err, strerror(-err));
	return 1;
}

static int bi_time(int argc, char **argv)
{
	struct timespec t0, t1;
	if (argc < 2) {
		printf("usage: time COMMAND [ARGS...]\n");
		return 2;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	int st = run_words(argc - 1, argv + 1);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	long long us = (long long)(t1.tv_sec - t0.tv_sec) * 1000000 + (t1.tv_nsec - t0.tv_nsec) / 1000;
	printf("real %lld.%06llds\n", us / 1000000, us % 1000000);
	return st;
}

static int find_ref(const struct t_res_info *in, uint32_t type, rid_t *out)
{
	for (uint32_t i = 0; i < in->nrefs && i < T_MAX_REFS; i++) {
		if (RID_TYPE(in->refs[i].rid) == type) {
			*out = in->refs[i].rid;
			return 0;
		}
	}
	return -ENOENT;
}

/* Where a process of another node's story is (abi/node.h T_PLOC): "at N:PID" for one of
 * this node running on node N, "from N:PID" for one that came from node N; "-" else. */
static void where_str(const struct t_res_info *in, char *buf, size_t n)
{
	uint64_t v = in->v[5];
	if (!v)
		snprintf(buf, n, "-");
	else
		snprintf(buf, n, "%s %u:%d", v & T_PLOC_HOME ? "from" : "at", T_PLOC_NODE(v),
			 T_PLOC_PID(v));
}

static int bi_ps(int argc, char **argv)
{
	rid_t rid = 0;
	struct t_res_info in;
	(void)argc, (void)argv;
	printf("%5s %5s %-8s %5s %-10s %-5s %-10s %s\n", "PID", "PPID", "STATE", "UID", "SPACE",
	       "MODE", "NODE", "NAME");
	while (t_res_next(RT_PROCESS, rid, &rid) == 0) {
		if (t_res_info(rid, &in) < 0)
			continue;
		rid_t space = 0;
		char sbuf[T_RID_STR_LEN] = "-", where[24];
		if (find_ref(&in, RT_VSPACE, &space) == 0)
			snprintf(sbuf, sizeof(sbuf), "%u", (unsigned)RID_INDEX(space));
		/* running mode (docs/runmode.md): "umode"/"smode", "-" for an ended process */
		struct t_runmode_info rm;
		const char *mode = t_runmode_info((int)in.v[0], &rm) == 0
					   ? t_runmode_name(rm.mode) : "-";
		where_str(&in, where, sizeof(where));
		printf("%5llu %5llu %-8s %5llu %-10s %-5s %-10s %s\n", (unsigned long long)in.v[0],
		       (unsigned long long)in.v[1], t_state_name((uint32_t)in.v[2]),
		       (unsigned long long)in.v[4], sbuf, mode, where, in.name);
	}
	return 0;
}

static void print_resource(const struct t_res_info *in)
{
	char mode[T_MODE_STR_LEN], ref[T_RID_STR_LEN];
	printf("%-8s %016llx %-16s %5u %s", t_type_name(in->type), (unsigned long long)in->rid,
	       in->name[0] ? in->name : "-", (unsigned)in->owner, t_mode_str(in->mode, mode));
	for (uint32_t i = 0; i < in->nrefs && i < T_MAX_REFS; i++)
		printf(" %.16s=%s", in->refs[i].role, t_rid_str(in->refs[i].rid, ref));
	if (in->type == RT_EXEC)          /* an execution: its process's pid, its thread id */
		printf(" pid %llu tid %llu %s", (unsigned long long)in->v[2],
		       (unsigned long long)in->v[4], t_state_name((uint32_t)in->v[0]));
	if (in->type == RT_DEVICE)
		printf(" %04x:%04x class %06x%s", (unsigned)(in->v[0] >> 16),
		       (unsigned)(in->v[0] & 0xffff), (unsigned)in->v[1],
		       in->v[2] ? " claimed" : "");
	printf("%s\n", in->flags & TRF_REUSABLE ? " [reusable]" : "");
}

/* The reusable-resource table: what it holds (marked [reusable] above) and how it served. */
static void print_reuse(void)
{
	static const char *const kinds[TRU_NKINDS] = { "programs", "spaces", "regions" };
	struct t_reuse_stat st;
	if (t_reuse_stat(&st))
		return;
	printf("reusable-resource table:");
	for (int k = 0; k < TRU_NKINDS; k++)
		printf(" %s %u/%u (hits %llu, misses %llu)%s", kinds[k], st.cached[k],
		       st.capacity[k], (unsigned long long)st.hits[k],
		       (unsigned long long)st.misses[k], k + 1 < TRU_NKINDS ? "," : "");
	printf("\n");
}

static int bi_res(int argc, char **argv)
{
	uint32_t type = RT_NONE;
	if (argc > 1 && t_type_parse(argv[1], &type) < 0) {
		printf("sh: res: unknown type '%s' (process program plate vregion vspace vuspace "
		       "vkspace exec cbox container checkpoint ica node device)\n", argv[1]);
		return 2;
	}
	printf("%-8s %-16s %-16s %5s %-17s %s\n", "TYPE", "ID", "NAME", "OWNER", "MODE", "REFS");
	rid_t rid = 0;
	struct t_res_info in;
	int err;
	while ((err = t_res_next(type, rid, &rid)) == 0) {
		if (t_res_info(rid, &in) == 0)
			print_resource(&in);
	}
	if (err != -ENOENT) {
		printf("sh: res: error %d (%s)\n", err, strerror(-err));
		return 1;
	}
	if (type == RT_NONE)
		print_reuse();
	return 0;
}

static int bi_kstat(int argc, char **argv)
{
	struct t_kstat ks;
	(void)argc, (void)argv;
	int err = t_kstat(&ks);
	if (err < 0) {
		printf("sh: kstat: error %d (%s)\n", err, strerror(-err));
		return 1;
	}
	printf("pages: %llu free of %llu (%llu KiB free)\n", (unsigned long long)ks.pages_free,
	       (unsigned long long)ks.pages_total, (unsigned long long)ks.pages_free * 4);
	printf("uptime: %llu ticks at %llu Hz\n", (unsigned long long)ks.ticks,
	       (unsigned long long)ks.hz);
	for (uint32_t t = 1; t < RT_NTYPES; t++)
		printf("%-8s %u\n", t_type_name(t), (unsigned)ks.res_count[t]);
	return 0;
}

static int bi_help(int argc, char **argv);

static const struct builtin builtins[] = {
	{ "cd", bi_cd, "cd [DIR]         change directory (default /)" },
	{ "pwd", bi_pwd, "pwd              print the current directory" },
	{ "echo", bi_echo, "echo WORDS...    print the words" },
	{ "ps", bi_ps, "ps               list processes (pid, ppid, state, uid, space, mode, node, name)" },
	{ "res", bi_res, "res [TYPE]       list resources (type, id, name, owner, mode, refs)" },
	{ "kstat", bi_kstat, "kstat            free pages and resource counts" },
	{ "time", bi_time, "time CMD...      run CMD and print the elapsed time" },
	{ "help", bi_help, "help             this text" },
	{ "exit", bi_exit, "exit [N]         leave the shell" },
	{ "poweroff", bi_poweroff, "poweroff [N]     turn the machine off" },
};
#define NBUILTINS (sizeof(builtins) / sizeof(builtins[0]))

static int bi_help(int argc, char **argv)
{
	(void)argc, (void)argv;
	printf("Builtins:\n");
	for (size_t i = 0; i < NBUILTINS; i++)
		printf("  %s\n", builtins[i].help);
	printf("Other words run programs: NAME runs /bin/NAME, a word with '/' is a path.\n"
	       "Modes are owner/group/other, letters r=refer u=use m=modify d=delete v=move.\n");
	return 0;
}

static int run_words(int argc, char **argv)
{
	for (size_t i = 0; i < NBUILTINS; i++)
		if (strcmp(argv[0], builtins[i].name) == 0)
			return builtins[i].fn(argc, argv);
	return run_program(argc, argv);
}

/* ---- main loop -------------------------------------------------------------------------- */

static void prompt(void)
{
	char cwd[PATH_MAX];
	if (!getcwd(cwd, sizeof(cwd)))
		strcpy(cwd, "?");
	printf("tessera:%s$ ", cwd);
	fflush(stdout);
}

/* Whether line holds, outside quotes, a character only a full shell gives meaning to, or
 * starts with an assignment. Inside double quotes `$` and the backquote still count (they
 * expand there too). */
static int needs_full_shell(const char *line)
{
	char q = 0;
	int first_word = 1;                  /* NAME=value before the command: an assignment */
	while (*line == ' ' || *line == '\t')
		line++;
	for (const char *c = line; *c; c++) {
		if (!q && (*c == ' ' || *c == '\t'))
			first_word = 0;
		if (first_word && !q && *c == '=' && c != line)
			return 1;
		if (q && *c == q)
			q = 0;
		else if (!q && (*c == '"' || *c == '\''))
			q = *c;
		else if (!q && *c == '#' && (c == line || c[-1] == ' ' || c[-1] == '\t'))
			return 0;                /* the rest is a comment */
		else if (q != '\'' && strchr(q ? "$`" : "|;&<>$`()*?[\\~", *c))
			return 1;
	}
	return 0;
}

#define FULL_SHELL "/bin/busybox"

static int run_full_shell(char *line)
{
	char path[] = FULL_SHELL, name[] = "sh", opt[] = "-c";
	char *argv[] = { path, name, opt, line, NULL };
	if (access(FULL_SHELL, X_OK) != 0) {
		printf("sh: pipes, redirection and variables need %s (not in this image)\n",
		       FULL_SHELL);
		return 127;
	}
	return run_program(4, argv);
}

static int run_line(char *line)
{
	char *words[MAX_WORDS];
	if (needs_full_shell(line)) {
		int st = run_full_shell(line);
		fflush(stdout);
		return st;
	}
	int n = split_words(line, words, MAX_WORDS);
	if (n < 0) {
		printf("sh: unclosed quote\n");
		return 2;
	}
	if (n == 0)
		return last_status;
	int st = run_words(n, words);
	fflush(stdout);
	return st;
}

static void on_signal(int sig)
{
	(void)sig;
}

/* An interactive shell leads a session with the console as its terminal, unless it runs in
 * the foreground of another one. The terminal's signals do nothing to the shell itself; they
 * are caught, not ignored, so programs it starts get them back at their default action. */
static void take_terminal(void)
{
	static const int sigs[] = { SIGINT, SIGQUIT, SIGTSTP, SIGTTIN, SIGTTOU };
	struct sigaction sa = { .sa_handler = on_signal, .sa_flags = SA_RESTART };
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		sigaction(sigs[i], &sa, NULL);
	if (tcgetpgrp(0) < 0 && setsid() > 0)
		ioctl(0, TIOCSCTTY, 0);
}

int main(int argc, char **argv)
{
	static struct reader in;
	static char line[LINE_MAX_LEN];
	in.fd = 0;
	if (argc > 2 && strcmp(argv[1], "-c") == 0) {
		/* sh -c LINE: what system() and popen() run */
		snprintf(line, sizeof(line), "%s", argv[2]);
		return run_line(line);
	}
	if (argc > 1) {
		in.fd = open(argv[1], O_RDONLY);
		if (in.fd < 0) {
			printf("sh: %s: %s\n", argv[1], strerror(errno));
			return 127;
		}
	}
	interactive = in.fd == 0;
	if (interactive)
		take_terminal();
	for (;;) {
		if (interactive) {
			while (waitpid(-1, NULL, WNOHANG) > 0)
				;             /* stopped programs that ended since */
			prompt();
		}
		if (read_line(&in, line) < 0)
			break;
		last_status = run_line(line);
	}
	if (interactive)
		printf("\n");
	return last_status;
}
