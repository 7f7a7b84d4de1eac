/* The interface ioctls of every socket (netinfo.h), as Linux's net/core/dev_ioctl.c and
 * net/ipv4/devinet.c answer them: SIOCGIFCONF lists each interface with an IPv4 address,
 * and the SIOCGIF* requests name an interface by its name (SIOCGIFNAME: by its index). The
 * answers come from the network server's interface records (NET_INFO). Setting (SIOCSIF*)
 * is not done here: EPERM for other users than root, as without CAP_NET_ADMIN, and
 * EOPNOTSUPP for root (the root tool /bin/net changes the address). */
#include "abi/errno.h"
#include "kernel/lib/string.h"
#include "kernel/mm/uaccess.h"
#include "kernel/net/netinfo.h"
#include "kernel/net/sock.h"
#include "kernel/proc/proc.h"

#define L_SIOCGIFNAME 0x8910
#define L_SIOCGIFCONF 0x8912
#define L_SIOCGIFFLAGS 0x8913
#define L_SIOCGIFADDR 0x8915
#define L_SIOCGIFDSTADDR 0x8917
#define L_SIOCGIFBRDADDR 0x8919
#define L_SIOCGIFNETMASK 0x891b
#define L_SIOCGIFMETRIC 0x891d
#define L_SIOCGIFMTU 0x8921
#define L_SIOCGIFHWADDR 0x8927
#define L_SIOCGIFINDEX 0x8933
#define L_SIOCGIFTXQLEN 0x8942
#define L_SIOCGIFMAP 0x8970
#define L_ARPHRD_ETHER 1
#define L_ARPHRD_LOOPBACK 772
#define IFNAMSIZ 16

/* Linux's struct ifreq (40 bytes): a name, then a union of a sockaddr, flags, an int
 * (index, metric, MTU, queue length) and struct ifmap (24 bytes). */
struct l_ifreq {
	char name[IFNAMSIZ];
	union {
		uint8_t sa[16];
		int16_t flags;
		int32_t ivalue;
		uint8_t map[24];
	} u;
};
_Static_assert(sizeof(struct l_ifreq) == 40, "struct ifreq is Linux's");

struct l_ifconf {
	int32_t len;
	int32_t pad;
	uint64_t buf;
};

/* Requests that change an interface or a route: SIOCSIF{FLAGS,ADDR,DSTADDR,BRDADDR,NETMASK,
 * METRIC,MTU,NAME,HWADDR,TXQLEN,MAP,PFLAGS,HWBROADCAST}, SIOC{ADD,DEL}MULTI, SIOCDIFADDR and
 * SIOC{ADD,DEL}RT (whose struct rtentry is longer than an ifreq: only 40 bytes are read). */
static bool is_set(unsigned long req)
{
	static const uint16_t set[] = { 0x8914, 0x8916, 0x8918, 0x891a, 0x891c, 0x891e, 0x8922,
		0x8923, 0x8924, 0x8943, 0x8971, 0x8934, 0x8937, 0x8931, 0x8932, 0x8936, 0x890b,
		0x890c };
	for (size_t i = 0; i < sizeof(set) / sizeof(set[0]); i++)
		if (req == set[i])
			return true;
	return false;
}

static bool is_get(unsigned long req)
{
	static const uint16_t get[] = { L_SIOCGIFNAME, L_SIOCGIFFLAGS, L_SIOCGIFADDR,
		L_SIOCGIFDSTADDR, L_SIOCGIFBRDADDR, L_SIOCGIFNETMASK, L_SIOCGIFMETRIC,
		L_SIOCGIFMTU, L_SIOCGIFHWADDR, L_SIOCGIFINDEX, L_SIOCGIFTXQLEN, L_SIOCGIFMAP };
	for (size_t i = 0; i < sizeof(get) / sizeof(get[0]); i++)
		if (req == get[i])
			return true;
	return false;
}

/* An IPv4 sockaddr_in (family, port 0, address in network order) at sa. */
static void put_inet(uint8_t sa[16], uint32_t addr)
{
	memset(sa, 0, 16);
	sa[0] = 2;                                   /* AF_INET, little-endian */
	sa[4] = (uint8_t)(addr >> 24);
	sa[5] = (uint8_t)(addr >> 16);
	sa[6] = (uint8_t)(addr >> 8);
	sa[7] = (uint8_t)addr;
}

/* The interface r names (by name, or by index for SIOCGIFNAME) among ifs: NULL if none. */
static const struct t_net_ifinfo *find(const struct t_net_ifinfo *ifs, uint32_t n,
				       const struct l_ifreq *r, bool by_index)
{
	for (uint32_t i = 0; i < n; i++)
		if (by_index ? r->u.ivalue > 0 && (uint32_t)r->u.ivalue == ifs[i].index
			     : !strcmp(ifs[i].name, r->name))
			return &ifs[i];
	return NULL;
}

/* The answer to get request req about interface i, into r. */
static int answer(unsigned long req, const struct t_net_ifinfo *i, struct l_ifreq *r)
{
	bool lo = i->flags & TNET_IFF_LOOPBACK;
	switch (req) {
	case L_SIOCGIFNAME:
		memset(r->name, 0, IFNAMSIZ);
		strlcpy(r->name, i->name, IFNAMSIZ);
		return 0;
	case L_SIOCGIFFLAGS:
		r->u.flags = (int16_t)i->flags;
		return 0;
	case L_SIOCGIFADDR:
	case L_SIOCGIFDSTADDR:   /* not point-to-point: Linux gives the local address */
	case L_SIOCGIFBRDADDR:
	case L_SIOCGIFNETMASK:
		if (!i->addr)
			return -EADDRNOTAVAIL;
		put_inet(r->u.sa, req == L_SIOCGIFNETMASK ? i->netmask
				  : req != L_SIOCGIFBRDADDR ? i->addr
				  : lo ? 0 : i->addr | ~i->netmask);
		return 0;
	case L_SIOCGIFMETRIC:
		r->u.ivalue = 0;
		return 0;
	case L_SIOCGIFMTU:
		r->u.ivalue = (int32_t)i->mtu;
		return 0;
	case L_SIOCGIFHWADDR:
		memset(r->u.sa, 0, sizeof(r->u.sa));
		r->u.sa[0] = (uint8_t)(lo ? L_ARPHRD_LOOPBACK & 0xff : L_ARPHRD_ETHER);
		r->u.sa[1] = (uint8_t)(lo ? L_ARPHRD_LOOPBACK >> 8 : 0);
		memcpy(r->u.sa + 2, i->mac, 6);
		return 0;
	case L_SIOCGIFINDEX:
		r->u.ivalue = (int32_t)i->index;
		return 0;
	case L_SIOCGIFTXQLEN:
		r->u.ivalue = (int32_t)i->txqlen;
		return 0;
	default:                 /* SIOCGIFMAP: no ISA memory, I/O port, IRQ or DMA channel */
		memset(r->u.map, 0, sizeof(r->u.map));
		return 0;
	}
}

static long ifreq_ioctl(unsigned long req, uint64_t arg)
{
	struct t_net_ifinfo ifs[NETINFO_MAX_IFS];
	struct l_ifreq r;
	uint32_t n;
	if (copy_from_user(&r, (const void *)arg, sizeof(r)))
		return -EFAULT;
	r.name[IFNAMSIZ - 1] = 0;                    /* as Linux: a name is at most 15 bytes */
	if (is_set(req))
		return proc_cur()->cred.uid ? -EPERM : -EOPNOTSUPP;
	int err = netinfo_ifs(ifs, &n);
	if (err)
		return err == -ENETDOWN ? -ENODEV : err;
	const struct t_net_ifinfo *i = find(ifs, n, &r, req == L_SIOCGIFNAME);
	if (!i)
		return -ENODEV;
	if ((err = answer(req, i, &r)))
		return err;
	return copy_to_user((void *)arg, &r, sizeof(r)) ? -EFAULT : 0;
}

/* SIOCGIFCONF: an ifreq (name, address) per interface with an IPv4 address, as many as
 * ifc_len bytes hold (a negative length holds none, as on Linux); no buffer: the length
 * all of them need. ifc_len becomes the bytes written. */
static long ifconf_ioctl(uint64_t arg)
{
	struct t_net_ifinfo ifs[NETINFO_MAX_IFS];
	struct l_ifconf c;
	uint32_t n;
	int64_t done = 0;
	if (copy_from_user(&c, (const void *)arg, sizeof(c)))
		return -EFAULT;
	int err = netinfo_ifs(ifs, &n);
	if (err && err != -ENETDOWN)
		return err;
	for (uint32_t i = 0; !err && i < n; i++) {
		struct l_ifreq r;
		if (!ifs[i].addr)
			continue;
		if (c.buf && (int64_t)c.len - done < (int64_t)sizeof(r))
			break;
		memset(&r, 0, sizeof(r));
		strlcpy(r.name, ifs[i].name, IFNAMSIZ);
		put_inet(r.u.sa, ifs[i].addr);
		if (c.buf && copy_to_user((void *)(uintptr_t)(c.buf + (uint64_t)done), &r, sizeof(r)))
			return -EFAULT;
		done += (int64_t)sizeof(r);
	}
	c.len = (int32_t)done;
	return copy_to_user((void *)arg, &c, sizeof(c)) ? -EFAULT : 0;
}

long netinfo_ioctl(unsigned long req, uint64_t arg)
{
	if (req == L_SIOCGIFCONF)
		return ifconf_ioctl(arg);
	if (is_get(req) || is_set(req))
		return ifreq_ioctl(req, arg);
	return -ENOTTY;
}
