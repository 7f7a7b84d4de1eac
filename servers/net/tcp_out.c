/*
 * TCP sending: building segments (header, MSS and window-scale options on SYNs, data out of
 * the send ring), the advertised receive window, and tcp_output, which sends what the send
 * window, the congestion window (RFC 5681), Nagle's rule (RFC 896, off with TCP_NODELAY) and
 * sender-side silly window avoidance allow, then the pure ACK the receiver owes.
 */
#include "servers/net/net_int.h"
#include <string.h>

/* The window to advertise: the free receive buffer, held at zero while it is smaller than
   a segment and a quarter of the buffer, and never moving the right edge back (RFC 1122). */
uint32_t tcp_rcv_window(struct tcb *t, const struct ring *rcv, bool update)
{
	uint32_t wnd = ring_free(rcv), max = 65535u << t->rcv_wscale;
	uint32_t promised = t->rcv_adv - t->rcv_nxt;

	if (wnd < rcv->size / 4 && wnd < t->rcv_mss)
		wnd = 0;
	if (wnd > max)
		wnd = max;
	wnd = wnd >> t->rcv_wscale << t->rcv_wscale;
	if (seq_gt(t->rcv_adv, t->rcv_nxt) && wnd < promised)
		wnd = promised;
	if (update && seq_gt(t->rcv_nxt + wnd, t->rcv_adv))
		t->rcv_adv = t->rcv_nxt + wnd;
	return wnd;
}

static uint32_t put_syn_options(const struct tcb *t, uint8_t *o)
{
	o[0] = 2;               /* MSS */
	o[1] = 4;
	put16(o + 2, (uint16_t)t->rcv_mss);
	o[4] = 1;               /* NOP, then window scale */
	o[5] = 3;
	o[6] = 3;
	o[7] = t->rcv_wscale;
	return 8;
}

void tcp_send_segment(struct net *st, struct sock *s, uint32_t seq, uint8_t flags,
		      uint32_t data_off, uint32_t len)
{
	struct tcb *t = &s->tcb;
	uint8_t *p = ip_payload(st);
	uint32_t hlen = NET_TCP_HDR, wnd;
	struct route r;

	if (ip_route(st, s->remote.ip, &r) < 0) {
		st->st.tx_fail++;
		return;
	}
	r.src = s->local.ip;
	if (flags & TH_SYN)
		hlen += put_syn_options(t, p + NET_TCP_HDR);
	if (flags & TH_SYN)
		wnd = ring_free(&s->rcv) > 65535 ? 65535 : ring_free(&s->rcv);
	else
		wnd = tcp_rcv_window(t, &s->rcv, true) >> t->rcv_wscale;
	put16(p, s->local.port);
	put16(p + 2, s->remote.port);
	put32(p + 4, seq);
	put32(p + 8, (flags & TH_ACK) ? t->rcv_nxt : 0);
	p[12] = (uint8_t)(hlen / 4 << 4);
	p[13] = flags;
	put16(p + 14, (uint16_t)wnd);
	put32(p + 16, 0);       /* checksum, urgent pointer */
	if (len)
		ring_read_at(&s->snd, data_off, p + hlen, len);
	put16(p + 16, net_csum(net_pseudo(r.src, s->remote.ip, IPPROTO_TCP_, hlen + len), p, hlen + len));
	if (flags & TH_ACK)
		t->ack_now = false;
	st->st.tcp_out++;
	r.ttl = s->ttl;
	ip_send(st, &r, s->remote.ip, IPPROTO_TCP_, hlen + len);
}

void tcp_send_rst(struct net *st, uint32_t src, uint32_t dst, uint16_t sport, uint16_t dport,
		  uint32_t seq, uint32_t ack, bool with_ack)
{
	uint8_t *p = ip_payload(st);
	struct route r;

	if (ip_route(st, dst, &r) < 0)
		return;
	r.src = src;
	memset(p, 0, NET_TCP_HDR);
	put16(p, sport);
	put16(p + 2, dport);
	put32(p + 4, seq);
	put32(p + 8, with_ack ? ack : 0);
	p[12] = 5 << 4;
	p[13] = TH_RST | (with_ack ? TH_ACK : 0);
	put16(p + 16, net_csum(net_pseudo(src, dst, IPPROTO_TCP_, NET_TCP_HDR), p, NET_TCP_HDR));
	st->st.tcp_rst_out++;
	st->st.tcp_out++;
	ip_send(st, &r, dst, IPPROTO_TCP_, NET_TCP_HDR);
}

static void syn_output(struct net *st, struct sock *s)
{
	struct tcb *t = &s->tcb;

	if (t->snd_nxt != t->iss) {
		if (t->ack_now && t->state == NET_TCP_SYN_RCVD)
			tcp_send_segment(st, s, t->snd_nxt, TH_ACK, 0, 0);
		return;
	}
	if (t->snd_max != t->iss) {
		t->retransmits++;
		st->st.tcp_retransmits++;
	} else {
		t->rtt_timing = true;
		t->rtt_seq = t->iss;
		t->rtt_start = st->now;
	}
	tcp_send_segment(st, s, t->iss, TH_SYN | (t->state == NET_TCP_SYN_RCVD ? TH_ACK : 0), 0, 0);
	t->snd_nxt = t->iss + 1;
	t->snd_max = t->iss + 1;
	if (!t->t_rexmt)
		t->t_rexmt = st->now + t->rto;
}

static uint32_t min3(uint32_t a, uint32_t b, uint32_t c)
{
	uint32_t m = a < b ? a : b;
	return m < c ? m : c;
}

/* Whether the segment of len bytes (of avail unsent, inflight outstanding) may go now. */
static bool may_send(const struct sock *s, uint32_t len, uint32_t avail, uint32_t inflight)
{
	const struct tcb *t = &s->tcb;

	if (len == t->snd_mss)
		return true;
	if (len < avail)        /* the window cuts it: only if it is a fair share of it */
		return t->max_sndwnd && len >= t->max_sndwnd / 2;
	return s->nodelay || !inflight;         /* Nagle */
}

/* Send one segment if something may go; whether one did. */
static bool output_one(struct net *st, struct sock *s)
{
	struct tcb *t = &s->tcb;
	uint32_t off = t->snd_nxt - t->snd_una, avail, win, usable, len;
	bool fin;

	if (off > s->snd.len || t->fin_acked)
		return false;   /* the FIN is out */
	avail = s->snd.len - off;
	win = t->cwnd;
	if (!t->in_recovery && t->dupacks < 3)  /* limited transmit (RFC 3042): new data on */
		win += t->dupacks * t->snd_mss; /* the first two dup ACKs keeps the ACKs coming */
	if (t->snd_wnd < win)
		win = t->snd_wnd;
	usable = win > off ? win - off : 0;
	len = min3(avail, usable, t->snd_mss);
	fin = t->fin_queued && len == avail;
	if (len == 0 && !fin)
		return false;
	if (len && !may_send(s, len, avail, off) && !fin)
		return false;
	tcp_send_segment(st, s, t->snd_nxt, TH_ACK | (fin ? TH_FIN : 0) | (len && len == avail ? TH_PSH : 0),
			 off, len);
	if (seq_lt(t->snd_nxt, t->snd_max)) {
		t->retransmits++;
		st->st.tcp_retransmits++;
	} else if (!t->rtt_timing && len) {
		t->rtt_timing = true;
		t->rtt_seq = t->snd_nxt;
		t->rtt_start = st->now;
	}
	t->snd_nxt += len + fin;
	if (seq_gt(t->snd_nxt, t->snd_max))
		t->snd_max = t->snd_nxt;
	if (!t->t_rexmt)
		t->t_rexmt = st->now + t->rto;
	return true;
}

void tcp_output(struct net *st, struct sock *s)
{
	struct tcb *t = &s->tcb;

	switch (t->state) {
	case NET_TCP_SYN_SENT:
	case NET_TCP_SYN_RCVD:
		syn_output(st, s);
		return;
	case NET_TCP_CLOSED:
	case NET_TCP_LISTEN:
		return;
	case NET_TCP_TIME_WAIT:
		break;
	default:
		for (int n = 0; n < 256 && output_one(st, s); n++)
			;
		if (!t->t_rexmt && !t->t_persist && t->snd_nxt == t->snd_una &&
		    s->snd.len > t->snd_nxt - t->snd_una)
			t->t_persist = st->now + t->rto;        /* the window keeps the data back */
	}
	/* after a timeout snd_nxt is back at snd_una; a pure ACK carries the next new sequence
	   number, or the peer would find it old and ignore it (as BSD does) */
	if (t->ack_now)
		tcp_send_segment(st, s, t->snd_max, TH_ACK, 0, 0);
}

/* Fast retransmit and NewReno's partial ACKs: the first unacknowledged segment again. */
void tcp_retransmit_una(struct net *st, struct sock *s)
{
	struct tcb *t = &s->tcb;
	uint32_t len = min3(s->snd.len, t->snd_mss, t->snd_max - t->snd_una);
	bool fin = t->fin_queued && len == s->snd.len && t->snd_max == t->snd_una + s->snd.len + 1;

	if (!len && !fin)
		return;
	tcp_send_segment(st, s, t->snd_una, TH_ACK | (fin ? TH_FIN : 0), 0, len);
	t->retransmits++;
	st->st.tcp_retransmits++;
	t->rtt_timing = false;
	if (!t->t_rexmt)
		t->t_rexmt = st->now + t->rto;
}
