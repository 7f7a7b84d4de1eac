/* The system's names (see uts.h). */
#include "kernel/proc/uts.h"
#include "abi/errno.h"
#include "kernel/lib/string.h"

const char uts_sysname[] = "Tessera";
const char uts_release[] = "0.1";
const char uts_version[] = "Tessera resource kernel";
const char uts_machine[] = "x86_64";

static char hostname[UTS_LEN + 1] = "tessera";

const char *uts_hostname(void)
{
	return hostname;
}

int uts_set_hostname(const char *name, size_t len)
{
	if (len > UTS_LEN)
		return -EINVAL;
	memcpy(hostname, name, len);
	hostname[len] = '\0';
	return 0;
}
