/* Reading the network server's NET_INFO tables (netinfo.h): one call per page of records
 * through a data buffer of the session, each record handed to the caller's function before
 * the next call, so nothing is kept between pages and a table of any length needs no
 * memory of its own. */
#include "kernel/net/netinfo.h"
#include "abi/errno.h"
#include "kernel/lib/string.h"
#include "kernel/net/netc.h"

static const uint32_t rec_size[] = { sizeof(struct t_net_ifinfo),
	sizeof(struct t_net_sockinfo), sizeof(struct t_net_arpinfo) };

/* One page from index *idx: the records go to fn, *idx to where the next page starts. */
static int page(uint32_t sess, struct netc_buf *b, uint32_t kind, uint32_t *idx,
		netinfo_fn fn, void *ctx)
{
	struct t_msg m = { .fn = TFN_NET_INFO, .arg = { kind, *idx } };
	int err = netc_call(sess, &m, b);
	if (err)
		return err;
	uint64_t n = m.arg[0], most = NETC_BUF_BYTES / rec_size[kind];
	if (n > most || (m.arg[1] != TNET_INFO_END && m.arg[1] <= *idx))
		return -EIO;             /* a server that does not go forward: never loop */
	for (uint64_t i = 0; i < n; i++)
		fn(ctx, (const char *)b->kva + i * rec_size[kind], sess);
	*idx = (uint32_t)m.arg[1];
	return 0;
}

int netinfo_each(uint32_t kind, netinfo_fn fn, void *ctx)
{
	uint32_t sess, idx = 0;
	struct netc_buf b;
	if (kind > TNET_INFO_ARP)
		return -EINVAL;
	int err = netc_up(&sess);
	if (err || (err = netc_buf_get(&b)))
		return err;
	while (!err && idx != TNET_INFO_END)
		err = page(sess, &b, kind, &idx, fn, ctx);
	netc_buf_put(&b);
	return err;
}

struct if_list {
	struct t_net_ifinfo *ifs;
	uint32_t n;
};

static void take_if(void *ctx, const void *rec, uint32_t sess)
{
	struct if_list *l = ctx;
	(void)sess;
	if (l->n < NETINFO_MAX_IFS) {
		memcpy(&l->ifs[l->n], rec, sizeof(l->ifs[0]));
		l->ifs[l->n].name[sizeof(l->ifs[0].name) - 1] = 0;    /* never trust a name */
		l->n++;
	}
}

int netinfo_ifs(struct t_net_ifinfo *ifs, uint32_t *n)
{
	struct if_list l = { ifs, 0 };
	int err = netinfo_each(TNET_INFO_IF, take_if, &l);
	*n = l.n;
	return err;
}
