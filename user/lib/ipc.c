/* Wrappers of the container-box calls (HVS IPC, docs/ipc.md): cast the arguments and pass
 * the kernel's answer on. */
#include "libtessera.h"
#include "tsys.h"

int t_cbox_create(const char *name, uint32_t mode, rid_t *out)
{
	return (int)tsys_t_cbox_create((long)name, (long)mode, (long)out);
}

int t_cbox_send(rid_t box, const void *buf, size_t size, uint32_t flags)
{
	return (int)tsys_t_cbox_send((long)box, (long)buf, (long)size, (long)flags);
}

int t_cbox_recv(rid_t box, void *buf, size_t cap, uint32_t flags, size_t *len_out)
{
	return (int)tsys_t_cbox_recv((long)box, (long)buf, (long)cap, (long)flags, (long)len_out);
}

int t_cbox_open(const char *name, rid_t *out)
{
	return t_res_lookup(RT_CBOX, name, out);
}
