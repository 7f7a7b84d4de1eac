/* tnode_migrate (see tnode.h): the sending side of a migration. The process is frozen here
 * (the kernel keeps it whole), its image and resident pages go over one TCP connection to
 * the node server there, which builds and starts the copy and answers DONE; only then is
 * it committed here (it leaves, a stub staying at its home). The node it goes to decides:
 * it starts the copy once it has every page, so a connection that breaks after the last
 * page leaves the question open, and the answer comes from asking that node (NP_QUERY)
 * until it says; a node that no longer answers at all is taken to be dead, with the copy,
 * and the process goes on here. */
#include "tmig.h"
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include "libtessera.h"

#define MIG_IO_TIMEOUT_S 5             /* a send or receive that makes no progress this long */
#define MIG_QUERY_MS 15000             /* how long to ask about a copy still being built */


uint64_t tmig_now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

int tmig_send_all(int fd, const void *buf, size_t n)
{
	for (size_t done = 0; done < n;) {
		ssize_t k = send(fd, (const char *)buf + done, n - done, MSG_NOSIGNAL);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return k < 0 ? -errno : -EPIPE;
		done += (size_t)k;
	}
	return 0;
}

int tmig_recv_all(int fd, void *buf, size_t n)
{
	for (size_t done = 0; done < n;) {
		ssize_t k = recv(fd, (char *)buf + done, n - done, 0);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return k < 0 ? -errno : -ECONNRESET;
		done += (size_t)k;
	}
	return 0;
}

int tmig_connect(uint32_t node, int *out)
{
	struct timeval tv = { .tv_sec = MIG_IO_TIMEOUT_S };
	int one = 1, fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	struct sockaddr_in to = { .sin_family = AF_INET, .sin_port = htons(NP_MIG_PORT),
				  .sin_addr.s_addr = htonl(tnode_addr(node)) };
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	int buf = NP_MIG_SOCKBUF;
	setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &buf, sizeof(buf));
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &buf, sizeof(buf));
	if (connect(fd, (void *)&to, sizeof(to)) < 0) {
		int err = errno == EAGAIN || errno == EINPROGRESS ? -EHOSTUNREACH : -errno;
		close(fd);
		return err;
	}
	*out = fd;
	return 0;
}

int tmig_send_begin(struct mig *m, const char *space_name, uint32_t flags)
{
	struct np_mig_begin *b = calloc(1, sizeof(*b));
	size_t seg_bytes = m->img->nseg * sizeof(*m->segs);
	struct np_mig_hdr h = { .magic = NP_MAGIC, .type = NPM_BEGIN,
				.len = sizeof(*b) + seg_bytes + m->img->args_len };
	if (!b)
		return -ENOMEM;
	if (space_name)
		strncpy(b->space_name, space_name, sizeof(b->space_name) - 1);
	b->flags = flags;
	b->img = *m->img;
	/* with pre-copy, regions the last live round did not read come whole: not from it */
	for (uint32_t i = 0; m->ids && i < m->img->nseg; i++)
		if (!tmig_seen(m, m->segs[i].id))
			m->segs[i].flags |= NPM_SEG_FRESH;
	int err = tmig_send_all(m->fd, &h, sizeof(h));
	if (!err)
		err = tmig_send_all(m->fd, b, sizeof(*b));
	if (!err && seg_bytes)
		err = tmig_send_all(m->fd, m->segs, seg_bytes);
	for (uint32_t i = 0; i < m->img->nseg; i++)
		m->segs[i].flags &= ~NPM_SEG_FRESH;
	if (!err && m->img->args_len)
		err = tmig_send_all(m->fd, m->args, m->img->args_len);
	free(b);
	return err;
}

int tmig_send_seg(struct mig *m, const struct t_mig_seg *s, uint32_t flags, uint32_t type,
		  uint64_t *sent)
{
	struct pages_msg *pm = (void *)m->buf;
	struct t_mig_pages io = { .from = s->addr, .to = s->addr + s->size, .flags = flags,
				  .buf = (uint64_t)(m->buf + sizeof(*pm)) };
	while (io.from < io.to) {
		int err = t_mig_read(m->pid, &io);
		if (err)
			return err;
		if (io.n) {
			pm->h = (struct np_mig_hdr){ .magic = NP_MAGIC, .type = type,
						     .len = 8 + sizeof(pm->addr) + io.n * PAGE };
			pm->n = io.n;
			memcpy(pm->addr, io.addr, sizeof(pm->addr));
			if ((err = tmig_send_all(m->fd, pm, sizeof(*pm) + io.n * PAGE)))
				return err;
			*sent += io.n;
		}
		io.from = io.next;
	}
	return 0;
}

/* The pages that go while it is stopped: all of them, or with pre-copy those written since
 * the last live round (and every page of a region that round did not read). */
int tmig_send_pages(struct mig *m, uint64_t *sent)
{
	for (uint32_t i = 0; i < m->img->nseg; i++) {
		const struct t_mig_seg *s = &m->segs[i];
		uint32_t how = !m->ids ? 0 : tmig_seen(m, s->id) ? TMP_DIRTY : TMP_CLEAN;
		int err = tmig_send_seg(m, s, how, NPM_PAGES, sent);
		if (err)
			return err;
	}
	struct np_mig_hdr h = { .magic = NP_MAGIC, .type = NPM_END, .value = (int64_t)*sent };
	return tmig_send_all(m->fd, &h, sizeof(h));
}

/* After the stream broke: ask the node whether the copy got there (1: yes, in *rpid; 0: no,
 * or the node is gone). */
int tmig_ask(struct mig *m, int *rpid)
{
	struct tnode_rpc r;
	struct np_query q = { .home_node = m->img->home_node, .home_pid = m->img->home_pid };
	uint64_t until = tmig_now_ns() + MIG_QUERY_MS * 1000000ull;
	if (tnode_rpc_open(&r))
		return 0;
	int got = 0;
	for (;;) {
		struct np_query a;
		size_t n;
		int err = tnode_call(&r, m->node, NP_QUERY, &q, sizeof(q), &a, sizeof(a), &n);
		if (err || n < sizeof(a) || a.state == TMQ_ABSENT)
			break;                    /* unreachable (dead), or nothing there */
		if (a.state == TMQ_RUNNING) {
			*rpid = a.pid;
			got = 1;
			break;
		}
		if (tmig_now_ns() > until)
			break;                    /* still being built: its builder gives up too */
		usleep(200000);
	}
	tnode_rpc_close(&r);
	return got;
}

/* The node's answer: DONE (1, its pid), FAIL (its error), or the stream broke (ask). */
static int outcome(struct mig *m, int err, int *rpid)
{
	struct np_mig_hdr h;
	/* a FAIL may be waiting even when sending failed (the node stopped reading) */
	int rerr = tmig_recv_all(m->fd, &h, sizeof(h));
	if (!rerr && h.magic == NP_MAGIC && h.type == NPM_FAIL && h.value < 0)
		return (int)h.value;
	if (!err && !(err = rerr)) {
		if (h.magic == NP_MAGIC && h.type == NPM_DONE && h.value > 0) {
			*rpid = (int)h.value;
			return 1;
		}
		if (h.magic == NP_MAGIC && h.type == NPM_FAIL && h.value < 0)
			return (int)h.value;
		err = -EPROTO;
	}
	return tmig_ask(m, rpid) ? 1 : err;
}

/* Notes to other nodes after the commit, best effort (each one retried by the RPC). */
static void after_commit(struct mig *m, int rpid, uint64_t late)
{
	struct tnode_rpc r;
	uint32_t self = tnode_self();
	if (tnode_rpc_open(&r))
		return;
	if (m->img->home_node != self && m->img->home_node != m->node) {
		struct np_locate l = { m->img->home_pid, self, m->pid, m->node, rpid };
		tnode_call(&r, m->img->home_node, NP_LOCATE, &l, sizeof(l), NULL, 0, NULL);
	}
	for (int sig = 1; sig <= 64; sig++) {
		if (!(late & (1ull << (sig - 1))))
			continue;
		struct np_kill k = { rpid, sig, 0, m->img->home_node, m->img->home_pid };
		tnode_call(&r, m->node, NP_KILL, &k, sizeof(k), NULL, 0, NULL);
	}
	tnode_rpc_close(&r);
}

/* The copy runs there: leave here. If the process ended here meanwhile (killed while
 * frozen), the copy must not live on: it is killed there. */
int tmig_commit(struct mig *m, int rpid)
{
	uint64_t late = 0;
	int err = t_mig_commit(m->pid, m->node, rpid, &late);
	if (err) {
		struct tnode_rpc r;
		struct np_kill k = { rpid, SIGKILL, 0, m->img->home_node, m->img->home_pid };
		if (!tnode_rpc_open(&r)) {
			tnode_call(&r, m->node, NP_KILL, &k, sizeof(k), NULL, 0, NULL);
			tnode_rpc_close(&r);
		}
		return err;
	}
	after_commit(m, rpid, late);
	return 0;
}

/* Stop it, send what is left, and commit if the node took it. */
static int stop_and_send(struct mig *m, const char *space_name, uint64_t t_stop)
{
	uint64_t sent = 0;
	int rpid = 0, err = tmig_send_begin(m, space_name, 0);
	if (!err)
		err = tmig_send_pages(m, &sent);
	int k = outcome(m, err, &rpid);
	m->st->pages += sent;
	m->st->pages_final = sent;
	m->st->bytes += sent * PAGE;
	if (k == 1 && !(err = tmig_commit(m, rpid))) {
		m->st->remote_pid = rpid;
		m->st->down_ns = tmig_now_ns() - t_stop;
		return 0;
	}
	t_mig_thaw(m->pid);                /* it goes on here as if nothing happened */
	return k == 1 ? err : k ? k : -EIO;
}

static int freeze(struct mig *m)
{
	return t_mig_freeze(m->pid, m->img, m->segs, m->args, 0, &m->st->why);
}

/* Stop and copy: stopped first (a process that cannot move never opens a stream), then
 * connected. Pre-copy: connected, rounds while it runs, then stopped. */
static int run(struct mig *m, const char *space_name, uint32_t flags)
{
	uint64_t t_stop = tmig_now_ns();
	bool pre = flags & TNODE_MIG_PRECOPY;
	int err = pre ? 0 : freeze(m);
	if (!err && (err = tmig_connect(m->node, &m->fd)) && !pre)
		t_mig_thaw(m->pid);
	if (err)
		return err;
	if (pre) {
		m->ids = malloc(sizeof(*m->ids) * T_MIG_MAXSEG);
		err = m->ids ? tmig_precopy(m) : -ENOMEM;
		t_stop = tmig_now_ns();
		if (!err)
			err = freeze(m);
	}
	if (!err)
		err = stop_and_send(m, space_name, t_stop);
	close(m->fd);
	free(m->ids);
	return err;
}

int tnode_migrate(int pid, uint32_t node, const char *space_name, uint32_t flags,
		  struct tnode_mig_stats *st)
{
	struct tnode_mig_stats dummy;
	struct mig m = { .pid = pid, .node = node, .st = st ? st : &dummy, .fd = -1 };
	uint64_t t0 = tmig_now_ns();
	memset(m.st, 0, sizeof(*m.st));
	if (!node || node > T_NODE_MAX || node == tnode_self())
		return -EINVAL;
	m.img = malloc(sizeof(*m.img));
	m.segs = malloc(sizeof(*m.segs) * T_MIG_MAXSEG);
	m.args = malloc(T_MIG_ARGS_MAX);
	m.buf = malloc(TMIG_BUF_BYTES);
	int err = m.img && m.segs && m.args && m.buf ? run(&m, space_name, flags) : -ENOMEM;
	m.st->total_ns = tmig_now_ns() - t0;
	free(m.img);
	free(m.segs);
	free(m.args);
	free(m.buf);
	return err;
}

#define MOVE_TRIES 120                 /* a move elsewhere may take a while: ~2 minutes */

int tnode_move(int pid, uint32_t node, uint32_t flags, struct tnode_mig_stats *st)
{
	rid_t rid;
	struct t_res_info in;
	struct tnode_rpc r;
	int err = t_proc_rid(pid, &rid);
	if (err || (err = t_res_info(rid, &in)))
		return err;
	if (in.v[2] == TPS_ZOMBIE)
		return -ESRCH;
	if (in.v[2] != TPS_REMOTE && node == tnode_self())
		return 0;                         /* here already */
	if (in.v[2] != TPS_REMOTE)
		return tnode_migrate(pid, node, NULL, flags, st);
	memset(st, 0, sizeof(*st));
	if (T_PLOC_NODE(in.v[5]) == node)
		return 0;
	struct np_migrate a = { .pid = T_PLOC_PID(in.v[5]), .node = node, .flags = flags }, ans;
	size_t n = 0;
	if ((err = tnode_rpc_open(&r)))
		return err;
	r.tries = MOVE_TRIES;
	err = tnode_call(&r, T_PLOC_NODE(in.v[5]), NP_MIGRATE, &a, sizeof(a), &ans, sizeof(ans), &n);
	if (err == -EBUSY && n >= sizeof(ans))
		st->why = ans.why;
	tnode_rpc_close(&r);
	return err;
}
