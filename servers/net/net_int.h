/*
 * The stack's inside: the structures every layer shares and the functions the layers call in
 * each other. Nothing here is for the stack's users (net.h is). Sockets refer to each other
 * by table index, never by pointer, so the whole state is position-independent data.
 */
#pragma once
#include "servers/net/net.h"
#include "servers/net/ring.h"

#define NET_ETH_HDR 14
#define NET_ETH_MTU_MAX 1500
#define NET_ETH_FRAME_MAX (NET_ETH_HDR + NET_ETH_MTU_MAX)
#define NET_LOOP_MTU 16384
#define NET_IP_HDR 20
#define NET_TCP_HDR 20
#define NET_OOO_MAX 8                   /* out-of-order ranges a connection remembers */
#define NET_ARP_PER_ENTRY 4             /* frames held per address being resolved */
#define NET_ARP_TRIES 3
#define NET_ARP_RETRY_MS 1000
#define NET_ARP_VALID_MS 60000
#define NET_EPHEMERAL_LO 49152u
#define NET_TCP_MIN_MSS 88u
#define NET_OOW_ACK_MS 500              /* ACKs to unusable pure ACKs: one per this, per connection */

#define IPPROTO_ICMP_ 1
#define IPPROTO_TCP_ 6
#define IPPROTO_UDP_ 17

/* sequence-number comparisons, modulo 2^32 */
static inline bool seq_lt(uint32_t a, uint32_t b) { return (int32_t)(a - b) < 0; }
static inline bool seq_leq(uint32_t a, uint32_t b) { return (int32_t)(a - b) <= 0; }
static inline bool seq_gt(uint32_t a, uint32_t b) { return (int32_t)(a - b) > 0; }
static inline bool seq_geq(uint32_t a, uint32_t b) { return (int32_t)(a - b) >= 0; }

static inline uint16_t get16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }
static inline uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}
static inline void put16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)(v >> 8); p[1] = (uint8_t)v; }
static inline void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24); p[1] = (uint8_t)(v >> 16); p[2] = (uint8_t)(v >> 8); p[3] = (uint8_t)v;
}

struct net_iface {
	bool used, loop;
	struct net_if_ops ops;
	void *ctx;
	uint8_t mac[6];
	uint32_t mtu;
	struct net_ifconfig cfg;
};

enum arp_state { ARP_FREE, ARP_PENDING, ARP_VALID };
struct arp_entry {
	uint8_t state, tries, npend;
	int8_t ifid;
	uint32_t ip;
	uint8_t mac[6];
	uint64_t deadline;              /* VALID: expiry; PENDING: next retry */
};
struct arp_pend {
	int16_t entry;                  /* -1: free slot */
	uint16_t len;
	uint8_t frame[NET_ETH_FRAME_MAX];
};
struct loop_slot {
	uint16_t len;
	uint8_t pkt[NET_LOOP_MTU];
};

struct net_dhcp {                       /* DHCP on one interface */
	uint8_t state;                  /* enum net_dhcp_state */
	uint32_t xid, offered, server, lease_s, retry_ms;
	uint64_t started, deadline, expires;
};

struct ooo_range { uint32_t start, end; };

struct tcb {
	uint8_t state;                  /* enum net_tcp_state */
	bool fin_queued, fin_acked, fin_rcvd, ack_now, ws_ok, rtt_timing, in_recovery;
	uint8_t snd_wscale, rcv_wscale, dupacks, backoff, persist_shift, keep_probes, n_ooo;
	uint32_t iss, snd_una, snd_nxt, snd_max, snd_wnd, snd_wl1, snd_wl2, max_sndwnd;
	uint32_t irs, rcv_nxt, rcv_adv;
	uint32_t snd_mss, rcv_mss, cwnd, ssthresh, recover;
	uint32_t srtt8, rttvar4, rto;   /* ms; srtt scaled by 8, rttvar by 4 (RFC 6298 gains) */
	uint32_t rtt_seq, retransmits;
	uint64_t rtt_start;
	uint64_t t_rexmt, t_persist, t_keep, t_close;   /* deadlines, 0 = off */
	uint64_t last_oow_ack;          /* when we last answered a segment we could not use */
	struct ooo_range ooo[NET_OOO_MAX];
};

struct sock {
	bool used, orphan, bound, connected, reuseaddr, keepalive, nodelay, shut_rd, shut_wr;
	bool in_acceptq;
	bool recverr;                   /* IP_RECVERR: kept; no ICMP error is queued (docs) */
	uint8_t ttl;                    /* IP_TTL of what it sends; 0: NET_TTL_DEFAULT */
	uint8_t type;                   /* enum net_sock_type */
	uint16_t gen;
	int16_t parent;                 /* listener index of a not yet accepted child, or -1 */
	int16_t next_accept;            /* accept queue link, -1 ends it */
	int16_t acc_head, acc_tail;     /* listener: completed connections */
	uint16_t backlog, n_pending;    /* listener: children not yet accepted, queued or not */
	int err;                        /* SO_ERROR, positive errno */
	uint32_t sndbuf, rcvbuf;        /* sizes asked for */
	uint32_t last_events;
	struct net_addr local, remote;
	struct ring snd, rcv;           /* datagram sockets: rcv holds records */
	struct tcb tcb;
};

struct net {
	struct net_config cfg;
	uint64_t now;
	uint64_t hash_key[2];
	uint32_t dns;
	struct net_iface ifs[NET_MAX_IFS];
	struct net_dhcp dhcp[NET_MAX_IFS];
	struct arp_entry *arp;
	struct arp_pend *pend;
	struct loop_slot *loop;
	uint32_t loop_head, loop_len;
	struct sock *socks;
	struct net_stats st;
	uint16_t ip_id;                 /* identification of the next IP packet */
	uint8_t tx[NET_ETH_HDR + NET_LOOP_MTU];        /* the frame being built */
	uint8_t loop_rx[NET_LOOP_MTU];  /* the loopback packet being received */
};

/* core.c */
/* memory from the configured source (net_config.alloc), zeroed if asked, and back */
void *net_alloc(struct net *st, size_t bytes, bool zero);
void net_free(struct net *st, void *p, size_t bytes);
bool net_mem_get(struct net *st, uint32_t bytes);
void net_mem_put(struct net *st, uint32_t bytes);
uint64_t net_rand(struct net *st);
uint32_t net_hash4(struct net *st, uint32_t a, uint32_t b, uint32_t c, uint32_t d);
void net_loop_put(struct net *st, const uint8_t *pkt, size_t len);
void net_after_event(struct net *st);
/* net_if_config without stopping DHCP (which uses it) */
int net_if_apply(struct net *st, int ifid, const struct net_ifconfig *c);

/* eth.c: frames and ARP */
void eth_input(struct net *st, int ifid, const uint8_t *f, size_t len);
void eth_output(struct net *st, int ifid, uint32_t nexthop, uint8_t *frame, size_t len);
void arp_timers(struct net *st);
uint64_t arp_deadline(const struct net *st);
void arp_flush_if(struct net *st, int ifid);

/* dhcp.c */
bool dhcp_wants(const struct net *st, int ifid);
void dhcp_input(struct net *st, int ifid, const uint8_t *p, size_t len);
void dhcp_timers(struct net *st);
uint64_t dhcp_deadline(const struct net *st);

/* ipv4.c */
struct route { int ifid; uint32_t src, nexthop; uint8_t ttl; /* 0: NET_TTL_DEFAULT */ };
uint16_t net_csum(uint32_t sum, const void *p, size_t len);
uint32_t net_csum_add(uint32_t sum, const void *p, size_t len);
uint32_t net_pseudo(uint32_t src, uint32_t dst, uint8_t proto, uint32_t len);
int ip_route(struct net *st, uint32_t dst, struct route *r);
uint32_t ip_mtu(const struct net *st, const struct route *r);
uint8_t *ip_payload(struct net *st);
void ip_send(struct net *st, const struct route *r, uint32_t dst, uint8_t proto, size_t len);
void ip_input(struct net *st, int ifid, const uint8_t *p, size_t len, bool bcast);
bool ip_is_local(const struct net *st, uint32_t ip);

/* udp.c: UDP and ping sockets */
void udp_input(struct net *st, const uint8_t *ip, const uint8_t *p, size_t len);
void icmp_echo_reply_input(struct net *st, uint32_t src, const uint8_t *p, size_t len);
int dgram_send(struct net *st, struct sock *s, const uint8_t *buf, size_t len,
	       const struct net_addr *to, size_t *sent);
int dgram_recv(struct net *st, struct sock *s, uint8_t *buf, size_t len, uint32_t flags,
	       struct net_addr *from, size_t *got, size_t *full);
uint32_t dgram_next_len(const struct sock *s);

/* sock.c: the table */
struct sock *sock_get(struct net *st, int handle);
int sock_alloc(struct net *st, uint8_t type, int *idx);
void sock_free(struct net *st, int idx);
/* A connection in TIME_WAIT keeps no send buffer, and no buffer at all once closed. */
void sock_trim_bufs(struct net *st, struct sock *s);
int sock_idx(const struct net *st, const struct sock *s);
int sock_handle(const struct net *st, int idx);
int sock_bind_port(struct net *st, struct sock *s, uint32_t ip, uint16_t port);
uint32_t sock_poll(struct net *st, struct sock *s);
int sock_bufs(struct net *st, struct sock *s);

/* ipv4.c: ICMP errors */
void icmp_port_unreach(struct net *st, const uint8_t *ip, size_t iplen);

/* tcp*.c */
struct tcp_seg {                        /* a received segment, parsed */
	uint32_t src, dst, seq, ack, wnd, len;
	uint16_t sport, dport, mss;
	uint8_t flags;
	int wscale;                     /* -1: no option */
	const uint8_t *data;
};
/* tcp_ack.c: false when the segment is done with (dropped, or the socket gone) */
bool tcp_ack_input(struct net *st, struct sock *s, const struct tcp_seg *g);
void tcp_data_input(struct net *st, struct sock *s, const struct tcp_seg *g);
uint32_t tcp_rcv_window(struct tcb *t, const struct ring *rcv, bool update);
void tcp_abort(struct net *st, struct sock *s);
void tcp_ack_unusable(struct net *st, struct sock *s, const struct tcp_seg *g);
void tcp_retransmit_una(struct net *st, struct sock *s);
void tcp_init_cwnd(struct tcb *t);
uint32_t tcp_isn(struct net *st, const struct sock *s);
void tcp_set_mss(struct net *st, struct sock *s, uint32_t peer_mss, int peer_ws);
void tcp_input(struct net *st, const uint8_t *ip, const uint8_t *p, size_t len);
void tcp_output(struct net *st, struct sock *s);
void tcp_timers(struct net *st, struct sock *s);
uint64_t tcp_deadline(const struct sock *s);
void tcp_send_rst(struct net *st, uint32_t src, uint32_t dst, uint16_t sport, uint16_t dport,
		  uint32_t seq, uint32_t ack, bool with_ack);
void tcp_drop(struct net *st, struct sock *s, int err);
void tcp_closed(struct net *st, struct sock *s);
void tcp_set_state(struct net *st, struct sock *s, uint8_t state);
void tcp_init_tcb(struct net *st, struct sock *s);
void tcp_rtt_sample(struct net *st, struct tcb *t, uint32_t ms);
void tcp_send_segment(struct net *st, struct sock *s, uint32_t seq, uint8_t flags,
		      uint32_t data_off, uint32_t len);
int tcp_connect(struct net *st, struct sock *s, const struct net_addr *a);
int tcp_listen(struct net *st, struct sock *s, int backlog);
int tcp_accept(struct net *st, struct sock *s, int *newidx);
int tcp_send(struct net *st, struct sock *s, const uint8_t *buf, size_t len, size_t *sent);
int tcp_recv(struct net *st, struct sock *s, uint8_t *buf, size_t len, uint32_t flags,
	     size_t *got);
int tcp_shutdown(struct net *st, struct sock *s, enum net_shut how);
void tcp_close(struct net *st, struct sock *s);
uint32_t tcp_poll(const struct sock *s);

#define TH_FIN 0x01
#define TH_SYN 0x02
#define TH_RST 0x04
#define TH_PSH 0x08
#define TH_ACK 0x10
