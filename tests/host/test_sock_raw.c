// HOST-TEST-SOURCES: kernel/net/sock_raw.c
/*
 * Host tests of the raw-ICMP emulation of the socket layer (kernel/net/sock_raw.c): an echo
 * reply the ping socket received becomes the IPv4 packet a raw socket reads, with a valid
 * header checksum, the program's own echo identifier put back and a valid ICMP checksum
 * (odd lengths too); a message too short to be an echo is passed through under a header.
 */
#include "kernel/net/sock_int.h"
#include "tests/host/harness.h"
#include <string.h>

/* The Internet checksum summed over a checksummed block: 0 when it is valid. */
static uint16_t fold(const uint8_t *p, size_t n)
{
	uint32_t s = 0;
	for (size_t i = 0; i + 1 < n; i += 2)
		s += (uint32_t)p[i] << 8 | p[i + 1];
	if (n & 1)
		s += (uint32_t)p[n - 1] << 8;
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

static void reply_roundtrip(size_t len)
{
	struct sock s = { .raw = true };
	uint8_t req[64] = { 8, 0, 0, 0, 0x12, 0x34, 0, 1 }, buf[128];
	sock_raw_sent(&s, req, sizeof(req));
	memset(buf, 0, sizeof(buf));
	uint8_t *icmp = buf + RAW_IP_HDR;
	icmp[0] = 0;                             /* echo reply, the server's identifier */
	icmp[4] = 0xbe;
	icmp[5] = 0xef;
	icmp[7] = 1;
	for (size_t i = 8; i < len; i++)
		icmp[i] = (uint8_t)(i * 7);
	size_t n = sock_raw_received(&s, buf, len, 0x0a000202);
	CHECK_EQ(n, len + RAW_IP_HDR);
	CHECK_EQ(buf[0], 0x45);
	CHECK_EQ(buf[9], 1);
	CHECK_EQ((size_t)(buf[2] << 8 | buf[3]), len + RAW_IP_HDR);
	CHECK(buf[12] == 10 && buf[13] == 0 && buf[14] == 2 && buf[15] == 2);
	CHECK_EQ(fold(buf, RAW_IP_HDR), 0);
	CHECK(icmp[4] == 0x12 && icmp[5] == 0x34);
	CHECK_EQ(fold(icmp, len), 0);
	for (size_t i = 8; i < len; i++)
		CHECK_EQ(icmp[i], (uint8_t)(i * 7));
}

TEST(raw_reply_even_and_odd)
{
	reply_roundtrip(64);
	reply_roundtrip(8);
	reply_roundtrip(37);
}

TEST(raw_short_message)
{
	struct sock s = { .raw = true, .raw_id = 0x5555 };
	uint8_t buf[32] = { 0 };
	buf[RAW_IP_HDR] = 3;
	size_t n = sock_raw_received(&s, buf, 4, 0x7f000001);
	CHECK_EQ(n, RAW_IP_HDR + 4);
	CHECK_EQ(buf[RAW_IP_HDR], 3);            /* left as it came */
	CHECK_EQ(fold(buf, RAW_IP_HDR), 0);
}
