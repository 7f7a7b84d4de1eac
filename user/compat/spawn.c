/* posix_spawn (musl: clone with CLONE_VM|CLONE_VFORK, then execve in the child), waitpid, a
 * spawn of a program that does not exist, and system() through /bin/sh -c; the output
 * matches Linux. */
#include <errno.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

static void run(const char *path, char *const argv[])
{
	pid_t pid;
	int status = 0;
	fflush(stdout);
	int r = posix_spawn(&pid, path, NULL, NULL, argv, environ);
	if (r) {
		printf("posix_spawn %s: %s\n", path, strerror(r));
		return;
	}
	if (waitpid(pid, &status, 0) != pid) {
		printf("waitpid: %s\n", strerror(errno));
		return;
	}
	printf("%s exited with %d\n", argv[1] ? argv[1] : argv[0], WEXITSTATUS(status));
}

int main(void)
{
	char *echo[] = { "busybox", "echo", "hello from a spawned busybox", NULL };
	char *fls[] = { "busybox", "false", NULL };
	char *none[] = { "no-such-program", NULL };
	run("/bin/busybox", echo);
	run("/bin/busybox", fls);
	run("/bin/no-such-program", none);
	for (int i = 0; i < 3; i++)
		run("/bin/busybox", echo);
	fflush(stdout);
	int st = system("/bin/busybox echo hello from system");
	printf("system: %d\n", WEXITSTATUS(st));
	return 0;
}
