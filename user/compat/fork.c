/* fork: the child gets a copy of the memory (globals and heap diverge), descriptors are
 * shared (a pipe carries the child's message), and many forks in a row; matches Linux. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>
static int global = 5;
int main(void) {
	char *heap = malloc(100000); strcpy(heap, "parent heap");
	int fds[2]; pipe(fds);
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		global = 42; strcpy(heap, "child heap");
		close(fds[0]);
		char msg[64]; int n = snprintf(msg, sizeof msg, "child sees global %d", global);
		write(fds[1], msg, n); close(fds[1]);
		_exit(7);
	}
	close(fds[1]);
	char buf[64] = {0}; read(fds[0], buf, sizeof buf - 1);
	int st; waitpid(pid, &st, 0);
	printf("parent: got '%s', child exit %d, my global %d, my heap '%s'\n", buf, WEXITSTATUS(st), global, heap);
	for (int i = 0; i < 20; i++) { pid_t p = fork(); if (!p) _exit(i); waitpid(p, &st, 0); if (WEXITSTATUS(st) != i) printf("bad %d\n", i); }
	puts("20 forks ok");
	return 0;
}
