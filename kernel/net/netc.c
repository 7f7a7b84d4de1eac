/* The socket layer's session with the network server (see netc.h): its ICAs, the NET_EVENTS
 * request kept outstanding, and calls made as kernel requests that the caller waits for.
 * Everything here runs with interrupts off and no preemption inside the kernel, so state
 * changes only at the sleeps; completions run in the process that answered (the server, or
 * the server's exit). */
#include "kernel/net/netc.h"
#include "abi/errno.h"
#include "abi/netproto.h"
#include "arch/paging.h"
#include "arch/timer.h"
#include "kernel/fs/file.h"
#include "kernel/ipc/fnid.h"
#include "kernel/ipc/ica.h"
#include "kernel/ipc/srv.h"
#include "kernel/lib/kprintf.h"
#include "kernel/net/sock.h"
#include "kernel/proc/exec.h"
#include "kernel/proc/proc.h"

#define NETC_NBUF 4
#define NETC_NCALL 64
#define QUEUE_FULL_NS 1000000ull     /* retry a send to a full queue after 1 ms */
#define EV_MAX (PAGE_SIZE / sizeof(struct t_net_event))

struct nbuf {
	rid_t rid;          /* 0: none (no session) */
	void *kva;
	bool busy;
};

static struct {
	int server;         /* the pid serving the session (changes at a replacement), 0: none */
	uint32_t gen;       /* the session's id; counts sessions: completions of an old one
	                     * only clean up */
	bool ev_out;        /* a NET_EVENTS request is at the server */
	rid_t ev_ica;
	void *ev_kva;
	struct nbuf buf[NETC_NBUF];
} ns;

enum { C_FREE, C_WAIT, C_DONE, C_GONE };

struct ncall {
	uint8_t state;
	uint16_t seq;       /* in the completion's context, with the slot index */
	uint32_t fn;
	uint32_t sess;        /* the session it was made in */
	struct netc_buf buf;  /* lent to the request */
	struct t_msg res;
};

static struct ncall calls[NETC_NCALL];
static const char buf_chan, call_chan;

int netc_server(void)
{
	return ns.server;
}

static void free_ica(rid_t *rid)
{
	if (*rid)
		ica_free_kernel(*rid);
	*rid = 0;
}

/* The session with server ended (it exits, or answered -EIO): its sockets are dead. */
static void netc_down(int server)
{
	if (!server || ns.server != server)
		return;
	uint32_t sess = ns.gen;
	ns.server = 0;
	ns.gen++;
	for (int i = 0; i < NETC_NBUF; i++) {
		if (!ns.buf[i].busy)
			free_ica(&ns.buf[i].rid);
		ns.buf[i].rid = 0;       /* a busy one is freed when it is put back */
		ns.buf[i].busy = false;
	}
	if (!ns.ev_out)
		free_ica(&ns.ev_ica);
	ns.ev_ica = 0;                   /* else ev_done frees it when it comes back */
	ns.ev_out = false;
	sock_net_down(sess);
	wakeup(&buf_chan);
	wakeup(&call_chan);
}

static void ev_send(void);

static void ev_done(void *ctx, const struct t_msg *res)
{
	if ((uint32_t)(uintptr_t)ctx != ns.gen) {
		ica_free_kernel(res->data);  /* the session it belonged to is over */
		return;
	}
	ns.ev_out = false;
	if (res->status == -EIO) {
		netc_down(res->pid);
		return;
	}
	if (res->status < 0) {
		kprintf("netc: the network server answered NET_EVENTS with %d\n", res->status);
		return;
	}
	const struct t_net_event *ev = ns.ev_kva;
	uint64_t n = res->arg[0] < EV_MAX ? res->arg[0] : EV_MAX;
	for (uint64_t i = 0; i < n; i++)
		sock_event(ns.gen, ev[i].handle, ev[i].revents);
	file_poll_wakeup();
	ev_send();
}

static void ev_send(void)
{
	struct t_msg m = { .fn = TFN_NET_EVENTS, .data = ns.ev_ica, .arg = { EV_MAX } };
	if (ns.ev_out || !ns.server)
		return;
	if (fnid_server(TFN_NET_EVENTS) != ns.server)
		return;
	ns.ev_out = srv_send_kernel(&m, ev_done, (void *)(uintptr_t)ns.gen) == 0;
}

bool netc_watching(void)
{
	ev_send();
	return ns.ev_out;
}

/* A session with server: its ICAs, then the first NET_EVENTS. */
static int start(int server)
{
	int err = ica_create_kernel(1, &ns.ev_ica, &ns.ev_kva);
	for (int i = 0; !err && i < NETC_NBUF; i++)
		err = ica_create_kernel(NETC_BUF_PAGES, &ns.buf[i].rid, &ns.buf[i].kva);
	if (err) {
		for (int i = 0; i < NETC_NBUF; i++)
			free_ica(&ns.buf[i].rid);
		free_ica(&ns.ev_ica);
		return -ENETDOWN;
	}
	ns.gen++;                            /* a new id: nothing of an older one matches */
	ns.server = server;
	ev_send();
	return 0;
}

void netc_replaced(int old, int new)
{
	if (old && ns.server == old)
		ns.server = new;
}

/* The pid serving session sess, 0 when that session is over. */
static int server_of(uint32_t sess)
{
	return ns.server && ns.gen == sess ? ns.server : 0;
}

void netc_fn_changed(void)
{
	int s = fnid_server(TFN_NET_SOCKET);
	if (ns.server && ns.server != s)
		netc_down(ns.server);
	if (!ns.server && s && fnid_server(TFN_NET_EVENTS) == s)
		start(s);                    /* no memory: the first socket tries again */
}

int netc_up(uint32_t *sess)
{
	int s = fnid_server(TFN_NET_SOCKET);
	if (ns.server && ns.server != s)
		netc_down(ns.server);        /* it lost its ids without exiting */
	if (!s)
		return -ENETDOWN;
	if (!ns.server) {
		int err = start(s);
		if (err)
			return err;
	}
	ev_send();                           /* again, if an error stopped it */
	*sess = ns.gen;
	return 0;
}

int netc_buf_get(struct netc_buf *b)
{
	struct proc *p = proc_cur();
	b->idx = -1;
	for (;;) {
		if (!ns.server)
			return -ENETDOWN;
		for (int i = 0; i < NETC_NBUF; i++) {
			if (!ns.buf[i].busy && ns.buf[i].rid) {
				ns.buf[i].busy = true;
				*b = (struct netc_buf){ i, ns.buf[i].rid, ns.buf[i].kva };
				return 0;
			}
		}
		if (proc_ending(p))
			return -EINTR;
		sleep_on(&buf_chan, 0);
	}
}

void netc_buf_put(struct netc_buf *b)
{
	if (b->idx < 0)
		return;
	struct nbuf *nb = &ns.buf[b->idx];
	if (nb->rid == b->rid && nb->busy)
		nb->busy = false;
	else
		ica_free_kernel(b->rid);     /* its session ended while it was out */
	b->idx = -1;
	wakeup(&buf_chan);
}

void netc_post_close(uint32_t sess, int32_t handle)
{
	struct t_msg m = { .fn = TFN_NET_CLOSE, .arg = { (uint64_t)(uint32_t)handle } };
	int server = server_of(sess);
	if (server && fnid_server(TFN_NET_CLOSE) == server)
		srv_send_kernel(&m, NULL, NULL);   /* queue full: the server keeps a handle */
}

static void call_done(void *ctx, const struct t_msg *res)
{
	uint32_t i = (uint32_t)(uintptr_t)ctx & 0xffff, seq = (uint32_t)(uintptr_t)ctx >> 16;
	struct ncall *c = i < NETC_NCALL ? &calls[i] : NULL;
	if (!c || c->seq != seq || (c->state != C_WAIT && c->state != C_GONE))
		panic("call_done: no call waits in slot %u (seq %u)", i, seq);
	if (res->status == -EIO)
		netc_down(res->pid);
	if (c->state == C_WAIT) {
		c->res = *res;
		c->state = C_DONE;
		wakeup(c);
		return;
	}
	/* its caller was killed: what the server made for it is closed again */
	if (res->status >= 0 && (c->fn == TFN_NET_SOCKET || c->fn == TFN_NET_ACCEPT))
		netc_post_close(c->sess, (int32_t)res->arg[0]);
	netc_buf_put(&c->buf);
	c->state = C_FREE;
	wakeup(&call_chan);
}

static int call_slot(uint32_t sess, uint32_t *out)
{
	struct proc *p = proc_cur();
	for (;;) {
		if (!server_of(sess))
			return -ENETDOWN;
		for (uint32_t i = 0; i < NETC_NCALL; i++) {
			if (calls[i].state == C_FREE) {
				*out = i;
				return 0;
			}
		}
		if (proc_ending(p))
			return -EINTR;
		sleep_on(&call_chan, 0);
	}
}

int netc_call(uint32_t sess, struct t_msg *io, struct netc_buf *b)
{
	uint32_t i;
	int err = call_slot(sess, &i);
	if (err)
		return err;
	int server = server_of(sess);
	if (fnid_server(io->fn) != server) {
		if (fnid_server(TFN_NET_SOCKET) != server)
			netc_down(server);   /* it went without a word (no NET_EVENTS was out) */
		return -ENETDOWN;
	}
	struct ncall *c = &calls[i];
	c->seq++;
	c->fn = io->fn;
	c->sess = sess;
	c->buf = b ? *b : (struct netc_buf){ -1, 0, NULL };
	io->ctl = 0;
	io->data = b ? b->rid : 0;
	struct proc *p = proc_cur();
	c->state = C_WAIT;                   /* the slot is ours while we wait for room */
	/* a full queue at the server empties as it works: wait for room, as a writer does */
	while ((err = srv_send_kernel(io, call_done, (void *)(uintptr_t)(i | (uint32_t)c->seq << 16))) == -EAGAIN) {
		sleep_on(&call_chan, time_ns() + QUEUE_FULL_NS);
		if (proc_ending(p) || !server_of(sess))
			break;
	}
	if (err) {
		c->state = C_FREE;
		wakeup(&call_chan);
		return proc_ending(p) ? -EINTR : -ENETDOWN;
	}
	while (c->state == C_WAIT) {
		if (proc_ending(p)) {
			c->state = C_GONE;       /* call_done cleans up, the buffer with it */
			if (b)
				b->idx = -1;
			return -EINTR;
		}
		sleep_on(c, 0);
	}
	*io = c->res;
	c->state = C_FREE;
	wakeup(&call_chan);
	return io->status == -EIO ? -ENETDOWN : io->status;
}
