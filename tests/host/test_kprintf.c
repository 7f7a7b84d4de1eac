// HOST-TEST-SOURCES: kernel/lib/kprintf.c
/*
 * Host tests of the kernel's formatter (kernel/lib/kprintf.c): every conversion and flag it
 * documents, compared with what C's printf gives for the same format, truncation and the
 * return value, the console sink, and panic.
 */
#define _POSIX_C_SOURCE 200809L
#include "kernel/lib/kprintf.h"
#include "tests/host/harness.h"
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

static char buf[256];

/* Formats with ksnprintf into a fresh buffer; returns the buffer. */
#define KS(...) (memset(buf, 'X', sizeof(buf)), ksnprintf(buf, sizeof(buf), __VA_ARGS__), buf)

/* The same for formats the compiler's printf checker rightly objects to. */
static char *ks_unchecked(const char *fmt, ...)
{
	va_list ap;
	memset(buf, 'X', sizeof(buf));
	va_start(ap, fmt);
	kvsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	return buf;
}

TEST(signed_decimal)
{
	CHECK_STR(KS("%d", 0), "0");
	CHECK_STR(KS("%d", -42), "-42");
	CHECK_STR(KS("%i", 1234567), "1234567");
	CHECK_STR(KS("%d", INT_MAX), "2147483647");
	CHECK_STR(KS("%d", INT_MIN), "-2147483648");
	CHECK_STR(KS("%ld", -1L), "-1");
	CHECK_STR(KS("%ld", LONG_MIN), "-9223372036854775808");
	CHECK_STR(KS("%lld", LLONG_MAX), "9223372036854775807");
}

TEST(unsigned_and_hex)
{
	CHECK_STR(KS("%u", 3000000000u), "3000000000");
	CHECK_STR(KS("%u", (unsigned)-1), "4294967295");
	CHECK_STR(KS("%lu", ULONG_MAX), "18446744073709551615");
	CHECK_STR(KS("%zu", (size_t)123456789012ull), "123456789012");
	CHECK_STR(KS("%x", 0xdeadbeefu), "deadbeef");
	CHECK_STR(KS("%X", 0xdeadbeefu), "DEADBEEF");
	CHECK_STR(KS("%x", 0u), "0");
	CHECK_STR(KS("%lx", 0xfedcba9876543210ul), "fedcba9876543210");
	CHECK_STR(KS("%llx", 0x1ull << 63), "8000000000000000");
	CHECK_STR(KS("%zx", (size_t)0xabc), "abc");
}

/* A 64-bit argument must not be read as 32 bits, nor the next argument shifted. */
TEST(length_modifiers_consume_right_size)
{
	CHECK_STR(KS("%lx %d", 0x100000000ul, 7), "100000000 7");
	CHECK_STR(KS("%d %lu %d", -1, 5000000000ul, -2), "-1 5000000000 -2");
	CHECK_STR(KS("%zu|%u", (size_t)1 << 40, 9u), "1099511627776|9");
}

TEST(pointers_strings_chars)
{
	char want[64];
	void *p = (void *)0x7fffdeadb000ul;
	snprintf(want, sizeof(want), "0x%lx", (unsigned long)p);
	CHECK_STR(KS("%p", p), want);
	CHECK_STR(KS("%p", (void *)0), "0x0");
	CHECK_STR(KS("%s", "tile"), "tile");
	CHECK_STR(ks_unchecked("%s", (char *)NULL), "(null)");
	CHECK_STR(KS("[%s]", ""), "[]");
	CHECK_STR(KS("%c%c%c", 'a', 'b', 'c'), "abc");
	CHECK_STR(KS("100%%"), "100%");
	CHECK_STR(KS("no conversions"), "no conversions");
}

TEST(width_and_flags)
{
	CHECK_STR(KS("%5d|", 42), "   42|");
	CHECK_STR(KS("%-5d|", 42), "42   |");
	CHECK_STR(KS("%05d|", 42), "00042|");
	CHECK_STR(KS("%05d|", -42), "-0042|");
	CHECK_STR(KS("%5d|", -42), "  -42|");
	CHECK_STR(ks_unchecked("%-05d|", -42), "-42  |");
	CHECK_STR(KS("%2d|", 12345), "12345|");
	CHECK_STR(KS("%08x", 0xbeefu), "0000beef");
	CHECK_STR(KS("%016lx", 0x1234ul), "0000000000001234");
	CHECK_STR(KS("%-8s|", "ab"), "ab      |");
	CHECK_STR(KS("%8s|", "ab"), "      ab|");
	CHECK_STR(KS("%1s|", "abc"), "abc|");
	CHECK_STR(KS("%-3u|%3u|", 7u, 8u), "7  |  8|");
}

/* Agreement with the C library on a mix of everything the kernel uses. */
TEST(matches_libc_printf)
{
	char want[256];
	snprintf(want, sizeof(want), "%s=%-6d pid %05u at %#lx %zu%%", "rid", -17, 42u,
		 0xffff800000000000ul, (size_t)99);
	KS("%s=%-6d pid %05u at 0x%lx %zu%%", "rid", -17, 42u, 0xffff800000000000ul,
	   (size_t)99);
	CHECK_STR(buf, want);
}

/* A %s argument may be user-chosen (a process name in a fault message): its control bytes,
 * DEL, non-ASCII bytes and backslashes are shown escaped, so it can neither end a console
 * line, nor send terminal controls, nor pass for an escape; the format's own bytes are not.
 * Widths count what is shown. */
TEST(strings_are_escaped)
{
	CHECK_STR(KS("(%s)\n", "a\nb"), "(a\\x0ab)\n");
	CHECK_STR(KS("%s", "\033[2J\r"), "\\x1b[2J\\x0d");
	CHECK_STR(KS("%s", "\x7f\x80\xff\t"), "\\x7f\\x80\\xff\\x09");
	CHECK_STR(KS("%s", "C:\\x41"), "C:\\\\x41");
	CHECK_STR(KS("%s", " ~printable~ "), " ~printable~ ");
	CHECK_STR(KS("[%6s]", "\n"), "[  \\x0a]");
	CHECK_STR(KS("[%-6s]", "\n"), "[\\x0a  ]");
	CHECK_STR(KS("[%2s]", "\n"), "[\\x0a]");
	CHECK_EQ(ksnprintf(NULL, 0, "%s", "\x01\\"), 6);
	/* the fault message of a process named to forge a test result line */
	CHECK_STR(KS("tessera: pid %d (%s): killed\n", 5, "UTEST \rFAIL x: raw"),
		  "tessera: pid 5 (UTEST \\x0dFAIL x: raw): killed\n");
}

TEST(unknown_conversions_are_shown)
{
	CHECK_STR(ks_unchecked("%q"), "%q");
	CHECK_STR(ks_unchecked("abc%"), "abc%");
	CHECK_STR(ks_unchecked("%w%d", 5), "%w5");
}

TEST(truncation_and_return_value)
{
	char small[8];
	memset(small, 'X', sizeof(small));
	CHECK_EQ(ksnprintf(small, sizeof(small), "%s", "tessera-os"), 10);
	CHECK_STR(small, "tessera");
	CHECK_EQ(ksnprintf(small, sizeof(small), "%d", -1234567), 8);
	CHECK_STR(small, "-123456");
	CHECK_EQ(ksnprintf(small, sizeof(small), "%7d", 5), 7);
	CHECK_STR(small, "      5");
	memset(small, 'X', sizeof(small));
	CHECK_EQ(ksnprintf(small, 1, "abc"), 3);
	CHECK_EQ(small[0], 0);
	CHECK_EQ(small[1], 'X');
	memset(small, 'X', sizeof(small));
	CHECK_EQ(ksnprintf(small, 0, "abc%d", 12), 5);
	CHECK_EQ(small[0], 'X');
	CHECK_EQ(ksnprintf(NULL, 0, "%s", "measure"), 7);
	CHECK_EQ(ksnprintf(small, sizeof(small), "%s", ""), 0);
	CHECK_STR(small, "");
}

static char sunk[1024];
static size_t nsunk;

static void capture(const char *s, size_t n)
{
	if (nsunk + n < sizeof(sunk)) {
		memcpy(sunk + nsunk, s, n);
		nsunk += n;
		sunk[nsunk] = 0;
	}
}

TEST(kprintf_goes_to_sink)
{
	void (*saved)(const char *, size_t) = kprintf_sink;
	nsunk = 0;
	sunk[0] = 0;
	kprintf_sink = capture;
	kprintf("boot %d/%s\n", 3, "ok");
	kprintf("%s", "");
	kprintf_sink = saved;
	CHECK_STR(sunk, "boot 3/ok\n");
	CHECK_EQ(nsunk, 10);
}

/* kprintf formats into 512 bytes: longer output is cut, never overflows. */
TEST(kprintf_long_output_is_cut)
{
	void (*saved)(const char *, size_t) = kprintf_sink;
	nsunk = 0;
	kprintf_sink = capture;
	kprintf("%600d", 1);
	kprintf_sink = saved;
	CHECK_EQ(nsunk, 511);
}

static int pipe_fd = -1;

static void to_pipe(const char *s, size_t n)
{
	if (write(pipe_fd, s, n) < 0)
		_exit(3);
}

/* panic prints its message and stops for good (the harness's arch_halt_forever aborts). */
TEST(panic_prints_and_halts)
{
	int fds[2];
	REQUIRE(pipe(fds) == 0);
	fflush(stdout);
	pid_t pid = fork();
	REQUIRE(pid >= 0);
	if (pid == 0) {
		struct rlimit no_core = { 0, 0 };
		setrlimit(RLIMIT_CORE, &no_core);
		close(fds[0]);
		pipe_fd = fds[1];
		kprintf_sink = to_pipe;
		panic("%s: bad thing %d", "res_free", 7);
	}
	close(fds[1]);
	char out[256] = { 0 };
	size_t n = 0;
	ssize_t k;
	while (n < sizeof(out) - 1 && (k = read(fds[0], out + n, sizeof(out) - 1 - n)) > 0)
		n += (size_t)k;
	close(fds[0]);
	int status = 0;
	REQUIRE(waitpid(pid, &status, 0) == pid);
	CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT);
	CHECK_STR(out, "\nKERNEL PANIC: res_free: bad thing 7\n");
}
