/* The container-box table and the queueing of containers (see cbox.h). Blocking uses
 * sleep_on/wakeup on two channels per box; a waiter re-checks the box by its id after every
 * wake-up, because the box may have been deleted (and its slot reused) meanwhile. */
#include "kernel/ipc/cbox.h"
#include "abi/errno.h"
#include "kernel/ipc/cdata.h"
#include "kernel/ipc/container.h"
#include "kernel/lib/kprintf.h"
#include "kernel/lib/string.h"
#include "kernel/mm/uaccess.h"
#include "kernel/proc/exec.h"
#include "kernel/proc/proc.h"

struct cbox {
	struct res_hdr hdr;
	rid_t head, tail;              /* queued containers, oldest first */
	uint32_t count;
	uint32_t bytes;
	uint32_t recv_waiting, send_waiting;
	char recv_chan, send_chan;     /* wait channels: only their addresses matter */
};

static struct cbox boxes[NCBOX];
static struct res_table cbox_table;

static struct cbox *get(rid_t rid)
{
	return res_obj(rid, RT_CBOX);
}

static void describe(rid_t rid, struct t_res_info *info)
{
	struct cbox *b = get(rid);
	info->v[0] = b->count;
	info->v[1] = b->bytes;
	info->v[2] = b->recv_waiting;
	info->v[3] = b->send_waiting;
}

/* The containers a box holds are its constituents (changeoid with flag != 0). */
static void constituents(rid_t rid, void (*fn)(rid_t part, void *arg), void *arg)
{
	for (rid_t c = get(rid)->head; c; c = container_next(c))
		fn(c, arg);
}

static int destroy(rid_t rid)
{
	struct cbox *b = get(rid);
	while (b->head) {
		rid_t c = b->head;
		b->head = container_next(c);
		container_free(c);
	}
	wakeup(&b->recv_chan);
	wakeup(&b->send_chan);
	res_free(rid);
	return 0;
}

static const struct res_ops cbox_ops = { .describe = describe, .destroy = destroy,
					 .constituents = constituents };

void ipc_init(void)
{
	cbox_table = (struct res_table){ .base = boxes,
					 .stride = sizeof(struct cbox), .capacity = NCBOX,
					 .ops = &cbox_ops };
	res_register(RT_CBOX, &cbox_table);
	container_init();
}

int cbox_create(const char *name, uint32_t mode, const struct cred *cred, rid_t *out)
{
	rid_t existing;
	if (!name[0] || (mode & ~(uint32_t)TMODE(TOP_ALL, TOP_ALL, TOP_ALL)))
		return -EINVAL;
	if (res_lookup(RT_CBOX, name, &existing) == 0)
		return -EEXIST;
	return res_alloc(RT_CBOX, name, cred, mode ? mode : TMODE_DEFAULT, out);
}

/* The checks common to send and receive: a live box the caller may use, known flags. */
static int check_box(rid_t box, uint32_t flags, const struct cred *cred)
{
	int err = res_validate(box, RT_CBOX);
	if (err)
		return err;
	if (flags & ~TCB_NONBLOCK)
		return -EINVAL;
	return res_check(box, TOP_USE, cred);
}

static bool has_room(const struct cbox *b, size_t size)
{
	return b->count < CBOX_QLEN && (b->count == 0 || b->bytes + size <= CBOX_QBYTES);
}

/* Waits until box has a container (receiving) or room for size bytes (sending). The box was
 * valid when the call began, so finding it gone means it was deleted meanwhile: -EIDRM. */
static int wait_for(rid_t box, bool receiving, size_t size, uint32_t flags, struct cbox **out)
{
	struct proc *self = proc_cur();
	for (;;) {
		struct cbox *b = get(box);
		if (!b)
			return -EIDRM;
		if (receiving ? b->count > 0 : has_room(b, size)) {
			*out = b;
			return 0;
		}
		if (flags & TCB_NONBLOCK)
			return -EAGAIN;
		if (proc_aborting(self))
			return -EINTR;
		uint32_t *waiting = receiving ? &b->recv_waiting : &b->send_waiting;
		(*waiting)++;
		sleep_on(receiving ? &b->recv_chan : &b->send_chan, 0);
		if (get(box) != b)
			return -EIDRM;
		(*waiting)--;
		if (proc_aborting(self))
			return -EINTR;
	}
}

static void enqueue(struct cbox *b, rid_t c)
{
	if (b->tail)
		container_set_next(b->tail, c);
	else
		b->head = c;
	b->tail = c;
	b->count++;
	b->bytes += container_size(c);
}

/* Unlinks c (prev is the container before it, 0 if c is the head) and frees it. */
static void unlink_free(struct cbox *b, rid_t prev, rid_t c)
{
	rid_t next = container_next(c);
	if (prev)
		container_set_next(prev, next);
	else
		b->head = next;
	if (b->tail == c)
		b->tail = prev;
	b->count--;
	b->bytes -= container_size(c);
	container_free(c);
	wakeup(&b->send_chan);
}

int cbox_send(rid_t box, const void *ubuf, size_t size, uint32_t flags, const struct cred *cred)
{
	struct cdata data;
	struct cbox *b;
	rid_t c;
	int err = check_box(box, flags, cred);
	if (err)
		return err;
	if (size > CONTAINER_MAX)
		return -EMSGSIZE;
	/* copy first: a bad buffer is reported at once, even when the box is full */
	if ((err = cdata_from_user(&data, ubuf, size)))
		return err;
	if ((err = wait_for(box, false, size, flags, &b)) ||
	    (err = container_create(box, cred, &data, &c)))
		goto fail;
	enqueue(b, c);
	wakeup(&b->recv_chan);
	return 0;
fail:
	cdata_free(&data);
	return err;
}

long cbox_recv(rid_t box, void *ubuf, size_t cap, uint32_t flags, uint64_t *ulen,
	       const struct cred *cred)
{
	struct cbox *b;
	int err = check_box(box, flags, cred);
	if (err || (err = wait_for(box, true, 0, flags, &b)))
		return err;
	rid_t c = b->head;
	uint64_t size = container_size(c);
	/* the container leaves the queue only once both copies have succeeded */
	if (ulen && copy_to_user(ulen, &size, sizeof(size)))
		return -EFAULT;
	if (size > cap)
		return -EMSGSIZE;
	if ((err = container_to_user(c, ubuf)))
		return err;
	unlink_free(b, 0, c);
	return (long)size;
}

void cbox_withdraw(rid_t box, rid_t c)
{
	struct cbox *b = get(box);
	assert(b);
	rid_t prev = 0;
	for (rid_t it = b->head; it != c; it = container_next(it)) {
		assert(it);
		prev = it;
	}
	unlink_free(b, prev, c);
}
