/*
 * TCP timers, each a deadline in the connection: retransmission with the RTO of RFC 6298
 * (estimated from samples, Karn's rule, doubled on every timeout, the connection dropped after
 * too many), the persist timer probing a zero window, keepalive probes, and the end of
 * TIME_WAIT (2*MSL) or of an orphan's FIN_WAIT_2.
 */
#include "servers/net/net_int.h"
#include "abi/errno.h"

void tcp_rtt_sample(struct net *st, struct tcb *t, uint32_t ms)
{
	uint32_t rto;

	if (!t->srtt8) {                /* the first sample */
		t->srtt8 = ms > 0 ? ms * 8 : 1;
		t->rttvar4 = ms * 2;
	} else {
		int64_t err = (int64_t)ms - t->srtt8 / 8;
		int64_t var = (int64_t)t->rttvar4 + (err < 0 ? -err : err) - t->rttvar4 / 4;
		int64_t srtt = (int64_t)t->srtt8 + err;
		t->srtt8 = srtt > 1 ? (uint32_t)srtt : 1;
		t->rttvar4 = var > 0 ? (uint32_t)var : 0;
	}
	rto = t->srtt8 / 8 + (t->rttvar4 > 1 ? t->rttvar4 : 1);
	if (rto < st->cfg.rto_min_ms)
		rto = st->cfg.rto_min_ms;
	if (rto > st->cfg.rto_max_ms)
		rto = st->cfg.rto_max_ms;
	t->rto = rto;
}

static void rexmt_timeout(struct net *st, struct sock *s)
{
	struct tcb *t = &s->tcb;
	bool syn = t->state == NET_TCP_SYN_SENT || t->state == NET_TCP_SYN_RCVD;
	uint32_t flight = t->snd_max - t->snd_una;

	t->t_rexmt = 0;
	if (t->backoff >= (syn ? st->cfg.syn_retries : st->cfg.tcp_retries)) {
		st->st.tcp_timeouts++;
		tcp_drop(st, s, ETIMEDOUT);
		return;
	}
	t->backoff++;
	t->rto = t->rto * 2 < st->cfg.rto_max_ms ? t->rto * 2 : st->cfg.rto_max_ms;
	t->ssthresh = flight / 2 > 2 * t->snd_mss ? flight / 2 : 2 * t->snd_mss;
	t->cwnd = t->snd_mss;
	t->in_recovery = false;
	t->dupacks = 0;
	t->rtt_timing = false;
	t->snd_nxt = syn ? t->iss : t->snd_una;
	st->st.tcp_timeouts++;
	tcp_output(st, s);
}

/* The window is closed (or too small to use) with data waiting: send a byte beyond it. */
static void persist_timeout(struct net *st, struct sock *s)
{
	struct tcb *t = &s->tcb;
	uint32_t iv;

	t->t_persist = 0;
	if (s->snd.len <= t->snd_nxt - t->snd_una || t->t_rexmt)
		return;
	if (t->snd_wnd) {               /* open but too small for the sender's rules: use it */
		uint32_t len = s->snd.len - (t->snd_nxt - t->snd_una);
		if (len > t->snd_wnd)
			len = t->snd_wnd;
		if (len > t->snd_mss)
			len = t->snd_mss;
		tcp_send_segment(st, s, t->snd_nxt, TH_ACK, t->snd_nxt - t->snd_una, len);
		t->snd_nxt += len;
		if (seq_gt(t->snd_nxt, t->snd_max))
			t->snd_max = t->snd_nxt;
		t->t_rexmt = st->now + t->rto;
		return;
	}
	st->st.tcp_zero_window_probes++;
	tcp_send_segment(st, s, t->snd_nxt, TH_ACK, t->snd_nxt - t->snd_una, 1);
	if (seq_gt(t->snd_nxt + 1, t->snd_max))
		t->snd_max = t->snd_nxt + 1;
	if (t->persist_shift < 12)
		t->persist_shift++;
	iv = t->rto << t->persist_shift;
	t->t_persist = st->now + (iv < st->cfg.rto_max_ms ? iv : st->cfg.rto_max_ms);
}

static void keep_timeout(struct net *st, struct sock *s)
{
	struct tcb *t = &s->tcb;

	t->t_keep = 0;
	if (!s->keepalive || (t->state != NET_TCP_ESTABLISHED && t->state != NET_TCP_CLOSE_WAIT))
		return;
	if (t->keep_probes >= st->cfg.keep_cnt) {
		tcp_drop(st, s, ETIMEDOUT);
		return;
	}
	t->keep_probes++;
	st->st.tcp_keepalives++;
	tcp_send_segment(st, s, t->snd_una - 1, TH_ACK, 0, 0);
	t->t_keep = st->now + st->cfg.keep_intvl_ms;
}

void tcp_timers(struct net *st, struct sock *s)
{
	struct tcb *t = &s->tcb;

	if (t->t_rexmt && t->t_rexmt <= st->now)
		rexmt_timeout(st, s);
	if (s->used && t->t_persist && t->t_persist <= st->now)
		persist_timeout(st, s);
	if (s->used && t->t_keep && t->t_keep <= st->now)
		keep_timeout(st, s);
	if (s->used && t->t_close && t->t_close <= st->now)
		tcp_closed(st, s);
}

uint64_t tcp_deadline(const struct sock *s)
{
	const struct tcb *t = &s->tcb;
	uint64_t d = UINT64_MAX, v[4] = { t->t_rexmt, t->t_persist, t->t_keep, t->t_close };

	for (int i = 0; i < 4; i++)
		if (v[i] && v[i] < d)
			d = v[i];
	return d;
}
