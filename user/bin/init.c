/*
 * init, pid 1. The kernel passes the boot command line as arguments.
 *   run=/path [-- args...]  run that one program, report its status and power off with its
 *                           exit code (how the test harness runs /bin/utest);
 *   otherwise               run the shell /bin/sh, restarting it whenever it ends.
 * Either way init first starts the OS servers and drivers of /etc/svc.conf (`svc start-all`,
 * docs/servers.md), mounts the first disk at /disk if it holds ext2, starts the node server in
 * a cluster (node=N on the command line, docs/migration.md), and reaps every orphan
 * that ends up as its child. Power-off (t_poweroff) unmounts the disks in the kernel.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>
#include "libtessera.h"
#include "tnode.h"

#define MAX_ARGS 32

static int start(const char *path, const char *const *argv)
{
	int pid;
	int err = t_spawnv(path, argv, &pid);
	if (err < 0) {
		printf("init: cannot start %s: error %d (%s)\n", path, err, strerror(-err));
		return err;
	}
	return pid;
}

/* Waits until pid ends, reaping any other child on the way; returns its status word. */
static int wait_for(int pid)
{
	for (;;) {
		int status = 0;
		int got = t_proc_wait(-1, &status, 0);
		if (got == pid)
			return status;
		if (got < 0) {
			printf("init: wait: error %d (%s)\n", got, strerror(-got));
			return -1;
		}
	}
}

static int exit_code_of(int status)
{
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	return 128 + (status & 0x7f);
}

static _Noreturn void run_once(const char *path, const char *const *argv)
{
	int code = 127;
	int pid = start(path, argv);
	if (pid > 0) {
		int status = wait_for(pid);
		if (status >= 0 && WIFSIGNALED(status))
			printf("init: %s killed by signal %d (%s)\n", path, WTERMSIG(status),
			       strsignal(WTERMSIG(status)));
		code = status < 0 ? 126 : exit_code_of(status);
		printf("init: %s exited with status %d\n", path, code);
	}
	fflush(stdout);
	t_poweroff(code);
	for (;;)
		t_proc_wait(-1, NULL, 0);
}

/* The servers and drivers come before any program that may call them. */
static void start_services(void)
{
	static const char *const svc_argv[] = { "svc", "start-all", NULL };
	int pid = start("/bin/svc", svc_argv);
	if (pid > 0) {
		int status = wait_for(pid);
		if (status != 0)
			printf("init: svc start-all ended with status 0x%x\n", status);
	}
}

#define EXT2_MAGIC_OFFSET 1080          /* s_magic: superblock at 1024, field at 56 */
#define EXT2_MAGIC 0xef53

/* Whether the first disk holds ext2 (no disk, no driver: no). */
static int disk_has_ext2(void)
{
	unsigned char m[2];
	int fd = open("/dev/vda", O_RDONLY);
	if (fd < 0)
		return 0;
	int ok = pread(fd, m, 2, EXT2_MAGIC_OFFSET) == 2 && (m[0] | m[1] << 8) == EXT2_MAGIC;
	close(fd);
	return ok;
}

/* The first disk at /disk when it holds an ext2 file system (docs/storage.md), with the ext2
 * server started for it; a disk without one, or no disk, is left alone quietly: raw-disk work
 * (dd on /dev/vda) needs it unmounted. */
static void mount_disk(void)
{
	static const char *const argv[] = { "svc", "start", "ext2", NULL };
	if (!disk_has_ext2())
		return;
	int pid = start("/bin/svc", argv);
	if (pid < 0 || wait_for(pid) != 0)
		return;
	int err = mount("/dev/vda", "/disk", "ext2", 0, NULL) ? -errno : 0;
	if (err)
		printf("init: cannot mount /dev/vda at /disk: %s\n", strerror(-err));
	else
		printf("init: /dev/vda mounted at /disk\n");
}

/* In a cluster (the kernel has a node id: boot with node=N), the node server
 * (docs/migration.md). */
static void start_node(void)
{
	static const char *const argv[] = { "svc", "start", "node", NULL };
	if (!tnode_self())
		return;
	int pid = start("/bin/svc", argv);
	if (pid > 0 && wait_for(pid) != 0)
		printf("init: the node server did not start\n");
}

/* What a login gives root's shell on Linux (its entry in /etc/passwd: home /, shell
 * /bin/sh); programs started from the shell inherit it. */
static void login_environment(void)
{
	setenv("HOME", "/", 1);
	setenv("USER", "root", 1);
	setenv("LOGNAME", "root", 1);
	setenv("SHELL", "/bin/sh", 1);
	setenv("PATH", "/sbin:/usr/sbin:/bin:/usr/bin", 1);
}

static _Noreturn void run_shell(void)
{
	static const char *const sh_argv[] = { "sh", NULL };
	login_environment();
	printf("\nTessera: every object is a tile (resource) you can inspect, move and reshape.\n"
	       "Type 'help' for the shell's commands, 'ps' and 'res' to look at resources.\n\n");
	for (;;) {
		fflush(stdout);
		int pid = start("/bin/sh", sh_argv);
		if (pid < 0) {
			t_poweroff(1);
			for (;;)
				t_proc_wait(-1, NULL, 0);
		}
		int status = wait_for(pid);
		printf("init: sh ended (status 0x%x); starting a new one\n", status);
	}
}

int main(int argc, char **argv)
{
	const char *run = NULL;
	const char *prog_argv[MAX_ARGS + 2];
	int n = 0;
	for (int i = 1; i < argc; i++) {
		if (strncmp(argv[i], "run=", 4) == 0 && !run) {
			run = argv[i] + 4;
		} else if (strcmp(argv[i], "--") == 0 && run) {
			for (i++; i < argc && n < MAX_ARGS; i++)
				prog_argv[1 + n++] = argv[i];
		}
	}
	start_services();
	mount_disk();
	start_node();
	if (!run || !*run)
		run_shell();
	prog_argv[0] = run;
	prog_argv[1 + n] = NULL;
	run_once(run, prog_argv);
}
