/* The /proc/net files (netinfo.h) in Linux's formats, as net/core/net-procfs.c,
 * net/ipv4/{fib_trie,tcp_ipv4,udp,arp}.c and net/unix/af_unix.c print them: the same
 * headers, field widths and padding (tcp lines are padded to 149 characters, route and udp
 * lines to 127, as seq_pad does), and addresses as Linux prints a network-order word with
 * %08X on a little-endian machine (10.0.2.15 is 0F02000A), ports in host order. What
 * Tessera has no value for is printed as Linux prints its absence: no kernel pointers
 * (zeros, as Linux shows them to the unprivileged), no delayed-ACK timer (ato 0). */
#include "kernel/net/netinfo.h"
#include "kernel/fs/ptext.h"
#include "kernel/lib/kprintf.h"
#include "kernel/lib/string.h"
#include "kernel/net/sock.h"
#include "kernel/net/unix.h"

#define TCP_WIDTH 149
#define UDP_WIDTH 127
#define ROUTE_WIDTH 127
#define L_TCP_SYN_RECV 3
#define L_TCP_TIME_WAIT 6
#define MS_PER_TICK 10             /* clock_t: USER_HZ 100 */

/* A network-order address as Linux's %08X shows it: the bytes of a host-order one reversed. */
static uint32_t le(uint32_t a)
{
	return (a >> 24) | ((a >> 8) & 0xff00u) | ((a << 8) & 0xff0000u) | (a << 24);
}

/* line, then spaces up to width, then a newline (seq_pad). */
static void put_padded(struct ptext *t, const char *line, size_t width)
{
	size_t n = strlen(line);
	ptext_put(t, line, n);
	for (; n < width; n++)
		ptext_char(t, ' ');
	ptext_char(t, '\n');
}

/* ---- /proc/net/dev ---------------------------------------------------------------------- */

static void dev_line(void *ctx, const void *rec, uint32_t sess)
{
	const struct t_net_ifinfo *i = rec;
	char name[16];
	(void)sess;
	memcpy(name, i->name, sizeof(name));
	name[15] = 0;
	ptext_fmt(ctx, "%6s: %7lu %7lu %4lu %4lu %4u %5u %10u %9lu ", name,
		  (unsigned long)i->rx_bytes, (unsigned long)i->rx_packets,
		  (unsigned long)i->rx_errs, (unsigned long)i->rx_drop, 0u, 0u, 0u,
		  (unsigned long)i->rx_multicast);
	ptext_fmt(ctx, "%8lu %7lu %4lu %4lu %4u %5u %7u %10u\n", (unsigned long)i->tx_bytes,
		  (unsigned long)i->tx_packets, (unsigned long)i->tx_errs,
		  (unsigned long)i->tx_drop, 0u, 0u, 0u, 0u);
}

static void gen_dev(struct ptext *t)
{
	ptext_str(t, "Inter-|   Receive                                                |  Transmit\n"
		     " face |bytes    packets errs drop fifo frame compressed multicast|"
		     "bytes    packets errs drop fifo colls carrier compressed\n");
	netinfo_each(TNET_INFO_IF, dev_line, t);
}

/* ---- /proc/net/route: each interface's subnet, and its gateway as the default route ---- */

static void route_line(struct ptext *t, const char *dev, uint32_t dst, uint32_t gw,
		       uint32_t mask)
{
	char line[ROUTE_WIDTH + 1];
	ksnprintf(line, sizeof(line), "%s\t%08X\t%08X\t%04X\t%d\t%u\t%d\t%08X\t%d\t%u\t%u", dev,
		  le(dst), le(gw), gw ? 0x3u : 0x1u, 0, 0u, 0, le(mask), 0, 0u, 0u);
	put_padded(t, line, ROUTE_WIDTH);
}

static void gen_route(struct ptext *t)
{
	struct t_net_ifinfo ifs[NETINFO_MAX_IFS];
	uint32_t n = 0;
	put_padded(t, "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU"
		      "\tWindow\tIRTT", ROUTE_WIDTH);
	netinfo_ifs(ifs, &n);
	/* Linux's main table in its trie's order: 0.0.0.0/0 before the subnets; the loopback
	 * routes live in the local table, which this file does not show */
	for (uint32_t i = 0; i < n; i++)
		if (!(ifs[i].flags & TNET_IFF_LOOPBACK) && ifs[i].addr && ifs[i].gateway)
			route_line(t, ifs[i].name, 0, ifs[i].gateway, 0);
	for (uint32_t i = 0; i < n; i++)
		if (!(ifs[i].flags & TNET_IFF_LOOPBACK) && ifs[i].addr)
			route_line(t, ifs[i].name, ifs[i].addr & ifs[i].netmask, 0,
				   ifs[i].netmask);
}

/* ---- /proc/net/tcp and udp ------------------------------------------------------------- */

struct sock_list {
	struct ptext *t;
	uint8_t type;
	int n;
};

/* The columns every kind of line starts with, up to "retrnsmt". */
static size_t sock_head(char *line, size_t size, const char *fmt_sl, int n,
			const struct t_net_sockinfo *s)
{
	size_t k = (size_t)ksnprintf(line, size, fmt_sl, n);
	k += (size_t)ksnprintf(line + k, size - k, "%08X:%04X %08X:%04X %02X %08X:%08X %02X:%08X %08X",
			       le(s->laddr), s->lport, le(s->raddr), s->rport, s->state, s->txq,
			       s->rxq, s->timer, s->timer_ms / MS_PER_TICK, s->backoff);
	return k < size ? k : size - 1;
}

static void tcp_line(struct sock_list *l, const struct t_net_sockinfo *s, uint32_t uid,
		     uint64_t ino)
{
	char line[TCP_WIDTH + 1];
	size_t k = sock_head(line, sizeof(line), "%4d: ", l->n, s);
	if (s->state == L_TCP_TIME_WAIT)
		ksnprintf(line + k, sizeof(line) - k, " %5d %8d %d %d %016x", 0, 0, 0, 1, 0u);
	else if (s->state == L_TCP_SYN_RECV && s->handle < 0)
		ksnprintf(line + k, sizeof(line) - k, " %5u %8d %u %d %016x", uid, 0, 0u, 0, 0u);
	else
		ksnprintf(line + k, sizeof(line) - k, " %5u %8d %lu %d %016x %u %u %u %u %d", uid,
			  0, (unsigned long)ino, 1, 0u, s->rto_ms / MS_PER_TICK, 0u, 0u, s->cwnd,
			  s->ssthresh == UINT32_MAX ? -1 : (int)s->ssthresh);
	put_padded(l->t, line, TCP_WIDTH);
}

static void udp_line(struct sock_list *l, const struct t_net_sockinfo *s, uint32_t uid,
		     uint64_t ino)
{
	char line[UDP_WIDTH + 1];
	size_t k = sock_head(line, sizeof(line), "%5d: ", l->n, s);
	ksnprintf(line + k, sizeof(line) - k, " %5u %8d %lu %d %016x %u", uid, 0,
		  (unsigned long)ino, 2, 0u, 0u);
	put_padded(l->t, line, UDP_WIDTH);
}

static void sock_line(void *ctx, const void *rec, uint32_t sess)
{
	struct sock_list *l = ctx;
	const struct t_net_sockinfo *s = rec;
	uint32_t uid = 0;
	uint64_t ino = 0;
	if (s->type != l->type)
		return;
	sock_owner(sess, s->handle, &uid, &ino);
	if (s->type == TNET_STREAM)
		tcp_line(l, s, uid, ino);
	else
		udp_line(l, s, uid, ino);
	l->n++;
}

static void gen_socks(struct ptext *t, uint8_t type)
{
	struct sock_list l = { t, type, 0 };
	if (type == TNET_STREAM)
		put_padded(t, "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when "
			      "retrnsmt   uid  timeout inode", TCP_WIDTH);
	else
		put_padded(t, "   sl  local_address rem_address   st tx_queue rx_queue tr tm->when "
			      "retrnsmt   uid  timeout inode ref pointer drops", UDP_WIDTH);
	netinfo_each(TNET_INFO_SOCK, sock_line, &l);
}

/* ---- /proc/net/arp ------------------------------------------------------------------------ */

static void arp_line(void *ctx, const void *rec, uint32_t sess)
{
	const struct t_net_arpinfo *a = rec;
	char ip[16], mac[18], dev[16];
	(void)sess;
	ksnprintf(ip, sizeof(ip), "%u.%u.%u.%u", a->addr >> 24, (a->addr >> 16) & 0xff,
		  (a->addr >> 8) & 0xff, a->addr & 0xff);
	ksnprintf(mac, sizeof(mac), "%02x:%02x:%02x:%02x:%02x:%02x", a->mac[0], a->mac[1],
		  a->mac[2], a->mac[3], a->mac[4], a->mac[5]);
	memcpy(dev, a->dev, sizeof(dev));
	dev[15] = 0;
	/* hardware type 1 (ARPHRD_ETHER); flags ATF_COM (0x2) once resolved */
	ptext_fmt(ctx, "%-16s 0x%-10x0x%-10x%s     *        %s\n", ip, 1u,
		  a->complete ? 2u : 0u, mac, dev);
}

static void gen_arp(struct ptext *t)
{
	ptext_str(t, "IP address       HW type     Flags       HW address            Mask     Device\n");
	netinfo_each(TNET_INFO_ARP, arp_line, t);
}

void netinfo_text(enum netinfo_file f, struct ptext *t)
{
	switch (f) {
	case NI_DEV:
		gen_dev(t);
		break;
	case NI_ROUTE:
		gen_route(t);
		break;
	case NI_TCP:
		gen_socks(t, TNET_STREAM);
		break;
	case NI_UDP:
		gen_socks(t, TNET_DGRAM);
		break;
	case NI_UNIX:
		ux_proc_net(t);              /* the kernel's own sockets (unix_conn.c) */
		break;
	case NI_ARP:
		gen_arp(t);
		break;
	case NI_TCP6:
	case NI_UDP6:
		/* no IPv6 here, so no IPv6 socket: the header alone, as a Linux with IPv6 and
		 * no such socket shows (netstat reads these files next to tcp and udp) */
		ptext_str(t, "  sl  local_address                         remote_address          "
			     "              st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout "
			     "inode");
		ptext_str(t, f == NI_UDP6 ? " ref pointer drops\n" : "\n");
		break;
	}
}
