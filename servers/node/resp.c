/* The responder (see node.h): other nodes' remote procedure calls on UDP port NP_PORT, each
 * run at most once (a repeat gets the kept answer), the announcements of this node's load,
 * and the table of the nodes heard. The calls it runs are the kernel's (as root, on behalf
 * of the caller's uid where rights matter: docs/migration.md says what this trusts). */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "libtessera.h"
#include "node.h"

struct kept {
	uint32_t addr, xid;
	uint16_t port, len;
	char reply[NP_MAX];
};

/* NP_MIGRATE calls under way: a child of the responder moves the process, the answer goes
 * when it ends (its exit code says how it went: mig_code) */
#define MAX_MOVING 8
struct moving {
	int child;
	struct sockaddr_in from;
	uint32_t xid, node;
};

static struct kept cache[NP_DUP_CACHE];
static struct moving moving[MAX_MOVING];
static unsigned cache_next;
static struct np_node_row table[NP_MAX_NODES + 1];
static uint64_t heard_ms[NP_MAX_NODES + 1];
static uint8_t lost[NP_MAX_NODES + 1];
static uint32_t load_avg;          /* x 100 */
static int sock = -1;

static uint64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static struct kept *kept_answer(const struct sockaddr_in *from, uint32_t xid)
{
	for (unsigned i = 0; i < NP_DUP_CACHE; i++)
		if (cache[i].len && cache[i].xid == xid && cache[i].addr == from->sin_addr.s_addr &&
		    cache[i].port == from->sin_port)
			return &cache[i];
	return NULL;
}

static void keep(const struct sockaddr_in *from, uint32_t xid, const char *reply, size_t len)
{
	struct kept *k = &cache[cache_next++ % NP_DUP_CACHE];
	k->addr = from->sin_addr.s_addr;
	k->port = from->sin_port;
	k->xid = xid;
	k->len = (uint16_t)len;
	memcpy(k->reply, reply, len);
}

static void fill_load(struct np_load *l)
{
	struct t_node_info in;
	memset(l, 0, sizeof(*l));
	if (t_node_info(&in))
		return;
	/* the responder itself runs while it asks: not load */
	uint32_t runnable = in.runnable ? in.runnable - 1 : 0;
	*l = (struct np_load){ .node = in.node, .nproc = in.nproc, .runnable = runnable,
			       .load = load_avg, .visitors = in.visitors, .away = in.away,
			       .pages_free = in.pages_free, .pages_total = in.pages_total,
			       .uptime_ms = in.uptime_ms };
}

/* ---- the calls ------------------------------------------------------------------------------ */

static int on_nodes(char *out, size_t *len)
{
	struct np_nodes *n = (void *)out;
	uint64_t now = now_ms();
	memset(n, 0, sizeof(*n));
	for (uint32_t id = 1; id <= NP_MAX_NODES; id++) {
		struct np_node_row *r = &n->row[n->n];
		if (id == node_id) {
			fill_load(&r->load);
			r->up = 1;
		} else if (heard_ms[id]) {
			*r = table[id];
			r->age_ms = (uint32_t)(now - heard_ms[id]);
			r->up = r->age_ms < NP_NODE_DEAD_MS;
		} else {
			continue;
		}
		n->n++;
	}
	*len = sizeof(*n);
	return 0;
}

/* The least loaded node that is up, other than this one (0: none). */
static uint32_t least_loaded(void)
{
	uint32_t best = 0;
	uint64_t now = now_ms();
	for (uint32_t id = 1; id <= NP_MAX_NODES; id++) {
		if (id == node_id || !heard_ms[id] || now - heard_ms[id] >= NP_NODE_DEAD_MS)
			continue;
		if (!best || table[id].load.load < table[best].load.load)
			best = id;
	}
	return best;
}

static struct moving *moving_of(const struct sockaddr_in *from, uint32_t xid)
{
	for (int i = 0; i < MAX_MOVING; i++)
		if (moving[i].child && moving[i].xid == xid &&
		    moving[i].from.sin_addr.s_addr == from->sin_addr.s_addr &&
		    moving[i].from.sin_port == from->sin_port)
			return &moving[i];
	return NULL;
}

/* A migration's outcome as an exit code and back: 0 moved, 200 + why refused, else errno. */
static int mig_code(int err, uint32_t why)
{
	return !err ? 0 : err == -EBUSY && why ? 200 + (int)why : -err < 200 ? -err : 199;
}

static void answer_move(const struct moving *m, int code)
{
	char out[sizeof(struct np_hdr) + sizeof(struct np_migrate)];
	struct np_hdr *h = (void *)out;
	struct np_migrate *a = (void *)(out + sizeof(*h));
	*h = (struct np_hdr){ .magic = NP_MAGIC, .op = NP_MIGRATE, .flags = NPF_REPLY,
			      .xid = m->xid, .from_node = node_id, .len = sizeof(*a) };
	*a = (struct np_migrate){ .node = m->node };
	h->status = code == 0 ? 0 : code >= 200 ? -EBUSY : -code;
	a->why = code >= 200 ? (uint32_t)(code - 200) : 0;
	keep(&m->from, m->xid, out, sizeof(out));
	sendto(sock, out, sizeof(out), 0, (const void *)&m->from, sizeof(m->from));
}

/* Start moving a process of this node (the answer waits for the end: reap_moves). */
static void on_migrate(const char *body, size_t blen, const struct sockaddr_in *from,
		       uint32_t xid)
{
	struct np_migrate a;
	struct moving *slot = NULL;
	if (blen < sizeof(a) || moving_of(from, xid))
		return;                         /* malformed, or a repeat of one under way */
	memcpy(&a, body, sizeof(a));
	for (int i = 0; i < MAX_MOVING && !slot; i++)
		if (!moving[i].child)
			slot = &moving[i];
	uint32_t to = a.node ? a.node : least_loaded();
	int child = slot && to ? fork() : -1;
	if (child == 0) {
		struct tnode_mig_stats st;
		int err = tnode_migrate(a.pid, to, NULL, a.flags | TNODE_MIG_QUIET, &st);
		_exit(mig_code(err, st.why));
	}
	struct moving now = { 0, *from, xid, to };
	if (child > 0)
		*slot = (struct moving){ child, *from, xid, to };
	else                                    /* nowhere to go, or too many at once */
		answer_move(&now, !to ? EINVAL : EAGAIN);
}

static void reap_moves(void)
{
	int status, child;
	while ((child = waitpid(-1, &status, WNOHANG)) > 0) {
		for (int i = 0; i < MAX_MOVING; i++) {
			if (moving[i].child != child)
				continue;
			answer_move(&moving[i], WIFEXITED(status) ? WEXITSTATUS(status) : 199);
			moving[i].child = 0;
		}
	}
}

static int moves_under_way(void)
{
	for (int i = 0; i < MAX_MOVING; i++)
		if (moving[i].child)
			return 1;
	return 0;
}

static int on_res(const char *body, size_t blen, char *out, size_t *len)
{
	struct t_node_resop io;
	if (blen < sizeof(io))
		return -EINVAL;
	memcpy(&io, body, sizeof(io));
	int err = t_node_resop(&io);
	memcpy(out, &io, sizeof(io));
	*len = sizeof(io);
	return err;
}

static int on_query(const char *body, size_t blen, char *out, size_t *len)
{
	struct np_query q;
	if (blen < sizeof(q))
		return -EINVAL;
	memcpy(&q, body, sizeof(q));
	int st = t_mig_query(q.home_node, q.home_pid, &q.pid);
	if (st < 0)
		return st;
	q.state = (uint32_t)st;
	memcpy(out, &q, sizeof(q));
	*len = sizeof(q);
	return 0;
}

static int on_cons(const char *body, size_t blen)
{
	const struct np_cons *c = (const void *)body;
	if (blen < offsetof(struct np_cons, bytes) || c->len > NP_CONS_MAX ||
	    blen < offsetof(struct np_cons, bytes) + c->len)
		return -EINVAL;
	for (size_t done = 0; done < c->len;) {
		ssize_t k = write(1, c->bytes + done, c->len - done);
		if (k <= 0)
			return k < 0 ? -errno : -EIO;
		done += (size_t)k;
	}
	return 0;
}

static int handle(uint32_t from, uint16_t op, const char *body, size_t blen, char *out,
		  size_t *len)
{
	*len = 0;
#define NEED(T) if (blen < sizeof(T)) return -EINVAL; T a; memcpy(&a, body, sizeof(a))
	switch (op) {
	case NP_PING:
		return 0;
	case NP_NODES:
		return on_nodes(out, len);
	case NP_RES:
		return on_res(body, blen, out, len);
	case NP_KILL: {
		NEED(struct np_kill);
		return t_node_signal(a.pid, a.sig, a.uid, a.home_node, a.home_pid);
	}
	case NP_EXIT: {
		NEED(struct np_exit);
		return t_mig_exited(a.home_pid, a.status, from, a.pid);
	}
	case NP_LOCATE: {
		NEED(struct np_locate);
		return t_mig_locate(a.home_pid, a.old_node, a.old_pid, a.node, a.pid);
	}
	case NP_CONS:
		return on_cons(body, blen);
	case NP_QUERY:
		return on_query(body, blen, out, len);
	default:
		return -ENOSYS;
	}
#undef NEED
}

/* The node a datagram came from, by its address (0: this node, or none of the cluster). */
static uint32_t sender_node(const struct sockaddr_in *a)
{
	uint32_t ip = ntohl(a->sin_addr.s_addr);
	return ip > NP_NET && ip <= NP_NET + T_NODE_MAX ? ip - NP_NET : 0;
}

static void on_announce(uint32_t from, const char *body, size_t blen)
{
	if (!from || from > NP_MAX_NODES || blen < sizeof(struct np_load))
		return;
	memcpy(&table[from].load, body, sizeof(struct np_load));
	heard_ms[from] = now_ms();
	lost[from] = 0;
}

/* Node id is lost (unheard for NP_NODE_LOST_MS): the processes of this node that ran there
 * ended with it; their stubs here become zombies killed by SIGKILL, so their parents' waits
 * end. Should the node come back, what they report is stale and ignored. */
static void forget_lost(uint32_t id)
{
	struct t_res_info in;
	int n = 0;
	for (rid_t r = 0; t_res_next(RT_PROCESS, r, &r) == 0;) {
		if (t_res_info(r, &in) || in.v[2] != TPS_REMOTE || T_PLOC_NODE(in.v[5]) != id)
			continue;
		if (!t_mig_exited((int)in.v[0], SIGKILL, id, T_PLOC_PID(in.v[5])))
			n++;
	}
	if (n)
		printf("node: node %u is lost: %d of this node's processes ended with it\n", id, n);
	fflush(stdout);
}

static void check_lost(void)
{
	uint64_t now = now_ms();
	for (uint32_t id = 1; id <= NP_MAX_NODES; id++) {
		if (!heard_ms[id] || lost[id] || now - heard_ms[id] < NP_NODE_LOST_MS)
			continue;
		lost[id] = 1;
		forget_lost(id);
	}
}

static void serve_one(const char *in, ssize_t n, const struct sockaddr_in *from)
{
	const struct np_hdr *h = (const void *)in;
	char out[NP_MAX];
	struct np_hdr *r = (void *)out;
	size_t len;
	if (n < (ssize_t)sizeof(*h) || h->magic != NP_MAGIC || (h->flags & NPF_REPLY) ||
	    h->len > (uint32_t)(n - (ssize_t)sizeof(*h)))
		return;
	if (h->op == NP_ANNOUNCE) {
		on_announce(sender_node(from), in + sizeof(*h), h->len);
		return;
	}
	struct kept *k = kept_answer(from, h->xid);
	if (k) {                              /* a repeat: the call ran once already */
		sendto(sock, k->reply, k->len, 0, (const void *)from, sizeof(*from));
		return;
	}
	if (h->op == NP_MIGRATE) {
		on_migrate(in + sizeof(*h), h->len, from, h->xid);
		return;
	}
	/* a caller on this node names itself by the loopback address: it is this node */
	uint32_t node = from->sin_addr.s_addr == htonl(INADDR_LOOPBACK) ? node_id
									  : sender_node(from);
	*r = (struct np_hdr){ .magic = NP_MAGIC, .op = h->op, .flags = NPF_REPLY, .xid = h->xid,
			      .from_node = node_id };
	r->status = handle(node, h->op, in + sizeof(*h), h->len, out + sizeof(*r), &len);
	r->len = (uint32_t)len;
	keep(from, h->xid, out, sizeof(*r) + len);
	sendto(sock, out, sizeof(*r) + len, 0, (const void *)from, sizeof(*from));
}

static void announce(void)
{
	char out[sizeof(struct np_hdr) + sizeof(struct np_load)];
	struct np_hdr *h = (void *)out;
	struct t_node_info in;
	if (!t_node_info(&in))
		load_avg = (load_avg + (in.runnable ? in.runnable - 1 : 0) * 100) / 2;
	*h = (struct np_hdr){ .magic = NP_MAGIC, .op = NP_ANNOUNCE, .from_node = node_id,
			      .len = sizeof(struct np_load) };
	fill_load((void *)(out + sizeof(*h)));
	uint32_t last = node_count ? node_count : NP_MAX_NODES;
	for (uint32_t n = 1; n <= last && n <= NP_MAX_NODES; n++) {
		struct sockaddr_in to = { .sin_family = AF_INET, .sin_port = htons(NP_PORT),
					  .sin_addr.s_addr = htonl(tnode_addr(n)) };
		if (n != node_id)
			sendto(sock, out, sizeof(out), 0, (void *)&to, sizeof(to));
	}
}

static int open_socket(void)
{
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || bind_port(fd, NP_PORT) < 0)
		return -1;
	return fd;
}

_Noreturn void resp_main(int parent)
{
	char in[NP_MAX];
	uint64_t next = 0;
	if ((sock = open_socket()) < 0)
		_exit(1);
	while (!parent_gone(parent)) {
		uint64_t now = now_ms();
		if (now >= next) {
			announce();
			check_lost();
			next = now + NP_ANNOUNCE_MS;
		}
		reap_moves();
		int wait = (int)(next - now);
		struct pollfd p = { .fd = sock, .events = POLLIN };
		if (poll(&p, 1, moves_under_way() && wait > 50 ? 50 : wait) <= 0)
			continue;
		struct sockaddr_in from;
		socklen_t fl = sizeof(from);
		ssize_t n = recvfrom(sock, in, sizeof(in), 0, (void *)&from, &fl);
		if (n > 0)
			serve_one(in, n, &from);
	}
	_exit(0);
}
