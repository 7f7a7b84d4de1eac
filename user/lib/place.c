/* Placement of children's programs (abi/tessera.h TPL_*, docs/network.md): wrappers. */
#include <string.h>
#include "libtessera.h"
#include "tsys.h"

int t_place_set(int pid, uint32_t mode)
{
	return (int)tsys_t_place_set(pid, mode);
}

int t_place_info(int pid, struct t_place_info *out)
{
	return (int)tsys_t_place_info(pid, (long)out);
}

static const char *const mode_names[TPL_NMODES] = {
	[TPL_TENDER] = "tender", [TPL_UNIX] = "unix", [TPL_HVS] = "hvs",
};

const char *t_place_name(uint32_t mode)
{
	return mode < TPL_NMODES ? mode_names[mode] : "?";
}

int t_place_parse(const char *name)
{
	for (uint32_t m = 0; m < TPL_NMODES; m++)
		if (strcmp(name, mode_names[m]) == 0)
			return (int)m;
	return -1;
}

const char *t_place_exec_name(uint32_t how)
{
	static const char *const names[] = { "-", "in-place", "new-space", "parent-space" };
	return how < sizeof(names) / sizeof(names[0]) ? names[how] : "?";
}
