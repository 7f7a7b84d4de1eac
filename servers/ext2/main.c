/*
 * The ext2 server (issue 13, docs/storage.md): serves the file-system protocol of
 * abi/fsproto.h (function ids fs.*) over the ext2 code (ext2.h) on block units of the blk.*
 * function ids. Several mounts at once, each named by the handle FS_MOUNT returned. Only the
 * kernel is served (its forwarding of file calls under mount points, msg.pid 0): the kernel
 * has checked permissions, so the server trusts its arguments as far as rights go, but checks
 * every handle, length and ICA so that no request can crash it.
 *
 * Started by svc at boot (/etc/svc.conf registers the ids); run by hand as
 * `/servers/ext2 -r` it registers them itself.
 *
 * It is replaceable (docs/replacement.md): its mount table, each mounted file system with its
 * block cache (dirty blocks included; the ext2 code allocates through ext2_mount_opts.mem) and
 * the transfer ICAs are state memory, which a new ext2 server takes over as it is: nothing is
 * written or read again at a replacement. The cache (16 MiB a mount) is in mappings of
 * ordinary memory (srv_smap), far more than the ICA pool holds; the rest in ICAs.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include "abi/errno.h"
#include "abi/fsproto.h"
#include "libtessera.h"
#include "servers/ext2/blkfn.h"
#include "servers/ext2/ext2.h"
#include "servers/ext2/ext2_int.h"
#include "servers/ext2/fsrv.h"
#include "srv.h"
#include "srvstate.h"

static struct fsrv_mount *fsrv_mounts;    /* the state's table */
/* Big allocations (the cache's buffers, its tables) in mappings, small ones in ICAs. */
static void *state_alloc(size_t bytes)
{
	return bytes >= 65536 ? srv_smap(bytes) : srv_salloc(bytes);
}

static const struct ext2_mem state_mem = { state_alloc, srv_sfree, srv_srealloc };

static uint32_t now(void *ctx)
{
	struct timespec ts;
	(void)ctx;
	return clock_gettime(CLOCK_REALTIME, &ts) ? 0 : (uint32_t)ts.tv_sec;
}

static void log_msg(const char *msg)
{
	fprintf(stderr, "ext2: %s\n", msg);
}

/* The cache's memory is touched once at mount, so that the server's memory use is settled
 * from then on instead of growing with the first use of each buffer (the guest tests count
 * free pages around every test). */
static void touch_pages(uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i += 4096)
		((volatile uint8_t *)p)[i] = p[i];     /* the same value: cached blocks stay */
}

static void pretouch(struct ext2_fs *fs)
{
	struct bcache *bc = &fs->bc;
	touch_pages(bc->mem, (size_t)bc->n * bc->bs);
	touch_pages(bc->stage, (size_t)BC_RUN * bc->bs);
	/* the table of open inodes is allocated at its first use: have that happen now */
	if (ext2_open(fs, EXT2_ROOT_INO) == 0)
		ext2_close(fs, EXT2_ROOT_INO);
}

static int do_mount(struct t_msg *m, struct t_fs_ctl *c)
{
	int slot = -1, err;
	for (int i = 0; i < FSRV_MOUNTS; i++) {
		if (fsrv_mounts[i].fs && fsrv_mounts[i].blk.unit == m->arg[0])
			return -EBUSY;
		if (!fsrv_mounts[i].fs && slot < 0)
			slot = i;
	}
	if (slot < 0)
		return -ENFILE;
	struct fsrv_mount *mt = &fsrv_mounts[slot];
	if ((err = blkfn_open(&mt->blk, (uint32_t)m->arg[0])))
		return err;
	struct ext2_mount_opts o = { .cache_blocks = 0, .read_only = (m->arg[1] & TFS_RDONLY) != 0,
				     .now = now, .log = log_msg, .mem = &state_mem };
	if ((err = ext2_mount(&mt->blk.dev, &o, &mt->fs)) == 0 &&
	    (err = fsrv_attr(mt->fs, EXT2_ROOT_INO, &c->attr)) == 0) {
		pretouch(mt->fs);
		m->arg[0] = (uint64_t)slot + 1;
		m->arg[1] = EXT2_ROOT_INO;
		return 0;
	}
	if (mt->fs)
		ext2_unmount(mt->fs);
	mt->fs = NULL;
	blkfn_close(&mt->blk);
	return err;
}

static int do_unmount(struct fsrv_mount *mt)
{
	int err = ext2_unmount(mt->fs);
	mt->fs = NULL;
	blkfn_close(&mt->blk);
	return err;
}

/* The mount named by arg[0], or NULL. */
static struct fsrv_mount *mount_of(const struct t_msg *m)
{
	uint64_t h = m->arg[0];
	if (h < 1 || h > FSRV_MOUNTS || !fsrv_mounts[h - 1].fs)
		return NULL;
	return &fsrv_mounts[h - 1];
}

/* The control ICA, when it is there and big enough, with its lengths in range. */
static struct t_fs_ctl *ctl_of(const struct t_msg *m)
{
	struct t_fs_ctl *c = srv_ctl(m);
	if (!c || srv_ica_pages(m->ctl) * 4096 < sizeof(*c))
		return NULL;
	if (c->name_len > T_FS_NAME_MAX || c->name2_len > T_FS_TARGET_MAX)
		return NULL;
	return c;
}

static int handle(struct t_msg *m, void *ctx)
{
	(void)ctx;
	if (m->fn == T_FN_IRQ)
		return 0;
	if (m->pid != 0)
		return -EPERM;              /* only the kernel's forwarding calls file systems */
	struct t_fs_ctl *c = ctl_of(m);
	if (!c)
		return -EINVAL;
	if (m->fn == TFN_FS_MOUNT)
		return do_mount(m, c);
	struct fsrv_mount *mt = mount_of(m);
	if (!mt)
		return -EBADF;
	if (m->fn == TFN_FS_UNMOUNT)
		return do_unmount(mt);
	return fsrv_op(mt->fs, m, c);
}

/* After a replacement's commit: the file systems' code pointers are this program's. */
static int resume(void *root, void *ctx)
{
	struct fsrv_state *st = root;
	struct ext2_mount_opts o = { .now = now, .log = log_msg, .mem = &state_mem };
	(void)ctx;
	for (int i = 0; i < FSRV_MOUNTS; i++) {
		struct fsrv_mount *mt = &st->mounts[i];
		if (!mt->fs)
			continue;
		blkfn_rebind(&mt->blk);
		ext2_rebind(mt->fs, &mt->blk.dev, &o);
		pretouch(mt->fs);             /* the moved cache mapped here now, not bit by bit */
	}
	return 0;
}

/* The stack serving can need, touched at the start (as the block driver does): a new server
 * must not grow later than the one it replaced, whose stack was grown by its mounts. */
static void prefault_stack(void)
{
	volatile char pad[32768];
	for (size_t i = 0; i < sizeof(pad); i += 4096)
		pad[i] = 0;
	pad[sizeof(pad) - 1] = 0;
}

static uint32_t fns[TFN_FS_STATFS - TFN_FS_MOUNT + 1];

int main(int argc, char **argv)
{
	void *root;
	int replaced;
	for (uint32_t fn = TFN_FS_MOUNT; fn <= TFN_FS_STATFS; fn++)
		fns[fn - TFN_FS_MOUNT] = fn;
	struct srv_desc d = { .kind = "ext2", .version = FSRV_STATE_VERSION, .fns = fns,
			      .nfn = TFN_FS_STATFS - TFN_FS_MOUNT + 1,
			      .root_size = sizeof(struct fsrv_state), .resume = resume };
	int err = srv_state_start(&d, NULL, &root, &replaced);
	if (err) {
		fprintf(stderr, "ext2: %s: %s\n", replaced ? "replacement" : "start", strerror(-err));
		return 1;
	}
	fsrv_mounts = ((struct fsrv_state *)root)->mounts;
	prefault_stack();
	if (!replaced && argc > 1 && strcmp(argv[1], "-r") == 0) {
		for (uint32_t fn = TFN_FS_MOUNT; fn <= TFN_FS_STATFS; fn++) {
			err = t_fn_register(fn, 0, 0);
			if (err) {
				fprintf(stderr, "ext2: cannot register %u: %s\n", fn, strerror(-err));
				return 1;
			}
		}
	}
	err = srv_state_loop(&d, handle, NULL);
	fprintf(stderr, "ext2: request loop ended: %s\n", strerror(-err));
	return 1;
}
