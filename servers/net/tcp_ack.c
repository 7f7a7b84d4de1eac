/*
 * The two halves of an accepted segment in a synchronized state: its acknowledgment (send
 * buffer release, RTT samples, congestion window, duplicate ACKs and fast retransmit with
 * NewReno recovery, the send window, our FIN acknowledged) and its data (trimmed to the
 * window, placed in the receive ring directly even when out of order, the remembered
 * out-of-order ranges merged when the gap fills, the peer's FIN).
 */
#include "servers/net/net_int.h"

/* flight: what was outstanding before this ACK. A window that was not used is no evidence
   that the network can take more (RFC 7661), or cwnd would grow without bound. */
static void cwnd_grow(struct tcb *t, uint32_t acked, uint32_t flight)
{
	uint32_t inc;

	if (flight + t->snd_mss < t->cwnd)
		return;
	if (t->cwnd < t->ssthresh)
		inc = acked < t->snd_mss ? acked : t->snd_mss;  /* slow start */
	else
		inc = t->snd_mss * t->snd_mss / t->cwnd ? t->snd_mss * t->snd_mss / t->cwnd : 1;
	if (t->cwnd < (1u << 30))
		t->cwnd += inc;
}

static void ack_new(struct net *st, struct sock *s, uint32_t ack)
{
	struct tcb *t = &s->tcb;
	uint32_t acked = ack - t->snd_una, flight = t->snd_max - t->snd_una;
	uint32_t data = acked > s->snd.len ? s->snd.len : acked;

	if (acked > s->snd.len)
		t->fin_acked = true;
	ring_drop(&s->snd, data);
	t->snd_una = ack;
	if (seq_lt(t->snd_nxt, t->snd_una))
		t->snd_nxt = t->snd_una;
	if (t->rtt_timing && seq_gt(ack, t->rtt_seq)) {
		tcp_rtt_sample(st, t, (uint32_t)(st->now - t->rtt_start));
		t->rtt_timing = false;
	}
	t->backoff = 0;
	if (t->in_recovery && seq_geq(ack, t->recover)) {
		uint32_t flight = t->snd_max - t->snd_una + t->snd_mss;
		t->cwnd = t->ssthresh < flight ? t->ssthresh : flight;
		t->in_recovery = false;
	} else if (t->in_recovery) {    /* partial ACK: the next hole, at once (RFC 6582) */
		tcp_retransmit_una(st, s);
		t->cwnd = t->cwnd > acked ? t->cwnd - acked + t->snd_mss : t->snd_mss;
	} else {
		cwnd_grow(t, acked, flight);
	}
	t->dupacks = 0;
	t->t_rexmt = t->snd_una == t->snd_max ? 0 : st->now + t->rto;
}

static void dup_ack(struct net *st, struct sock *s)
{
	struct tcb *t = &s->tcb;
	uint32_t flight = t->snd_max - t->snd_una;

	st->st.tcp_dup_acks++;
	if (++t->dupacks == 3 && !t->in_recovery) {
		t->ssthresh = flight / 2 > 2 * t->snd_mss ? flight / 2 : 2 * t->snd_mss;
		t->recover = t->snd_max;
		t->in_recovery = true;
		st->st.tcp_fast_retransmits++;
		tcp_retransmit_una(st, s);
		t->cwnd = t->ssthresh + 3 * t->snd_mss;
	} else if (t->dupacks > 3 && t->in_recovery) {
		t->cwnd += t->snd_mss;  /* each dup ACK: a segment has left the network */
	}
	tcp_output(st, s);
}

static void window_input(struct tcb *t, const struct tcp_seg *g)
{
	if (seq_lt(t->snd_wl1, g->seq) || (t->snd_wl1 == g->seq && seq_leq(t->snd_wl2, g->ack))) {
		t->snd_wnd = g->wnd << t->snd_wscale;
		t->snd_wl1 = g->seq;
		t->snd_wl2 = g->ack;
		if (t->snd_wnd > t->max_sndwnd)
			t->max_sndwnd = t->snd_wnd;
	}
	if (t->snd_wnd && t->t_persist) {
		t->t_persist = 0;
		t->persist_shift = 0;
	}
}

bool tcp_ack_input(struct net *st, struct sock *s, const struct tcp_seg *g)
{
	struct tcb *t = &s->tcb;
	uint32_t oldest = t->snd_una - (t->max_sndwnd ? t->max_sndwnd : 1);

	if (seq_gt(g->ack, t->snd_max) || seq_lt(g->ack, oldest)) {
		tcp_ack_unusable(st, s, g);     /* RFC 5961 5.2: not an ACK of anything we sent */
		return false;
	}
	if (seq_gt(g->ack, t->snd_una))
		ack_new(st, s, g->ack);
	else if (g->ack == t->snd_una && !g->len && !(g->flags & TH_FIN) &&
		 t->snd_wnd && (g->wnd << t->snd_wscale) == t->snd_wnd && t->snd_max != t->snd_una)
		dup_ack(st, s);
	window_input(t, g);
	if (!t->fin_acked)
		return true;
	if (t->state == NET_TCP_FIN_WAIT_1) {
		tcp_set_state(st, s, NET_TCP_FIN_WAIT_2);
	} else if (t->state == NET_TCP_CLOSING) {
		tcp_set_state(st, s, NET_TCP_TIME_WAIT);
	} else if (t->state == NET_TCP_LAST_ACK) {
		tcp_closed(st, s);
		return false;
	}
	return true;
}

static bool ooo_add(struct tcb *t, uint32_t start, uint32_t end)
{
	int i = 0, j;

	while (i < t->n_ooo && seq_lt(t->ooo[i].end, start))
		i++;
	if (i < t->n_ooo && seq_leq(t->ooo[i].start, end)) {    /* overlaps or touches */
		if (seq_lt(start, t->ooo[i].start))
			t->ooo[i].start = start;
		if (seq_gt(end, t->ooo[i].end))
			t->ooo[i].end = end;
		for (j = i + 1; j < t->n_ooo && seq_leq(t->ooo[j].start, t->ooo[i].end); j++)
			if (seq_gt(t->ooo[j].end, t->ooo[i].end))
				t->ooo[i].end = t->ooo[j].end;
		for (int k = j, d = i + 1; k < t->n_ooo; k++, d++)
			t->ooo[d] = t->ooo[k];
		t->n_ooo = (uint8_t)(t->n_ooo - (j - i - 1));
		return true;
	}
	if (t->n_ooo == NET_OOO_MAX)
		return false;
	for (j = t->n_ooo; j > i; j--)
		t->ooo[j] = t->ooo[j - 1];
	t->ooo[i] = (struct ooo_range){ start, end };
	t->n_ooo++;
	return true;
}

/* rcv_nxt moved: ranges it reached become in-order data. */
static void ooo_merge(struct sock *s)
{
	struct tcb *t = &s->tcb;
	int n = 0;

	while (n < t->n_ooo && seq_leq(t->ooo[n].start, t->rcv_nxt)) {
		if (seq_gt(t->ooo[n].end, t->rcv_nxt)) {
			s->rcv.len += t->ooo[n].end - t->rcv_nxt;
			t->rcv_nxt = t->ooo[n].end;
		}
		n++;
	}
	for (int i = n; i < t->n_ooo; i++)
		t->ooo[i - n] = t->ooo[i];
	t->n_ooo = (uint8_t)(t->n_ooo - n);
}

static void fin_input(struct net *st, struct sock *s)
{
	struct tcb *t = &s->tcb;

	t->rcv_nxt++;
	t->fin_rcvd = true;
	if (t->state == NET_TCP_ESTABLISHED)
		tcp_set_state(st, s, NET_TCP_CLOSE_WAIT);
	else if (t->state == NET_TCP_FIN_WAIT_1)
		tcp_set_state(st, s, t->fin_acked ? NET_TCP_TIME_WAIT : NET_TCP_CLOSING);
	else if (t->state == NET_TCP_FIN_WAIT_2)
		tcp_set_state(st, s, NET_TCP_TIME_WAIT);
}

/* Place data at its offset from rcv_nxt in the receive ring. */
static void place(struct net *st, struct sock *s, uint32_t seq, const uint8_t *d, uint32_t len)
{
	struct tcb *t = &s->tcb;
	uint32_t off = seq - t->rcv_nxt;

	ring_write_at(&s->rcv, s->rcv.len + off, d, len);
	if (off == 0) {
		s->rcv.len += len;
		t->rcv_nxt += len;
		ooo_merge(s);
	} else {
		st->st.tcp_ooo_segments++;
		ooo_add(t, seq, seq + len);
	}
}

void tcp_data_input(struct net *st, struct sock *s, const struct tcp_seg *g)
{
	struct tcb *t = &s->tcb;
	uint32_t seq = g->seq, len = g->len, free = ring_free(&s->rcv), off;
	const uint8_t *d = g->data;
	bool fin = g->flags & TH_FIN;

	if (!len && !fin)
		return;
	t->ack_now = true;
	if (t->state != NET_TCP_ESTABLISHED && t->state != NET_TCP_FIN_WAIT_1 &&
	    t->state != NET_TCP_FIN_WAIT_2) {
		if (fin && t->state == NET_TCP_TIME_WAIT)
			tcp_set_state(st, s, NET_TCP_TIME_WAIT);        /* its FIN again: 2MSL anew */
		return;
	}
	if (s->orphan && len) {
		tcp_abort(st, s);       /* nobody will read it */
		return;
	}
	if (seq_lt(seq, t->rcv_nxt)) {
		uint32_t old = t->rcv_nxt - seq;
		if (old > len) {
			return; /* all of it, FIN included, seen before */
		}
		d += old;
		len -= old;
		seq = t->rcv_nxt;
	}
	off = seq - t->rcv_nxt;
	if (off + len > free || off > free) {
		len = off >= free ? 0 : free - off;
		fin = false;
		st->st.tcp_out_of_window++;
	}
	if (len)
		place(st, s, seq, d, len);
	if (fin && seq + len == t->rcv_nxt)
		fin_input(st, s);
}
