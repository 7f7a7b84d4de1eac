/*
 * cgihello: the CGI program (RFC 3875) of the HVS web evaluation (docs/network.md): as the
 * HVS paper's perl script (seed 002, section 5.3) it opens an access-counter file, adds one
 * and answers with a short page. The counter file is COUNTER, or /tmp/cgihello.count; a lock
 * directory beside it (mkdir is atomic on every system) makes concurrent calls count right.
 * The page says where the program was placed (TPL_* of abi/tessera.h: its space, its
 * parent's, how its execve placed it), asked of Tessera by number so the very same file runs
 * on Linux, which answers ENOSYS ("placement: none"). Every field has a fixed width, so every
 * page of one run has the same length (ApacheBench counts a page of another length as a
 * failed request).
 *
 * It is built as a self-relocating static PIE (musl's rcrt1.o, tests/web.mk): Linux runs the
 * same file, and under Tender+HVS it loads at addresses of its own in its parent's space.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#include "abi/tessera.h"

#define NR_T_PLACE_INFO 1126     /* abi/syscalls.def */
#define LOCK_TRIES 20000         /* of 1 ms: a lock older than that is taken as stale */

static void lock(const char *dir)
{
	struct timespec ms = { 0, 1000000 };
	for (int i = 0; i < LOCK_TRIES; i++) {
		if (mkdir(dir, 0700) == 0 || errno != EEXIST)
			return;
		nanosleep(&ms, NULL);
	}
}

/* The counter file's value after adding one (0 if it cannot be kept). */
static long bump(const char *path)
{
	char buf[32] = { 0 }, dir[300];
	snprintf(dir, sizeof(dir), "%s.lock", path);
	lock(dir);
	long v = 0;
	int fd = open(path, O_RDWR | O_CREAT, 0644);
	if (fd >= 0) {
		ssize_t n = read(fd, buf, sizeof(buf) - 1);
		v = (n > 0 ? strtol(buf, NULL, 10) : 0) + 1;
		int len = snprintf(buf, sizeof(buf), "%ld\n", v);
		if (lseek(fd, 0, SEEK_SET) != 0 || write(fd, buf, (size_t)len) != len)
			v = 0;
		close(fd);
	}
	rmdir(dir);
	return v;
}

static const char *mode_name(uint32_t m)
{
	return m == TPL_TENDER ? "tender" : m == TPL_UNIX ? "unix" : m == TPL_HVS ? "hvs" : "?";
}

static const char *how_name(uint32_t h)
{
	static const char *const names[] = { "none", "in-place", "new-space", "parent-space" };
	return h < 4 ? names[h] : "?";
}

static void placement(void)
{
	struct t_place_info me, parent;
	if (syscall(NR_T_PLACE_INFO, 0, &me) != 0) {
		printf("placement: none\n");
		return;
	}
	int pok = syscall(NR_T_PLACE_INFO, getppid(), &parent) == 0;
	printf("placement: mode %-6s exec %-12s space %06u parent-space %06u shared %s\n",
	       mode_name(me.mode), how_name(me.exec_how), RID_INDEX(me.space),
	       pok ? RID_INDEX(parent.space) : 0, pok && parent.space == me.space ? "yes" : "no");
}

int main(void)
{
	const char *q = getenv("QUERY_STRING"), *counter = getenv("COUNTER");
	long count = bump(counter ? counter : "/tmp/cgihello.count");
	printf("Content-Type: text/plain\r\n\r\n");
	printf("hello from a CGI: call %08ld, query '%s', pid %06d\n", count, q ? q : "",
	       (int)getpid());
	placement();
	return 0;
}
