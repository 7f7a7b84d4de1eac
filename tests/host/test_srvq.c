// HOST-TEST-SOURCES: kernel/ipc/srvq.c kernel/ipc/fnid.c
/*
 * Host tests of the queues of server communication (kernel/ipc/srvq.c) and the
 * function-id table (kernel/ipc/fnid.c): slots and ids (a stale id is never found again),
 * FIFO lists with removal from the middle, exhausting the pool (-EAGAIN, and every slot back
 * afterwards), interrupt counters that coalesce per source and overflow without losing a
 * count; registering, refusing a taken id, unregistering, dropping a pid's ids, the dense
 * listing, and a random sequence against a model.
 */
#define _POSIX_C_SOURCE 200809L
#include "kernel/ipc/srvq.h"
#include "kernel/ipc/fnid.h"
#include "abi/errno.h"
#include "tests/host/harness.h"
#include <stdlib.h>
#include <string.h>

TEST(srvq_fifo_and_remove_middle)
{
	struct srvq_list l;
	uint32_t s[5];
	srvq_init();
	srvq_list_init(&l);
	for (int i = 0; i < 5; i++) {
		REQUIRE(srvq_alloc(&s[i]) == 0);
		srvq_push(&l, s[i]);
	}
	CHECK_EQ(l.n, 5);
	srvq_remove(&l, s[2]);                   /* out of the middle */
	srvq_remove(&l, s[4]);                   /* the tail */
	CHECK_EQ(srvq_pop(&l), s[0]);
	CHECK_EQ(srvq_pop(&l), s[1]);
	srvq_push(&l, s[4]);
	CHECK_EQ(srvq_pop(&l), s[3]);
	CHECK_EQ(srvq_pop(&l), s[4]);
	CHECK_EQ(srvq_pop(&l), SRVQ_NIL);
	CHECK_EQ(l.n, 0);
	for (int i = 0; i < 5; i++)
		srvq_free(s[i]);
}

TEST(srvq_ids_are_never_reused)
{
	uint32_t a, b;
	srvq_init();
	REQUIRE(srvq_alloc(&a) == 0);
	uint64_t id = srvq_reqs[a].id;
	CHECK(srvq_find(id) == &srvq_reqs[a]);
	srvq_free(a);
	CHECK(srvq_find(id) == NULL);            /* answered: the id is stale */
	/* the slot comes back (LIFO free list is not promised: take them all) */
	for (uint32_t i = 0; i < SRVQ_NREQ; i++) {
		REQUIRE(srvq_alloc(&b) == 0);
		CHECK(srvq_reqs[b].id != id);
	}
	CHECK(srvq_find(id) == NULL);
	CHECK(srvq_find(0) == NULL);
}

TEST(srvq_pool_exhaustion)
{
	uint32_t i, n = 0;
	srvq_init();
	while (srvq_alloc(&i) == 0)
		n++;
	CHECK_EQ(n, SRVQ_NREQ);
	CHECK_EQ(srvq_nfree(), 0);
	CHECK_EQ(srvq_alloc(&i), -EAGAIN);
	for (i = 0; i < SRVQ_NREQ; i++)
		srvq_free(i);
	CHECK_EQ(srvq_nfree(), SRVQ_NREQ);
	n = 0;
	while (srvq_alloc(&i) == 0)
		n++;
	CHECK_EQ(n, SRVQ_NREQ);                  /* every slot came back */
}

TEST(srvq_box_lists)
{
	struct srvq_box b;
	uint32_t s;
	srvq_init();
	srvq_box_reset(&b, 42);
	CHECK_EQ(b.pid, 42);
	REQUIRE(srvq_alloc(&s) == 0);
	srvq_push(&b.queue, s);
	CHECK_EQ(srvq_pop(&b.queue), s);
	srvq_push(&b.taken, s);
	CHECK_EQ(b.taken.n, 1);
	srvq_remove(&b.taken, s);
	CHECK_EQ(b.taken.n, 0);
	CHECK_EQ(b.queue.n, 0);
}

TEST(srvq_irq_coalesce)
{
	struct srvq_box b;
	struct t_msg m;
	srvq_box_reset(&b, 7);
	CHECK(!srvq_irq_pending(&b));
	CHECK(!srvq_irq_take(&b, &m));
	srvq_irq_add(&b, 0x100, 0, 1);
	srvq_irq_add(&b, 0x100, 1, 1);
	srvq_irq_add(&b, 0x100, 0, 1);
	srvq_irq_add(&b, 0x100, 0, 1);
	CHECK(srvq_irq_pending(&b));
	uint64_t total = 0;
	int msgs = 0;
	while (srvq_irq_take(&b, &m)) {
		CHECK_EQ(m.fn, T_FN_IRQ);
		CHECK_EQ(m.arg[0], 0x100);
		CHECK_EQ(m.arg[2], m.arg[1] == 0 ? 3 : 1);
		total += m.arg[2];
		msgs++;
	}
	CHECK_EQ(msgs, 2);
	CHECK_EQ(total, 4);
	CHECK(!srvq_irq_pending(&b));
}

/* More sources than counters: the rest is counted in the overflow, never lost. */
TEST(srvq_irq_overflow_never_loses)
{
	struct srvq_box b;
	struct t_msg m;
	srvq_box_reset(&b, 7);
	uint64_t posted = 0;
	for (uint32_t v = 0; v < SRVQ_NIRQ + 3; v++)
		for (uint32_t k = 0; k <= v; k++, posted++)
			srvq_irq_add(&b, 0x200, v, 1);
	uint64_t got = 0;
	int any = 0;
	while (srvq_irq_take(&b, &m)) {
		got += m.arg[2];
		any += m.arg[1] == SRVQ_VEC_ANY;
	}
	CHECK_EQ(got, posted);
	CHECK_EQ(any, 1);
}

TEST(fnid_register_rules)
{
	fnid_init();
	CHECK_EQ(fnid_register(0, 5), -EINVAL);
	CHECK_EQ(fnid_register(T_FN_MAX, 5), -EINVAL);
	CHECK_EQ(fnid_register(1, 0), -EINVAL);
	CHECK_EQ(fnid_register(1, 5), 0);
	CHECK_EQ(fnid_register(1, 5), 0);        /* again, the same server: fine */
	CHECK_EQ(fnid_register(1, 6), -EBUSY);
	CHECK_EQ(fnid_server(1), 5);
	CHECK_EQ(fnid_unregister(1, 6), -ENOENT);
	CHECK_EQ(fnid_unregister(2, 5), -ENOENT);
	fnid_count_call(1);
	fnid_count_call(1);
	CHECK_EQ(fnid_calls(1), 2);
	CHECK_EQ(fnid_unregister(1, 5), 0);
	CHECK_EQ(fnid_server(1), 0);
	CHECK_EQ(fnid_calls(1), 0);
	CHECK_EQ(fnid_register(1, 6), 0);        /* free again */
	CHECK_EQ(fnid_calls(1), 0);              /* counts start over */
	CHECK_EQ(fnid_server(T_FN_MAX + 5), 0);
}

TEST(fnid_drop_pid_and_listing)
{
	fnid_init();
	for (uint32_t fn = 1; fn <= 20; fn++)
		REQUIRE(fnid_register(fn, fn % 3 ? 10 : 11) == 0);
	CHECK_EQ(fnid_count(), 20);
	fnid_drop_pid(10);
	CHECK_EQ(fnid_count(), 6);               /* 3, 6, ..., 18 */
	for (uint32_t n = 0; n < fnid_count(); n++) {
		uint32_t fn = fnid_nth(n);
		CHECK(fn % 3 == 0);
		CHECK_EQ(fnid_server(fn), 11);
	}
	CHECK_EQ(fnid_nth(6), 0);
	CHECK_EQ(fnid_server(1), 0);
	fnid_drop_pid(11);
	CHECK_EQ(fnid_count(), 0);
}

/* A replacement moves an id with its call counter and counts the replacement; registering
 * it afresh starts both over. */
TEST(fnid_move_keeps_counters)
{
	uint64_t n, at, took;
	fnid_init();
	REQUIRE(fnid_register(7, 20) == 0);
	fnid_count_call(7);
	fnid_count_call(7);
	CHECK_EQ(fnid_move(7, 21, 22, 100, 5), -ENOENT);     /* 21 does not serve it */
	CHECK_EQ(fnid_move(8, 20, 22, 100, 5), -ENOENT);
	CHECK_EQ(fnid_move(7, 20, 22, 100, 5), 0);
	CHECK_EQ(fnid_server(7), 22);
	CHECK_EQ(fnid_calls(7), 2);
	CHECK_EQ(fnid_count(), 1);
	fnid_repl_stat(7, &n, &at, &took);
	CHECK(n == 1 && at == 100 && took == 5);
	CHECK_EQ(fnid_move(7, 22, 23, 200, 9), 0);
	fnid_repl_stat(7, &n, &at, &took);
	CHECK(n == 2 && at == 200 && took == 9);
	fnid_drop_pid(23);
	fnid_repl_stat(7, &n, &at, &took);
	CHECK(n == 0 && at == 0 && took == 0);
	REQUIRE(fnid_register(7, 30) == 0);
	CHECK_EQ(fnid_calls(7), 0);
	fnid_repl_stat(7, &n, &at, &took);
	CHECK_EQ(n, 0);
}

/* A driver's pending interrupts follow it: counts added, sources kept apart, overflow too. */
TEST(srvq_irq_merge_moves_counts)
{
	struct srvq_box a, b;
	struct t_msg m;
	srvq_box_reset(&a, 1);
	srvq_box_reset(&b, 2);
	srvq_irq_add(&a, 0x55, 0, 3);
	srvq_irq_add(&a, 0x55, 1, 1);
	srvq_irq_add(&b, 0x55, 0, 2);
	a.irq_overflow = 4;
	CHECK_EQ(srvq_irq_merge(&b, &a), 3);
	CHECK(!srvq_irq_pending(&a));
	uint64_t c0 = 0, c1 = 0, any = 0;
	while (srvq_irq_take(&b, &m)) {
		if (m.arg[1] == SRVQ_VEC_ANY)
			any += m.arg[2];
		else if (m.arg[1] == 0)
			c0 += m.arg[2];
		else
			c1 += m.arg[2];
	}
	CHECK(c0 == 5 && c1 == 1 && any == 4);
}

TEST(fnid_random_against_model)
{
	static int model[T_FN_MAX];
	memset(model, 0, sizeof(model));
	fnid_init();
	srand(3);
	for (int step = 0; step < 50000; step++) {
		uint32_t fn = 1 + (uint32_t)rand() % 200;
		int pid = 1 + rand() % 5, r = rand() % 10;
		if (r < 5) {
			int want = model[fn] && model[fn] != pid ? -EBUSY : 0;
			REQUIRE(fnid_register(fn, pid) == want);
			if (!want)
				model[fn] = pid;
		} else if (r < 9) {
			int want = model[fn] == pid ? 0 : -ENOENT;
			REQUIRE(fnid_unregister(fn, pid) == want);
			if (!want)
				model[fn] = 0;
		} else {
			fnid_drop_pid(pid);
			for (uint32_t f = 0; f < T_FN_MAX; f++)
				if (model[f] == pid)
					model[f] = 0;
		}
	}
	uint32_t live = 0;
	for (uint32_t f = 1; f < T_FN_MAX; f++) {
		REQUIRE(fnid_server(f) == model[f]);
		live += model[f] != 0;
	}
	CHECK_EQ(fnid_count(), live);
}
