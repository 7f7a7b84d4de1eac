/* execve as Linux's: "#!" scripts (the interpreter's optional argument, nested interpreters up
 * to Linux's limit and ELOOP past it, an empty argv), a program copied at run time, execute
 * permission (EACCES), files that are no program (ENOEXEC), a missing interpreter (ENOENT),
 * and the limits on argv + envp (E2BIG): the same results as on Linux. Works in a directory
 * of its own under /tmp and names everything relative to it, so the output has no pid. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static char *const no_env[] = { NULL };

/* Runs path with argv in a child (no environment); prints how it ended or why execve failed. */
static void run(const char *what, const char *path, char *const argv[])
{
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		execve(path, argv, no_env);
		printf("%s: execve: %s\n", what, strerror(errno));
		fflush(stdout);
		_exit(255);
	}
	int st = 0;
	if (pid < 0 || waitpid(pid, &st, 0) != pid) {
		printf("%s: fork/wait: %s\n", what, strerror(errno));
		return;
	}
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 255)
		printf("%s: exit %d\n", what, WEXITSTATUS(st));
}

static void put(const char *name, const char *text, mode_t mode)
{
	int fd = open(name, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text) || close(fd) ||
	    chmod(name, mode))
		printf("cannot write %s: %s\n", name, strerror(errno));
}

static void copy(const char *from, const char *to)
{
	static char buf[65536];
	int in = open(from, O_RDONLY), out = open(to, O_WRONLY | O_CREAT | O_TRUNC, 0700);
	ssize_t n;
	while (in >= 0 && out >= 0 && (n = read(in, buf, sizeof(buf))) > 0)
		if (write(out, buf, (size_t)n) != n)
			break;
	if (in < 0 || out < 0)
		printf("cannot copy %s: %s\n", from, strerror(errno));
	close(in);
	close(out);
}

static void scripts(void)
{
	char name[16], text[32];
	put("s0", "#!/bin/busybox  echo \t\n", 0755);        /* trailing blanks: no part of it */
	for (int i = 1; i <= 6; i++) {
		snprintf(name, sizeof(name), "s%d", i);
		snprintf(text, sizeof(text), "#! ./s%d\nignored\n", i - 1);
		put(name, text, 0755);
	}
	for (int i = 0; i <= 6; i++) {
		snprintf(name, sizeof(name), "./s%d", i);
		char *argv[] = { "first", "a", "b c", NULL };
		run(name, name, argv);
	}
	char *empty[] = { NULL };
	run("empty argv", "./s0", empty);
	put("spaced", "#!/bin/busybox echo inner  spaces\n", 0755);
	char *one[] = { "x", NULL };
	run("spaced", "./spaced", one);
	put("noexec", "#!/bin/busybox echo\n", 0644);
	run("no execute bit", "./noexec", one);
	put("nointerp", "#!/no/such/interpreter\n", 0755);
	run("missing interpreter", "./nointerp", one);
	put("badinterp", "#!./noexec\n", 0755);
	run("interpreter not executable", "./badinterp", one);
	put("text", "echo no magic\n", 0755);
	run("plain text", "./text", one);
	put("bang", "#!\n", 0755);
	run("no interpreter name", "./bang", one);
	put("empty", "", 0755);
	run("empty file", "./empty", one);
	mkdir("dir", 0755);
	run("directory", "./dir", one);
}

static void runtime_program(void)
{
	char *argv[] = { "echo", "a copy of busybox written at run time", NULL };
	copy("/bin/busybox", "bb");
	run("copy", "./bb", argv);
	chmod("bb", 0644);
	run("copy without execute bit", "./bb", argv);
	unlink("bb");
}

/* count strings of len characters, after "true". */
static void big(const char *what, int count, size_t len)
{
	char **argv = calloc((size_t)count + 2, sizeof(char *));
	char *s = malloc(len + 1);
	memset(s, 'x', len);
	s[len] = 0;
	argv[0] = "true";
	for (int i = 1; i <= count; i++)
		argv[i] = s;
	run(what, "/bin/busybox", argv);
	free(s);
	free(argv);
}

static void limits(void)
{
	struct rlimit rl = { 8 << 20, 8 << 20 };
	getrlimit(RLIMIT_STACK, &rl);
	rl.rlim_cur = 8 << 20;                /* the limit is a quarter of this: 2 MiB */
	if (setrlimit(RLIMIT_STACK, &rl))
		printf("setrlimit: %s\n", strerror(errno));
	big("one string of 128 KiB - 1", 1, 131071);
	big("one string of 128 KiB", 1, 131072);
	big("15 strings of 128 KiB - 1", 15, 131071);
	big("17 strings of 128 KiB - 1", 17, 131071);
	big("200000 empty strings", 200000, 0);
	big("300000 empty strings", 300000, 0);
	big("15000 strings of 100", 15000, 100);
}

int main(void)
{
	char dir[64];
	snprintf(dir, sizeof(dir), "/tmp/compat-execs-%d", (int)getpid());
	if (mkdir(dir, 0755) || chdir(dir)) {
		printf("cannot make %s: %s\n", dir, strerror(errno));
		return 1;
	}
	scripts();
	runtime_program();
	limits();
	fflush(stdout);
	char cmd[96];
	snprintf(cmd, sizeof(cmd), "/bin/busybox rm -rf %s", dir);
	return system(cmd) ? 1 : 0;
}
