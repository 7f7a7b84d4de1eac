/* The name a process takes at execve (Linux's comm, /proc/PID/comm): the last component of
 * the path execve was given, so the link's name for a symbolic link and the script's name for
 * a "#!" script, cut to 15 bytes; pidof and killall find processes by it. The program execs
 * itself in each way (its children print /proc/self/comm against what Linux gives). */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static void child_report(const char *want)
{
	char comm[64] = "";
	FILE *f = fopen("/proc/self/comm", "r");
	if (f) {
		if (!fgets(comm, sizeof(comm), f))
			comm[0] = 0;
		fclose(f);
	}
	comm[strcspn(comm, "\n")] = 0;
	char cut[16];
	snprintf(cut, sizeof(cut), "%s", want);
	printf("  comm is the name execve was given (cut to 15): %s\n",
	       strcmp(comm, cut) == 0 ? "yes" : comm);
}

/* Runs path with argv { arg0, "report", want } and waits for it. */
static void run(const char *what, const char *path, const char *want)
{
	printf("%s\n", what);
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		execl(path, "execname", "report", want, (char *)NULL);
		printf("  execve failed\n");
		_exit(1);
	}
	int st;
	waitpid(pid, &st, 0);
	printf("  exit status %d\n", WIFEXITED(st) ? WEXITSTATUS(st) : -1);
}

int main(int argc, char **argv)
{
	/* run directly: "report" and the name expected; a "#!" script's interpreter gets its own
	 * path, "report" (the line's one argument), the script's path, then the script's argv
	 * without argv[0] */
	if (argc == 3 && strcmp(argv[1], "report") == 0) {
		child_report(argv[2]);
		return 0;
	}
	if (argc > 3 && strcmp(argv[1], "report") == 0) {
		const char *slash = strrchr(argv[2], '/');
		child_report(slash ? slash + 1 : argv[2]);
		return 0;
	}
	char self[512], link[64], script[64], longlink[96], line[600];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n <= 0)
		return 1;
	self[n] = 0;
	int id = (int)getpid();
	snprintf(link, sizeof(link), "/tmp/exn-link-%d", id);
	snprintf(longlink, sizeof(longlink), "/tmp/exn-a-rather-long-link-name-%d", id);
	snprintf(script, sizeof(script), "/tmp/exn-script-%d", id);
	if (symlink(self, link) || symlink(self, longlink))
		return 1;
	FILE *f = fopen(script, "w");
	snprintf(line, sizeof(line), "#!%s report\n", self);
	fputs(line, f);
	fclose(f);
	chmod(script, 0755);
	run("the program by its own path", self, strrchr(self, '/') + 1);
	run("through a symbolic link", link, link + 5);
	run("through a link with a long name", longlink, longlink + 5);
	run("a #! script", script, script + 5);
	unlink(link);
	unlink(longlink);
	unlink(script);
	return 0;
}
