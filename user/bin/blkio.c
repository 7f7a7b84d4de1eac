/*
 * blkio: talks to a block driver through its function ids (TFN_BLK_* + unit * stride), with
 * several requests in flight at once, each with its own data ICA. Used by the block-device
 * tests (tools/blk_suite.py) and handy by hand.
 *
 *   blkio [-u UNIT] info                   capacity and sector size
 *   blkio [-u UNIT] read S:C...            reads every region at once; "SUM S C fnv" each
 *   blkio [-u UNIT] write SEED S:C...      writes the pattern of user/lib/blkpat.h; SUM each
 *   blkio [-u UNIT] flush
 *   blkio gen SEED S C                     the pattern of sectors S..S+C-1 on stdout
 *   blkio sum                              "SUM - BYTES fnv" of stdin
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "blkpat.h"
#include "libtessera.h"
#include "tsys.h"
#include "abi/srv.h"

#define MAX_REGIONS 48
#define MAX_SECTORS (T_ICA_MAX_PAGES * 8u)

static uint32_t unit;

struct region {
	uint64_t sector, count;
	struct t_ica ica;
	uint64_t id;
	uint64_t sum;
	int status;
};

static int parse_region(const char *s, struct region *r)
{
	char *end;
	r->sector = strtoull(s, &end, 0);
	if (*end != ':')
		return -EINVAL;
	r->count = strtoull(end + 1, &end, 0);
	return *end || !r->count || r->count > MAX_SECTORS ? -EINVAL : 0;
}

static int call(uint32_t fn, uint64_t a0, uint64_t a1, struct t_msg *m)
{
	memset(m, 0, sizeof(*m));
	m->fn = fn + unit * TFN_BLK_STRIDE;
	m->arg[0] = a0;
	m->arg[1] = a1;
	long err = tsys_t_srv_call((long)m);
	return err < 0 ? (int)err : m->status;
}

/* Sends every region's request, then takes the results as they come. */
static int run_regions(struct region *r, int n, uint32_t fn, uint64_t seed, int write)
{
	for (int i = 0; i < n; i++) {
		long err = tsys_t_ica_create((long)((r[i].count * 512 + 4095) / 4096), 0,
					     (long)&r[i].ica);
		if (err < 0)
			return (int)err;
		if (write) {
			blkpat_fill((void *)(uintptr_t)r[i].ica.addr, seed, r[i].sector, r[i].count);
			r[i].sum = fnv64(FNV64_INIT, (void *)(uintptr_t)r[i].ica.addr,
					 r[i].count * 512);
		}
	}
	for (int i = 0; i < n; i++) {
		struct t_msg m;
		memset(&m, 0, sizeof(m));
		m.fn = fn + unit * TFN_BLK_STRIDE;
		m.data = r[i].ica.rid;
		m.arg[0] = r[i].sector;
		m.arg[1] = r[i].count;
		long err = tsys_t_srv_send((long)&m, (long)&r[i].id);
		if (err < 0)
			return (int)err;
	}
	for (int done = 0; done < n; done++) {
		struct t_msg m;
		long err = tsys_t_srv_result((long)&m, 0);
		if (err < 0)
			return (int)err;
		for (int i = 0; i < n; i++) {
			if (r[i].id != m.id)
				continue;
			r[i].status = m.status;
			if (!write && !m.status)
				r[i].sum = fnv64(FNV64_INIT, (void *)(uintptr_t)m.data_addr,
						 r[i].count * 512);
		}
	}
	return 0;
}

static int cmd_regions(int argc, char **argv, uint32_t fn, uint64_t seed, int write)
{
	static struct region r[MAX_REGIONS];
	int n = argc, bad = 0;
	if (n < 1 || n > MAX_REGIONS)
		return -EINVAL;
	for (int i = 0; i < n; i++)
		if (parse_region(argv[i], &r[i]))
			return -EINVAL;
	int err = run_regions(r, n, fn, seed, write);
	for (int i = 0; i < n; i++) {
		if (r[i].status)
			printf("ERR %llu %llu %d\n", (unsigned long long)r[i].sector,
			       (unsigned long long)r[i].count, r[i].status);
		else
			printf("SUM %llu %llu %016llx\n", (unsigned long long)r[i].sector,
			       (unsigned long long)r[i].count, (unsigned long long)r[i].sum);
		bad += r[i].status != 0;
		if (r[i].ica.rid)
			t_res_delete(r[i].ica.rid);
	}
	return err ? err : bad ? -EIO : 0;
}

static int cmd_gen(int argc, char **argv)
{
	static uint64_t buf[64];
	if (argc != 3)
		return -EINVAL;
	uint64_t seed = strtoull(argv[0], NULL, 0), s = strtoull(argv[1], NULL, 0);
	uint64_t c = strtoull(argv[2], NULL, 0);
	for (uint64_t i = 0; i < c; i++) {
		blkpat_sector(seed, s + i, buf);
		if (fwrite(buf, 512, 1, stdout) != 1)
			return -EIO;
	}
	return fflush(stdout) ? -EIO : 0;
}

static int cmd_sum(void)
{
	static char buf[65536];
	uint64_t h = FNV64_INIT, total = 0;
	ssize_t n;
	while ((n = read(0, buf, sizeof(buf))) > 0) {
		h = fnv64(h, buf, (size_t)n);
		total += (uint64_t)n;
	}
	if (n < 0)
		return -errno;
	printf("SUM - %llu %016llx\n", (unsigned long long)total, (unsigned long long)h);
	return 0;
}

static int dispatch(int argc, char **argv)
{
	struct t_msg m;
	const char *cmd = argv[0];
	int err;
	if (!strcmp(cmd, "info")) {
		if ((err = call(TFN_BLK_INFO, 0, 0, &m)))
			return err;
		printf("capacity %llu sectors of %llu bytes\n", (unsigned long long)m.arg[0],
		       (unsigned long long)m.arg[1]);
		return 0;
	}
	if (!strcmp(cmd, "flush"))
		return call(TFN_BLK_FLUSH, 0, 0, &m);
	if (!strcmp(cmd, "read"))
		return cmd_regions(argc - 1, argv + 1, TFN_BLK_READ, 0, 0);
	if (!strcmp(cmd, "write") && argc > 2)
		return cmd_regions(argc - 2, argv + 2, TFN_BLK_WRITE,
				   strtoull(argv[1], NULL, 0), 1);
	if (!strcmp(cmd, "gen"))
		return cmd_gen(argc - 1, argv + 1);
	if (!strcmp(cmd, "sum"))
		return cmd_sum();
	return -EINVAL;
}

int main(int argc, char **argv)
{
	int c;
	while ((c = getopt(argc, argv, "u:")) != -1) {
		if (c != 'u')
			return 2;
		unit = (uint32_t)strtoul(optarg, NULL, 0);
	}
	if (optind >= argc || unit >= TFN_BLK_UNITS) {
		fprintf(stderr, "usage: blkio [-u UNIT] info|read|write|flush|gen|sum ...\n");
		return 2;
	}
	int err = dispatch(argc - optind, argv + optind);
	if (err) {
		printf("blkio: %s: %s\n", argv[optind], strerror(-err));
		return 1;
	}
	return 0;
}
