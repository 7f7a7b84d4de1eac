/* Path names: turning what a program passes (relative to a directory, with ".", "..",
 * repeated and trailing '/') into the one canonical absolute form that plates are named by:
 * "/" or "/a/b", no '.', '..', empty component or trailing '/'. */
#pragma once
#include <stddef.h>

/* Linux's limits: a path a program passes, and a symbolic link's target, has at most
 * PATH_MAX - 1 characters (PATH_ARG_BUF with its NUL), one component at most NAME_MAX. */
#define PATH_MAX_LEN 4095
#define PATH_ARG_BUF (PATH_MAX_LEN + 1)
#define NAME_MAX_LEN 255
#define NAME_BUF (NAME_MAX_LEN + 1)
/* A canonical absolute path may be longer than what a program can pass, as a file reached by
 * relative paths from a deep working directory is on Linux: up to CANON_MAX_LEN characters.
 * Buffers of PATH_BUF bytes are too big for a kernel stack (pathbuf.h gives them). */
#define CANON_MAX_LEN 16383
#define PATH_BUF (CANON_MAX_LEN + 1)

/* Asked, during normalisation, whether the canonical prefix 'dir' (len characters) names a
 * directory: 0 if it does, else a negative errno (-ENOENT, -ENOTDIR) that ends the
 * normalisation. rest is what follows that component in the path being normalised (from its
 * '/' on), so that a symbolic link found there can be replaced by its target. Every component
 * pushed and followed by '/' is asked about at once, so a dir longer than the one asked before
 * extends it by exactly one component unless ".." came between (then it is not longer). */
typedef int (*path_dir_check)(const char *dir, size_t len, const char *rest, void *arg);

/* Normalises 'path' against the canonical absolute directory 'base' (used when path is
 * relative) into out[PATH_BUF]. Every component that the path follows with '/' (so also
 * "x" in "x/.." and "x/") is passed to check, when check is not NULL, before ".." may remove
 * it: "/file/.." fails as on Linux. Errors: -ENOENT for an empty path, -ENAMETOOLONG when a
 * component exceeds NAME_MAX_LEN or the path or the result CANON_MAX_LEN (callers limit what
 * programs pass to PATH_MAX_LEN), -EINVAL for a base that is not absolute. */
int path_normalize(const char *base, const char *path, char out[PATH_BUF], path_dir_check check,
		   void *arg);
/* The parent of a canonical path, into out, which has room for canon ("/" for "/" and "/a"). */
void path_parent(const char *canon, char *out);
/* The last component of a canonical path ("" for "/"). */
const char *path_basename(const char *canon);
