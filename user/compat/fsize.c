/* Compatibility program: RLIMIT_FSIZE as Linux enforces it. With a limit of 1000 bytes, a
 * write that crosses it is cut short at the limit, one that starts there fails with EFBIG
 * and raises SIGXFSZ (caught here, then ignored), an append too; a child that keeps the
 * default action is killed by SIGXFSZ. The file is a scratch file under /tmp; output holds no
 * pid or time. argv[1] (the data root) is not needed. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile sig_atomic_t caught;

static void on_xfsz(int sig)
{
	caught += sig == SIGXFSZ;
}

static void show(const char *what, long r)
{
	if (r < 0)
		printf("%s: -1 %s (SIGXFSZ caught %d)\n", what, strerror(errno), (int)caught);
	else
		printf("%s: %ld (SIGXFSZ caught %d)\n", what, r, (int)caught);
}

int main(void)
{
	static char buf[600];
	char path[64];
	struct stat st;
	snprintf(path, sizeof(path), "/tmp/fsize-%d", (int)getpid());
	int fd = open(path, O_CREAT | O_TRUNC | O_RDWR, 0644);
	if (fd < 0)
		return 1;
	struct rlimit rl = { 1000, RLIM_INFINITY };
	signal(SIGXFSZ, on_xfsz);
	show("setrlimit FSIZE 1000", setrlimit(RLIMIT_FSIZE, &rl));
	show("write 600 at 0", write(fd, buf, sizeof(buf)));
	show("write 600 at 600", write(fd, buf, sizeof(buf)));
	show("write 600 at 1000", write(fd, buf, sizeof(buf)));
	show("pwrite 10 at 995", pwrite(fd, buf, 10, 995));
	show("pwrite 0 at 5000", pwrite(fd, buf, 0, 5000));
	fstat(fd, &st);
	printf("size %lld\n", (long long)st.st_size);
	signal(SIGXFSZ, SIG_IGN);
	int afd = open(path, O_WRONLY | O_APPEND);
	show("append 1 at the limit, SIGXFSZ ignored", write(afd, buf, 1));
	close(afd);
	signal(SIGXFSZ, SIG_DFL);
	pid_t pid = fork();
	if (pid == 0) {
		lseek(fd, 2000, SEEK_SET);
		write(fd, buf, 1);
		_exit(0);
	}
	int status = 0;
	waitpid(pid, &status, 0);
	printf("child writing past the limit: %s %d\n",
	       WIFSIGNALED(status) ? "killed by signal" : "exited", WIFSIGNALED(status) ?
	       WTERMSIG(status) : WEXITSTATUS(status));
	close(fd);
	unlink(path);
	return 0;
}
