/* Executable formats (see binfmt.h): ELF through program_open, and "#!" scripts. A file is
 * first opened as a program, so starting an ELF program costs nothing more than before;
 * only a file that is not one (ENOEXEC) has its first line read. */
#include "kernel/proc/binfmt.h"
#include "abi/errno.h"
#include "kernel/exec/script.h"
#include "kernel/fs/pathbuf.h"
#include "kernel/fs/file.h"
#include "kernel/fs/path.h"
#include "kernel/fs/plate.h"
#include "kernel/lib/string.h"
#include "kernel/proc/program.h"

/* The "#!" line of the file at the canonical path full (-ENOEXEC when it has none). */
static int read_line(const char *full, struct script_line *line)
{
	char head[SCRIPT_BUF];
	rid_t plate;
	int err = plate_lookup_path(full, &plate);
	if (err)
		return err;
	long n = plate_read_at(plate, 0, head, sizeof(head));
	if (n < 0)
		return (int)n;
	return script_parse(head, (size_t)n, line);
}

/* Appends a string to block a at *off. */
static void put_str(struct args *a, size_t *off, const char *s)
{
	size_t n = strlen(s) + 1;
	args_write(a, *off, s, n);
	*off += n;
}

/* The vectors for running the script `name` (as given) by the interpreter of line. */
static int rewrite(const struct args *old, const char *name, const struct script_line *line,
		   size_t limit, struct args **out)
{
	uint32_t argc = args_argc(old), envc = args_envc(old);
	size_t skip = argc ? args_str_end(old, 0) : 0, rest = args_bytes(old) - skip;
	size_t bytes = strlen(line->interp) + 1 + strlen(name) + 1 + rest;
	uint32_t nargc = (argc ? argc - 1 : 0) + 2 + (line->has_arg ? 1 : 0);
	if (line->has_arg)
		bytes += strlen(line->arg) + 1;
	if (!args_fit(bytes, (size_t)nargc + envc, limit))
		return -E2BIG;
	struct args *a;
	size_t off = 0;
	int err = args_alloc(bytes, nargc, envc, &a);
	if (err)
		return err;
	put_str(a, &off, line->interp);
	if (line->has_arg)
		put_str(a, &off, line->arg);
	put_str(a, &off, name);
	for (size_t len = 0, at = skip; at < args_bytes(old); at += len, off += len) {
		const char *p = args_at(old, at, &len);
		args_write(a, off, p, len);
	}
	*out = a;
	return 0;
}

/* binfmt_open's loop, with buffers name and full of PATH_BUF bytes. */
static int open_in(const char *cwd, const char *path, const struct cred *cred, size_t limit,
		   struct args **args, rid_t *program, char *name, char *full)
{
	struct script_line line;
	struct args *a = *args, *next;
	int err;
	args_get(a);
	strlcpy(name, path, PATH_BUF);
	for (int depth = 0;; depth++) {
		if ((err = fs_resolve(cwd, name, full)) ||
		    (err = program_open(full, cred, program)) != -ENOEXEC ||
		    (err = read_line(full, &line)))
			break;
		if (depth == SCRIPT_MAX_DEPTH) {
			err = -ELOOP;
			break;
		}
		if ((err = rewrite(a, name, &line, limit, &next)))
			break;
		args_put(a);
		a = next;
		strlcpy(name, line.interp, PATH_BUF);
	}
	if (err) {
		args_put(a);
		return err;
	}
	args_put(*args);
	*args = a;
	return 0;
}

int binfmt_open(const char *cwd, const char *path, const struct cred *cred, size_t limit,
		struct args **args, rid_t *program)
{
	char *name = pathbuf_get(), *full = pathbuf_get();
	int err = name && full ? open_in(cwd, path, cred, limit, args, program, name, full)
			       : -ENOMEM;
	pathbuf_put(name);
	pathbuf_put(full);
	return err;
}
