/* SOCK_RAW with IPPROTO_ICMP (root only, as on Linux), which Debian's busybox ping uses, made
 * from the server's unprivileged ping socket (TNET_PING): what the program sends is an ICMP
 * echo request whose identifier the server replaces with its own, and what it receives is
 * only the ICMP reply. A raw socket reads whole IPv4 packets and matches replies by the
 * identifier it chose, so the kernel puts an IPv4 header in front and the program's
 * identifier back (checksums computed again). */
#include "kernel/lib/string.h"
#include "kernel/net/sock_int.h"

/* The Internet checksum (RFC 1071) of n bytes. */
static uint16_t csum(const uint8_t *p, size_t n)
{
	uint32_t sum = 0;
	for (size_t i = 0; i + 1 < n; i += 2)
		sum += (uint32_t)p[i] << 8 | p[i + 1];
	if (n & 1)
		sum += (uint32_t)p[n - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

void sock_raw_sent(struct sock *s, const void *kbuf, size_t len)
{
	if (len >= 8)
		memcpy(&s->raw_id, (const uint8_t *)kbuf + 4, 2);
}

size_t sock_raw_received(struct sock *s, void *kbuf, size_t got, uint32_t from)
{
	uint8_t *ip = kbuf, *icmp = ip + RAW_IP_HDR;
	size_t total = got + RAW_IP_HDR;
	if (got >= 8) {
		memcpy(icmp + 4, &s->raw_id, 2);
		icmp[2] = icmp[3] = 0;
		put16(icmp + 2, csum(icmp, got));
	}
	memset(ip, 0, RAW_IP_HDR);
	ip[0] = 0x45;                        /* IPv4, a 20-byte header */
	put16(ip + 2, (uint16_t)total);
	ip[8] = 64;                          /* time to live */
	ip[9] = 1;                           /* ICMP */
	put16(ip + 12, (uint16_t)(from >> 16));
	put16(ip + 14, (uint16_t)from);
	put16(ip + 10, csum(ip, RAW_IP_HDR));
	return total;
}
