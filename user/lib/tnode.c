/* tnode (see tnode.h): the native calls of nodes and migration, and the node servers' remote
 * procedure call: one datagram each way, the same transaction id on every retry so the
 * other end can answer a repeat from its cache instead of doing the call twice. */
#include "tnode.h"
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include "libtessera.h"
#include "tsys.h"

int t_node_info(struct t_node_info *out)
{
	return (int)tsys_t_node_info((long)out);
}

int t_node_resop(struct t_node_resop *io)
{
	return (int)tsys_t_node_resop((long)io);
}

int t_node_signal(int pid, int sig, uint32_t uid, uint32_t home_node, int home_pid)
{
	return (int)tsys_t_node_signal(pid, sig, (long)uid, (long)home_node, home_pid);
}

int t_mig_freeze(int pid, struct t_mig_image *img, struct t_mig_seg *segs, void *args,
		 uint32_t flags, uint32_t *why)
{
	uint32_t io = flags;                  /* the call reads the flags where it puts the reason */
	int err = (int)tsys_t_mig_freeze(pid, (long)img, (long)segs, (long)args,
					 (long)(why ? &io : NULL));
	if (why && err != -EFAULT)
		*why = err == -EBUSY ? io : 0;
	return err;
}

int t_mig_read(int pid, struct t_mig_pages *io)
{
	return (int)tsys_t_mig_read(pid, (long)io);
}

int t_mig_layout(int pid, struct t_mig_seg *segs)
{
	return (int)tsys_t_mig_layout(pid, (long)segs);
}

int t_mig_thaw(int pid)
{
	return (int)tsys_t_mig_thaw(pid);
}

int t_mig_commit(int pid, uint32_t node, int rpid, uint64_t *late)
{
	return (int)tsys_t_mig_commit(pid, (long)node, rpid, (long)late);
}

int t_mig_create(const struct t_mig_image *img, const struct t_mig_seg *segs, const void *args,
		 rid_t space, int *pid)
{
	return (int)tsys_t_mig_create((long)img, (long)segs, (long)args, (long)space, (long)pid);
}

int t_mig_write(int pid, const struct t_mig_pages *io)
{
	return (int)tsys_t_mig_write(pid, (long)io);
}

int t_mig_start(int pid, uint64_t late)
{
	return (int)tsys_t_mig_start(pid, (long)late);
}

int t_mig_discard(int pid)
{
	return (int)tsys_t_mig_discard(pid);
}

int t_mig_exited(int home_pid, int status, uint32_t from_node, int from_pid)
{
	return (int)tsys_t_mig_exited(home_pid, status, (long)from_node, from_pid);
}

int t_mig_locate(int home_pid, uint32_t old_node, int old_pid, uint32_t node, int pid)
{
	return (int)tsys_t_mig_locate(home_pid, (long)old_node, old_pid, (long)node, pid);
}

int t_mig_query(uint32_t home_node, int home_pid, int *pid)
{
	return (int)tsys_t_mig_query((long)home_node, home_pid, (long)pid);
}

const char *tnode_why_str(uint32_t why)
{
	static const char *const s[] = {
#define TMIG_STR(name, str) [TMIG_##name] = str,
		TMIG_WHY_LIST(TMIG_STR)
#undef TMIG_STR
	};
	return why < TMIG_NWHY ? s[why] : "?";
}

uint32_t tnode_self(void)
{
	struct t_node_info in;
	return t_node_info(&in) == 0 ? in.node : 0;
}

uint32_t tnode_addr(uint32_t node)
{
	return node ? NP_NET + node : INADDR_LOOPBACK;
}

/* ---- remote procedure calls ------------------------------------------------------------- */

int tnode_rpc_open(struct tnode_rpc *r)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	r->sock = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	r->xid = (uint32_t)(ts.tv_nsec ^ ((uint32_t)getpid() << 16) ^ (uint32_t)ts.tv_sec);
	r->tries = NP_TRIES;
	return r->sock < 0 ? -errno : 0;
}

void tnode_rpc_close(struct tnode_rpc *r)
{
	if (r->sock >= 0)
		close(r->sock);
	r->sock = -1;
}

/* The answer to xid, if the datagram in buf (n bytes) is one. */
static const struct np_hdr *answer(const char *buf, ssize_t n, uint32_t xid)
{
	const struct np_hdr *h = (const void *)buf;
	if (n < (ssize_t)sizeof(*h) || h->magic != NP_MAGIC || !(h->flags & NPF_REPLY) ||
	    h->xid != xid || h->len > (uint32_t)(n - (ssize_t)sizeof(*h)))
		return NULL;
	return h;
}

/* Wait up to ms for the answer to xid; 1 with it in buf, 0 on timeout, < 0 error. */
static int await(struct tnode_rpc *r, uint32_t xid, char *buf, int ms, const struct np_hdr **h)
{
	struct pollfd p = { .fd = r->sock, .events = POLLIN };
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (int left = ms; left > 0;) {
		int k = poll(&p, 1, left);
		if (k < 0 && errno != EINTR)
			return -errno;
		ssize_t n = k > 0 ? recv(r->sock, buf, NP_MAX, 0) : -1;
		if (n > 0 && (*h = answer(buf, n, xid)))
			return 1;
		clock_gettime(CLOCK_MONOTONIC, &t1);
		left = ms - (int)((t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000);
	}
	return 0;
}

int tnode_call(struct tnode_rpc *r, uint32_t node, uint16_t op, const void *req, size_t req_len,
	       void *resp, size_t resp_max, size_t *resp_len)
{
	char out[NP_MAX], in[NP_MAX];
	struct np_hdr *h = (void *)out;
	const struct np_hdr *a;
	if (req_len > NP_BODY_MAX)
		return -EMSGSIZE;
	*h = (struct np_hdr){ .magic = NP_MAGIC, .op = op, .xid = ++r->xid,
			      .from_node = tnode_self(), .len = (uint32_t)req_len };
	memcpy(out + sizeof(*h), req, req_len);
	struct sockaddr_in to = { .sin_family = AF_INET, .sin_port = htons(NP_PORT),
				  .sin_addr.s_addr = htonl(tnode_addr(node)) };
	for (int i = 0, wait = NP_WAIT_MS; i < r->tries; i++, wait = wait < 500 ? wait * 2 : 1000) {
		if (sendto(r->sock, out, sizeof(*h) + req_len, 0, (void *)&to, sizeof(to)) < 0 &&
		    errno != EAGAIN && errno != ENOBUFS && errno != EHOSTUNREACH)
			return -errno;
		int k = await(r, h->xid, in, wait, &a);
		if (k < 0)
			return k;
		if (!k)
			continue;
		size_t n = a->len < resp_max ? a->len : resp_max;
		if (resp && n)
			memcpy(resp, in + sizeof(*a), n);
		if (resp_len)
			*resp_len = n;
		return a->status;
	}
	return -EHOSTUNREACH;
}
