/*
 * echo: the test and benchmark server (abi/fnids.def). It answers every request with its
 * arguments, and touches one byte of every page of the request's data ICA: arg[0] = 1 writes
 * byte (arg[1] + page number) at the start of each page, else it reads them, and arg[5] of
 * the result is the sum of the bytes it read. A control ICA's first 8 bytes are counted up
 * by one. arg[4] of the result is the function id it was called as. Started with -t (the
 * tests' instances), arg[0] = 2 makes it hold the request and never answer (tests of a
 * server's death: the kernel must answer for it) and arg[0] = 3 answers only after arg[2]
 * milliseconds (tests of a caller that dies meanwhile); without -t, anyone could stall it.
 *
 *   echo [-t] [FN...]  serve; with FN ids given, register them itself first (root only);
 *                      without, serve what svc registered for it (docs/servers.md)
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "libtessera.h"
#include "srv.h"

#define PAGE 4096u

static void touch(struct t_msg *m)
{
	volatile uint8_t *p = srv_data(m);
	uint64_t pages = srv_ica_pages(m->data), sum = 0;
	for (uint64_t i = 0; p && i < pages; i++) {
		if (m->arg[0] == 1)
			p[i * PAGE] = (uint8_t)(m->arg[1] + i);
		else
			sum += p[i * PAGE];
	}
	m->arg[5] = sum;
}

static int echo(struct t_msg *m, void *ctx)
{
	const int *test_modes = ctx;
	if (m->fn == T_FN_IRQ)
		return 0;
	if (*test_modes && m->arg[0] == 2)
		for (;;)
			pause();
	if (*test_modes && m->arg[0] == 3)
		usleep((useconds_t)(m->arg[2] * 1000));
	if (m->data)
		touch(m);
	uint64_t *ctl = srv_ctl(m);
	if (ctl)
		(*ctl)++;
	m->arg[4] = m->fn;
	return 0;
}

int main(int argc, char **argv)
{
	static int test_modes;
	int i = 1;
	if (argc > 1 && strcmp(argv[1], "-t") == 0) {
		test_modes = 1;
		i++;
	}
	for (; i < argc; i++) {
		uint32_t fn = (uint32_t)strtoul(argv[i], NULL, 0);
		int err = t_fn_register(fn, 0, 0);
		if (err) {
			fprintf(stderr, "echo: cannot register %s: %s\n", argv[i], strerror(-err));
			return 1;
		}
	}
	int err = srv_loop(echo, &test_modes);
	fprintf(stderr, "echo: %s\n", strerror(-err));
	return 1;
}
