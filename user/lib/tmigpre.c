/* Pre-copy (see tmig.h): the process's memory goes while it runs, then again the pages it
 * wrote meanwhile (their dirty bits, t_mig_read TMP_DIRTY), round after round; only the
 * last round's changes go while it is stopped, so its downtime follows how fast it writes,
 * not its size. A region that appears between rounds (mmap, a new id) is read whole. */
#include "tmig.h"
#include <errno.h>
#include <string.h>
#include "libtessera.h"

#define TMIG_PRE_ROUNDS 8
#define TMIG_PRE_STOP 64               /* pages: few enough to send while stopped */

int tmig_seen(const struct mig *m, uint64_t id)
{
	for (uint32_t i = 0; i < m->nids; i++)
		if (m->ids[i] == id)
			return 1;
	return 0;
}

static int live_round(struct mig *m, int first, uint64_t *sent)
{
	int n = t_mig_layout(m->pid, m->segs);
	if (n < 0)
		return n;
	for (int i = 0; i < n; i++) {
		const struct t_mig_seg *s = &m->segs[i];
		uint32_t how = first || !tmig_seen(m, s->id) ? TMP_CLEAN : TMP_DIRTY;
		int err = tmig_send_seg(m, s, TMP_LIVE | how, NPM_PRE, sent);
		if (err)
			return err;
	}
	for (int i = 0; i < n; i++)
		m->ids[i] = m->segs[i].id;
	m->nids = (uint32_t)n;
	return 0;
}

int tmig_precopy(struct mig *m)
{
	uint64_t last = UINT64_MAX;
	for (int round = 0; round < TMIG_PRE_ROUNDS; round++) {
		uint64_t sent = 0;
		int err = live_round(m, round == 0, &sent);
		if (err)
			return err;
		m->st->rounds++;
		m->st->pages += sent;
		m->st->bytes += sent * PAGE;
		if (round && (sent <= TMIG_PRE_STOP || sent * 10 > last * 9))
			break;                     /* few enough, or not getting fewer */
		last = sent;
	}
	return 0;
}
