/* Wrappers of the HVS calls (Heterogeneous Virtual Storage): spaces, moving processes,
 * free-standing data regions, and the paper's proccreate. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "libtessera.h"
#include "tsys.h"

int t_vm_create(const char *name, uint32_t mode, rid_t *out)
{
	return (int)tsys_t_vm_create((long)name, (long)mode, (long)out);
}

int t_proc_move(int pid, rid_t space)
{
	return (int)tsys_t_proc_move((long)pid, (long)space);
}

int t_region_create(uint64_t size, uint32_t prot, const char *name, rid_t *out)
{
	return (int)tsys_t_region_create((long)size, (long)prot, (long)name, (long)out);
}

int t_region_attach(rid_t region, rid_t space, rid_t *att_out)
{
	return (int)tsys_t_region_attach((long)region, (long)space, (long)att_out);
}

int t_kctl(int key, long value)
{
	return (int)tsys_t_kctl((long)key, value);
}

int t_proccreate(const char *name, const char *path, const char *const *argv, rid_t vmid,
		 uint32_t mode, int *pid_out)
{
	struct t_spawn req = { .path = path, .argv = argv, .name = name, .vspace = vmid,
			       .mode = mode, .prio = -1 };
	return t_proc_create(&req, pid_out);
}

uint64_t t_region_addr(rid_t region)
{
	struct t_res_info in;
	return t_res_info(region, &in) ? 0 : in.v[5];
}

rid_t t_proc_space(int pid)
{
	rid_t rid;
	struct t_res_info in;
	if (t_proc_rid(pid, &rid) || t_res_info(rid, &in))
		return 0;
	for (uint32_t i = 0; i < in.nrefs; i++)
		if (RID_TYPE(in.refs[i].rid) == RT_VSPACE)
			return in.refs[i].rid;
	return 0;
}

/* "0500000100000003" (an id as `res` prints it), "vspace:3" (type:index, the live one), or a
 * name looked up among resources of type 'type' (0: names are not accepted). */
int t_rid_parse(const char *s, uint32_t type, rid_t *out)
{
	char *end;
	const char *colon = strchr(s, ':');
	if (colon) {
		char tname[16];
		uint32_t t;
		size_t n = (size_t)(colon - s);
		if (n >= sizeof(tname))
			return -EINVAL;
		memcpy(tname, s, n);
		tname[n] = 0;
		unsigned long idx = strtoul(colon + 1, &end, 10);
		if (*end || t_type_parse(tname, &t))
			return -EINVAL;
		for (rid_t r = 0; t_res_next(t, r, &r) == 0;)
			if (RID_INDEX(r) == idx) {
				*out = r;
				return 0;
			}
		return -ENOENT;
	}
	unsigned long long v = strtoull(s, &end, 16);
	if (!*end && strlen(s) == 16) {
		*out = v;
		return 0;
	}
	return type ? t_res_lookup(type, s, out) : -EINVAL;
}
