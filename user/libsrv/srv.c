/* libsrv (see srv.h): the request loop and the ICA helpers. */
#include "srv.h"
#include "libtessera.h"

int srv_loop(srv_handler handle, void *ctx)
{
	struct t_msg m;
	int err = t_srv_recv(&m, 0);
	while (!err) {
		if (m.fn == T_FN_IRQ) {
			handle(&m, ctx);
			err = t_srv_recv(&m, 0);
			continue;
		}
		m.status = handle(&m, ctx);
		err = t_srv_reply_recv(&m, 0);
	}
	return err;
}

int srv_register(const uint32_t *fns, int n)
{
	for (int i = 0; i < n; i++) {
		int err = t_fn_register(fns[i], 0, 0);
		if (err)
			return err;
	}
	return 0;
}

int srv_ica_new(size_t bytes, struct t_ica *out)
{
	return t_ica_create((bytes + 4095) / 4096, 0, out);
}

int srv_ica_free(rid_t ica)
{
	return t_res_delete(ica);
}

void *srv_ctl(const struct t_msg *m)
{
	return m->ctl ? (void *)(uintptr_t)m->ctl_addr : NULL;
}

void *srv_data(const struct t_msg *m)
{
	return m->data ? (void *)(uintptr_t)m->data_addr : NULL;
}

uint64_t srv_ica_pages(rid_t ica)
{
	struct t_ica t;
	return t_ica_attach(ica, 0, &t) ? 0 : t.pages;
}
