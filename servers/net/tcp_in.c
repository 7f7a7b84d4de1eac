/*
 * TCP segment arrival (RFC 793 section 3.9 "SEGMENT ARRIVES", RFC 9293): finding the
 * connection, the listener's SYN handling, SYN_SENT, then for synchronized states the
 * acceptability test, RST and SYN checks made blind-attack resistant as RFC 5961 says
 * (challenge ACKs), ACK processing with RTT samples, duplicate ACKs and fast retransmit
 * (RFC 5681, NewReno's partial ACKs of RFC 6582), the send window, data placed in the receive
 * ring in or out of order, and FIN with the state changes it causes.
 */
#include "servers/net/net_int.h"
#include "abi/errno.h"
#include <string.h>

static void parse_options(struct tcp_seg *g, const uint8_t *o, size_t n)
{
	size_t i = 0;

	while (i < n) {
		uint8_t kind = o[i], len;
		if (kind == 0)
			break;
		if (kind == 1) {
			i++;
			continue;
		}
		if (i + 1 >= n || (len = o[i + 1]) < 2 || i + len > n)
			break;
		if (kind == 2 && len == 4)
			g->mss = get16(o + i + 2);
		else if (kind == 3 && len == 3)
			g->wscale = o[i + 2];
		i += len;
	}
}

static struct sock *tcp_lookup(struct net *st, const struct tcp_seg *g)
{
	struct sock *listener = NULL;

	for (uint32_t i = 0; i < st->cfg.max_sockets; i++) {
		struct sock *s = &st->socks[i];
		if (!s->used || s->type != NET_SOCK_STREAM || s->local.port != g->dport)
			continue;
		if (s->tcb.state == NET_TCP_LISTEN) {
			if ((s->local.ip == NET_ANY || s->local.ip == g->dst) && !listener)
				listener = s;
		} else if (s->tcb.state != NET_TCP_CLOSED && s->local.ip == g->dst &&
			   s->remote.ip == g->src && s->remote.port == g->sport) {
			return s;
		}
	}
	return listener;
}

/* RFC 793's reset for a segment nobody wants. */
static void reply_rst(struct net *st, const struct tcp_seg *g)
{
	if (g->flags & TH_RST)
		return;
	if (g->flags & TH_ACK)
		tcp_send_rst(st, g->dst, g->src, g->dport, g->sport, g->ack, 0, false);
	else
		tcp_send_rst(st, g->dst, g->src, g->dport, g->sport, 0,
			     g->seq + g->len + !!(g->flags & TH_SYN) + !!(g->flags & TH_FIN), true);
}

/* A listener's queue full of half-open connections whose peers never answered (a SYN flood
 * from forged addresses, or peers gone mid-handshake) would refuse every new SYN until their
 * handshakes time out, minutes later. So a half-open child that has had to retransmit its
 * SYN-ACK twice (about 3 s unanswered) gives its place up to the new SYN (the one that
 * retransmitted most, as BSD's syncache drops its oldest entry). A burst of real
 * connections is not touched, even from a slow peer: they answer within seconds; nor are
 * completed connections waiting for accept. */
#define HALF_OPEN_STALE_RETRIES 2
static bool evict_stale_half_open(struct net *st, struct sock *l)
{
	int lidx = sock_idx(st, l), best = -1;

	for (uint32_t i = 0; i < st->cfg.max_sockets; i++) {
		struct sock *c = &st->socks[i];
		if (c->used && c->parent == lidx && c->tcb.state == NET_TCP_SYN_RCVD &&
		    c->tcb.retransmits >= HALF_OPEN_STALE_RETRIES &&
		    (best < 0 || c->tcb.retransmits > st->socks[best].tcb.retransmits))
			best = (int)i;
	}
	if (best < 0)
		return false;
	st->st.tcp_half_open_evicted++;
	tcp_drop(st, &st->socks[best], ETIMEDOUT);
	return true;
}

static void listen_input(struct net *st, struct sock *l, const struct tcp_seg *g)
{
	struct sock *c;
	int idx;

	if (g->flags & TH_RST)
		return;
	if (g->flags & TH_ACK) {
		reply_rst(st, g);
		return;
	}
	if (!(g->flags & TH_SYN))
		return;
	if (l->n_pending >= l->backlog && !evict_stale_half_open(st, l)) {
		st->st.tcp_backlog_drops++;
		return;
	}
	if (sock_alloc(st, NET_SOCK_STREAM, &idx) < 0)
		return;
	c = &st->socks[idx];
	c->local = (struct net_addr){ g->dst, g->dport };
	c->remote = (struct net_addr){ g->src, g->sport };
	c->bound = c->connected = true;
	c->sndbuf = l->sndbuf;
	c->rcvbuf = l->rcvbuf;
	c->nodelay = l->nodelay;
	c->keepalive = l->keepalive;
	if (sock_bufs(st, c) < 0) {
		sock_free(st, idx);
		return;
	}
	c->parent = (int16_t)sock_idx(st, l);
	l->n_pending++;
	tcp_init_tcb(st, c);
	tcp_set_mss(st, c, g->mss, g->wscale);
	c->tcb.irs = g->seq;
	c->tcb.rcv_nxt = c->tcb.rcv_adv = g->seq + 1;
	c->tcb.iss = c->tcb.snd_una = c->tcb.snd_nxt = c->tcb.snd_max = tcp_isn(st, c);
	c->tcb.snd_wnd = c->tcb.max_sndwnd = g->wnd;
	c->tcb.snd_wl1 = g->seq;
	c->tcb.snd_wl2 = c->tcb.iss;
	tcp_set_state(st, c, NET_TCP_SYN_RCVD);
	tcp_output(st, c);
}

static void synack_done(struct net *st, struct sock *s, const struct tcp_seg *g, uint32_t wnd)
{
	struct tcb *t = &s->tcb;

	t->snd_una = g->ack;
	if (seq_lt(t->snd_nxt, t->snd_una))
		t->snd_nxt = t->snd_una;
	t->snd_wnd = t->max_sndwnd = wnd;
	t->snd_wl1 = g->seq;
	t->snd_wl2 = g->ack;
	t->t_rexmt = 0;
	t->backoff = 0;
	if (t->rtt_timing) {
		tcp_rtt_sample(st, t, (uint32_t)(st->now - t->rtt_start));
		t->rtt_timing = false;
	}
	tcp_init_cwnd(t);
	tcp_set_state(st, s, NET_TCP_ESTABLISHED);
}

static void synsent_input(struct net *st, struct sock *s, const struct tcp_seg *g)
{
	struct tcb *t = &s->tcb;
	bool ack_ok = false;

	if (g->flags & TH_ACK) {
		if (seq_leq(g->ack, t->iss) || seq_gt(g->ack, t->snd_max)) {
			reply_rst(st, g);
			return;
		}
		ack_ok = true;
	}
	if (g->flags & TH_RST) {
		if (ack_ok) {
			st->st.tcp_rst_in++;
			tcp_drop(st, s, ECONNREFUSED);
		}
		return;
	}
	if (!(g->flags & TH_SYN))
		return;
	t->irs = g->seq;
	t->rcv_nxt = t->rcv_adv = g->seq + 1;
	tcp_set_mss(st, s, g->mss, g->wscale);
	if (ack_ok) {
		synack_done(st, s, g, g->wnd);
		t->ack_now = true;
	} else {                        /* simultaneous open */
		t->snd_wnd = t->max_sndwnd = g->wnd;
		t->snd_wl1 = g->seq;
		t->snd_nxt = t->iss;
		tcp_set_state(st, s, NET_TCP_SYN_RCVD);
	}
	tcp_output(st, s);
}

static bool acceptable(const struct sock *s, const struct tcp_seg *g, uint32_t seglen)
{
	uint32_t nxt = s->tcb.rcv_nxt, wnd = ring_free(&s->rcv);

	if (g->seq == nxt)
		return true;    /* zero-window probes too: their ACK still counts */
	if (wnd == 0)
		return false;
	if (seglen == 0)
		return seq_leq(nxt, g->seq) && seq_lt(g->seq, nxt + wnd);
	return (seq_leq(nxt, g->seq) && seq_lt(g->seq, nxt + wnd)) ||
	       (seq_leq(nxt, g->seq + seglen - 1) && seq_lt(g->seq + seglen - 1, nxt + wnd));
}

/* An ACK in answer to a segment we could not use (out of window, acknowledging the future,
   a blind RST or SYN). Two ends that disagree on the sequence numbers would answer each
   other's such ACKs for ever (an ACK war); without data, one answer per NET_OOW_ACK_MS
   (as Linux's tcp_invalid_ratelimit). A data segment always gets its duplicate ACK: the
   sender needs it to recover. */
void tcp_ack_unusable(struct net *st, struct sock *s, const struct tcp_seg *g)
{
	struct tcb *t = &s->tcb;

	if (!g->len && t->last_oow_ack && st->now - t->last_oow_ack < NET_OOW_ACK_MS)
		return;
	t->last_oow_ack = st->now;
	t->ack_now = true;
	tcp_output(st, s);
}

static void challenge_ack(struct net *st, struct sock *s, const struct tcp_seg *g)
{
	st->st.tcp_challenge_acks++;
	tcp_ack_unusable(st, s, g);
}

/* An RST that passed the window test: only the exact next sequence number resets. */
static void rst_input(struct net *st, struct sock *s, const struct tcp_seg *g)
{
	uint8_t state = s->tcb.state;

	if (g->seq != s->tcb.rcv_nxt) {
		challenge_ack(st, s, g);
		return;
	}
	st->st.tcp_rst_in++;
	if (state == NET_TCP_CLOSING || state == NET_TCP_LAST_ACK || state == NET_TCP_TIME_WAIT)
		tcp_closed(st, s);
	else
		tcp_drop(st, s, state == NET_TCP_SYN_RCVD && s->parent < 0 ? ECONNREFUSED : ECONNRESET);
}

/* SYN_RCVD: the ACK of our SYN completes the handshake. */
static bool synrcvd_ack(struct net *st, struct sock *s, const struct tcp_seg *g)
{
	struct tcb *t = &s->tcb;

	if (!seq_gt(g->ack, t->snd_una) || seq_gt(g->ack, t->snd_max)) {
		reply_rst(st, g);
		return false;
	}
	synack_done(st, s, g, g->wnd << t->snd_wscale);
	return true;
}

static void sync_input(struct net *st, struct sock *s, struct tcp_seg *g)
{
	struct tcb *t = &s->tcb;
	uint32_t seglen = g->len + !!(g->flags & TH_SYN) + !!(g->flags & TH_FIN);

	if (t->state == NET_TCP_SYN_RCVD && (g->flags & TH_SYN) && g->seq == t->irs) {
		if (!(g->flags & TH_ACK)) {     /* its SYN again: our SYN-ACK again */
			t->snd_nxt = t->iss;
			tcp_output(st, s);
			return;
		}
		g->flags &= (uint8_t)~TH_SYN;   /* simultaneous open: the SYN-ACK's ACK counts */
		g->seq++;
		seglen--;
	}
	if (!acceptable(s, g, seglen)) {
		st->st.tcp_out_of_window++;
		if (!(g->flags & TH_RST))
			tcp_ack_unusable(st, s, g);
		return;
	}
	if (g->flags & TH_RST) {
		rst_input(st, s, g);
		return;
	}
	if (g->flags & TH_SYN) {        /* RFC 5961 4.2: never a reset on a SYN */
		challenge_ack(st, s, g);
		return;
	}
	if (!(g->flags & TH_ACK))
		return;
	if (t->state == NET_TCP_SYN_RCVD ? !synrcvd_ack(st, s, g) : !tcp_ack_input(st, s, g))
		return;
	t->keep_probes = 0;
	if (s->keepalive && t->t_keep)
		t->t_keep = st->now + st->cfg.keep_idle_ms;
	tcp_data_input(st, s, g);
	if (s->used && t->state != NET_TCP_CLOSED)
		tcp_output(st, s);
}

static bool parse(struct tcp_seg *g, const uint8_t *ip, const uint8_t *p, size_t len)
{
	size_t doff;

	if (len < NET_TCP_HDR || (doff = (size_t)(p[12] >> 4) * 4) < NET_TCP_HDR || doff > len)
		return false;
	*g = (struct tcp_seg){ .src = get32(ip + 12), .dst = get32(ip + 16), .sport = get16(p),
		.dport = get16(p + 2), .seq = get32(p + 4), .ack = get32(p + 8), .flags = p[13] & 0x3f,
		.wnd = get16(p + 14), .data = p + doff, .len = (uint32_t)(len - doff), .wscale = -1 };
	parse_options(g, p + NET_TCP_HDR, doff - NET_TCP_HDR);
	return g->sport && g->dport;
}

void tcp_input(struct net *st, const uint8_t *ip, const uint8_t *p, size_t len)
{
	struct tcp_seg g;
	struct sock *s;

	if (!parse(&g, ip, p, len)) {
		st->st.rx_bad++;
		return;
	}
	if (net_csum(net_pseudo(g.src, g.dst, IPPROTO_TCP_, (uint32_t)len), p, len) != 0) {
		st->st.tcp_bad_csum++;
		st->st.rx_bad++;
		return;
	}
	st->st.tcp_in++;
	s = tcp_lookup(st, &g);
	if (s && s->tcb.state == NET_TCP_TIME_WAIT && (g.flags & (TH_SYN | TH_ACK | TH_RST)) == TH_SYN &&
	    seq_gt(g.seq, s->tcb.rcv_nxt)) {
		tcp_closed(st, s);      /* a new incarnation of the connection (RFC 1122 4.2.2.13) */
		s = tcp_lookup(st, &g);
	}
	if (!s)
		reply_rst(st, &g);
	else if (s->tcb.state == NET_TCP_LISTEN)
		listen_input(st, s, &g);
	else if (s->tcb.state == NET_TCP_SYN_SENT)
		synsent_input(st, s, &g);
	else
		sync_input(st, s, &g);
}
