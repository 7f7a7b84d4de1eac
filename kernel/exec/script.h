/*
 * The "#!" interpreter line of a script, parsed as Linux's binfmt_script does: the first
 * SCRIPT_BUF bytes of the file hold "#!", optional spaces or tabs, the interpreter's path,
 * and optionally, after spaces or tabs, one argument: the whole rest of the line with its
 * trailing spaces and tabs cut (inner ones kept). Like elf.c it knows nothing else of the
 * kernel, so it is also built and tested on the host (tests/host/test_script.c).
 */
#pragma once
#include <stddef.h>

#define SCRIPT_BUF 256                /* Linux's BINPRM_BUF_SIZE */
#define SCRIPT_MAX_DEPTH 5            /* interpreter rewrites before ELOOP, as Linux */

struct script_line {
	char interp[SCRIPT_BUF];      /* NUL-terminated */
	char arg[SCRIPT_BUF];         /* "" when none; has_arg says whether there was one */
	int has_arg;
};

/* head: the file's first n bytes (n <= SCRIPT_BUF; fewer when the file is shorter).
 * 0 and *out filled, or -ENOEXEC: no "#!", no interpreter name, or no newline in the first
 * SCRIPT_BUF bytes and the name possibly cut off there. */
int script_parse(const char *head, size_t n, struct script_line *out);
