/* What the compatibility programs share: a call's result printed the same way on Linux and on
 * Tessera (the suite compares the two outputs byte for byte), and names in a scratch
 * directory. Each program is one file built twice (static for the host, PIE for Tessera). */
#pragma once
#include <errno.h>
#include <stdio.h>
#include <string.h>

/* "what: result", or "what: -1 error text" for a call that failed. */
static inline void show(const char *what, long r)
{
	if (r < 0)
		printf("%s: -1 %s\n", what, strerror(errno));
	else
		printf("%s: %ld\n", what, r);
}

/* dir/name, in one of four buffers: a call may take two such names at once. */
static inline const char *path_in(const char *dir, const char *name)
{
	static char buf[4][128];
	static int k;
	k = (k + 1) % 4;
	snprintf(buf[k], sizeof(buf[k]), "%s/%s", dir, name);
	return buf[k];
}
