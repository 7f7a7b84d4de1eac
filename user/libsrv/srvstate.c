/* libsrv: state memory and the replacement protocol's server side (see srvstate.h). */
#include "srvstate.h"
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include "libtessera.h"
#include "srv.h"

static struct srv_state_hdr *cur;      /* the state this server keeps */
static int predecessor;

static uint64_t pages_for(size_t bytes)
{
	return bytes ? (bytes + 4095) / 4096 : 1;
}

/* A new header ICA with a zeroed root of root_size bytes after it. */
static int arena_new(const struct srv_desc *d, size_t root_size, struct srv_state_hdr **out)
{
	size_t off = (sizeof(struct srv_state_hdr) + 63) & ~(size_t)63;
	struct t_ica t;
	int err = t_ica_create(pages_for(off + root_size), 0, &t);
	if (err)
		return err;
	struct srv_state_hdr *h = (void *)(uintptr_t)t.addr;
	h->magic = SRV_STATE_MAGIC;
	h->version = d->version;
	strncpy(h->kind, d->kind, SRV_KIND_MAX - 1);
	h->root = (char *)h + off;
	h->n = 1;
	h->ica[0] = (struct srv_state_ica){ t.rid, t.addr, t.pages * 4096 };
	*out = h;
	return 0;
}

static void piece_free(const struct srv_state_ica *s)
{
	if (s->rid)
		t_res_delete(s->rid);
	else
		munmap((void *)(uintptr_t)s->addr, s->bytes);
}

/* Deletes every piece of an arena (the header's own ICA last). */
static void arena_free(struct srv_state_hdr *h)
{
	for (uint32_t i = h->n; i-- > 1;)
		piece_free(&h->ica[i]);
	t_res_delete(h->ica[0].rid);
}

void *srv_salloc(size_t bytes)
{
	struct t_ica t;
	if (!cur || cur->n == T_REPL_MAX_STATE || t_ica_create(pages_for(bytes), 0, &t))
		return NULL;
	cur->ica[cur->n++] = (struct srv_state_ica){ t.rid, t.addr, t.pages * 4096 };
	return (void *)(uintptr_t)t.addr;
}

void *srv_smap(size_t bytes)
{
	size_t len = pages_for(bytes) * 4096;
	if (!cur || cur->n == T_REPL_MAX_STATE)
		return NULL;
	/* no address asked for: a fresh system-wide one, which no space can have in use */
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return NULL;
	cur->ica[cur->n++] = (struct srv_state_ica){ 0, (uint64_t)(uintptr_t)p, len };
	return p;
}

static int find(const void *p)
{
	for (uint32_t i = 1; cur && p && i < cur->n; i++)
		if (cur->ica[i].addr == (uint64_t)(uintptr_t)p)
			return (int)i;
	return -1;
}

void srv_sfree(void *p)
{
	int i = find(p);
	if (i < 0)
		return;
	piece_free(&cur->ica[i]);
	cur->ica[i] = cur->ica[--cur->n];
}

void *srv_srealloc(void *p, size_t bytes)
{
	if (!p)
		return srv_salloc(bytes);
	int i = find(p);
	if (i < 0)
		return NULL;
	uint64_t old = cur->ica[i].bytes;
	if (bytes <= old)
		return p;
	void *n = cur->ica[i].rid ? srv_salloc(bytes) : srv_smap(bytes);
	if (!n)
		return NULL;
	memcpy(n, p, old);
	srv_sfree(p);
	return n;
}

rid_t srv_state_rid(const void *p)
{
	int i = find(p);
	return i < 0 ? 0 : cur->ica[i].rid;
}

void *srv_state_root(void)
{
	return cur ? cur->root : NULL;
}

int srv_state_predecessor(void)
{
	return predecessor;
}

/* The ids the server provides: its own list, else SVC_FNS ("3003,3004"). */
static uint32_t provided(const struct srv_desc *d, uint32_t *fns, uint32_t max)
{
	if (d->fns) {
		uint32_t n = d->nfn < max ? d->nfn : max;
		memcpy(fns, d->fns, n * sizeof(*fns));
		return n;
	}
	const char *s = getenv("SVC_FNS");
	uint32_t n = 0;
	while (s && *s && n < max) {
		char *end;
		unsigned long v = strtoul(s, &end, 0);
		if (end == s)
			break;
		if (v && v < T_FN_MAX)
			fns[n++] = (uint32_t)v;
		s = *end == ',' ? end + 1 : end;
	}
	return n;
}

/* The old state as the kernel handed it: a header of our kind listing exactly those pieces,
 * at the addresses the kernel says. */
static int check_taken(const struct srv_desc *d, const struct t_repl_state *st,
		       struct srv_state_hdr **out)
{
	if (st->n < 1 || !st->item[0].rid || !st->item[0].addr || st->item[0].len < sizeof(**out))
		return -EPROTO;
	struct srv_state_hdr *h = (void *)(uintptr_t)st->item[0].addr;
	if (h->magic != SRV_STATE_MAGIC || h->n != st->n || h->version != st->version ||
	    strncmp(h->kind, d->kind, SRV_KIND_MAX) != 0)
		return -EPROTO;
	for (uint32_t i = 0; i < st->n; i++)
		if (h->ica[i].rid != st->item[i].rid || h->ica[i].addr != st->item[i].addr ||
		    !st->item[i].addr)
			return -EPROTO;
	*out = h;
	return 0;
}

/* Adopt (maybe convert) the old state, register, and after the commit own it. */
static int take_over(const struct srv_desc *d, void *ctx, const struct t_repl_state *st,
		     void **root)
{
	struct srv_state_hdr *old, *fresh = NULL;
	void *r = NULL;
	int err = check_taken(d, st, &old);
	if (!err && d->version != st->version && !d->adopt)
		err = -EPROTO;
	if (!err && d->adopt) {
		/* a conversion writes new state memory only; the old stays as it came */
		if (d->version != st->version && !(err = arena_new(d, 0, &fresh)))
			cur = fresh;
		if (!err)
			err = d->adopt(old->root, st->version, &r, ctx);
	} else if (!err) {
		r = old->root;
	}
	if (err) {
		t_repl_abort(err);
		return err;
	}
	uint32_t fns[256];
	t_repl_declare(d->version);
	if ((err = t_repl_ready(fns, provided(d, fns, 256))))
		return err;
	predecessor = st->old_pid;
	if (fresh) {
		fresh->root = r;
		arena_free(old);              /* ours since the commit, and no longer needed */
	} else {
		cur = old;
	}
	*root = cur->root;
	return d->resume ? d->resume(*root, ctx) : 0;
}

int srv_state_start(const struct srv_desc *d, void *ctx, void **root, int *replaced)
{
	struct t_repl_state *st = calloc(1, sizeof(*st));
	if (!st)
		return -ENOMEM;
	int err = t_repl_take(st);
	*replaced = err == 0;
	if (!err) {
		err = take_over(d, ctx, st, root);
	} else if (err == -ESRCH) {
		err = arena_new(d, d->root_size, &cur);
		if (!err)
			err = d->init ? d->init(cur->root, ctx) : 0;
		if (!err)
			err = t_repl_declare(d->version);
		*root = cur ? cur->root : NULL;
	}
	free(st);
	return err;
}

int srv_state_handover(const struct srv_desc *d, void *ctx)
{
	struct t_repl_item items[T_REPL_MAX_STATE];
	int err = d->quiesce ? d->quiesce(cur->root, ctx) : 0;
	if (err) {
		t_repl_handover(NULL, 0, 0);    /* version 0: refused, nothing handed over */
		return err;
	}
	for (uint32_t i = 0; i < cur->n; i++)
		items[i] = (struct t_repl_item){ cur->ica[i].rid, cur->ica[i].addr,
						 cur->ica[i].bytes };
	err = t_repl_handover(items, cur->n, cur->version);
	/* still here: the replacement failed, and the state is back where it was */
	if (d->rolled_back)
		d->rolled_back(cur->root, ctx);
	return err;
}

int srv_state_loop(const struct srv_desc *d, srv_handler handle, void *ctx)
{
	struct t_msg m;
	int err = t_srv_recv(&m, 0);
	while (err >= 0) {
		if (m.fn == T_FN_REPLACE || m.fn == T_FN_IRQ) {
			if (m.fn == T_FN_REPLACE)
				srv_state_handover(d, ctx);
			else
				handle(&m, ctx);
			err = t_srv_recv(&m, 0);
			continue;
		}
		m.status = handle(&m, ctx);
		err = t_srv_reply_recv(&m, 0);
	}
	return err;
}
