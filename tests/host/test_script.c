// HOST-TEST-SOURCES: kernel/exec/script.c
/*
 * Host tests of "#!" line parsing (kernel/exec/script.c) against what Linux's binfmt_script
 * does with the same first bytes of a file.
 */
#include "kernel/exec/script.h"
#include "abi/errno.h"
#include "tests/host/harness.h"
#include <string.h>

static int parse(const char *text, struct script_line *l)
{
	return script_parse(text, strlen(text), l);
}

TEST(script_plain)
{
	struct script_line l;
	REQUIRE(parse("#!/bin/sh\necho hi\n", &l) == 0);
	CHECK_STR(l.interp, "/bin/sh");
	CHECK(!l.has_arg);
	REQUIRE(parse("#! \t/bin/busybox   sh  \nrest", &l) == 0);
	CHECK_STR(l.interp, "/bin/busybox");
	CHECK(l.has_arg);
	CHECK_STR(l.arg, "sh");
}

TEST(script_arg_keeps_inner_blanks)
{
	struct script_line l;
	REQUIRE(parse("#!/usr/bin/env -S a  b\t\n", &l) == 0);
	CHECK_STR(l.interp, "/usr/bin/env");
	CHECK_STR(l.arg, "-S a  b");
	REQUIRE(parse("#!/bin/x \n", &l) == 0);       /* a trailing blank is no argument */
	CHECK(!l.has_arg);
}

TEST(script_no_newline)
{
	struct script_line l;
	REQUIRE(parse("#!/bin/sh", &l) == 0);         /* short file: NUL after the name */
	CHECK_STR(l.interp, "/bin/sh");
	CHECK(!l.has_arg);
	char buf[SCRIPT_BUF];
	memset(buf, 'x', sizeof(buf));
	memcpy(buf, "#!/", 3);
	CHECK_EQ(script_parse(buf, sizeof(buf), &l), -ENOEXEC);   /* a name that may be cut */
	buf[100] = ' ';
	REQUIRE(script_parse(buf, sizeof(buf), &l) == 0);         /* cut in the argument: fine */
	CHECK_EQ(strlen(l.interp), 98);
	CHECK_EQ(strlen(l.arg), 154);                 /* the last byte is never part of it */
}

TEST(script_not_scripts)
{
	struct script_line l;
	CHECK_EQ(parse("", &l), -ENOEXEC);
	CHECK_EQ(parse("#", &l), -ENOEXEC);
	CHECK_EQ(parse("#!\n/bin/sh\n", &l), -ENOEXEC);
	CHECK_EQ(parse("#!   \n", &l), -ENOEXEC);
	CHECK_EQ(parse("\x7f" "ELF", &l), -ENOEXEC);
	CHECK_EQ(parse("echo hi\n", &l), -ENOEXEC);
	char blanks[SCRIPT_BUF];
	memset(blanks, ' ', sizeof(blanks));
	blanks[0] = '#';
	blanks[1] = '!';
	CHECK_EQ(script_parse(blanks, sizeof(blanks), &l), -ENOEXEC);
}
