/* vm: virtual spaces from the shell (HVS). Create and delete spaces, run programs in a space,
 * move processes between spaces, list what each space holds, turn PCID use on or off. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "libtessera.h"

static int usage(void)
{
	fprintf(stderr,
		"usage: vm                          list spaces\n"
		"       vm create NAME [MODE]       make an empty space (MODE like rumdv/ru---/ru---)\n"
		"       vm rm SPACE                 delete an empty space\n"
		"       vm run SPACE PROG [ARGS]    create a process in SPACE and wait for it\n"
		"       vm start SPACE PROG [ARGS]  the same, without waiting\n"
		"       vm move PID SPACE|new       move a running process into SPACE (or a new one)\n"
		"       vm ps SPACE                 processes of a space\n"
		"       vm pcid [on|off]            show or set PCID use on space switches\n"
		"SPACE is a name, an id as `res` prints it, or vspace:INDEX.\n");
	return 2;
}

static int fail(const char *what, int err)
{
	fprintf(stderr, "vm: %s: %s\n", what, strerror(-err));
	return 1;
}

static void list_procs(rid_t space, const char *indent)
{
	struct t_res_info in;
	for (rid_t r = 0; t_res_next(RT_PROCESS, r, &r) == 0;) {
		if (t_res_info(r, &in))
			continue;
		for (uint32_t i = 0; i < in.nrefs; i++)
			if (in.refs[i].rid == space)
				printf("%spid %llu %s\n", indent, (unsigned long long)in.v[0], in.name);
	}
}

static int list(void)
{
	struct t_res_info in;
	char mode[T_MODE_STR_LEN];
	printf("%-8s %-16s %5s %-17s %5s %5s %4s %s\n", "ID", "NAME", "OWNER", "MODE", "PROCS",
	       "ATT", "PCID", "KIND");
	for (rid_t r = 0; t_res_next(RT_VSPACE, r, &r) == 0;) {
		if (t_res_info(r, &in))
			continue;
		printf("vspace:%-2u %-16s %5u %-17s %5llu %5llu %4llu %s\n", RID_INDEX(r),
		       in.name[0] ? in.name : "-", in.owner, t_mode_str(in.mode, mode),
		       (unsigned long long)in.v[1], (unsigned long long)in.v[0],
		       (unsigned long long)in.v[4], in.v[3] ? "transient" : "persistent");
	}
	return 0;
}

static int create(int argc, char **argv)
{
	uint32_t mode = 0;
	rid_t rid;
	if (argc > 3 && t_mode_parse(argv[3], &mode))
		return fail("bad mode", -22);
	int err = t_vm_create(argv[2], mode, &rid);
	if (err)
		return fail(argv[2], err);
	printf("vspace:%u %s\n", RID_INDEX(rid), argv[2]);
	return 0;
}

static int run(int argc, char **argv, int wait)
{
	rid_t space;
	int pid, status, err = t_rid_parse(argv[2], RT_VSPACE, &space);
	if (err)
		return fail(argv[2], err);
	char path[256];
	snprintf(path, sizeof(path), strchr(argv[3], '/') ? "%s" : "/bin/%s", argv[3]);
	err = t_proccreate(NULL, path, (const char *const *)&argv[3], space, 0, &pid);
	(void)argc;
	if (err)
		return fail(path, err);
	if (!wait) {
		printf("pid %d in %s\n", pid, argv[2]);
		return 0;
	}
	if ((err = t_proc_wait(pid, &status, 0)) < 0)
		return fail("wait", err);
	return (status & 0x7f) ? 128 + (status & 0x7f) : (status >> 8) & 0xff;
}

static int move(char **argv)
{
	rid_t space;
	int pid = atoi(argv[2]), err;
	space = 0;                       /* "new": a fresh space of the process's own */
	err = strcmp(argv[3], "new") ? t_rid_parse(argv[3], RT_VSPACE, &space) : 0;
	if (err)
		return fail(argv[3], err);
	if ((err = t_proc_move(pid, space)))
		return fail("move", err);
	printf("pid %d now in vspace:%u\n", pid, RID_INDEX(t_proc_space(pid)));
	return 0;
}

static int pcid(int argc, char **argv)
{
	if (argc > 2) {
		int err = t_kctl(TK_PCID, strcmp(argv[2], "on") == 0);
		if (err)
			return fail("pcid", err);
	}
	int on = t_kctl(TK_PCID, -1);
	printf("PCID %s\n", on == 1 ? "on" : "off");
	return 0;
}

int main(int argc, char **argv)
{
	rid_t space;
	int err;
	if (argc < 2)
		return list();
	const char *cmd = argv[1];
	if (strcmp(cmd, "create") == 0 && argc >= 3)
		return create(argc, argv);
	if (strcmp(cmd, "rm") == 0 && argc == 3) {
		if ((err = t_rid_parse(argv[2], RT_VSPACE, &space)) || (err = t_res_delete(space)))
			return fail(argv[2], err);
		return 0;
	}
	if ((strcmp(cmd, "run") == 0 || strcmp(cmd, "start") == 0) && argc >= 4)
		return run(argc, argv, cmd[1] == 'u');
	if (strcmp(cmd, "move") == 0 && argc == 4)
		return move(argv);
	if (strcmp(cmd, "ps") == 0 && argc == 3) {
		if ((err = t_rid_parse(argv[2], RT_VSPACE, &space)))
			return fail(argv[2], err);
		list_procs(space, "");
		return 0;
	}
	if (strcmp(cmd, "pcid") == 0)
		return pcid(argc, argv);
	return usage();
}
