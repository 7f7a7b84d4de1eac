/*
 * cgihello: a small CGI program (RFC 3875) for busybox httpd on Tessera (docs/network.md,
 * tools/sock_suite.py): counts its calls in an access-counter file next to it (or in the
 * file COUNTER names), then answers with a short plain-text page naming the count, the
 * query string and its pid. Run by hand it prints the same page.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The counter file's value after adding one (0 if it cannot be kept). */
static long bump(const char *path)
{
	char buf[32] = { 0 };
	int fd = open(path, O_RDWR | O_CREAT, 0644);
	if (fd < 0)
		return 0;
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	long v = (n > 0 ? strtol(buf, NULL, 10) : 0) + 1;
	int len = snprintf(buf, sizeof(buf), "%ld\n", v);
	if (lseek(fd, 0, SEEK_SET) != 0 || write(fd, buf, (size_t)len) != len)
		v = 0;
	close(fd);
	return v;
}

int main(void)
{
	const char *q = getenv("QUERY_STRING"), *counter = getenv("COUNTER");
	long count = bump(counter ? counter : "/tmp/cgihello.count");
	printf("Content-Type: text/plain\r\n\r\n");
	printf("hello from a CGI on Tessera: call %ld, query '%s', pid %d\n", count, q ? q : "",
	       (int)getpid());
	return 0;
}
