/* The socket calls that set a socket up or ask about it: bind, listen, shutdown, the names
 * and the options. The timeouts live in the kernel (it does the waiting) and SO_TYPE is
 * known here; every other option goes to the server with Linux's numbers. */
#include "abi/errno.h"
#include "abi/netproto.h"
#include "kernel/fs/file.h"
#include "kernel/lib/string.h"
#include "kernel/net/sock_int.h"

/* A call that only says yes or no. */
static int simple(struct file *f, uint32_t fn, uint64_t a1, uint64_t a2, uint64_t a3,
		  struct t_msg *m)
{
	uint32_t seq;
	*m = (struct t_msg){ .fn = fn, .arg = { 0, a1, a2, a3 } };
	return sock_call(sock_of(f), m, NULL, &seq);
}

int sock_bind(struct file *f, const struct sock_addr *a)
{
	struct t_msg m;
	return simple(f, TFN_NET_BIND, a->addr, a->port, 0, &m);
}

int sock_listen(struct file *f, int backlog)
{
	struct t_msg m;
	if (sock_of(f)->type != TNET_STREAM)
		return -EOPNOTSUPP;
	backlog = backlog < 1 ? 1 : backlog > 128 ? 128 : backlog;
	return simple(f, TFN_NET_LISTEN, (uint64_t)backlog, 0, 0, &m);
}

int sock_shutdown(struct file *f, int how)
{
	struct t_msg m;
	return simple(f, TFN_NET_SHUTDOWN, (uint64_t)how, 0, 0, &m);
}

int sock_getname(struct file *f, int peer, struct sock_addr *out)
{
	struct t_msg m;
	int r = simple(f, TFN_NET_GETNAME, peer ? 1 : 0, 0, 0, &m);
	if (!r) {
		out->addr = (uint32_t)m.arg[0];
		out->port = (uint16_t)m.arg[1];
	}
	return r;
}

bool sock_is_timeout(int level, int opt)
{
	return level == L_SOL_SOCKET && (opt == L_SO_RCVTIMEO || opt == L_SO_SNDTIMEO);
}

int sock_timeout_from(const void *kval, uint32_t len, uint64_t *ns)
{
	struct linux_timeval tv;
	if (len < sizeof(tv))
		return -EINVAL;
	memcpy(&tv, kval, sizeof(tv));
	if (tv.tv_sec < 0 || tv.tv_usec < 0 || tv.tv_usec >= 1000000)
		return -EINVAL;
	*ns = tv.tv_sec > (int64_t)(UINT64_MAX / 2000000000ull)
		      ? 0 : (uint64_t)tv.tv_sec * 1000000000ull + (uint64_t)tv.tv_usec * 1000;
	return 0;
}

void sock_timeout_to(uint64_t ns, void *kval, uint32_t *len)
{
	struct linux_timeval tv = { (int64_t)(ns / 1000000000), (int64_t)(ns % 1000000000) / 1000 };
	memcpy(kval, &tv, sizeof(tv));
	*len = sizeof(tv);
}

int sock_setopt(struct file *f, int level, int opt, const void *kval, uint32_t len)
{
	struct sock *s = sock_of(f);
	struct t_msg m;
	if (sock_is_timeout(level, opt)) {
		uint64_t ns;
		int err = sock_timeout_from(kval, len, &ns);
		if (err)
			return err;
		if (s->dead)
			return -ENETDOWN;
		*(opt == L_SO_RCVTIMEO ? &s->rcvtimeo_ns : &s->sndtimeo_ns) = ns;
		return 0;
	}
	int v;
	if (len < sizeof(v))
		return -EINVAL;
	memcpy(&v, kval, sizeof(v));
	if (level == L_SOL_SOCKET && opt == L_SO_TYPE)
		return -ENOPROTOOPT;                 /* read only */
	return simple(f, TFN_NET_SETOPT, (uint64_t)level, (uint64_t)opt, (uint64_t)(uint32_t)v,
		      &m);
}

int sock_getopt(struct file *f, int level, int opt, void *kval, uint32_t *len)
{
	struct sock *s = sock_of(f);
	struct t_msg m;
	if (sock_is_timeout(level, opt)) {
		sock_timeout_to(opt == L_SO_RCVTIMEO ? s->rcvtimeo_ns : s->sndtimeo_ns, kval, len);
		return s->dead ? -ENETDOWN : 0;
	}
	int v;
	if (level == L_SOL_SOCKET && opt == L_SO_TYPE) {
		v = s->type == TNET_STREAM ? L_SOCK_STREAM : L_SOCK_DGRAM;
	} else {
		int r = simple(f, TFN_NET_GETOPT, (uint64_t)level, (uint64_t)opt, 0, &m);
		if (r)
			return r;
		v = (int)m.arg[0];
	}
	memcpy(kval, &v, sizeof(v));
	*len = sizeof(v);
	return 0;
}
