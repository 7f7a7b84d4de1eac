/*
 * net: the network interface's configuration and the network server's counters, as
 * ifconfig and netstat -s show them (root: it calls the TFN_NET_* ids directly).
 *
 *   net                              the interface (address, netmask, gateway, DNS, MAC, link)
 *   net stats                        frames, TCP segments, retransmissions, sockets, memory
 *   net addr A.B.C.D/LEN [GW [DNS]]  a static address (stops DHCP)
 *   net dhcp                         ask the network's DHCP server
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "tnet.h"

static void ip_str(uint32_t ip, char *buf, size_t n)
{
	snprintf(buf, n, "%u.%u.%u.%u", ip >> 24, (ip >> 16) & 255, (ip >> 8) & 255, ip & 255);
}

static void show_if(const struct t_net_ifconf *c)
{
	char a[16], g[16], d[16];
	ip_str(c->addr, a, sizeof(a));
	ip_str(c->gateway, g, sizeof(g));
	ip_str(c->dns, d, sizeof(d));
	printf("eth0: hwaddr %02x:%02x:%02x:%02x:%02x:%02x mtu %u link %s\n", c->mac[0],
	       c->mac[1], c->mac[2], c->mac[3], c->mac[4], c->mac[5], c->mtu,
	       c->up ? "up" : "down");
	printf("      inet %s/%d gateway %s dns %s (%s)\n", a, __builtin_popcount(c->netmask), g, d,
	       c->dhcp ? "dhcp" : "static");
	printf("lo:   inet 127.0.0.1/8\n");
}

static void show_stats(const struct t_net_stats *s)
{
	printf("frames in %llu out %llu dropped %llu\n", (unsigned long long)s->frames_in,
	       (unsigned long long)s->frames_out, (unsigned long long)s->frames_dropped);
	printf("tcp segments in %llu out %llu retransmitted %llu fast retransmits %llu\n",
	       (unsigned long long)s->tcp_segs_in, (unsigned long long)s->tcp_segs_out,
	       (unsigned long long)s->tcp_retransmits, (unsigned long long)s->tcp_fast_retransmits);
	printf("sockets open %llu (tcp %llu udp %llu) buffer memory %llu nobufs %llu\n",
	       (unsigned long long)s->sockets_open, (unsigned long long)s->tcp_active,
	       (unsigned long long)s->udp_active, (unsigned long long)s->mem_used,
	       (unsigned long long)s->nobufs);
}

/* A.B.C.D/LEN [GW [DNS]] into c. */
static int parse_addr(int argc, char **argv, struct t_net_ifconf *c)
{
	char buf[32];
	char *slash, *end;
	if (argc < 1 || strlen(argv[0]) >= sizeof(buf))
		return -EINVAL;
	strcpy(buf, argv[0]);
	if (!(slash = strchr(buf, '/')))
		return -EINVAL;
	*slash = 0;
	long len = strtol(slash + 1, &end, 10);
	if (*end || len < 1 || len > 30 || tnet_parse_ip(buf, &c->addr))
		return -EINVAL;
	c->netmask = ~0u << (32 - len);
	c->gateway = 0;
	c->dns = 0;
	if (argc > 1 && tnet_parse_ip(argv[1], &c->gateway))
		return -EINVAL;
	if (argc > 2 && tnet_parse_ip(argv[2], &c->dns))
		return -EINVAL;
	return 0;
}

static int run(struct tnet *t, int argc, char **argv)
{
	struct t_net_ifconf c;
	struct t_net_stats s;
	int err;
	memset(&c, 0, sizeof(c));
	if (argc < 2)
		return (err = tnet_ifconfig(t, TNET_IF_GET, &c)) ? err : (show_if(&c), 0);
	if (!strcmp(argv[1], "stats"))
		return (err = tnet_stats(t, &s)) ? err : (show_stats(&s), 0);
	if (!strcmp(argv[1], "dhcp"))
		return (err = tnet_ifconfig(t, TNET_IF_DHCP, &c)) ? err : (show_if(&c), 0);
	if (!strcmp(argv[1], "addr")) {
		if ((err = parse_addr(argc - 2, argv + 2, &c)))
			return err;
		return (err = tnet_ifconfig(t, TNET_IF_SET, &c)) ? err : (show_if(&c), 0);
	}
	return -EINVAL;
}

int main(int argc, char **argv)
{
	struct tnet t;
	int err = tnet_open(&t, 4096);
	if (err) {
		fprintf(stderr, "net: %s\n", strerror(-err));
		return 1;
	}
	err = run(&t, argc, argv);
	tnet_close(&t);
	if (err == -EINVAL && argc >= 2 && strcmp(argv[1], "addr") && strcmp(argv[1], "stats") &&
	    strcmp(argv[1], "dhcp"))
		fprintf(stderr, "usage: net [stats | dhcp | addr A.B.C.D/LEN [GW [DNS]]]\n");
	else if (err)
		fprintf(stderr, "net: %s\n", strerror(-err));
	return err ? 1 : 0;
}
