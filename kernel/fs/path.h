/* Path names: turning what a program passes (relative to a directory, with ".", "..",
 * repeated and trailing '/') into the one canonical absolute form that plates are named by:
 * "/" or "/a/b", no '.', '..', empty component or trailing '/'. */
#pragma once
#include <stddef.h>

#define PATH_MAX_LEN 255          /* characters, without the NUL */
#define PATH_BUF (PATH_MAX_LEN + 1)

/* Asked, during normalisation, whether the canonical prefix 'dir' names a directory: 0 if it
 * does, else a negative errno (-ENOENT, -ENOTDIR) that ends the normalisation. rest is what
 * follows that component in the path being normalised (from its '/' on), so that a symbolic
 * link found there can be replaced by its target. */
typedef int (*path_dir_check)(const char *dir, const char *rest, void *arg);

/* Normalises 'path' against the canonical absolute directory 'base' (used when path is
 * relative) into out[PATH_BUF]. Every component that the path follows with '/' (so also
 * "x" in "x/.." and "x/") is passed to check, when check is not NULL, before ".." may remove
 * it: "/file/.." fails as on Linux. Errors: -ENOENT for an empty path, -ENAMETOOLONG when the
 * path or the result exceeds PATH_MAX_LEN, -EINVAL for a base that is not absolute. */
int path_normalize(const char *base, const char *path, char out[PATH_BUF], path_dir_check check,
		   void *arg);
/* The parent of a canonical path, into out[PATH_BUF] ("/" for "/" and "/a"). */
void path_parent(const char *canon, char out[PATH_BUF]);
/* The last component of a canonical path ("" for "/"). */
const char *path_basename(const char *canon);
