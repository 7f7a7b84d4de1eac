/* The receiver (see node.h): migrations coming in on TCP port NP_MIG_PORT, one at a time.
 * BEGIN makes the process here, not running (t_mig_create: the remote creation and the change
 * of space and program of the paper), PAGES fill its regions, END starts it (the change of
 * start position) and DONE tells the sender, which then lets go of its copy. Anything wrong
 * (a bad message, a stream that stops for MIG_IO_TIMEOUT_S, an error) discards the process
 * and answers FAIL if the stream still takes it: the sender's copy goes on there. This
 * process owns what it builds: if it dies, the kernel discards it too. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>
#include "libtessera.h"
#include "node.h"

#define MIG_IO_TIMEOUT_S 5
#define PAGE 4096u

/* Pages that came before BEGIN (pre-copy), kept in the order they came. */
struct pre_batch {
	struct pre_batch *next;
	uint32_t n;
	uint64_t addr[T_MIG_BATCH];
	char pages[T_MIG_BATCH * PAGE];
};

/* They live in arenas of ARENA_BYTES (one mapping each, not one per batch: a process has
 * room for a few hundred mappings, and pre-copy of 64 MiB brings more batches than that). */
#define ARENA_BYTES (16u << 20)
struct arena {
	struct arena *next;
	size_t used;
};

struct in_mig {
	struct arena *arenas;
	int fd, pid;
	uint64_t pages;
	char *buf;                    /* one PAGES body */
	struct pre_batch *pre, **pre_tail;
	struct t_mig_seg *segs;       /* BEGIN's regions, NPM_SEG_FRESH still in */
	uint32_t nseg;
	uint32_t flags;               /* BEGIN's NPMB_* */
	int held[T_MIG_MAXSEG];       /* a whole space: the processes built, waiting for GO */
	int nheld;
	rid_t space;                  /* ... and the space they share */
	int begun;                    /* a stream that stops before BEGIN is no failure to tell */
};

static int recv_all(int fd, void *buf, size_t n)
{
	for (size_t done = 0; done < n;) {
		ssize_t k = recv(fd, (char *)buf + done, n - done, 0);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return k < 0 ? -errno : -ECONNRESET;
		done += (size_t)k;
	}
	return 0;
}

static void answer(int fd, uint32_t type, int64_t value)
{
	struct np_mig_hdr h = { .magic = NP_MAGIC, .type = type, .value = value };
	send(fd, &h, sizeof(h), MSG_NOSIGNAL);
}

static int begin_body(struct in_mig *m, const struct np_mig_hdr *h, struct np_mig_begin *b,
		      struct t_mig_seg *segs, char *args)
{
	size_t seg_bytes;
	if (h->len < sizeof(*b))
		return -EPROTO;
	int err = recv_all(m->fd, b, sizeof(*b));
	if (err)
		return err;
	seg_bytes = (size_t)b->img.nseg * sizeof(*segs);
	if (b->img.nseg > T_MIG_MAXSEG || b->img.args_len > T_MIG_ARGS_MAX ||
	    h->len != sizeof(*b) + seg_bytes + b->img.args_len)
		return -EPROTO;
	if ((err = recv_all(m->fd, segs, seg_bytes)))
		return err;
	return b->img.args_len ? recv_all(m->fd, args, b->img.args_len) : 0;
}

static int begin(struct in_mig *m, const struct np_mig_hdr *h)
{
	struct np_mig_begin *b = malloc(sizeof(*b));
	struct t_mig_seg *segs = malloc(sizeof(*segs) * T_MIG_MAXSEG);
	char *args = malloc(T_MIG_ARGS_MAX);
	rid_t space = 0;
	m->segs = malloc(sizeof(*segs) * T_MIG_MAXSEG);
	int err = b && segs && args && m->segs ? begin_body(m, h, b, segs, args) : -ENOMEM;
	if (!err) {
		b->space_name[sizeof(b->space_name) - 1] = 0;
		m->flags = b->flags;
		if (b->flags & NPMB_SAME_SPACE)
			space = m->space;
		if ((b->flags & NPMB_SAME_SPACE) && !space)
			err = -EPROTO;
		else if (b->space_name[0] && !space)
			err = t_res_lookup(RT_VSPACE, b->space_name, &space);
		m->nseg = b->img.nseg;
		memcpy(m->segs, segs, sizeof(*segs) * m->nseg);
		for (uint32_t i = 0; i < m->nseg; i++)
			segs[i].flags &= ~NPM_SEG_FRESH;    /* the stream's, not the kernel's */
	}
	if (!err)
		err = t_mig_create(&b->img, segs, args, space, &m->pid);
	free(b);
	free(segs);
	free(args);
	return err;
}

/* ---- pre-copy ------------------------------------------------------------------------------ */

static void *arena_get(struct in_mig *m, size_t n)
{
	struct arena *a = m->arenas;
	if (!a || a->used + n > ARENA_BYTES) {
		a = mmap(NULL, ARENA_BYTES, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
			 -1, 0);
		if (a == MAP_FAILED)
			return NULL;
		a->next = m->arenas;
		a->used = 64;                       /* past the header, aligned */
		m->arenas = a;
	}
	void *p = (char *)a + a->used;
	a->used += (n + 63) & ~63ul;
	return p;
}

static int keep_pre(struct in_mig *m, const struct np_mig_hdr *h)
{
	struct pre_batch *b = arena_get(m, sizeof(*b));
	if (!b)
		return -ENOMEM;
	b->next = NULL;
	*m->pre_tail = b;
	m->pre_tail = &b->next;
	if (h->len < 8 + sizeof(b->addr))
		return -EPROTO;
	uint32_t pad;
	int err = recv_all(m->fd, &b->n, 4);
	if (!err)
		err = recv_all(m->fd, &pad, 4);
	if (!err)
		err = recv_all(m->fd, b->addr, sizeof(b->addr));
	if (!err && (b->n > T_MIG_BATCH || h->len != 8 + sizeof(b->addr) + (uint64_t)b->n * PAGE))
		err = -EPROTO;
	return err ? err : recv_all(m->fd, b->pages, b->n * PAGE);
}

/* Whether a kept page belongs in the process: in a region that is not new since. */
static int kept_fits(const struct in_mig *m, uint64_t addr)
{
	for (uint32_t i = 0; i < m->nseg; i++) {
		const struct t_mig_seg *s = &m->segs[i];
		if (addr >= s->addr && addr - s->addr < s->size)
			return !(s->flags & NPM_SEG_FRESH);
	}
	return 0;
}

/* The kept pages into the process, in the order they came (a later copy wins). */
static int apply_pre(struct in_mig *m)
{
	for (struct pre_batch *b = m->pre; b; b = b->next) {
		struct t_mig_pages io = { .buf = (uint64_t)b->pages };
		for (uint32_t i = 0; i < b->n; i++) {
			if (!kept_fits(m, b->addr[i]))
				continue;
			if (io.n != i)
				memmove(b->pages + io.n * PAGE, b->pages + i * PAGE, PAGE);
			io.addr[io.n++] = b->addr[i];
		}
		int err = io.n ? t_mig_write(m->pid, &io) : 0;
		if (err)
			return err;
	}
	return 0;
}

static void free_pre(struct in_mig *m)
{
	while (m->arenas) {
		struct arena *a = m->arenas;
		m->arenas = a->next;
		munmap(a, ARENA_BYTES);
	}
	m->pre = NULL;
	m->pre_tail = &m->pre;
}

static int pages(struct in_mig *m, const struct np_mig_hdr *h)
{
	struct {
		uint32_t n, pad;
		uint64_t addr[T_MIG_BATCH];
	} head;
	if (h->len < sizeof(head))
		return -EPROTO;
	int err = recv_all(m->fd, &head, sizeof(head));
	if (err)
		return err;
	if (head.n > T_MIG_BATCH || h->len != sizeof(head) + (uint64_t)head.n * PAGE)
		return -EPROTO;
	if ((err = recv_all(m->fd, m->buf, head.n * PAGE)))
		return err;
	struct t_mig_pages io = { .n = head.n, .buf = (uint64_t)m->buf };
	memcpy(io.addr, head.addr, sizeof(io.addr));
	m->pages += head.n;
	return t_mig_write(m->pid, &io);
}

/* The space process pid was made in. */
static rid_t space_of(int pid)
{
	rid_t rid;
	struct t_res_info in;
	if (t_proc_rid(pid, &rid) || t_res_info(rid, &in))
		return 0;
	for (uint32_t i = 0; i < in.nrefs && i < T_MAX_REFS; i++)
		if (RID_TYPE(in.refs[i].rid) == RT_VSPACE)
			return in.refs[i].rid;
	return 0;
}

/* One process, from its BEGIN (h) to its END: built, not started. */
static int build(struct in_mig *m, struct np_mig_hdr *h)
{
	int err;
	m->pages = 0;
	if ((err = begin(m, h)) || (err = apply_pre(m)))
		return err;
	free_pre(m);
	for (;;) {
		if ((err = recv_all(m->fd, h, sizeof(*h))))
			return err;
		if (h->magic != NP_MAGIC)
			return -EPROTO;
		if (h->type == NPM_END)
			break;
		if (h->type != NPM_PAGES || (err = pages(m, h)))
			return err ? err : -EPROTO;
	}
	return h->value < 0 || (uint64_t)h->value != m->pages ? -EPROTO : 0;
}

/* The next message that is not a pre-copied batch (those are kept). */
static int next_msg(struct in_mig *m, struct np_mig_hdr *h)
{
	for (;;) {
		int err = recv_all(m->fd, h, sizeof(*h));
		if (err || h->magic != NP_MAGIC)
			return err ? err : -EPROTO;
		if (h->type != NPM_PRE)
			return 0;
		m->begun = 1;
		if ((err = keep_pre(m, h)))
			return err;
	}
}

/* The processes of a whole space, after the first (built and held): more BEGINs, then GO
 * starts them all. */
static int take_space(struct in_mig *m)
{
	struct np_mig_hdr h;
	int err;
	m->space = space_of(m->pid);
	for (;;) {
		if (m->nheld == T_MIG_MAXSEG)
			return -E2BIG;
		m->held[m->nheld++] = m->pid;
		m->pid = 0;
		if ((err = next_msg(m, &h)))
			return err;
		if (h.type == NPM_GO)
			break;
		if (h.type != NPM_BEGIN || (err = build(m, &h)))
			return err ? err : -EPROTO;
	}
	for (int i = 0; i < m->nheld; i++)
		if ((err = t_mig_start(m->held[i], 0)))
			return err;              /* (a process never fails to start: memory) */
	for (int i = 0; i < m->nheld; i++)
		answer(m->fd, NPM_DONE, m->held[i]);
	m->nheld = 0;
	return 0;
}

/* One migration (a process, or a whole space): 0 when it runs here now and DONE went. */
static int take(struct in_mig *m)
{
	struct np_mig_hdr h;
	int err = next_msg(m, &h);
	if (err || h.type != NPM_BEGIN)
		return err ? err : -EPROTO;
	m->begun = 1;
	if ((err = build(m, &h)))
		return err;
	if (m->flags & NPMB_HOLD)
		return take_space(m);
	if ((err = t_mig_start(m->pid, 0)))
		return err;
	answer(m->fd, NPM_DONE, m->pid);
	return 0;
}

static void serve(int fd)
{
	struct timeval tv = { .tv_sec = MIG_IO_TIMEOUT_S };
	struct in_mig m = { .fd = fd, .buf = malloc(T_MIG_BATCH * PAGE) };
	m.pre_tail = &m.pre;
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	int err = m.buf ? take(&m) : -ENOMEM;
	if (err && m.pid)
		t_mig_discard(m.pid);
	for (int i = 0; err && i < m.nheld; i++)
		t_mig_discard(m.held[i]);
	if (err && m.begun)
		fprintf(stderr, "node: a migration to this node failed: %s\n", strerror(-err));
	if (err)
		answer(fd, NPM_FAIL, err);
	free_pre(&m);
	free(m.segs);
	free(m.buf);
	close(fd);
}

_Noreturn void recv_main(int parent)
{
	struct timeval tv = { .tv_sec = 1 };
	int one = 1, fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	int buf = NP_MIG_SOCKBUF;                  /* accepted streams inherit it */
	if (fd >= 0) {
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &buf, sizeof(buf));
		setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &buf, sizeof(buf));
	}
	if (fd < 0 || bind_port(fd, NP_MIG_PORT) < 0 || listen(fd, 4) < 0)
		_exit(1);
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));   /* accept waits 1 s */
	while (!parent_gone(parent)) {
		int c = accept(fd, NULL, NULL);
		if (c >= 0)
			serve(c);
	}
	_exit(0);
}
