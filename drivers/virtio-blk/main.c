/*
 * virtio-blk: the driver process of a virtio block device (docs/servers.md, "Writing a
 * driver"). It claims the device, brings it up, and then runs one loop over its request
 * queue, where callers' requests (TFN_BLK_* + unit * TFN_BLK_STRIDE) and the device's
 * interrupts (T_FN_IRQ messages) both arrive.
 *
 *   virtio-blk [-u UNIT] [-r] [-H] [DEVICE]
 *     -u UNIT   serve block unit UNIT (default 0); without DEVICE, claim the UNIT-th
 *               virtio-blk function found
 *     -r        register the unit's function ids itself (root only; normally init or svc
 *               registers them from /etc/svc.conf before starting the driver)
 *     -H        hold: put requests on the device but answer none (tests only: what is in
 *               the ring when a driver without -H replaces this one is answered by it)
 *     DEVICE    the device resource to claim, as `res device` shows it
 *
 * It is replaceable (docs/replacement.md): struct vblk, the virtqueue's ICA (descriptors,
 * rings, request headers and status bytes, which the device reads and writes by DMA) and the
 * table of requests in flight are state memory. A new driver takes them over as they are,
 * with the device's claim, without resetting the device: the requests the device holds are
 * answered by the new driver when they complete.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "drivers/virtio-blk/vblk.h"
#include "libtessera.h"
#include "srvstate.h"
#include "tsys.h"

static bool replace_pending;           /* a replacement notice came within this batch */
static bool hold;                      /* -H: never take completions (not state: the option's) */

/* Touches now the stack that serving can need, so that the driver never grows while it
 * serves: its memory stays what it was at start, whatever callers send (the leak checks of
 * the tests and the fuzzer count every page). */
static void prefault_stack(void)
{
	volatile char pad[32768];
	for (size_t i = 0; i < sizeof(pad); i += 4096)
		pad[i] = 0;
	pad[sizeof(pad) - 1] = 0;
}

static int parse_args(int argc, char **argv, struct vblk *b, bool *reg)
{
	int c;
	while ((c = getopt(argc, argv, "u:rH")) != -1) {
		if (c == 'u') {
			char *end;
			unsigned long u = strtoul(optarg, &end, 0);
			if (*end || u >= TFN_BLK_UNITS)
				return -EINVAL;
			b->unit = (uint32_t)u;
		} else if (c == 'r') {
			*reg = true;
		} else if (c == 'H') {
			hold = true;
		} else {
			return -EINVAL;
		}
	}
	b->fnbase = TFN_BLK_READ + b->unit * TFN_BLK_STRIDE;
	if (optind < argc)
		return t_rid_parse(argv[optind], RT_DEVICE, &b->dev);
	return vblk_find(b->unit, &b->dev);
}

static int register_fns(const struct vblk *b)
{
	for (uint32_t f = TFN_BLK_READ; f <= TFN_BLK_INFO; f++) {
		long err = tsys_t_fn_register((long)(f - TFN_BLK_READ + b->fnbase), 0, 0);
		if (err < 0)
			return (int)err;
	}
	return 0;
}

static void handle(struct vblk *b, const struct t_msg *m, bool *queued)
{
	if (m->fn == T_FN_REPLACE) {
		replace_pending = true;       /* after this batch is on the device */
		return;
	}
	if (m->fn != T_FN_IRQ) {
		vblk_request(b, m, queued);
		return;
	}
	if (!b->vio.msix) {
		/* INTx: reading the ISR lowers the line; then the kernel may unmask it */
		vio_isr(&b->vio);
		tsys_t_dev_irq_ack((long)b->dev, 0);
	}
	if (!hold)
		vblk_complete(b, queued);
}

/* Takes every request there is before telling the device, so one notify covers a batch. */
static void serve(const struct srv_desc *d, struct vblk *b)
{
	for (;;) {
		struct t_msg m;
		bool queued = false;
		long err = tsys_t_srv_recv((long)&m, 0);
		if (err == -EINTR)
			continue;
		if (err < 0) {
			fprintf(stderr, "virtio-blk: t_srv_recv: %s\n", strerror((int)-err));
			exit(1);
		}
		handle(b, &m, &queued);
		while (tsys_t_srv_recv((long)&m, TSRV_NONBLOCK) == 0)
			handle(b, &m, &queued);
		if (!hold)
			vblk_complete(b, &queued);
		if (queued && virtq_publish(&b->q))
			vio_notify(&b->vio, 0);
		if (replace_pending) {
			/* a request boundary: every request taken is on the device or in the
			 * backlog, both in the state; returns only if the replacement failed */
			replace_pending = false;
			srv_state_handover(d, b);
		}
	}
}

struct start {
	int argc;
	char **argv;
	bool reg;
	uint32_t fns[4];
};

/* A fresh start: the device claimed and brought up, the state in root. */
static int init(void *root, void *ctx)
{
	struct start *st = ctx;
	struct vblk *b = root;
	int err = parse_args(st->argc, st->argv, b, &st->reg);
	if (err) {
		fprintf(stderr, "usage: virtio-blk [-u UNIT] [-r] [DEVICE]: %s\n", strerror(-err));
		return err;
	}
	err = vblk_setup(b);
	if (!err && st->reg)
		err = register_fns(b);
	if (err)
		fprintf(stderr, "virtio-blk: unit %u: %s\n", b->unit, strerror(-err));
	return err;
}

/* After taking over: completions may wait in the used ring whose interrupt the old driver
 * took (a driver with -H took them all): answered now, not at the next interrupt. */
static int resume(void *root, void *ctx)
{
	struct vblk *b = root;
	bool queued = false;
	(void)ctx;
	if (!hold)
		vblk_complete(b, &queued);
	if (queued && virtq_publish(&b->q))
		vio_notify(&b->vio, 0);
	return 0;
}

/* The unit's function ids, which a replacement must provide: from the arguments. */
static int provided(struct start *st)
{
	struct vblk probe;
	bool reg = false;
	memset(&probe, 0, sizeof(probe));
	int err = parse_args(st->argc, st->argv, &probe, &reg);
	optind = 1;                            /* init parses them again */
	for (uint32_t f = 0; f < 4; f++)
		st->fns[f] = probe.fnbase + f;
	return err;
}

int main(int argc, char **argv)
{
	static struct start st;
	struct vblk *b;
	int replaced;
	st.argc = argc;
	st.argv = argv;
	if (provided(&st))
		return 2;
	struct srv_desc d = { .kind = "virtio-blk", .version = 1, .fns = st.fns, .nfn = 4,
			      .root_size = sizeof(struct vblk), .init = init, .resume = resume };
	int err = srv_state_start(&d, &st, (void **)&b, &replaced);
	if (err)
		return 1;
	if (!replaced)
		printf("virtio-blk: unit %u: %llu sectors (%llu MiB), queue %u, %s\n", b->unit,
		       (unsigned long long)b->capacity, (unsigned long long)(b->capacity >> 11),
		       b->q.size, b->vio.msix ? "MSI-X" : "INTx");
	fflush(stdout);
	prefault_stack();
	serve(&d, b);
}
