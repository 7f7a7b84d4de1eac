/* The file systems as Linux programs see them (see fsinfo.h). */
#include "kernel/fs/fsinfo.h"
#include "abi/errno.h"
#include "abi/fsproto.h"
#include "abi/linux.h"
#include "arch/paging.h"
#include "kernel/fs/file.h"
#include "kernel/fs/mount.h"
#include "kernel/fs/plate.h"
#include "kernel/lib/string.h"
#include "kernel/mm/pmm.h"
#include "kernel/net/sock.h"
#include "kernel/res/res.h"

#define ST_VALID 0x20
#define ST_RDONLY 0x1
#define ST_NOSUID 0x2
#define ST_NODEV 0x4
#define ST_NOEXEC 0x8
#define PROC_SUPER_MAGIC 0x9fa0
#define PIPEFS_MAGIC 0x50495045
#define SOCKFS_MAGIC 0x534f434b
#define DEVPTS_MAGIC 0x1cd1

void fsinfo_mem(struct fsinfo_mem *out)
{
	out->total_kb = pmm_total_pages() * (PAGE_SIZE / 1024);
	out->free_kb = pmm_free_pages() * (PAGE_SIZE / 1024);
	out->shared_kb = plate_ram_pages() * (PAGE_SIZE / 1024);
}

static const struct fsinfo_mount fixed[] = {
	/* the boot image, writable as Linux's initramfs (source not "rootfs": df skips that) */
	{ "image", "/", "rootfs", "", false },
	{ "devtmpfs", "/dev", "devtmpfs", ",nosuid", false },  /* root adds nodes; the boot's stay */
	{ "tmpfs", "/tmp", "tmpfs", ",nosuid", false },        /* its device nodes open */
	{ "proc", "/proc", "proc", ",nosuid,nodev,noexec", false },
};
#define NFIXED (sizeof(fixed) / sizeof(fixed[0]))

bool fsinfo_mount_at(uint32_t i, struct fsinfo_mount *out)
{
	if (i < NFIXED) {
		*out = fixed[i];
		return true;
	}
	uint32_t k = (uint32_t)NFIXED;
	for (uint32_t idx = 1; idx <= MNT_MAX; idx++) {
		const struct mount *m = mnt_get(idx);
		if (!m || k++ != i)
			continue;
		strlcpy(out->source, "/dev/vda", sizeof(out->source));
		out->source[7] = (char)('a' + m->unit % 26);
		out->dir = m->path;
		out->type = "ext2";
		out->options = m->nodev ? ",nodev,relatime" : ",relatime";
		out->rdonly = m->rdonly;
		return true;
	}
	return false;
}

static int disk_statfs(rid_t rid, struct linux_statfs *st)
{
	struct t_fs_statfs fs;
	int err = plate_disk_statfs(rid, &fs);
	if (err)
		return err;
	st->f_type = L_EXT2_SUPER_MAGIC;
	st->f_bsize = st->f_frsize = fs.bsize;
	st->f_blocks = fs.blocks;
	st->f_bfree = fs.bfree;
	st->f_bavail = fs.bavail;
	st->f_files = fs.files;
	st->f_ffree = fs.ffree;
	st->f_namelen = fs.namemax;
	st->f_flags = ST_VALID | (fs.read_only ? ST_RDONLY : 0) | (plate_nodev(rid) ? ST_NODEV : 0);
	return 0;
}

/* Plates in memory: as much room as memory has, as many files as memory allows (plate_files).
 * The boot image, /tmp and /dev all take new files (in the same memory, so df shows the same
 * room for each, as tmpfs mounts without a size limit). */
static void ram_statfs(struct linux_statfs *st)
{
	st->f_type = L_TMPFS_MAGIC;
	st->f_bsize = st->f_frsize = PAGE_SIZE;
	st->f_blocks = pmm_total_pages();
	st->f_bfree = st->f_bavail = pmm_free_pages();
	plate_files(&st->f_files, &st->f_ffree);
	st->f_namelen = NAME_MAX_LEN;
	st->f_flags = ST_VALID;
}

int fsinfo_fstatfs(struct file *f, struct linux_statfs *st)
{
	if (f->plate)
		return fsinfo_statfs(f->plate, st);
	memset(st, 0, sizeof(*st));
	st->f_type = file_is_pipe(f) ? PIPEFS_MAGIC : sock_is(f) ? SOCKFS_MAGIC : DEVPTS_MAGIC;
	st->f_bsize = st->f_frsize = PAGE_SIZE;
	st->f_namelen = NAME_MAX_LEN;
	st->f_flags = ST_VALID;
	return 0;
}

int fsinfo_statfs(rid_t rid, struct linux_statfs *st)
{
	memset(st, 0, sizeof(*st));
	if (rid && plate_is_disk(rid))
		return disk_statfs(rid, st);
	if (rid && plate_is_proc(rid)) {
		st->f_type = PROC_SUPER_MAGIC;
		st->f_bsize = st->f_frsize = PAGE_SIZE;
		st->f_namelen = NAME_MAX_LEN;
		st->f_flags = ST_VALID | ST_NOSUID | ST_NODEV | ST_NOEXEC;
		return 0;
	}
	ram_statfs(st);
	return 0;
}
