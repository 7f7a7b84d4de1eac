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
