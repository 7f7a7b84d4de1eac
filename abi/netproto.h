/*
 * The network server protocol (issue 14, docs/network.md): how the kernel's Linux socket
 * layer talks to the network server (servers/net) through the function ids TFN_NET_* of
 * abi/fnids.def. The server never waits: every call answers at once, -EAGAIN or
 * -EINPROGRESS when it cannot be done now, and the kernel does all the waiting (blocking
 * calls, poll/select, SO_RCVTIMEO, signals). To learn when to retry, the kernel keeps one
 * NET_EVENTS request outstanding at the server; the server answers it as soon as some
 * socket's readiness changed (coalescing per socket while none is outstanding), and the
 * kernel updates its readiness cache, wakes sleepers and sends the next NET_EVENTS.
 *
 * Sockets are the server's small integer handles (index and generation). Addresses are IPv4
 * in host byte order, ports in host order. Root processes may call these ids directly (tests,
 * the ifconfig command); requests from other users get -EPERM (only the kernel speaks for
 * them, through socket descriptors). Bulk data travels in a data ICA; NET_EVENTS fills its
 * data ICA with struct t_net_event records.
 *
 *   fn            in                                            result
 *   NET_SOCKET    [0] type TNET_STREAM/DGRAM/PING                [0] handle
 *   NET_CLOSE     [0] handle                                    -
 *   NET_BIND      [0] h, [1] addr, [2] port                      -
 *   NET_LISTEN    [0] h, [1] backlog                             -
 *   NET_ACCEPT    [0] h                                          [0] new handle, [1] peer addr, [2] peer port
 *   NET_CONNECT   [0] h, [1] addr, [2] port                      0 or -EINPROGRESS
 *   NET_SEND      [0] h, [1] length, [2] flags, [3] addr, [4] port (0: the connected peer)  [0] bytes taken
 *   NET_RECV      [0] h, [1] length, [2] flags (TNET_MSG_PEEK)  [0] bytes (0: end of stream),
 *                                                               [1] from addr, [2] from port,
 *                                                               [3] the datagram's full length
 *   NET_SHUTDOWN  [0] h, [1] how (0 read, 1 write, 2 both)       -
 *   NET_GETNAME   [0] h, [1] 0 own / 1 peer                      [0] addr, [1] port
 *   NET_SETOPT    [0] h, [1] level, [2] option, [3] value        -      (Linux's SOL_/SO_/TCP_ numbers)
 *   NET_GETOPT    [0] h, [1] level, [2] option                   [0] value
 *   NET_POLL      [0] h                                          [0] readiness (Linux POLL* bits), [1] bytes readable
 *   NET_EVENTS    [0] most records wanted (data ICA)             [0] records written
 *   NET_IFCONFIG  [0] TNET_IF_GET / TNET_IF_SET / TNET_IF_DHCP   ctl ICA: struct t_net_ifconf in and out
 *   NET_STATS     -                                              ctl ICA: struct t_net_stats
 *   NET_INFO      [0] TNET_INFO_IF/SOCK/ARP, [1] first index     [0] records written, [1] the
 *                 (data ICA: the records)                        index to ask next (UINT32_MAX:
 *                                                                the table's end)
 *
 * NET_INFO is what /proc/net and the interface ioctls show (the kernel formats it): the
 * interfaces (struct t_net_ifinfo), the TCP and UDP sockets (struct t_net_sockinfo, one per
 * socket Linux would list, from table slot [1] on) and the ARP cache (struct t_net_arpinfo).
 */
#pragma once
#include <stdint.h>

#define TNET_STREAM 1u
#define TNET_DGRAM 2u
#define TNET_PING 3u                   /* Linux's unprivileged ICMP echo socket */
#define TNET_MSG_PEEK 0x02u

struct t_net_event {
	int32_t handle;
	uint32_t revents;              /* readiness now (Linux POLL* bits) */
};

#define TNET_IF_GET 0u
#define TNET_IF_SET 1u
#define TNET_IF_DHCP 2u
struct t_net_ifconf {
	uint32_t addr, netmask, gateway, dns;
	uint8_t mac[6];
	uint16_t mtu;
	uint32_t up, dhcp;             /* dhcp: 1 while the address came from a DHCP lease */
};

struct t_net_stats {
	uint64_t frames_in, frames_out, frames_dropped;
	uint64_t tcp_segs_in, tcp_segs_out, tcp_retransmits, tcp_fast_retransmits;
	uint64_t tcp_active, udp_active, sockets_open, mem_used, nobufs;
};

#define TNET_INFO_IF 0u
#define TNET_INFO_SOCK 1u
#define TNET_INFO_ARP 2u
#define TNET_INFO_END 0xffffffffu

/* Linux's interface flags (IFF_*), as SIOCGIFFLAGS answers them */
#define TNET_IFF_UP 0x1u
#define TNET_IFF_BROADCAST 0x2u
#define TNET_IFF_LOOPBACK 0x8u
#define TNET_IFF_RUNNING 0x40u
#define TNET_IFF_MULTICAST 0x1000u

struct t_net_ifinfo {
	char name[16];                 /* "lo", "eth0", ...: NUL-terminated */
	uint32_t index;                /* Linux's ifindex: lo 1, eth0 2 */
	uint32_t flags;                /* TNET_IFF_* */
	uint32_t addr, netmask, gateway, mtu;   /* host byte order; 0: none */
	uint8_t mac[6];
	uint8_t pad[2];
	uint32_t txqlen;               /* frames the device's (or loopback's) queue holds */
	uint32_t pad2;
	uint64_t rx_bytes, rx_packets, rx_errs, rx_drop, rx_multicast;
	uint64_t tx_bytes, tx_packets, tx_errs, tx_drop;
};

struct t_net_sockinfo {
	int32_t handle;                /* the server's handle; -1: none (orphan, not accepted) */
	uint8_t type;                  /* TNET_STREAM, TNET_DGRAM */
	uint8_t state;                 /* Linux's TCP state number (TCP_ESTABLISHED 1 ...
	                                  TCP_LISTEN 10); datagrams: 1 connected, 7 not */
	uint8_t timer;                 /* Linux's "tr": 0, 1 retransmit, 2 keepalive,
	                                  3 TIME_WAIT, 4 zero-window probe */
	uint8_t pad;
	uint32_t laddr, raddr;         /* host byte order */
	uint16_t lport, rport;
	uint32_t txq, rxq;
	uint32_t timer_ms, backoff, rto_ms, cwnd, ssthresh;    /* ssthresh UINT32_MAX: initial */
};

struct t_net_arpinfo {
	uint32_t addr;
	uint8_t mac[6];
	uint8_t complete;              /* 0 while resolving */
	uint8_t pad;
	char dev[16];
};
