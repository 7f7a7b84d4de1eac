/*
 * cbox: container boxes (HVS IPC) from the shell.
 *   cbox create NAME [MODE]     make a box (MODE as `res` prints it, e.g. rumdv/ru---/-u---)
 *   cbox send NAME TEXT...      queue one container holding the words joined by spaces
 *   cbox recv [-n] NAME         take the oldest container and print it (-n: do not wait)
 *   cbox rm NAME                delete the box and everything queued in it
 *   cbox ls                     list boxes: queued containers and bytes, waiters, owner, mode
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "libtessera.h"

static char buf[CONTAINER_MAX];

static int usage(void)
{
	fprintf(stderr, "usage: cbox create NAME [MODE] | send NAME TEXT... | recv [-n] NAME | "
			"rm NAME | ls\n");
	return 2;
}

static int fail(const char *what, const char *name, int err)
{
	fprintf(stderr, "cbox: %s %s: %s\n", what, name, strerror(-err));
	return 1;
}

static int find(const char *name, rid_t *box)
{
	int err = t_cbox_open(name, box);
	if (err < 0)
		return fail("no box", name, err);
	return 0;
}

static int do_create(int argc, char **argv)
{
	uint32_t mode = 0;
	rid_t box;
	if (argc > 3 && t_mode_parse(argv[3], &mode) < 0) {
		fprintf(stderr, "cbox: bad mode %s (like rumdv/ru---/ru---)\n", argv[3]);
		return 2;
	}
	int err = t_cbox_create(argv[2], mode, &box);
	return err < 0 ? fail("create", argv[2], err) : 0;
}

static int do_send(int argc, char **argv)
{
	rid_t box;
	size_t len = 0;
	if (find(argv[2], &box))
		return 1;
	for (int i = 3; i < argc; i++) {
		size_t n = strlen(argv[i]);
		if (len + n + 1 > sizeof(buf)) {
			fprintf(stderr, "cbox: message longer than %u bytes\n", CONTAINER_MAX);
			return 1;
		}
		if (i > 3)
			buf[len++] = ' ';
		memcpy(buf + len, argv[i], n);
		len += n;
	}
	int err = t_cbox_send(box, buf, len, 0);
	return err < 0 ? fail("send to", argv[2], err) : 0;
}

static int do_recv(int argc, char **argv)
{
	int nonblock = argc > 3 && strcmp(argv[2], "-n") == 0;
	const char *name = argv[nonblock ? 3 : 2];
	rid_t box;
	if (find(name, &box))
		return 1;
	int n = t_cbox_recv(box, buf, sizeof(buf), nonblock ? TCB_NONBLOCK : 0, NULL);
	if (n < 0)
		return fail("receive from", name, n);
	fwrite(buf, 1, (size_t)n, stdout);
	if (n == 0 || buf[n - 1] != '\n')
		putchar('\n');
	return 0;
}

static int do_rm(const char *name)
{
	rid_t box;
	if (find(name, &box))
		return 1;
	int err = t_res_delete(box);
	return err < 0 ? fail("delete", name, err) : 0;
}

static int do_ls(void)
{
	char mode[T_MODE_STR_LEN];
	struct t_res_info in;
	printf("%-20s %6s %8s %5s %5s %6s %s\n", "NAME", "QUEUED", "BYTES", "RECVW", "SENDW",
	       "OWNER", "MODE");
	for (rid_t it = 0; t_res_next(RT_CBOX, it, &it) == 0;) {
		if (t_res_info(it, &in) < 0)
			continue;   /* deleted meanwhile, or not ours to see */
		printf("%-20s %6llu %8llu %5llu %5llu %6u %s\n", in.name,
		       (unsigned long long)in.v[0], (unsigned long long)in.v[1],
		       (unsigned long long)in.v[2], (unsigned long long)in.v[3], in.owner,
		       t_mode_str(in.mode, mode));
	}
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 2 && strcmp(argv[1], "ls") == 0)
		return do_ls();
	if (argc < 3)
		return usage();
	if (strcmp(argv[1], "create") == 0 && argc <= 4)
		return do_create(argc, argv);
	if (strcmp(argv[1], "send") == 0)
		return do_send(argc, argv);
	if (strcmp(argv[1], "recv") == 0 && argc <= 4)
		return do_recv(argc, argv);
	if (strcmp(argv[1], "rm") == 0 && argc == 3)
		return do_rm(argv[2]);
	return usage();
}
