/* rctl: the uniform resource interface from the shell: show a resource, change its owner
 * (changeoid, optionally with every constituent) or its mode (changemod), delete it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "libtessera.h"

static int fail(const char *what, int err)
{
	fprintf(stderr, "rctl: %s: %s\n", what, strerror(-err));
	return 1;
}

static int show(rid_t rid)
{
	struct t_res_info in;
	char mode[T_MODE_STR_LEN], id[T_RID_STR_LEN];
	int err = t_res_info(rid, &in);
	if (err)
		return fail("info", err);
	printf("%016llx %s %s owner %u group %u mode %s\n", (unsigned long long)rid,
	       t_type_name(in.type), in.name[0] ? in.name : "-", in.owner, in.group,
	       t_mode_str(in.mode, mode));
	for (uint32_t i = 0; i < in.nrefs; i++)
		printf("  %s -> %s\n", in.refs[i].role, t_rid_str(in.refs[i].rid, id));
	printf("  values:");
	for (int i = 0; i < 6; i++)
		printf(" %llu", (unsigned long long)in.v[i]);
	printf("\n");
	return 0;
}

int main(int argc, char **argv)
{
	rid_t rid;
	uint32_t mode;
	if (argc < 3) {
		fprintf(stderr, "usage: rctl info RID | chown RID OID [-r] | chmod RID MODE | rm RID\n"
				"RID: 16 hex digits as `res` prints them, or TYPE:INDEX\n");
		return 2;
	}
	int err = t_rid_parse(argv[2], 0, &rid);
	if (err)
		return fail(argv[2], err);
	if (strcmp(argv[1], "info") == 0)
		return show(rid);
	if (strcmp(argv[1], "chown") == 0 && argc >= 4) {
		int flag = argc > 4 && strcmp(argv[4], "-r") == 0;
		err = t_res_changeoid(rid, (uint32_t)strtoul(argv[3], NULL, 10), flag);
	} else if (strcmp(argv[1], "chmod") == 0 && argc == 4) {
		err = t_mode_parse(argv[3], &mode);
		if (!err)
			err = t_res_changemod(rid, mode);
	} else if (strcmp(argv[1], "rm") == 0) {
		err = t_res_delete(rid);
	} else {
		return fail(argv[1], -22);
	}
	return err ? fail(argv[1], err) : 0;
}
