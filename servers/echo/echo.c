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
 * It is replaceable (docs/replacement.md): what it counts lives in state memory, in one of two
 * layouts. Layout 1 counts requests and data pages; layout 2 (-L 2) orders them otherwise and
 * counts requests per function id too. A layout-2 echo replacing a layout-1 one converts the
 * state (v1_to_v2); a layout-1 echo rejects a layout-2 state (it does not know it). arg[0] = 4
 * asks for the counts: arg[0] requests before this one, arg[1] data pages, arg[2] the layout,
 * arg[3] this server's pid, arg[4] the pid it replaced (0: none), arg[5] its requests to the
 * function id asked (layout 2; layout 1: 0).
 *
 *   echo [-t] [-L 1|2] [-X crash|fail|hang|reject|refuse] [FN...]
 *     FN ids given: register them itself first (root only) and provide them to a replacement;
 *     without: serve what svc registered (SVC_FNS). -X (with -t) makes a replacement fail on
 *     purpose, for the rollback tests: as the new server, crash during its start, fail its
 *     initialisation, never become ready, or reject the state; as the old one, refuse to stop.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "libtessera.h"
#include "srv.h"
#include "srvstate.h"

#define PAGE 4096u
#define MAX_FNS 32
#define V2_FNS 8

struct echo_v1 {
	uint64_t calls;                /* requests answered */
	uint64_t pages;                /* data pages touched */
};

struct echo_v2 {
	uint64_t pages;
	uint64_t calls;
	uint32_t nfn;
	uint32_t reserved;
	struct {
		uint32_t fn;           /* 0: requests counted before layout 2 (not per id) */
		uint32_t reserved;
		uint64_t calls;
	} per_fn[V2_FNS];
};

struct echo {
	int test_modes;
	int layout;
	const char *fail_mode;         /* -X */
	void *state;                   /* struct echo_v1 or echo_v2 */
	uint32_t fns[MAX_FNS];
	uint32_t nfn;
};

static uint64_t touch(struct t_msg *m)
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
	return p ? pages : 0;
}

static uint64_t *v2_slot(struct echo_v2 *s, uint32_t fn, int add)
{
	for (uint32_t i = 0; i < s->nfn; i++)
		if (s->per_fn[i].fn == fn)
			return &s->per_fn[i].calls;
	if (!add || s->nfn == V2_FNS)
		return NULL;
	s->per_fn[s->nfn].fn = fn;
	return &s->per_fn[s->nfn++].calls;
}

static void count(struct echo *e, uint32_t fn, uint64_t pages)
{
	if (e->layout == 1) {
		struct echo_v1 *s = e->state;
		s->calls++;
		s->pages += pages;
		return;
	}
	struct echo_v2 *s = e->state;
	uint64_t *c = v2_slot(s, fn, 1);
	s->calls++;
	s->pages += pages;
	if (c)
		(*c)++;
}

static void stat(struct echo *e, struct t_msg *m)
{
	struct echo_v1 *s1 = e->state;
	struct echo_v2 *s2 = e->state;
	uint64_t *c = e->layout == 2 ? v2_slot(s2, (uint32_t)m->arg[1], 0) : NULL;
	m->arg[0] = e->layout == 1 ? s1->calls : s2->calls;
	m->arg[1] = e->layout == 1 ? s1->pages : s2->pages;
	m->arg[2] = (uint64_t)e->layout;
	m->arg[3] = (uint64_t)getpid();
	m->arg[4] = (uint64_t)srv_state_predecessor();
	m->arg[5] = c ? *c : 0;
}

static int echo(struct t_msg *m, void *ctx)
{
	struct echo *e = ctx;
	if (m->fn == T_FN_IRQ)
		return 0;
	if (m->arg[0] == 4) {
		stat(e, m);
		count(e, m->fn, 0);
		return 0;
	}
	if (e->test_modes && m->arg[0] == 2)
		for (;;)
			pause();
	if (e->test_modes && m->arg[0] == 3)
		usleep((useconds_t)(m->arg[2] * 1000));
	uint64_t pages = m->data ? touch(m) : 0;
	uint64_t *ctl = srv_ctl(m);
	if (ctl)
		(*ctl)++;
	m->arg[4] = m->fn;
	count(e, m->fn, pages);
	return 0;
}

/* The transfer function: layout 1 to layout 2 (the old counts kept, not per id). */
static int v1_to_v2(const struct echo_v1 *old, void **root)
{
	struct echo_v2 *s = srv_salloc(sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->calls = old->calls;
	s->pages = old->pages;
	s->nfn = 1;
	s->per_fn[0].fn = 0;
	s->per_fn[0].calls = old->calls;
	*root = s;
	return 0;
}

static int adopt(void *old_root, uint32_t old_version, void **root, void *ctx)
{
	struct echo *e = ctx;
	const char *x = e->test_modes ? e->fail_mode : NULL;
	if (x && strcmp(x, "crash") == 0) {
		int *volatile nowhere = NULL;
		*nowhere = 1;                  /* a crash during the start */
	}
	if (x && strcmp(x, "hang") == 0)
		for (;;)
			pause();               /* never ready: the deadline */
	if (x && strcmp(x, "fail") == 0)
		return -EIO;                   /* a failed initialisation */
	if (x && strcmp(x, "reject") == 0)
		return -EPROTO;
	if (old_version == (uint32_t)e->layout) {
		*root = old_root;
		return 0;
	}
	if (old_version == 1 && e->layout == 2)
		return v1_to_v2(old_root, root);
	return -EPROTO;                        /* a layout this program does not know */
}

/* The old server at the notice: -X refuse says it cannot stop now. */
static int quiesce(void *root, void *ctx)
{
	struct echo *e = ctx;
	(void)root;
	return e->test_modes && e->fail_mode && strcmp(e->fail_mode, "refuse") == 0 ? -EBUSY : 0;
}

static int parse(int argc, char **argv, struct echo *e)
{
	int c;
	e->layout = 1;
	while ((c = getopt(argc, argv, "tL:X:")) != -1) {
		if (c == 't')
			e->test_modes = 1;
		else if (c == 'L' && (atoi(optarg) == 1 || atoi(optarg) == 2))
			e->layout = atoi(optarg);
		else if (c == 'X')
			e->fail_mode = optarg;
		else
			return -EINVAL;
	}
	for (; optind < argc && e->nfn < MAX_FNS; optind++)
		e->fns[e->nfn++] = (uint32_t)strtoul(argv[optind], NULL, 0);
	return 0;
}

int main(int argc, char **argv)
{
	static struct echo e;
	int replaced, err = parse(argc, argv, &e);
	if (err) {
		fprintf(stderr, "usage: echo [-t] [-L 1|2] [-X MODE] [FN...]\n");
		return 2;
	}
	struct srv_desc d = { .kind = "echo", .version = (uint32_t)e.layout,
			      .fns = e.nfn ? e.fns : NULL, .nfn = e.nfn,
			      .root_size = e.layout == 1 ? sizeof(struct echo_v1)
							 : sizeof(struct echo_v2),
			      .adopt = adopt, .quiesce = quiesce };
	if ((err = srv_state_start(&d, &e, &e.state, &replaced))) {
		fprintf(stderr, "echo: %s: %s\n", replaced ? "replacement" : "start", strerror(-err));
		return 1;
	}
	for (uint32_t i = 0; !replaced && i < e.nfn; i++) {
		if ((err = t_fn_register(e.fns[i], 0, 0))) {
			fprintf(stderr, "echo: cannot register %u: %s\n", e.fns[i], strerror(-err));
			return 1;
		}
	}
	err = srv_state_loop(&d, echo, &e);
	fprintf(stderr, "echo: %s\n", strerror(-err));
	return 1;
}
