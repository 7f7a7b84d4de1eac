/*
 * "#!" lines (see script.h), following Linux's fs/binfmt_script.c rule for rule: the buffer
 * is the file's first 256 bytes, NUL-padded; without a newline in it the line runs to its
 * last byte, unless the interpreter name has no space, tab or NUL after it there (it may be
 * cut off: ENOEXEC); spaces and tabs end the name; the argument is everything after them.
 */
#include "kernel/exec/script.h"
#include "abi/errno.h"
#include "kernel/lib/string.h"

static int spacetab(char c)
{
	return c == ' ' || c == '\t';
}

/* The first byte in [p, end) that is not a space or tab, or NULL. */
static const char *skip_spacetab(const char *p, const char *end)
{
	for (; p < end; p++)
		if (!spacetab(*p))
			return p;
	return NULL;
}

/* The first space, tab or NUL in [p, end), or NULL. */
static const char *find_terminator(const char *p, const char *end)
{
	for (; p < end; p++)
		if (spacetab(*p) || !*p)
			return p;
	return NULL;
}

static void copy_span(char *dst, const char *from, const char *to)
{
	size_t n = (size_t)(to - from);
	memcpy(dst, from, n);
	dst[n] = 0;
}

int script_parse(const char *head, size_t n, struct script_line *out)
{
	char buf[SCRIPT_BUF] = { 0 };
	if (n > SCRIPT_BUF)
		n = SCRIPT_BUF;
	memcpy(buf, head, n);
	if (n < 2 || buf[0] != '#' || buf[1] != '!')
		return -ENOEXEC;
	const char *buf_end = buf + SCRIPT_BUF - 1, *end = NULL;
	for (const char *p = buf; p < buf + SCRIPT_BUF && *p && !end; p++)
		if (*p == '\n')
			end = p;          /* as strnchr: the search stops at a NUL */
	if (!end) {
		/* the buffer's last byte counts as a terminator, but is never part of the line */
		const char *name = skip_spacetab(buf + 2, buf + SCRIPT_BUF);
		if (!name || !find_terminator(name, buf + SCRIPT_BUF))
			return -ENOEXEC;      /* all blanks, or a name that may go on past the buffer */
		end = buf_end;
	}
	while (end > buf + 2 && spacetab(end[-1]))
		end--;
	const char *name = skip_spacetab(buf + 2, end);
	if (!name || name == end)
		return -ENOEXEC;
	const char *sep = find_terminator(name, end), *arg = NULL;
	if (!sep)
		sep = end;
	else if (*sep)
		arg = skip_spacetab(sep, end);
	copy_span(out->interp, name, sep);
	out->has_arg = arg != NULL;
	copy_span(out->arg, arg ? arg : end, end);
	return 0;
}
