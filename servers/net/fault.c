/*
 * The fault switch (`net -f DROP,DUP,REORDER`, per cent): a lossy link made on purpose, for
 * the tests of TCP's recovery. Every frame the server receives or sends passes here: it is
 * dropped, passed twice, or held back and passed after the next one, each with its chance.
 * A frame still held when the loop goes to sleep is passed then (nothing is lost for good
 * but what was dropped).
 */
#include <string.h>
#include "servers/net/server.h"

static uint32_t roll(struct nsrv_fault *f)
{
	f->rng ^= f->rng << 13;
	f->rng ^= f->rng >> 7;
	f->rng ^= f->rng << 17;
	return (uint32_t)(f->rng % 100);
}

void nsrv_fault_pass(struct nsrv_fault *f, nsrv_pass out, void *ctx, const void *frame,
		     size_t len)
{
	if (!f->on) {
		out(ctx, frame, len);
		return;
	}
	if (roll(f) < f->drop) {
		f->dropped++;
		return;
	}
	if (!f->held_len && len <= sizeof(f->held) && roll(f) < f->reorder) {
		memcpy(f->held, frame, len);
		f->held_len = len;
		f->reordered++;
		return;
	}
	out(ctx, frame, len);
	if (roll(f) < f->dup) {
		f->duplicated++;
		out(ctx, frame, len);
	}
	nsrv_fault_flush(f, out, ctx);
}

void nsrv_fault_flush(struct nsrv_fault *f, nsrv_pass out, void *ctx)
{
	size_t len = f->held_len;
	if (!len)
		return;
	f->held_len = 0;
	out(ctx, f->held, len);
}
