/*
 * The model's server and driver (repl_model.h), both replaceable (docs/replacement.md). The
 * server keeps in state memory the AP requests it has taken and forwarded to the driver, so
 * a replacement in the middle of one moves the AP's request (taken), the driver's request or
 * its result (the server's async request and result queue) and this table together; the new
 * server answers the AP when the driver's result reaches it. The driver keeps a count.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "abi/errno.h"
#include "bench/bench_util.h"
#include "bench/repl_model.h"
#include "libtessera.h"
#include "srv.h"
#include "srvstate.h"

static volatile uint64_t sink;

static int64_t cpu_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* The paper's CPU work: a loop of increments for ms milliseconds of this process's own
 * processor time (Tessera's CLOCK_PROCESS_CPUTIME_ID leaves out the time others ran, so a
 * driver preempting the server lengthens the work as in the model). Counting a calibrated
 * number of loops instead would make the work's length follow the host's load, which under
 * QEMU's emulation on a shared machine varies by a factor of two and more. */
void model_cpu(uint64_t loops_per_check, uint64_t ms)
{
	int64_t end = cpu_now() + (int64_t)ms * 1000000;
	while (ms && cpu_now() < end)
		for (uint64_t i = 0; i < loops_per_check; i++)
			sink = sink + i;
}

/* Loops between two looks at the clock: about 20 us of work. */
uint64_t model_calibrate(void)
{
	int64_t rate[7];
	for (int r = 0; r < 7; r++) {
		uint64_t n = 0;
		int64_t t0 = now_ns(), t;
		while ((t = now_ns()) - t0 < 5000000) {
			for (int i = 0; i < 1000; i++)
				sink = sink + (uint64_t)i;
			n += 1000;
		}
		rate[r] = (int64_t)(n * 1000 / (uint64_t)(t - t0));   /* per us */
	}
	int64_t per_us = median(rate, 7);
	return per_us > 0 ? (uint64_t)per_us * 20 : 1000;
}

static void wait_ms(uint64_t ms)
{
	struct timespec ts = { (time_t)(ms / 1000), (long)(ms % 1000) * 1000000 };
	while (nanosleep(&ts, &ts) != 0)
		;
}

/* ---- the server ----------------------------------------------------------------------------- */

struct pending {
	uint64_t drv_id;               /* the driver request's id (its result names it) */
	uint64_t ap_id;                /* the AP request, taken, to be answered */
};

struct model_state {
	uint64_t served, forwarded, failures;
	uint32_t n;
	uint32_t reserved;
	struct pending p[T_SRV_QLEN];
};

struct server {
	uint64_t loops, req_ms, res_ms;
	struct model_state *st;
};

static const uint32_t srv_fns[] = { MODEL_FN_SRV };

static void on_request(struct server *s, const struct t_msg *m)
{
	struct t_msg d;
	uint64_t id;
	if (m->arg[1] == MODEL_STAT_AP) {
		struct t_msg r = { .id = m->id };
		r.arg[3] = s->st->served;
		r.arg[4] = s->st->forwarded;
		r.arg[5] = s->st->failures;
		t_srv_reply(&r);
		return;
	}
	model_cpu(s->loops, s->req_ms);                 /* request work */
	memset(&d, 0, sizeof(d));
	d.fn = MODEL_FN_DRV;
	d.arg[0] = m->arg[0];
	d.arg[1] = m->arg[1];
	if (s->st->n == T_SRV_QLEN || t_srv_send(&d, &id)) {
		struct t_msg r = { .id = m->id, .status = -EAGAIN };
		t_srv_reply(&r);
		return;
	}
	s->st->p[s->st->n++] = (struct pending){ id, m->id };
	s->st->forwarded++;
}

static void on_result(struct server *s, const struct t_msg *m)
{
	struct model_state *st = s->st;
	for (uint32_t i = 0; i < st->n; i++) {
		if (st->p[i].drv_id != m->id)
			continue;
		model_cpu(s->loops, s->res_ms);         /* result work */
		struct t_msg r = { .id = st->p[i].ap_id, .status = m->status };
		r.arg[2] = m->arg[2];
		r.arg[3] = ++st->served;
		st->p[i] = st->p[--st->n];
		if (t_srv_reply(&r))
			st->failures++;                 /* an answer that found no request */
		return;
	}
	st->failures++;                                 /* a result of no request of mine */
}

int model_server_main(int argc, char **argv)
{
	static struct server s;
	int replaced;
	if (argc < 5)
		return 2;
	s.loops = strtoull(argv[2], NULL, 0);
	s.req_ms = strtoull(argv[3], NULL, 0);
	s.res_ms = strtoull(argv[4], NULL, 0);
	struct srv_desc d = { .kind = "amodel", .version = 1, .fns = srv_fns, .nfn = 1,
			      .root_size = sizeof(struct model_state) };
	if (srv_state_start(&d, &s, (void **)&s.st, &replaced))
		return 1;
	for (;;) {
		struct t_msg m;
		int r = t_srv_recv(&m, TSRV_RESULTS);
		if (r == -EINTR)
			continue;
		if (r < 0)
			return 1;
		if (m.fn == T_FN_REPLACE)
			srv_state_handover(&d, &s);
		else if (r == 1)
			on_result(&s, &m);
		else
			on_request(&s, &m);
	}
}

/* ---- the driver ------------------------------------------------------------------------------ */

struct drv_state {
	uint64_t served;
};

static uint64_t drv_loops, drv_cpu_ms, drv_wait_ms;

static int drv_handle(struct t_msg *m, void *ctx)
{
	struct drv_state *st = ctx;
	model_cpu(drv_loops, drv_cpu_ms);               /* CPU work */
	if (drv_wait_ms)
		wait_ms(drv_wait_ms);                   /* the I/O wait */
	m->arg[2] = model_answer(m->arg[0], m->arg[1]);
	st->served++;
	return 0;
}

int model_driver_main(int argc, char **argv)
{
	static const uint32_t fns[] = { MODEL_FN_DRV };
	struct drv_state *st;
	int replaced;
	if (argc < 5)
		return 2;
	drv_loops = strtoull(argv[2], NULL, 0);
	drv_cpu_ms = strtoull(argv[3], NULL, 0);
	drv_wait_ms = strtoull(argv[4], NULL, 0);
	struct srv_desc d = { .kind = "amodel-drv", .version = 1, .fns = fns, .nfn = 1,
			      .root_size = sizeof(struct drv_state) };
	if (srv_state_start(&d, NULL, (void **)&st, &replaced))
		return 1;
	return srv_state_loop(&d, drv_handle, st);
}
