/*
 * The network as Linux's inspection tools see it (docs/network.md, "Inspecting the
 * network"): /proc/net/{dev,route,tcp,udp,unix,arp,tcp6,udp6} and /proc/self/net made by
 * the kernel from the network server's NET_INFO records, and the SIOCGIF* interface ioctls.
 * The sockets each test makes are found in the files with their ports, states, queues,
 * uid and inode; the counters move with traffic and survive a live replacement; hostile
 * ifreq/ifconf arguments and odd read offsets get clean answers. The guest's network is
 * QEMU's user network (10.0.2.15/24, gateway 10.0.2.2). Like t_sock.c, each test leaves a
 * freshly started server behind (the runner's leak check counts a used server's memory).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "libtessera.h"
#include "utest.h"

#define LOOP 0x7f000001u
#define IFADDR 0x0a00020fu
#define GATEWAY 0x0a000202u
#define TEXT_MAX 65536

static long E(long r)
{
	return r < 0 ? -errno : r;
}

static void msleep(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000 };
	while (nanosleep(&ts, &ts) != 0)
		;
}

static void fresh_server(void)
{
	const char *stop[] = { "svc", "stop", "net", NULL }, *start[] = { "svc", "start", "net", NULL };
	CHECK_EQ(ut_run("/bin/svc", stop), 0);
	CHECK_EQ(ut_run("/bin/svc", start), 0);
}

/* A text buffer from the heap: the tests' buffers are not static, since every utest process
 * (the runner, each test, each helper) would else carry them, and the memory-pressure tests
 * leave only a few MiB of margin. */
static char *text_buf(void)
{
	char *b = malloc(TEXT_MAX);
	CHECK(b != NULL);
	return b;
}

/* The whole file, read in pieces of chunk bytes; NUL-terminated. */
static size_t slurp(const char *path, char *buf, size_t chunk)
{
	int fd = open(path, O_RDONLY);
	size_t len = 0;
	long r;
	CHECK_OK(E(fd));
	while ((r = read(fd, buf + len, len + chunk < TEXT_MAX ? chunk : TEXT_MAX - 1 - len)) > 0)
		len += (size_t)r;
	CHECK_OK(E(r));
	close(fd);
	buf[len] = 0;
	return len;
}

static struct sockaddr_in sin_of(uint32_t addr, uint16_t port)
{
	return (struct sockaddr_in){ .sin_family = AF_INET, .sin_port = htons(port),
				     .sin_addr.s_addr = htonl(addr) };
}

static uint64_t ino_of(int fd)
{
	struct stat st;
	CHECK_OK(E(fstat(fd, &st)));
	return st.st_ino;
}

/* ---- /proc/net/dev ------------------------------------------------------------------- */

struct devrow {
	unsigned long long v[16];       /* rx bytes packets errs drop fifo frame compr mcast, tx ... */
};

/* The row of interface name in /proc/net/dev (the two header lines checked). */
static bool dev_row(const char *name, struct devrow *r)
{
	char *text = text_buf(), want[24];
	static const char head[] =
		"Inter-|   Receive                                                |  Transmit\n"
		" face |bytes    packets errs drop fifo frame compressed multicast|bytes"
		"    packets errs drop fifo colls carrier compressed\n";
	slurp("/proc/net/dev", text, 4096);
	CHECK(!strncmp(text, head, strlen(head)));
	snprintf(want, sizeof(want), "%6s: ", name);
	for (char *l = strchr(text, '\n') + 1; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
		if (strncmp(l, want, strlen(want)))
			continue;
		unsigned long long *v = r->v;
		int n = sscanf(l + 8, "%llu %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu "
			       "%llu %llu %llu %llu", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6],
			       &v[7], &v[8], &v[9], &v[10], &v[11], &v[12], &v[13], &v[14], &v[15]);
		CHECK_EQ(n, 16);
		free(text);
		return true;
	}
	free(text);
	return false;
}

/* Ten datagrams of 100 bytes over 127.0.0.1, received. */
static void udp_loop_ten(void)
{
	char buf[100] = { 0 };
	int a = socket(AF_INET, SOCK_DGRAM, 0), b = socket(AF_INET, SOCK_DGRAM, 0);
	struct sockaddr_in sa = sin_of(LOOP, 0);
	socklen_t len = sizeof(sa);
	CHECK_OK(a);
	CHECK_OK(b);
	CHECK_OK(E(bind(a, (struct sockaddr *)&sa, sizeof(sa))));
	CHECK_OK(E(getsockname(a, (struct sockaddr *)&sa, &len)));
	for (int i = 0; i < 10; i++) {
		CHECK_EQ(sendto(b, buf, sizeof(buf), 0, (struct sockaddr *)&sa, sizeof(sa)), 100);
		CHECK_EQ(recv(a, buf, sizeof(buf), 0), 100);
	}
	close(a);
	close(b);
}

static void test_dev(void)
{
	struct devrow lo0, lo1, eth;
	CHECK(dev_row("lo", &lo0));
	CHECK(dev_row("eth0", &eth));
	udp_loop_ten();
	CHECK(dev_row("lo", &lo1));
	/* each datagram: 14 (Linux's lo carries an Ethernet header) + 20 + 8 + 100 bytes */
	CHECK(lo1.v[1] >= lo0.v[1] + 10 && lo1.v[9] >= lo0.v[9] + 10);
	CHECK(lo1.v[0] >= lo0.v[0] + 10 * 142 && lo1.v[8] >= lo0.v[8] + 10 * 142);
	CHECK_EQ(lo1.v[2], 0);
	fresh_server();
}

/* ---- /proc/net/tcp and udp ----------------------------------------------------------- */

struct sockrow {
	unsigned laddr, lport, raddr, rport, state, txq, rxq, uid;
	unsigned long ino;
	size_t len;                     /* the line's length without its newline */
};

/* The first row of file (tcp or udp) with local port lport (and remote port rport if not
 * 0, state if not 0): true and *r. Every line has the file's padded width. */
static bool sock_row(const char *file, unsigned lport, unsigned rport, unsigned state,
		     struct sockrow *r)
{
	char *text = text_buf();
	bool found = false;
	size_t width = strstr(file, "tcp") ? 149 : 127;
	slurp(file, text, 1000);
	char *l = text, *nl;
	CHECK((nl = strchr(l, '\n')) && (size_t)(nl - l) == width);
	for (l = nl + 1; (nl = strchr(l, '\n')); l = nl + 1) {
		CHECK_EQ(nl - l, (long)width);
		int n = sscanf(l, "%*d: %x:%x %x:%x %x %x:%x %*x:%*x %*x %u %*d %lu", &r->laddr,
			       &r->lport, &r->raddr, &r->rport, &r->state, &r->txq, &r->rxq,
			       &r->uid, &r->ino);
		CHECK_EQ(n, 9);
		r->len = (size_t)(nl - l);
		if (r->lport == lport && (!rport || r->rport == rport) && (!state || r->state == state)) {
			found = true;
			break;
		}
	}
	free(text);
	return found;
}

/* A listener on 0.0.0.0:port with backlog 5, as /proc/net/tcp shows it. */
static int check_listener(unsigned port, unsigned uid)
{
	struct sockrow r;
	int s = socket(AF_INET, SOCK_STREAM, 0), on = 1;
	struct sockaddr_in a = sin_of(0, (uint16_t)port);
	CHECK_OK(s);
	CHECK_OK(E(setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on))));
	CHECK_OK(E(bind(s, (struct sockaddr *)&a, sizeof(a))));
	CHECK(!sock_row("/proc/net/tcp", port, 0, 0, &r));  /* bound, not listening: not listed */
	CHECK_OK(E(listen(s, 5)));
	CHECK(sock_row("/proc/net/tcp", port, 0, 0, &r));
	CHECK_EQ(r.state, 0x0a);
	CHECK(r.laddr == 0 && r.raddr == 0 && r.rport == 0);
	CHECK(r.txq == 5 && r.rxq == 0);    /* a listener: its backlog, connections ready */
	CHECK_EQ(r.uid, uid);
	CHECK_EQ(r.ino, ino_of(s));
	return s;
}

/* A connection over 127.0.0.1 to the listener on port: both ends listed ESTABLISHED with
 * their inodes, 100 unread bytes in the accepting end's receive queue. */
static void check_connection(int l, unsigned port)
{
	struct sockrow r;
	struct sockaddr_in a = sin_of(LOOP, (uint16_t)port);
	socklen_t len = sizeof(a);
	char buf[100] = { 0 };
	int c = socket(AF_INET, SOCK_STREAM, 0);
	CHECK_OK(E(connect(c, (struct sockaddr *)&a, sizeof(a))));
	int s = accept(l, NULL, NULL);
	CHECK_OK(E(s));
	CHECK_OK(E(getsockname(c, (struct sockaddr *)&a, &len)));
	unsigned cport = ntohs(a.sin_port);
	CHECK_EQ(write(c, buf, sizeof(buf)), 100);
	struct pollfd p = { s, POLLIN, 0 };
	CHECK_EQ(poll(&p, 1, 5000), 1);
	CHECK(sock_row("/proc/net/tcp", port, cport, 0, &r));
	CHECK(r.state == 0x01 && r.laddr == 0x0100007fu && r.raddr == 0x0100007fu);
	CHECK(r.rxq == 100 && r.ino == ino_of(s));
	CHECK(sock_row("/proc/net/tcp", cport, port, 0, &r));
	CHECK(r.state == 0x01 && r.txq == 0 && r.ino == ino_of(c));
	close(c);                       /* the client closes first: its end waits in TIME_WAIT */
	CHECK_EQ(read(s, buf, sizeof(buf)), 100);
	CHECK_EQ(read(s, buf, sizeof(buf)), 0);
	close(s);
	bool tw = false;
	for (int i = 0; i < 200 && !tw; i++, msleep(10))
		tw = sock_row("/proc/net/tcp", cport, port, 0x06, &r);
	CHECK(tw);
	CHECK_EQ(r.ino, 0);             /* no descriptor stands for it any more */
}

static void test_tcp(void)
{
	int l = check_listener(4321, 0);
	check_connection(l, 4321);
	close(l);
	int pid = fork();
	CHECK_OK(pid);
	if (pid == 0) {
		/* a user's listener shows the user's uid */
		if (setuid(1000) != 0)
			_exit(2);
		close(check_listener(4322, 1000));
		_exit(0);
	}
	int st = ut_wait(pid);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	fresh_server();
}

static void test_udp(void)
{
	struct sockrow r;
	int u = socket(AF_INET, SOCK_DGRAM, 0), c = socket(AF_INET, SOCK_DGRAM, 0);
	struct sockaddr_in a = sin_of(LOOP, 5353);
	CHECK(!sock_row("/proc/net/udp", 5353, 0, 0, &r));
	CHECK_OK(E(bind(u, (struct sockaddr *)&a, sizeof(a))));
	CHECK(sock_row("/proc/net/udp", 5353, 0, 0, &r));
	CHECK(r.state == 0x07 && r.laddr == 0x0100007fu && r.raddr == 0 && r.rxq == 0);
	CHECK_EQ(r.ino, ino_of(u));
	CHECK_OK(E(connect(c, (struct sockaddr *)&a, sizeof(a))));
	CHECK_EQ(send(c, "hello", 5, 0), 5);
	msleep(50);
	CHECK(sock_row("/proc/net/udp", 5353, 0, 0, &r));
	CHECK(r.rxq >= 5);
	struct sockaddr_in me;
	socklen_t len = sizeof(me);
	CHECK_OK(E(getsockname(c, (struct sockaddr *)&me, &len)));
	CHECK(sock_row("/proc/net/udp", ntohs(me.sin_port), 5353, 0, &r));
	CHECK(r.state == 0x01 && r.raddr == 0x0100007fu && r.ino == ino_of(c));
	close(u);
	close(c);
	fresh_server();
}

/* ---- route, arp, unix, tcp6, /proc/self/net ------------------------------------------ */

static void test_route_arp(void)
{
	char *text = text_buf();
	slurp("/proc/net/route", text, 7);
	char *l2 = strchr(text, '\n') + 1, *l3 = strchr(l2, '\n') + 1;
	CHECK(!strncmp(text, "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU"
			     "\tWindow\tIRTT  ", 70) && l2 - text == 128);
	CHECK(!strncmp(l2, "eth0\t00000000\t0202000A\t0003\t0\t0\t0\t00000000\t0\t0\t0 ", 46));
	CHECK(!strncmp(l3, "eth0\t0002000A\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0 ", 46));
	CHECK(l3 - l2 == 128 && strlen(l3) == 128);
	/* a datagram to the gateway's discard port makes the stack resolve it */
	int u = socket(AF_INET, SOCK_DGRAM, 0);
	struct sockaddr_in g = sin_of(GATEWAY, 9);
	CHECK_EQ(sendto(u, "x", 1, 0, (struct sockaddr *)&g, sizeof(g)), 1);
	close(u);
	bool found = false;
	for (int i = 0; i < 300 && !found; i++) {
		slurp("/proc/net/arp", text, 4096);
		CHECK(!strncmp(text, "IP address       HW type     Flags       HW address            "
				     "Mask     Device\n", 79));
		found = strstr(text, "\n10.0.2.2         0x1         0x2         52:55:0a:00:02:02"
				     "     *        eth0\n") != NULL;
		if (!found)
			msleep(10);
	}
	CHECK(found);
	slurp("/proc/net/unix", text, 4096);
	CHECK(!strcmp(text, "Num       RefCount Protocol Flags    Type St Inode Path\n"));
	slurp("/proc/net/tcp6", text, 4096);
	CHECK(!strncmp(text, "  sl  local_address ", 20) && strlen(text) == strcspn(text, "\n") + 1);
	free(text);
	fresh_server();
}

static void test_self_net(void)
{
	char *a = text_buf(), *b = text_buf();
	char link[32], path[64];
	CHECK_EQ(readlink("/proc/net", link, sizeof(link)), 8);
	CHECK(!memcmp(link, "self/net", 8));
	const char *want[] = { "arp", "dev", "route", "tcp", "tcp6", "udp", "udp6", "unix" };
	unsigned seen = 0;
	DIR *d = opendir("/proc/self/net");
	CHECK(d != NULL);
	for (struct dirent *e; (e = readdir(d));)
		for (unsigned i = 0; i < 8; i++)
			seen |= (unsigned)!strcmp(e->d_name, want[i]) << i;
	closedir(d);
	CHECK_EQ(seen, 0xff);
	int l = check_listener(4323, 0);
	snprintf(path, sizeof(path), "/proc/%d/net/tcp", getpid());
	slurp("/proc/self/net/tcp", a, 4096);
	slurp(path, b, 4096);
	CHECK(!strcmp(a, b) && strstr(a, ":10E3 00000000:0000 0A "));
	free(a);
	free(b);
	close(l);
	fresh_server();
}

/* Any offset and size read from one snapshot; a bad buffer is EFAULT. */
static void test_offsets(void)
{
	char *whole = text_buf(), *bytes = text_buf();
	int l = check_listener(4324, 0);
	size_t n = slurp("/proc/net/tcp", whole, TEXT_MAX);
	CHECK_EQ(slurp("/proc/net/tcp", bytes, 1), (long)n);
	CHECK(!strcmp(whole, bytes));
	int fd = open("/proc/net/tcp", O_RDONLY);
	char piece[16];
	CHECK_OK(E(fd));
	CHECK_EQ(pread(fd, piece, 13, 7), 13);
	CHECK(!memcmp(piece, whole + 7, 13));
	CHECK_EQ(pread(fd, piece, sizeof(piece), 1000000000), 0);
	CHECK_EQ(pread(fd, piece, 0, 0), 0);
	CHECK_ERR(E(pread(fd, (void *)16, 100, 0)), EFAULT);
	CHECK_ERR(E(write(fd, "x", 1)), EBADF);
	close(fd);
	free(whole);
	free(bytes);
	close(l);
	fresh_server();
}

/* ---- the interface ioctls ----------------------------------------------------------- */

static uint32_t sin_addr_of(const struct sockaddr *sa)
{
	const struct sockaddr_in *s = (const struct sockaddr_in *)sa;
	return s->sin_family == AF_INET ? ntohl(s->sin_addr.s_addr) : 0xdeadu;
}

static void test_ifconf(void)
{
	struct ifreq r[4];
	struct ifconf c = { .ifc_len = 0, .ifc_buf = NULL };
	uintptr_t bad[UT_NBAD];
	int s = socket(AF_INET, SOCK_DGRAM, 0);
	CHECK_OK(E(ioctl(s, SIOCGIFCONF, &c)));
	CHECK_EQ(c.ifc_len, 2 * (long)sizeof(struct ifreq));     /* no buffer: the length needed */
	memset(r, 0x5a, sizeof(r));
	c = (struct ifconf){ .ifc_len = sizeof(r), .ifc_req = r };
	CHECK_OK(E(ioctl(s, SIOCGIFCONF, &c)));
	CHECK_EQ(c.ifc_len, 2 * (long)sizeof(struct ifreq));
	CHECK(!strcmp(r[0].ifr_name, "lo") && sin_addr_of(&r[0].ifr_addr) == LOOP);
	CHECK(!strcmp(r[1].ifr_name, "eth0") && sin_addr_of(&r[1].ifr_addr) == IFADDR);
	CHECK_EQ(((unsigned char *)r)[2 * sizeof(struct ifreq)], 0x5a);   /* nothing beyond */
	c = (struct ifconf){ .ifc_len = sizeof(struct ifreq) + 10, .ifc_req = r };
	CHECK_OK(E(ioctl(s, SIOCGIFCONF, &c)));
	CHECK_EQ(c.ifc_len, (long)sizeof(struct ifreq));
	c = (struct ifconf){ .ifc_len = -40, .ifc_req = r };           /* as Linux: none fits */
	CHECK_OK(E(ioctl(s, SIOCGIFCONF, &c)));
	CHECK_EQ(c.ifc_len, 0);
	ut_bad_addrs(bad);
	for (int i = 0; i < UT_NBAD; i++) {
		CHECK_ERR(E(ioctl(s, SIOCGIFCONF, (void *)bad[i])), EFAULT);
		c = (struct ifconf){ .ifc_len = 0x7fffffff, .ifc_buf = (char *)bad[i] };
		if (bad[i])                 /* NULL asks for the length */
			CHECK_ERR(E(ioctl(s, SIOCGIFCONF, &c)), EFAULT);
	}
	close(s);
	fresh_server();
}

static struct ifreq ifr_named(const char *name)
{
	struct ifreq r;
	memset(&r, 0, sizeof(r));
	strncpy(r.ifr_name, name, IFNAMSIZ);
	return r;
}

static void check_eth0(int s)
{
	struct ifreq r = ifr_named("eth0");
	static const unsigned char mac[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };
	CHECK_OK(E(ioctl(s, SIOCGIFFLAGS, &r)));
	CHECK_EQ(r.ifr_flags & (IFF_UP | IFF_BROADCAST | IFF_RUNNING | IFF_LOOPBACK),
		 IFF_UP | IFF_BROADCAST | IFF_RUNNING);
	CHECK_OK(E(ioctl(s, SIOCGIFADDR, &r)));
	CHECK_EQ(sin_addr_of(&r.ifr_addr), IFADDR);
	CHECK_OK(E(ioctl(s, SIOCGIFNETMASK, &r)));
	CHECK_EQ(sin_addr_of(&r.ifr_netmask), 0xffffff00u);
	CHECK_OK(E(ioctl(s, SIOCGIFBRDADDR, &r)));
	CHECK_EQ(sin_addr_of(&r.ifr_broadaddr), 0x0a0002ffu);
	CHECK_OK(E(ioctl(s, SIOCGIFHWADDR, &r)));
	CHECK(r.ifr_hwaddr.sa_family == 1 && !memcmp(r.ifr_hwaddr.sa_data, mac, 6));
	CHECK_OK(E(ioctl(s, SIOCGIFMTU, &r)));
	CHECK_EQ(r.ifr_mtu, 1500);
	CHECK_OK(E(ioctl(s, SIOCGIFINDEX, &r)));
	CHECK_EQ(r.ifr_ifindex, 2);
	memset(r.ifr_name, 0, IFNAMSIZ);
	CHECK_OK(E(ioctl(s, SIOCGIFNAME, &r)));
	CHECK(!strcmp(r.ifr_name, "eth0"));
}

static void test_ifreq(void)
{
	int s = socket(AF_INET, SOCK_DGRAM, 0);
	uintptr_t bad[UT_NBAD];
	check_eth0(s);
	struct ifreq r = ifr_named("lo");
	CHECK_OK(E(ioctl(s, SIOCGIFFLAGS, &r)));
	CHECK_EQ(r.ifr_flags & (IFF_UP | IFF_LOOPBACK | IFF_BROADCAST), IFF_UP | IFF_LOOPBACK);
	CHECK_OK(E(ioctl(s, SIOCGIFADDR, &r)));
	CHECK_EQ(sin_addr_of(&r.ifr_addr), LOOP);
	CHECK_OK(E(ioctl(s, SIOCGIFINDEX, &r)));
	CHECK_EQ(r.ifr_ifindex, 1);
	r = ifr_named("nope0");
	CHECK_ERR(E(ioctl(s, SIOCGIFFLAGS, &r)), ENODEV);
	memset(r.ifr_name, 'e', IFNAMSIZ);               /* no NUL: cut at 15, as Linux */
	CHECK_ERR(E(ioctl(s, SIOCGIFADDR, &r)), ENODEV);
	r.ifr_ifindex = 99;
	CHECK_ERR(E(ioctl(s, SIOCGIFNAME, &r)), ENODEV);
	r.ifr_ifindex = -1;
	CHECK_ERR(E(ioctl(s, SIOCGIFNAME, &r)), ENODEV);
	ut_bad_addrs(bad);
	for (int i = 0; i < UT_NBAD; i++)
		CHECK_ERR(E(ioctl(s, SIOCGIFFLAGS, (void *)bad[i])), EFAULT);
	r = ifr_named("eth0");
	CHECK_ERR(E(ioctl(s, SIOCSIFADDR, &r)), EOPNOTSUPP);  /* root: not done here */
	CHECK_ERR(E(ioctl(s, 0x89ff, &r)), ENOTTY);
	int pid = fork();
	CHECK_OK(pid);
	if (pid == 0)
		_exit(setuid(1000) == 0 && ioctl(s, SIOCSIFFLAGS, &r) < 0 && errno == EPERM &&
		      ioctl(s, SIOCGIFFLAGS, &r) == 0 ? 0 : 1);
	int st = ut_wait(pid);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	close(s);
	fresh_server();
}

/* ---- netlink: what `ip addr`, `ip link` and `ip route` ask ------------------------------ */

/* Linux's netlink ABI (linux/netlink.h, linux/rtnetlink.h; musl has no kernel headers). */
#define NETLINK_ROUTE 0
#define NETLINK_GENERIC 16
#define NLM_F_REQUEST 0x1
#define NLM_F_ACK 0x4
#define NLM_F_DUMP 0x300
#define NLMSG_ERROR 2
#define NLMSG_DONE 3
#define RTM_NEWLINK 16
#define RTM_GETLINK 18
#define RTM_NEWADDR 20
#define RTM_GETADDR 22
#define RTM_NEWROUTE 24
#define RTM_GETROUTE 26
#define IFLA_IFNAME 3

struct sockaddr_nl {
	unsigned short nl_family, nl_pad;
	uint32_t nl_pid, nl_groups;
};
struct nlmsghdr {
	uint32_t nlmsg_len;
	uint16_t nlmsg_type, nlmsg_flags;
	uint32_t nlmsg_seq, nlmsg_pid;
};
struct rtattr {
	unsigned short rta_len, rta_type;
};
#define NL_ALIGN(n) (((n) + 3u) & ~3u)

struct nlreq {
	struct nlmsghdr h;
	uint8_t family;         /* struct rtgenmsg */
	uint8_t pad[3];
};

static void nl_ask(int s, uint16_t type, uint16_t flags, uint32_t seq)
{
	struct nlreq r = { { sizeof(r), type, (uint16_t)(NLM_F_REQUEST | flags), seq, 0 },
			   AF_UNSPEC, { 0 } };
	struct sockaddr_nl k = { .nl_family = AF_NETLINK };
	CHECK_EQ(sendto(s, &r, sizeof(r), 0, (struct sockaddr *)&k, sizeof(k)), (long)sizeof(r));
}

/* The messages of one answer: how many of type want before NLMSG_DONE; each has seq and
 * the socket's port id; *name gets the interface names seen (RTM_NEWLINK). */
static int nl_count(int s, uint16_t want, uint32_t seq, uint32_t port, char *names)
{
	char buf[8192];
	int n = 0;
	for (;;) {
		struct sockaddr_nl from;
		socklen_t fl = sizeof(from);
		long len = recvfrom(s, buf, sizeof(buf), 0, (struct sockaddr *)&from, &fl);
		CHECK(len > 0 && from.nl_family == AF_NETLINK && from.nl_pid == 0);
		for (long off = 0; off + 16 <= len;) {
			struct nlmsghdr *h = (void *)(buf + off);
			CHECK(h->nlmsg_len >= 16 && off + (long)h->nlmsg_len <= len);
			CHECK(h->nlmsg_seq == seq && h->nlmsg_pid == port);
			off += NL_ALIGN(h->nlmsg_len);
			if (h->nlmsg_type == NLMSG_DONE)
				return n;
			CHECK_EQ(h->nlmsg_type, want);
			n++;
			/* RTM_NEWLINK: struct ifinfomsg (16 bytes), then the attributes */
			for (uint32_t a = 32; want == RTM_NEWLINK && a + 4 <= h->nlmsg_len;) {
				struct rtattr *r = (void *)((char *)h + a);
				CHECK(r->rta_len >= 4 && a + r->rta_len <= h->nlmsg_len);
				if (r->rta_type == IFLA_IFNAME)
					strcat(strcat(names, (char *)(r + 1)), " ");
				a += NL_ALIGN(r->rta_len);
			}
		}
	}
}

/* The error an answer carries (NLMSG_ERROR). */
static int nl_error(int s)
{
	char buf[256];
	long len = recv(s, buf, sizeof(buf), 0);
	struct nlmsghdr *h = (void *)buf;
	CHECK(len >= 36 && h->nlmsg_type == NLMSG_ERROR);      /* header, error, request header */
	return *(int *)(h + 1);
}

static void test_netlink(void)
{
	struct sockaddr_nl me = { .nl_family = AF_NETLINK };
	socklen_t len = sizeof(me);
	char names[64] = "";
	int s = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	CHECK_OK(E(s));
	CHECK_OK(E(bind(s, (struct sockaddr *)&me, sizeof(me))));
	CHECK_OK(E(getsockname(s, (struct sockaddr *)&me, &len)));
	CHECK(len == sizeof(me) && me.nl_pid != 0);
	nl_ask(s, RTM_GETLINK, NLM_F_DUMP, 7);
	CHECK_EQ(nl_count(s, RTM_NEWLINK, 7, me.nl_pid, names), 2);
	CHECK(!strcmp(names, "lo eth0 "));
	nl_ask(s, RTM_GETADDR, NLM_F_DUMP, 8);
	CHECK_EQ(nl_count(s, RTM_NEWADDR, 8, me.nl_pid, names), 2);
	nl_ask(s, RTM_GETROUTE, NLM_F_DUMP, 9);
	CHECK_EQ(nl_count(s, RTM_NEWROUTE, 9, me.nl_pid, names), 2);   /* default, 10.0.2.0/24 */
	/* a small buffer: the first message cut (MSG_TRUNC), the rest still there */
	char small[8];
	nl_ask(s, RTM_GETLINK, NLM_F_DUMP, 10);
	CHECK_EQ(recv(s, small, sizeof(small), MSG_DONTWAIT), (long)sizeof(small));
	CHECK(recv(s, small, sizeof(small), MSG_TRUNC) > (long)sizeof(small));
	CHECK(recv(s, small, 0, MSG_TRUNC) == 20);               /* NLMSG_DONE: header and 0 */
	CHECK_ERR(E(recv(s, small, sizeof(small), MSG_DONTWAIT)), EAGAIN);
	/* what is not done: one object, a change (root: EOPNOTSUPP) */
	nl_ask(s, RTM_GETLINK, 0, 11);
	CHECK_EQ(nl_error(s), -EOPNOTSUPP);
	nl_ask(s, RTM_NEWADDR, NLM_F_ACK, 12);
	CHECK_EQ(nl_error(s), -EOPNOTSUPP);
	/* hostile requests */
	uintptr_t bad[UT_NBAD];
	ut_bad_addrs(bad);
	struct nlmsghdr h = { 8, RTM_GETLINK, NLM_F_REQUEST | NLM_F_DUMP, 1, 0 };
	CHECK_ERR(E(send(s, &h, sizeof(h), 0)), EINVAL);                  /* shorter than a header */
	h.nlmsg_len = 4000;
	CHECK_ERR(E(send(s, &h, sizeof(h), 0)), EINVAL);                  /* longer than sent */
	CHECK_ERR(E(send(s, &h, 3, 0)), EINVAL);
	char *big = text_buf();
	memset(big, 0, TEXT_MAX);
	CHECK_ERR(E(send(s, big, TEXT_MAX, 0)), EMSGSIZE);
	free(big);
	for (int i = 1; i < UT_NBAD; i++)
		CHECK_ERR(E(send(s, (void *)bad[i], 16, 0)), EFAULT);
	CHECK_ERR(E(listen(s, 1)), EOPNOTSUPP);
	struct sockaddr_nl grp = { .nl_family = AF_NETLINK, .nl_groups = 1 };
	CHECK_ERR(E(bind(s, (struct sockaddr *)&grp, sizeof(grp))), EOPNOTSUPP);
	int t = socket(AF_NETLINK, SOCK_RAW, NETLINK_ROUTE);
	struct sockaddr_nl other = { .nl_family = AF_NETLINK, .nl_pid = me.nl_pid };
	CHECK_ERR(E(bind(t, (struct sockaddr *)&other, sizeof(other))), EADDRINUSE);
	close(t);
	CHECK_ERR(E(socket(AF_NETLINK, SOCK_RAW, NETLINK_GENERIC)), EPROTONOSUPPORT);
	int pid = fork();
	CHECK_OK(pid);
	if (pid == 0) {
		if (setuid(1000) != 0)
			_exit(2);
		nl_ask(s, RTM_NEWROUTE, NLM_F_ACK, 13);
		_exit(nl_error(s) == -EPERM ? 0 : 1);
	}
	int st = ut_wait(pid);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	close(s);
	fresh_server();
}

/* ---- a live replacement -------------------------------------------------------------- */

static void test_replaced(void)
{
	struct devrow before, after;
	struct sockrow r;
	const char *repl[] = { "svc", "replace", "net", NULL };
	int l = check_listener(4325, 0);
	udp_loop_ten();
	CHECK(dev_row("lo", &before));
	CHECK_EQ(ut_run("/bin/svc", repl), 0);
	CHECK(dev_row("lo", &after));
	CHECK(after.v[1] >= before.v[1] && after.v[0] >= before.v[0]);  /* the counters went on */
	CHECK(sock_row("/proc/net/tcp", 4325, 0, 0x0a, &r));
	CHECK_EQ(r.ino, ino_of(l));
	close(l);
	fresh_server();
}

const struct utest ut_netinfo_tests[] = {
	{ "sock_netinfo_dev", test_dev },
	{ "sock_netinfo_tcp", test_tcp },
	{ "sock_netinfo_udp", test_udp },
	{ "sock_netinfo_route_arp", test_route_arp },
	{ "sock_netinfo_self_net", test_self_net },
	{ "sock_netinfo_offsets", test_offsets },
	{ "sock_netinfo_ifconf", test_ifconf },
	{ "sock_netinfo_ifreq", test_ifreq },
	{ "sock_netinfo_netlink", test_netlink },
	{ "sock_netinfo_replaced", test_replaced },
	{ NULL, NULL },
};
