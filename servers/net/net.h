/*
 * Tessera's TCP/IP stack: the API the network server (and the host tests) drive. The stack is
 * a library: it owns no thread, never blocks and never reads a clock. Its user
 *   - adds interfaces (net_if_add) whose send callback puts a frame on the wire, and hands it
 *     every received frame (net_input);
 *   - tells it the time (net_time, milliseconds, never going back) after every event and when
 *     net_deadline says so: timers, the loopback queue and ARP retries run there;
 *   - calls the socket functions (net_socket, net_send, ...) on behalf of its clients; they
 *     never wait: what cannot be done now returns -EAGAIN or -EINPROGRESS, and the event
 *     callback says when a socket's readiness (net_sock_poll) may have changed.
 *
 * Sockets are small integer handles (index and generation: a stale handle gives -EBADF), and
 * no stack structure points outside the stack, so a server can later hand its state over.
 *
 * Memory is bounded: the socket table, the ARP cache, the packets waiting for ARP and the
 * loopback queue are fixed pools sized at net_create; socket buffers are allocated from a
 * byte budget (net_config.mem_limit). When a pool or the budget runs out the call fails with
 * -ENOBUFS (or -EMFILE for the socket table) and net_stats counts it.
 *
 * Every function returns 0 or a negative errno (abi/errno.h); results go through
 * out-parameters. Addresses and ports are in host byte order. Single-threaded: one caller at
 * a time per stack.
 */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct net;

#define NET_IP(a, b, c, d) (((uint32_t)(a) << 24) | ((uint32_t)(b) << 16) | ((uint32_t)(c) << 8) | (uint32_t)(d))
#define NET_LOOPBACK NET_IP(127, 0, 0, 1)
#define NET_ANY 0u
#define NET_BROADCAST 0xffffffffu

/* ---- creating a stack ---------------------------------------------------------------- */

struct net_config {
	uint32_t max_sockets;           /* socket table size; 0 = 256 */
	uint64_t mem_limit;             /* bytes for all socket buffers; 0 = 32 MiB */
	uint32_t arp_entries;           /* 0 = 32 */
	uint32_t arp_pending;           /* frames held while resolving, all entries; 0 = 32 */
	uint32_t loop_slots;            /* loopback queue length; 0 = 64 */
	uint32_t tcp_sndbuf, tcp_rcvbuf;/* default buffer sizes; 0 = 64 KiB each */
	uint32_t udp_rcvbuf;            /* 0 = 64 KiB */
	uint32_t msl_ms;                /* TIME_WAIT lasts 2*MSL; 0 = 30 s (tests shorten it) */
	uint32_t rto_min_ms;            /* 0 = 200 (Linux's; RFC 6298 says 1000) */
	uint32_t rto_max_ms;            /* 0 = 60000 */
	uint32_t rto_init_ms;           /* before any RTT sample; 0 = 1000 */
	uint32_t tcp_retries;           /* timeouts before a connection is dropped; 0 = 12 */
	uint32_t syn_retries;           /* 0 = 6 */
	uint32_t keep_idle_ms;          /* SO_KEEPALIVE: idle time before probes; 0 = 2 h */
	uint32_t keep_intvl_ms;         /* 0 = 75 s */
	uint32_t keep_cnt;              /* unanswered probes before the drop; 0 = 9 */
	uint32_t fin_wait2_ms;          /* an orphan (closed) socket's FIN_WAIT_2 limit; 0 = 60 s */
	uint64_t (*random)(void *ctx);  /* randomness for ISNs, ports, hash keys (required) */
	void *random_ctx;
	/* a socket's readiness changed (NET_POLL* bits that hold now) since the last event or
	   the last call on it: after a call returned -EAGAIN, the change that makes the retry
	   worth it comes here. Called from inside net_input/net_time/net_connect: it must not
	   call net_* functions, only note the wake-up. May be NULL. */
	void (*event)(void *ctx, int sock, uint32_t events);
	void *event_ctx;
	/* where every byte the stack keeps comes from (NULL: the C heap): alloc gives memory,
	   zeroed when zero says so (socket buffers need not be: not touching them keeps a
	   reused page out of memory until data comes), free takes it back with the size asked
	   for. A replaceable server points them at its state memory, so the whole stack moves
	   to its successor (docs/replacement.md). */
	void *(*alloc)(void *ctx, size_t bytes, bool zero);
	void (*free)(void *ctx, void *p, size_t bytes);
	void *mem_ctx;
};

int net_create(const struct net_config *cfg, uint64_t now_ms, struct net **out);
/* Makes the fixed pools resident now (a server whose memory must not grow while it serves:
   the tests' leak checks count pages; socket buffers still come and go with sockets). */
void net_touch(struct net *st);
/* Frees everything; sockets vanish without sending anything. */
void net_destroy(struct net *st);
/* A stack made by another program (a live replacement took it over at the same addresses):
   its code pointers set again, those of net_config (random, event, alloc, free, with their
   contexts) from cfg, whose other fields are ignored. */
void net_rebind(struct net *st, const struct net_config *cfg);

/* ---- interfaces, addresses, time ------------------------------------------------------ */

#define NET_MAX_IFS 4
#define NET_IF_LOOPBACK 0               /* interface 0 is always the loopback one (127.0.0.0/8) */

struct net_if_ops {
	/* put one Ethernet frame (no FCS, at least 60 bytes) on the wire. A full device queue
	   returns an error: the frame is dropped and counted, TCP retransmits. */
	int (*send)(void *ctx, const void *frame, size_t len);
};

/* An Ethernet interface; its mtu is the IP MTU, 576..1500 (virtio-net: 1500). */
int net_if_add(struct net *st, const struct net_if_ops *ops, void *ctx, const uint8_t mac[6],
	       uint32_t mtu, int *ifid);

struct net_ifconfig {
	uint32_t addr, netmask, gateway;        /* gateway 0: none on this interface */
};
/* Address change at run time; existing connections keep their old address (and fail). A
   static configuration stops DHCP on the interface. */
int net_if_config(struct net *st, int ifid, const struct net_ifconfig *c);
int net_if_get(struct net *st, int ifid, struct net_ifconfig *c, uint32_t *mtu, uint8_t mac[6]);
/* An interface's send callback and context set again (after net_rebind). */
int net_if_rebind(struct net *st, int ifid, const struct net_if_ops *ops, void *ctx);
/* The QEMU user-network defaults, as net_if_config would set them. */
void net_ifconfig_qemu(struct net_ifconfig *c);
int net_set_dns(struct net *st, uint32_t dns);  /* kept for the server; default 10.0.2.3 */
uint32_t net_get_dns(const struct net *st);

/* DHCP (RFC 2131) on an Ethernet interface: the address, netmask, gateway and DNS server come
   from the network's server and the lease is renewed; until the first ACK the interface keeps
   what it had (nothing, or a static configuration). */
enum net_dhcp_state {
	NET_DHCP_OFF, NET_DHCP_SELECTING, NET_DHCP_REQUESTING, NET_DHCP_BOUND, NET_DHCP_RENEWING,
};
int net_dhcp_start(struct net *st, int ifid);
int net_dhcp_state(struct net *st, int ifid, enum net_dhcp_state *state, uint32_t *lease_s);

/* A received Ethernet frame (any length: bad ones are counted and dropped). It is processed
   at the time last given to net_time: call that first when time has passed, or round-trip
   times are measured short. */
void net_input(struct net *st, int ifid, const void *frame, size_t len);

/* The time is now_ms (ignored if it goes back): run what is due. */
void net_time(struct net *st, uint64_t now_ms);
/* When net_time must next be called (absolute ms); UINT64_MAX when nothing waits. A value
   not after the current time means: call net_time now (the loopback queue holds packets). */
uint64_t net_deadline(const struct net *st);

/* ---- sockets --------------------------------------------------------------------------- */

enum net_sock_type { NET_SOCK_STREAM = 1, NET_SOCK_DGRAM = 2, NET_SOCK_PING = 3 };

struct net_addr {
	uint32_t ip;
	uint16_t port;          /* for NET_SOCK_PING: the ICMP echo identifier */
};

/* Readiness bits: Linux's poll values. */
#define NET_POLLIN 0x001u
#define NET_POLLPRI 0x002u
#define NET_POLLOUT 0x004u
#define NET_POLLERR 0x008u
#define NET_POLLHUP 0x010u
#define NET_POLLRDHUP 0x2000u

/* send/recv flags (Linux values) */
#define NET_MSG_PEEK 0x02u
#define NET_MSG_DONTWAIT 0x40u          /* accepted and ignored: nothing here ever waits */

enum net_opt {
	NET_SO_REUSEADDR = 1, NET_SO_KEEPALIVE, NET_SO_ERROR /* read clears */, NET_SO_SNDBUF,
	NET_SO_RCVBUF, NET_TCP_NODELAY, NET_SO_TYPE, NET_SO_ACCEPTCONN, NET_TCP_MAXSEG,
	NET_IP_TTL, NET_IP_RECVERR,
};

#define NET_TTL_DEFAULT 64

enum net_shut { NET_SHUT_RD = 0, NET_SHUT_WR = 1, NET_SHUT_RDWR = 2 };

/* NET_SOCK_PING: Linux's unprivileged ICMP socket: send an ICMP echo request (8-byte header
   then payload; type must be 8, identifier and checksum are filled in), receive the echo
   replies for its identifier (whole ICMP message). */
int net_socket(struct net *st, enum net_sock_type type, int *sock);
int net_bind(struct net *st, int sock, const struct net_addr *a);
int net_listen(struct net *st, int sock, int backlog);
/* -EAGAIN when no connection is ready; *peer may be NULL. */
int net_accept(struct net *st, int sock, int *newsock, struct net_addr *peer);
/* Stream: -EINPROGRESS, the handshake runs (then NET_POLLOUT or NET_POLLERR, and SO_ERROR
   or a second call says how it ended: 0... -EISCONN once connected, -EALREADY while still
   trying, the error once if it failed). Datagram: sets the default peer (ip 0: none). */
int net_connect(struct net *st, int sock, const struct net_addr *a);
/* Queues up to len bytes; *sent may be less than len (buffer full). -EAGAIN if nothing fit,
   -EPIPE after shutdown(WR) or a reset, -ENOTCONN before connecting. to: datagrams only,
   NULL = the connected peer. */
int net_send(struct net *st, int sock, const void *buf, size_t len, uint32_t flags,
	     const struct net_addr *to, size_t *sent);
/* *got = 0 with result 0 means end of stream. -EAGAIN when nothing is there yet. A datagram
   longer than len is truncated (*full tells its real length; may be NULL). */
int net_recv(struct net *st, int sock, void *buf, size_t len, uint32_t flags,
	     struct net_addr *from, size_t *got, size_t *full);
int net_shutdown(struct net *st, int sock, enum net_shut how);
/* The handle is dead at once; a TCP connection finishes (FIN, TIME_WAIT) on its own, or is
   reset when unread data was left. */
int net_close(struct net *st, int sock);
int net_getsockname(struct net *st, int sock, struct net_addr *a);
int net_getpeername(struct net *st, int sock, struct net_addr *a);
int net_setsockopt(struct net *st, int sock, enum net_opt opt, int val);
int net_getsockopt(struct net *st, int sock, enum net_opt opt, int *val);
/* NET_POLL* bits that hold now. */
int net_sock_poll(struct net *st, int sock, uint32_t *events);
/* Bytes readable now (FIONREAD): stream bytes, or the next datagram's length. */
int net_sock_nread(struct net *st, int sock, uint32_t *n);

/* ---- statistics ---------------------------------------------------------------------- */

struct net_stats {
	uint64_t rx_frames, tx_frames, rx_bad, tx_fail;    /* rx_bad: any malformed frame */
	uint64_t ip_bad_csum, ip_frags_dropped, ip_not_ours;
	uint64_t arp_requests, arp_replies, arp_timeouts, arp_pending_drops;
	uint64_t icmp_echo_answered, icmp_sent;
	uint64_t udp_in, udp_out, udp_no_port, udp_queue_drops;
	uint64_t tcp_in, tcp_out, tcp_bad_csum, tcp_rst_in, tcp_rst_out;
	uint64_t tcp_retransmits, tcp_timeouts, tcp_fast_retransmits, tcp_dup_acks;
	uint64_t tcp_ooo_segments, tcp_zero_window_probes, tcp_challenge_acks, tcp_keepalives;
	uint64_t tcp_dropped_conns, tcp_backlog_drops, tcp_out_of_window;
	uint64_t tcp_tw_recycled;       /* TIME_WAIT connections ended early for a new socket */
	uint64_t tcp_half_open_evicted; /* unanswered handshakes given up for a new SYN */
	uint64_t nobufs;                /* any pool or the memory budget was empty */
	uint32_t sockets_used;          /* table slots in use (closed but finishing included) */
	uint32_t arp_entries_used, arp_pending_used, loop_used;
	uint64_t mem_used;              /* socket buffer bytes allocated now */
};
void net_get_stats(const struct net *st, struct net_stats *s);

/* TCP state of a socket (for tests and diagnostics): enum net_tcp_state, or -EBADF. */
enum net_tcp_state {
	NET_TCP_CLOSED, NET_TCP_LISTEN, NET_TCP_SYN_SENT, NET_TCP_SYN_RCVD, NET_TCP_ESTABLISHED,
	NET_TCP_FIN_WAIT_1, NET_TCP_FIN_WAIT_2, NET_TCP_CLOSE_WAIT, NET_TCP_CLOSING,
	NET_TCP_LAST_ACK, NET_TCP_TIME_WAIT,
};
int net_tcp_state(struct net *st, int sock, enum net_tcp_state *state);
/* The stack's view of a TCP connection, for tests. */
struct net_tcp_info {
	uint32_t snd_mss, rto_ms, srtt_ms, cwnd, snd_wnd, rcv_wnd, retransmits;
};
int net_tcp_info(struct net *st, int sock, struct net_tcp_info *info);
