/*
 * net: the network server (docs/network.md, "The server"). One process holds the TCP/IP
 * stack of this directory, the virtio-net driver (drivers/virtio-net, linked in: the server
 * owns the device) and the loopback interface, and serves the TFN_NET_* protocol of
 * abi/netproto.h in a single loop: requests and the device's interrupts arrive in the same
 * queue (t_srv_recv), and the stack's timers wake the loop through SIGALRM (setitimer),
 * which makes a waiting t_srv_recv return -EINTR.
 *
 *   net [-d] [-r] [-f DROP,DUP,REORDER] [-X crash|reject] [DEVICE]
 *     -d        configure the interface by DHCP (default: QEMU's user network, static
 *               10.0.2.15/24, gateway 10.0.2.2, DNS 10.0.2.3)
 *     -f        the fault switch (fault.c): per cent of the frames each way dropped,
 *               duplicated, held back behind the next (tests of a lossy link)
 *     -r        register the TFN_NET_* ids itself (root; normally svc does, /etc/svc.conf)
 *     -X        as a replacement, fail on purpose (the rollback tests): crash holding the
 *               old state, or reject it (-EPROTO); the old server goes on
 *     DEVICE    the device resource to claim; default the first virtio-net function. With
 *               none, the server runs with the loopback interface only.
 *
 * The server is replaceable (docs/replacement.md): its root object (struct nsrv), the stack
 * (in the state heap, sheap.h) and the device's queues are state memory; a replacement takes
 * them over with every connection, and its arguments other than -X do not matter (the
 * configuration is in the state).
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>
#include "abi/netproto.h"
#include "libtessera.h"
#include "servers/net/server.h"
#include "srvstate.h"
#include "tsys.h"

static sigset_t alarm_set;
static bool replace_pending;            /* the replacement notice came: hand over */

static uint64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static uint64_t random64(void *ctx)
{
	(void)ctx;
	uint64_t v = 0;
	if (getrandom(&v, sizeof(v), 0) != sizeof(v)) {
		uint32_t lo, hi;       /* no entropy call: the cycle counter, mixed */
		__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
		v = ((uint64_t)hi << 32 | lo) * 0x9E3779B97F4A7C15ull;
	}
	return v;
}

static void transmit(void *ctx, const void *frame, size_t len)
{
	struct nsrv *s = ctx;
	vnet_send(&s->nic, frame, len);
}

static int nic_send(void *ctx, const void *frame, size_t len)
{
	struct nsrv *s = ctx;
	if (!s->tx_fault.on)
		return vnet_send(&s->nic, frame, len);
	nsrv_fault_pass(&s->tx_fault, transmit, s, frame, len);
	return 0;
}

static void input(void *ctx, const void *frame, size_t len)
{
	struct nsrv *s = ctx;
	net_input(s->st, s->ifid, frame, len);
}

static void deliver(void *ctx, const void *frame, size_t len)
{
	struct nsrv *s = ctx;
	nsrv_fault_pass(&s->rx_fault, input, s, frame, len);
}

/* -f DROP,DUP,REORDER (per cent, each 0..50): the fault switch on both directions. */
static int parse_fault(struct nsrv *s, const char *arg)
{
	unsigned d, u, r;
	char end;
	if (sscanf(arg, "%u,%u,%u%c", &d, &u, &r, &end) != 3 || d > 50 || u > 50 || r > 50)
		return -EINVAL;
	struct nsrv_fault f = { .on = true, .drop = d, .dup = u, .reorder = r };
	f.rng = random64(NULL) | 1;
	s->rx_fault = f;
	f.rng = random64(NULL) | 1;
	s->tx_fault = f;
	return 0;
}

/* The stack's memory: the state heap (sheap.h), which moves to a replacement. */
static void *heap_alloc(void *ctx, size_t bytes, bool zero)
{
	return sheap_alloc(ctx, bytes, zero);
}

static void heap_free(void *ctx, void *p, size_t bytes)
{
	sheap_free(ctx, p, bytes);
}

/* The code pointers the stack keeps (a replacement sets them again: its code is elsewhere). */
static void stack_hooks(struct nsrv *s, struct net_config *cfg)
{
	cfg->random = random64;
	cfg->event = nsrv_event_note;
	cfg->event_ctx = s;
	cfg->alloc = heap_alloc;
	cfg->free = heap_free;
	cfg->mem_ctx = s->heap;
}

static const struct net_if_ops nic_ops = { nic_send };

static volatile sig_atomic_t alarm_fired;

static void on_alarm(int sig)
{
	(void)sig;             /* to end a waiting t_srv_recv with -EINTR */
	alarm_fired = 1;
}

static int setup_nic(struct nsrv *s, rid_t dev, bool dhcp)
{
	int err = vnet_setup(&s->nic, dev);
	if (err)
		return err;
	if ((err = net_if_add(s->st, &nic_ops, s, s->nic.mac, 1500, &s->ifid)))
		return err;
	s->have_nic = true;
	if (dhcp)
		return net_dhcp_start(s->st, s->ifid);
	struct net_ifconfig c;
	net_ifconfig_qemu(&c);
	return net_if_config(s->st, s->ifid, &c);
}

static int setup(struct nsrv *s, int argc, char **argv)
{
	bool dhcp = false, reg = false;
	int c;
	rid_t dev = 0;
	int err;
	while ((c = getopt(argc, argv, "drf:X:")) != -1) {
		if (c == 'f' && (err = parse_fault(s, optarg)))
			return err;
		if (c != 'd' && c != 'r' && c != 'f' && c != 'X')
			return -EINVAL;
		dhcp |= c == 'd';
		reg |= c == 'r';
	}
	err = optind < argc ? t_rid_parse(argv[optind], RT_DEVICE, &dev) : vnet_find(&dev);
	if (optind < argc && err)
		return err;
	void *mem = srv_smap(NSRV_HEAP_BYTES);
	if (!mem || !(s->heap = sheap_init(mem, NSRV_HEAP_BYTES)))
		return -ENOMEM;
	struct net_config cfg = { .max_sockets = NSRV_MAX_SOCKETS };
	stack_hooks(s, &cfg);
	s->now = now_ms();
	if ((err = net_create(&cfg, s->now, &s->st)))
		return err;
	s->ifid = NET_IF_LOOPBACK;
	if (dev && (err = setup_nic(s, dev, dhcp)))
		return err;
	for (uint32_t f = TFN_NET_SOCKET; reg && f <= TFN_NET_INFO; f++)
		if ((err = t_fn_register(f, 0, 0)))
			return err;
	return 0;
}

/* SIGALRM ends a waiting t_srv_recv (the stack's timers); blocked everywhere else. */
static int setup_alarm(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm;
	sigemptyset(&alarm_set);
	sigaddset(&alarm_set, SIGALRM);
	if (sigaction(SIGALRM, &sa, NULL) || sigprocmask(SIG_BLOCK, &alarm_set, NULL))
		return -errno;
	return 0;
}

/* The alarm for the stack's next deadline. A later deadline keeps an earlier alarm (one
 * spurious wake-up is cheaper than a system call per request); the interval repeats the
 * alarm in case it fired before the loop was back in t_srv_recv. */
static void arm(struct nsrv *s, uint64_t deadline)
{
	static uint64_t armed;          /* 0: none */
	if (deadline == UINT64_MAX) {
		if (armed) {
			struct itimerval off;
			memset(&off, 0, sizeof(off));
			setitimer(ITIMER_REAL, &off, NULL);
			armed = 0;
		}
		return;
	}
	if (armed && armed > s->now && armed <= deadline)
		return;
	uint64_t ms = deadline - s->now;
	struct itimerval it = { { (time_t)(ms / 1000), (suseconds_t)(ms % 1000 * 1000) },
				{ (time_t)(ms / 1000), (suseconds_t)(ms % 1000 * 1000) } };
	setitimer(ITIMER_REAL, &it, NULL);
	armed = deadline;
}

/* Touches now the stack the loop can need, so the server does not grow while it serves
 * (the tests' and the fuzzer's leak checks count every page; as virtio-blk does). */
static void prefault_stack(void)
{
	volatile char pad[65536];
	for (size_t i = 0; i < sizeof(pad); i += 4096)
		pad[i] = 0;
	pad[sizeof(pad) - 1] = 0;
}

static void handle(struct nsrv *s, struct t_msg *m)
{
	if (m->fn == T_FN_REPLACE) {
		replace_pending = true;   /* handed over at the end of this batch */
		return;
	}
	if (m->fn != T_FN_IRQ) {
		nsrv_request(s, m);
		return;
	}
	if (s->have_nic && m->arg[0] == s->nic.dev)
		vnet_irq(&s->nic);
}

/* Runs what is due, brings in received frames, and sends what that produced. Returns when
 * the stack wants to be called again at once (the loopback queue holds packets). */
static bool run_stack(struct nsrv *s)
{
	s->now = now_ms();
	net_time(s->st, s->now);
	if (s->have_nic) {
		vnet_receive(&s->nic, deliver, s);
		nsrv_fault_flush(&s->rx_fault, input, s);
		nsrv_fault_flush(&s->tx_fault, transmit, s);
		vnet_kick(&s->nic);
	}
	nsrv_events_flush(s);
	return net_deadline(s->st) <= s->now;
}

/* The next message, waiting for it unless again. SIGALRM is blocked except here: the
 * timers' signal then only ever arrives at a system call's end, never in the middle of the
 * stack's work (under load, an alarm delivered while the server copied socket data killed
 * it with a page fault: see docs/network.md, "The server"). One that came while blocked is
 * taken when unblocking, and the flag its handler sets keeps the loop from sleeping. */
static long next_message(struct t_msg *m, bool again)
{
	if (again)
		return tsys_t_srv_recv((long)m, TSRV_NONBLOCK);
	sigprocmask(SIG_UNBLOCK, &alarm_set, NULL);
	long err = alarm_fired ? -EINTR : tsys_t_srv_recv((long)m, 0);
	sigprocmask(SIG_BLOCK, &alarm_set, NULL);
	alarm_fired = 0;
	return err;
}

static const struct srv_desc *desc;

static void serve(struct nsrv *s)
{
	for (;;) {
		struct t_msg m;
		bool again = run_stack(s);
		if (!again)
			arm(s, net_deadline(s->st));
		long err = next_message(&m, again);
		if (err == -EINTR || err == -EAGAIN)
			continue;
		if (err < 0) {
			fprintf(stderr, "net: t_srv_recv: %s\n", strerror((int)-err));
			exit(1);
		}
		s->now = now_ms();
		net_time(s->st, s->now);
		do
			handle(s, &m);
		while (!replace_pending && tsys_t_srv_recv((long)&m, TSRV_NONBLOCK) == 0);
		if (replace_pending) {
			/* a request boundary: every request taken is answered or held in the
			 * state (NET_EVENTS); returns only if the replacement failed */
			replace_pending = false;
			srv_state_handover(desc, s);
		}
	}
}

static void print_config(const struct nsrv *s)
{
	struct net_ifconfig c;
	uint32_t mtu;
	uint8_t mac[6];
	if (!s->have_nic || net_if_get(s->st, s->ifid, &c, &mtu, mac)) {
		printf("net: loopback only (no virtio-net device)\n");
		return;
	}
	if (s->rx_fault.on)
		printf("net: fault switch: %u%% dropped, %u%% duplicated, %u%% reordered each way\n",
		       s->rx_fault.drop, s->rx_fault.dup, s->rx_fault.reorder);
	printf("net: eth0 %02x:%02x:%02x:%02x:%02x:%02x %u.%u.%u.%u/%d gw %u.%u.%u.%u mtu %u %s\n",
	       mac[0], mac[1], mac[2], mac[3], mac[4], mac[5], c.addr >> 24, (c.addr >> 16) & 255,
	       (c.addr >> 8) & 255, c.addr & 255, __builtin_popcount(c.netmask),
	       c.gateway >> 24, (c.gateway >> 16) & 255, (c.gateway >> 8) & 255, c.gateway & 255,
	       mtu, s->nic.vio.msix ? "MSI-X" : "INTx");
}

#define NET_SERVER_PRIO 3

struct start {
	int argc;
	char **argv;
	const char *fail;               /* -X: how a replacement fails on purpose */
};

/* A replacement, before the commit: the same layout is taken as it is (read only until the
 * commit); no other layout exists yet. */
static int adopt(void *old_root, uint32_t old_version, void **root, void *ctx)
{
	struct start *a = ctx;
	if (a->fail && strcmp(a->fail, "crash") == 0)
		abort();                /* a crash holding the old state */
	if (old_version != NSRV_STATE_VERSION || (a->fail && strcmp(a->fail, "reject") == 0))
		return -EPROTO;
	*root = old_root;
	return 0;
}

/* -X MODE, looked for before the state is taken (getopt runs on a fresh start only). */
static const char *fail_mode(int argc, char **argv)
{
	for (int i = 1; i + 1 < argc; i++)
		if (strcmp(argv[i], "-X") == 0)
			return argv[i + 1];
	return NULL;
}

/* A fresh start: the stack, the device, the configuration, all in the zeroed root. */
static int init(void *root, void *ctx)
{
	struct start *a = ctx;
	int err = setup(root, a->argc, a->argv);
	if (err)
		fprintf(stderr, "net: %s\n", strerror(-err));
	return err;
}

/* After the commit: the stack's and the interface's code pointers are this program's. The
 * device's interrupts, the requests (the kernel's NET_EVENTS held in ev_req among them) and
 * the frames the device delivered meanwhile are ours now; the loop takes them first. */
static int resume(void *root, void *ctx)
{
	struct nsrv *s = root;
	struct net_config cfg;
	(void)ctx;
	memset(&cfg, 0, sizeof(cfg));
	stack_hooks(s, &cfg);
	net_rebind(s->st, &cfg);
	if (s->have_nic)
		return net_if_rebind(s->st, s->ifid, &nic_ops, s);
	return 0;
}

/* The old server at the notice: the device learns of every frame queued for it. */
static int quiesce(void *root, void *ctx)
{
	struct nsrv *s = root;
	(void)ctx;
	if (s->have_nic)
		vnet_kick(&s->nic);
	return 0;
}

int main(int argc, char **argv)
{
	static const uint32_t fns[] = { TFN_NET_SOCKET, TFN_NET_CLOSE, TFN_NET_BIND,
		TFN_NET_LISTEN, TFN_NET_ACCEPT, TFN_NET_CONNECT, TFN_NET_SEND, TFN_NET_RECV,
		TFN_NET_SHUTDOWN, TFN_NET_GETNAME, TFN_NET_SETOPT, TFN_NET_GETOPT, TFN_NET_POLL,
		TFN_NET_EVENTS, TFN_NET_IFCONFIG, TFN_NET_STATS, TFN_NET_INFO };
	static struct start a;
	static const struct srv_desc d = { .kind = "net", .version = NSRV_STATE_VERSION,
		.fns = fns, .nfn = sizeof(fns) / sizeof(fns[0]), .root_size = sizeof(struct nsrv),
		.init = init, .adopt = adopt, .resume = resume, .quiesce = quiesce };
	struct nsrv *srv;
	int replaced;
	a.argc = argc;
	a.argv = argv;
	a.fail = fail_mode(argc, argv);
	desc = &d;
	int err = srv_state_start(&d, &a, (void **)&srv, &replaced);
	if (err)
		return err == -EINVAL ? 2 : 1;
	if ((err = setup_alarm())) {
		fprintf(stderr, "net: %s\n", strerror(-err));
		return 1;
	}
	if (!replaced) {
		print_config(srv);
		net_touch(srv->st);     /* a successor maps the pages again as it uses them */
	}
	fflush(stdout);
	prefault_stack();
	/* Above the applications (EXEC_DEFAULT_PRIO 4): every socket call of every process
	 * waits for this loop, which never spins (it answers what is there and sleeps). At the
	 * applications' priority a woken server queued behind every runnable process, so under
	 * load (ApacheBench against httpd) each accept took two rounds of the run queue and the
	 * listen queue overflowed: SYNs dropped, seconds of retransmission. */
	if ((err = t_set_prio(0, NET_SERVER_PRIO)) < 0)
		fprintf(stderr, "net: priority %d: %s\n", NET_SERVER_PRIO, strerror(-err));
	serve(srv);
}
