/* Which program an exec runs, as Linux's search for a binary handler decides it: an ELF image
 * runs itself; a "#!" script runs its interpreter (kernel/exec/script.h), which may be a script
 * in turn, up to SCRIPT_MAX_DEPTH of them. Used by execve, t_chprog and t_proc_create alike. */
#pragma once
#include <stddef.h>
#include "kernel/proc/args.h"
#include "kernel/proc/proc.h"

/* path (as the caller gave it, resolved against the canonical directory cwd) checked and
 * opened: *program gets a use reference. For a script the vectors are rewritten as Linux
 * does: the interpreter's path, its optional argument, the script's path as given, then the
 * old argv without its argv[0] (and the same envp). On success *args is the block to start
 * with (a new one for a script, the old one let go of); on failure *args is left as it was.
 * Errors: those of program_open (-ENOENT, -EACCES, -ENOEXEC, -ENOMEM), -ELOOP past
 * SCRIPT_MAX_DEPTH interpreters, -E2BIG when the rewritten vectors pass limit. */
int binfmt_open(const char *cwd, const char *path, const struct cred *cred, size_t limit,
		struct args **args, rid_t *program);
