/* tnode_migrate_space (see tnode.h): a whole space with all its processes, in one stream.
 * Each is frozen with TMF_SPACE (the kernel lets a process that shares its space freeze
 * then, and lets none of them commit before all are frozen), sent BEGIN ... END held, then
 * GO starts them all together in one new space there and each gets its DONE; only then does
 * each commit here. Any refusal or failure before the DONEs thaws them all. */
#include "tmig.h"
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "libtessera.h"

struct space_mig {
	int n;
	struct mig *m;                 /* one per process, sharing the stream and buffer */
	int *rpid;
	char *buf;
};

/* The processes of space (0: none), at most max, into pids. */
static int members(rid_t space, int *pids, int max)
{
	struct t_res_info in;
	int n = 0;
	for (rid_t r = 0; t_res_next(RT_PROCESS, r, &r) == 0 && n < max;) {
		if (t_res_info(r, &in) || in.v[2] == TPS_ZOMBIE || in.v[2] == TPS_REMOTE)
			continue;
		for (uint32_t i = 0; i < in.nrefs && i < T_MAX_REFS; i++)
			if (in.refs[i].rid == space) {
				pids[n++] = (int)in.v[0];
				break;
			}
	}
	return n;
}

static int alloc_all(struct space_mig *s, struct tnode_mig_stats *st)
{
	if (!(s->buf = malloc(TMIG_BUF_BYTES)))
		return -ENOMEM;
	for (int i = 0; i < s->n; i++) {
		struct mig *m = &s->m[i];
		m->buf = s->buf;
		m->img = malloc(sizeof(*m->img));
		m->segs = malloc(sizeof(*m->segs) * T_MIG_MAXSEG);
		m->args = malloc(T_MIG_ARGS_MAX);
		m->st = st;
		if (!m->img || !m->segs || !m->args)
			return -ENOMEM;
	}
	return 0;
}

static void free_all(struct space_mig *s)
{
	for (int i = 0; i < s->n; i++) {
		free(s->m[i].img);
		free(s->m[i].segs);
		free(s->m[i].args);
	}
	free(s->m);
	free(s->rpid);
	free(s->buf);
}

static void thaw_all(struct space_mig *s, int frozen)
{
	for (int i = 0; i < frozen; i++)
		t_mig_thaw(s->m[i].pid);
}

/* Every process frozen (0), or none (the refusal's reason in st->why, its pid in *who). */
static int freeze_all(struct space_mig *s, struct tnode_mig_stats *st, int *who)
{
	for (int i = 0; i < s->n; i++) {
		struct mig *m = &s->m[i];
		int err = t_mig_freeze(m->pid, m->img, m->segs, m->args, TMF_SPACE, &st->why);
		if (err) {
			*who = m->pid;
			thaw_all(s, i);
			return err;
		}
	}
	return 0;
}

static int send_all_of(struct space_mig *s, int fd)
{
	int err = 0;
	for (int i = 0; i < s->n && !err; i++) {
		uint64_t sent = 0;                 /* each END counts its own process's pages */
		s->m[i].fd = fd;
		err = tmig_send_begin(&s->m[i], NULL, NPMB_HOLD | (i ? NPMB_SAME_SPACE : 0));
		if (!err)
			err = tmig_send_pages(&s->m[i], &sent);
		s->m[0].st->pages += sent;
		s->m[0].st->bytes += sent * PAGE;
	}
	struct np_mig_hdr go = { .magic = NP_MAGIC, .type = NPM_GO };
	return err ? err : tmig_send_all(fd, &go, sizeof(go));
}

/* The DONEs, one per process in order (1: all came); FAIL or a broken stream: 0 or its error,
 * after asking the node about each (a broken stream after GO may have started them). */
static int answers(struct space_mig *s, int fd, int err)
{
	int got = 0;
	for (; !err && got < s->n; got++) {
		struct np_mig_hdr h;
		if ((err = tmig_recv_all(fd, &h, sizeof(h))))
			break;
		if (h.magic != NP_MAGIC || h.type != NPM_DONE || h.value <= 0)
			return h.type == NPM_FAIL && h.value < 0 ? (int)h.value : -EPROTO;
		s->rpid[got] = (int)h.value;
	}
	if (got == s->n)
		return 1;
	for (int i = 0; i < s->n; i++)
		if (!tmig_ask(&s->m[i], &s->rpid[i]))
			return err;              /* not all of them there: none commits */
	return 1;
}

static int move_frozen(struct space_mig *s, uint32_t node)
{
	int fd, err = tmig_connect(node, &fd);
	if (err)
		return err;
	int k = answers(s, fd, send_all_of(s, fd));
	close(fd);
	if (k != 1)
		return k ? k : -EIO;
	for (int i = 0; i < s->n; i++)
		if ((err = tmig_commit(&s->m[i], s->rpid[i])))
			return err;              /* ended here meanwhile: its copy was killed there */
	return 0;
}

int tnode_migrate_space(rid_t space, uint32_t node, struct tnode_mig_stats *st, int *who)
{
	int pids[T_MIG_MAXSEG];
	struct space_mig s = { .n = members(space, pids, T_MIG_MAXSEG) };
	uint64_t t0 = tmig_now_ns();
	memset(st, 0, sizeof(*st));
	*who = 0;
	if (!s.n)
		return -ESRCH;
	if (!node || node > T_NODE_MAX || node == tnode_self())
		return -EINVAL;
	s.m = calloc((size_t)s.n, sizeof(*s.m));
	s.rpid = calloc((size_t)s.n, sizeof(*s.rpid));
	int err = s.m && s.rpid ? 0 : -ENOMEM;
	for (int i = 0; !err && i < s.n; i++)
		s.m[i].pid = pids[i], s.m[i].node = node;
	if (!err && !(err = alloc_all(&s, st)) && !(err = freeze_all(&s, st, who))) {
		uint64_t t_stop = tmig_now_ns();
		if ((err = move_frozen(&s, node)))
			thaw_all(&s, s.n);           /* those still frozen go on here */
		st->down_ns = tmig_now_ns() - t_stop;
		st->remote_pid = err ? 0 : s.rpid[0];
	}
	st->total_ns = tmig_now_ns() - t0;
	if (s.m)
		free_all(&s);
	return err;
}
