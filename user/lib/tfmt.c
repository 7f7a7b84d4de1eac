/* Formatting helpers: how resources, modes and states are shown to people (sh, ps, res). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "abi/errno.h"
#include "libtessera.h"

static const char op_letters[5] = { 'r', 'u', 'm', 'd', 'v' };

static void put_ops(char *p, uint32_t ops)
{
	for (int i = 0; i < 5; i++)
		p[i] = (ops & (1u << i)) ? op_letters[i] : '-';
}

char *t_mode_str(uint32_t mode, char buf[T_MODE_STR_LEN])
{
	put_ops(buf, TMODE_OWNER(mode));
	buf[5] = '/';
	put_ops(buf + 6, TMODE_GROUP(mode));
	buf[11] = '/';
	put_ops(buf + 12, TMODE_OTHER(mode));
	buf[17] = '\0';
	return buf;
}

static int parse_ops(const char *p, uint32_t *ops)
{
	*ops = 0;
	for (int i = 0; i < 5; i++) {
		if (p[i] == op_letters[i])
			*ops |= 1u << i;
		else if (p[i] != '-')
			return -EINVAL;
	}
	return 0;
}

int t_mode_parse(const char *s, uint32_t *mode)
{
	uint32_t o, g, x;
	if (strlen(s) != 17 || s[5] != '/' || s[11] != '/')
		return -EINVAL;
	if (parse_ops(s, &o) || parse_ops(s + 6, &g) || parse_ops(s + 12, &x))
		return -EINVAL;
	*mode = TMODE(o, g, x);
	return 0;
}

static const char *const type_names[RT_NTYPES] = {
#define RESTYPE(name, nr, str) [RT_##name] = str,
#include "abi/restypes.def"
#undef RESTYPE
};

const char *t_type_name(uint32_t type)
{
	return type < RT_NTYPES && type_names[type] ? type_names[type] : "?";
}

int t_type_parse(const char *s, uint32_t *type)
{
	for (uint32_t t = 1; t < RT_NTYPES; t++) {
		if (type_names[t] && strcmp(s, type_names[t]) == 0) {
			*type = t;
			return 0;
		}
	}
	char *end;
	unsigned long n = strtoul(s, &end, 10);
	if (*s && !*end && n >= 1 && n < RT_NTYPES) {
		*type = (uint32_t)n;
		return 0;
	}
	return -EINVAL;
}

const char *t_state_name(uint32_t state)
{
	static const char *const names[] = {
		[TPS_NEW] = "new",	   [TPS_READY] = "ready",   [TPS_RUNNING] = "running",
		[TPS_BLOCKED] = "blocked", [TPS_ZOMBIE] = "zombie", [TPS_REMOTE] = "remote",
	};
	return state < sizeof(names) / sizeof(names[0]) ? names[state] : "?";
}

const char *t_region_kind_name(uint32_t kind)
{
	static const char *const names[] = {
#define REGION_KIND(name, str) [TRK_##name] = str,
#include "abi/regionkinds.def"
#undef REGION_KIND
	};
	return kind < sizeof(names) / sizeof(names[0]) ? names[kind] : "?";
}

char *t_rid_str(rid_t rid, char buf[T_RID_STR_LEN])
{
	snprintf(buf, T_RID_STR_LEN, "%s:%u", t_type_name(RID_TYPE(rid)), (unsigned)RID_INDEX(rid));
	return buf;
}

int t_kstat_diff(const struct t_kstat *a, const struct t_kstat *b, char *buf, size_t n)
{
	int diffs = 0;
	size_t len = 0;
	buf[0] = '\0';
	if (a->pages_free != b->pages_free) {
		len += (size_t)snprintf(buf + len, n - len, " free pages %llu -> %llu (%+lld)",
					(unsigned long long)a->pages_free,
					(unsigned long long)b->pages_free,
					(long long)(b->pages_free - a->pages_free));
		diffs++;
	}
	for (uint32_t t = 1; t < RT_NTYPES && len < n; t++) {
		if (a->res_count[t] == b->res_count[t])
			continue;
		len += (size_t)snprintf(buf + len, n - len, " %s %u -> %u", t_type_name(t),
					a->res_count[t], b->res_count[t]);
		diffs++;
	}
	return diffs;
}
