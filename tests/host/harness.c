/*
 * The host test runner (see harness.h), and the two things kernel/lib/kprintf.c expects from
 * the architecture: a console sink and arch_halt_forever(). A kernel panic in a host test
 * aborts the process, so it is reported as a crash.
 */
#include "tests/host/harness.h"
#include "kernel/lib/kprintf.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct host_test *tests_head, **tests_tail = &tests_head;
static bool current_failed;

void harness_register(struct host_test *t)
{
	t->next = NULL;
	*tests_tail = t;
	tests_tail = &t->next;
}

static bool report(bool ok)
{
	if (!ok)
		current_failed = true;
	return ok;
}

bool harness_check(bool ok, const char *expr, const char *file, int line)
{
	if (!ok)
		printf("  %s:%d: CHECK(%s) failed\n", file, line, expr);
	return report(ok);
}

bool harness_check_eq(uint64_t a, uint64_t b, const char *ea, const char *eb, const char *file,
		      int line)
{
	if (a != b)
		printf("  %s:%d: %s == %s failed: %lld (%#llx) != %lld (%#llx)\n", file, line, ea,
		       eb, (long long)a, (unsigned long long)a, (long long)b,
		       (unsigned long long)b);
	return report(a == b);
}

bool harness_check_str(const char *a, const char *b, const char *ea, const char *eb,
		       const char *file, int line)
{
	bool ok = a && b && strcmp(a, b) == 0;
	if (!ok)
		printf("  %s:%d: %s == %s failed: \"%s\" != \"%s\"\n", file, line, ea, eb,
		       a ? a : "(null)", b ? b : "(null)");
	return report(ok);
}

_Noreturn void arch_halt_forever(void);
_Noreturn void arch_halt_forever(void)
{
	fflush(stdout);
	abort();
}

static void sink_stdout(const char *s, size_t n)
{
	fwrite(s, 1, n, stdout);
}

int main(void)
{
	int passed = 0, failed = 0;
	kprintf_sink = sink_stdout;
	setvbuf(stdout, NULL, _IOLBF, 0);
	for (struct host_test *t = tests_head; t; t = t->next) {
		current_failed = false;
		t->fn();
		printf("%s %s\n", current_failed ? "FAIL" : "ok", t->name);
		if (current_failed)
			failed++;
		else
			passed++;
	}
	printf("%d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
