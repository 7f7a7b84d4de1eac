/* Buffers for path names: a canonical path may have CANON_MAX_LEN characters and a kernel
 * stack has room for few such, so the calls that build or copy paths take them from here. */
#pragma once
#include <stdint.h>

/* A buffer of PATH_BUF bytes, NULL when memory is out. */
char *pathbuf_get(void);
void pathbuf_put(char *buf);     /* buf may be NULL */
/* A copy of the path a program passes at user address upath, into *out (a buffer of
 * PATH_ARG_BUF bytes from the heap, NULL on error): -EFAULT, or -ENAMETOOLONG when it has
 * no NUL within PATH_ARG_BUF bytes, as Linux says. Given back with pathbuf_put_arg. */
int pathbuf_from_user(uint64_t upath, char **out);
void pathbuf_put_arg(char *buf);
/* Gives back the buffers kept for reuse (before leak checks compare memory). */
void pathbuf_trim(void);
