/* Wrappers of the outer core's calls: ICAs and server communication (abi/srv.h). */
#include "libtessera.h"
#include "tsys.h"

int t_ica_create(uint64_t pages, uint32_t flags, struct t_ica *out)
{
	return (int)tsys_t_ica_create((long)pages, (long)flags, (long)out);
}

int t_ica_attach(rid_t ica, uint64_t addr, struct t_ica *out)
{
	return (int)tsys_t_ica_attach((long)ica, (long)addr, (long)out);
}

int t_ica_detach(rid_t ica)
{
	return (int)tsys_t_ica_detach((long)ica);
}

int t_fn_register(uint32_t fn, int pid, uint32_t flags)
{
	return (int)tsys_t_fn_register((long)fn, (long)pid, (long)flags);
}

int t_srv_call(struct t_msg *io)
{
	return (int)tsys_t_srv_call((long)io);
}

int t_srv_send(const struct t_msg *req, uint64_t *id)
{
	return (int)tsys_t_srv_send((long)req, (long)id);
}

int t_srv_result(struct t_msg *out, uint32_t flags)
{
	return (int)tsys_t_srv_result((long)out, (long)flags);
}

int t_srv_recv(struct t_msg *out, uint32_t flags)
{
	return (int)tsys_t_srv_recv((long)out, (long)flags);
}

int t_srv_reply(const struct t_msg *res)
{
	return (int)tsys_t_srv_reply((long)res);
}

int t_srv_reply_recv(struct t_msg *io, uint32_t flags)
{
	return (int)tsys_t_srv_reply_recv((long)io, (long)flags);
}

int t_srv_stat(struct t_fn_stat *buf, uint32_t count, uint32_t *total)
{
	return (int)tsys_t_srv_stat((long)buf, (long)count, (long)total);
}

int t_repl_request(const struct t_repl_req *req, struct t_repl_result *res)
{
	return (int)tsys_t_repl_request((long)req, (long)res);
}

int t_repl_declare(uint32_t version)
{
	return (int)tsys_t_repl_declare((long)version);
}

int t_repl_handover(const struct t_repl_item *items, uint32_t n, uint32_t version)
{
	return (int)tsys_t_repl_handover((long)items, (long)n, (long)version);
}

int t_repl_take(struct t_repl_state *out)
{
	return (int)tsys_t_repl_take((long)out);
}

int t_repl_ready(const uint32_t *fns, uint32_t n)
{
	return (int)tsys_t_repl_ready((long)fns, (long)n);
}

int t_repl_abort(int status)
{
	return (int)tsys_t_repl_abort((long)status);
}

int t_repl_stat(uint32_t fn, struct t_repl_stat *out)
{
	return (int)tsys_t_repl_stat((long)fn, (long)out);
}
