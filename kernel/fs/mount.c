/* The mount table (see mount.h): mount(2) and umount2(2) of ext2 file systems on block units,
 * served by the file-system server that registered the fs.* function ids. */
#include "kernel/fs/mount.h"
#include "abi/errno.h"
#include "abi/linux.h"
#include "kernel/fs/file.h"
#include "kernel/fs/fsclient.h"
#include "kernel/fs/plate.h"
#include "kernel/fs/pathbuf.h"
#include "kernel/lib/string.h"
#include "kernel/proc/proc.h"

static struct mount mounts[MNT_MAX];
static bool dying[MNT_MAX];           /* being unmounted: no new lookups */

const struct mount *mnt_get(uint32_t idx)
{
	if (idx < 1 || idx > MNT_MAX || !mounts[idx - 1].used || dying[idx - 1])
		return NULL;
	return &mounts[idx - 1];
}

/* A free slot (1-based) for block unit unit, or an error. */
static int free_slot(uint32_t unit, uint32_t *idx)
{
	*idx = 0;
	for (uint32_t i = 0; i < MNT_MAX; i++) {
		if (mounts[i].used && mounts[i].unit == unit)
			return -EBUSY;
		if (!mounts[i].used && !*idx)
			*idx = i + 1;
	}
	return *idx ? 0 : -ENFILE;
}

/* FS_MOUNT: the server's handle and the root's attributes. */
static int server_mount(uint32_t unit, bool rdonly, uint64_t *handle, struct t_fs_attr *root)
{
	struct fsc k;
	fsc_init();
	int err = fsc_begin(&k, TFN_FS_MOUNT, unit, NULL, 0, 0);
	if (err)
		return err;
	k.m.arg[1] = rdonly ? TFS_RDONLY : 0;
	if (!(err = fsc_call(&k))) {
		*handle = k.m.arg[0];
		*root = k.c->attr;
	}
	fsc_end(&k);
	return err == -ENXIO ? -ENODEV : err;
}

int mnt_mount(uint32_t unit, const char *canon, uint64_t flags)
{
	rid_t rid;
	uint32_t idx;
	struct t_fs_attr root;
	uint64_t handle;
	bool rdonly = flags & 1;
	int err = strnlen(canon, PATH_ARG_BUF) > PATH_MAX_LEN ? -ENAMETOOLONG : 0;
	if (!err)
		err = plate_lookup_path(canon, &rid);
	if (!err && !plate_is_dir(rid))
		err = -ENOTDIR;
	if (!err && (plate_is_disk(rid) || plate_mount_busy(rid)))
		err = -EBUSY;                 /* no mounts inside mounts, none over used plates */
	if (!err)
		err = free_slot(unit, &idx);
	if (!err)
		err = server_mount(unit, rdonly, &handle, &root);
	if (err)
		return err;
	/* the table may have changed while the server mounted */
	struct mount *m = &mounts[idx - 1];
	if (m->used || free_slot(unit, &idx) || &mounts[idx - 1] != m ||
	    plate_lookup_path(canon, &rid) || plate_is_disk(rid) || plate_mount_busy(rid)) {
		fsc_simple(TFN_FS_UNMOUNT, handle, 0, 0, NULL);
		return -EBUSY;
	}
	*m = (struct mount){ .used = true, .rdonly = rdonly, .nodev = flags & L_MS_NODEV,
			     .unit = unit, .handle = handle, .root_ino = root.ino, .root = rid };
	strlcpy(m->path, canon, sizeof(m->path));
	plate_mount_root(rid, idx, &root, m);
	return 0;
}

int mnt_umount(const char *canon)
{
	rid_t rid;
	uint32_t i;
	int err = plate_lookup_path(canon, &rid);
	if (err)
		return err;
	for (i = 0; i < MNT_MAX; i++)
		if (mounts[i].used && !dying[i] && mounts[i].root == rid)
			break;
	if (i == MNT_MAX)
		return -EINVAL;
	if (plate_mount_in_use(i + 1))
		return -EBUSY;
	dying[i] = true;
	plate_forget_mount(i + 1);
	err = fsc_simple(TFN_FS_UNMOUNT, mounts[i].handle, 0, 0, NULL);
	plate_unmount_root(rid, &mounts[i]);
	mounts[i].used = false;
	dying[i] = false;
	return err;
}

int mnt_sync_all(void)
{
	int first = 0;
	for (uint32_t i = 0; i < MNT_MAX; i++) {
		if (!mounts[i].used || dying[i])
			continue;
		int err = fsc_simple(TFN_FS_FSYNC, mounts[i].handle, 0, 0, NULL);
		if (err && !first)
			first = err;
	}
	return first;
}

/* The block unit of a block-device node. */
static int unit_of(rid_t node, uint32_t *unit)
{
	if ((plate_mode(node) & L_S_IFMT) != L_S_IFBLK)
		return -ENOTBLK;
	return file_blk_unit(plate_rdev(node), unit);
}

int mnt_mount_path(struct proc *p, const char *source, const char *target, uint64_t flags)
{
	rid_t node;
	uint32_t unit;
	char *dst = pathbuf_get();
	int err = dst ? fs_resolve(p->cwd, source, dst) : -ENOMEM;
	if (!err)
		err = plate_lookup_path(dst, &node);
	if (!err)
		err = unit_of(node, &unit);
	if (!err)
		err = fs_resolve(p->cwd, target, dst);
	if (!err)
		err = mnt_mount(unit, dst, flags);
	pathbuf_put(dst);
	return err;
}

int mnt_umount_path(struct proc *p, const char *target, bool follow)
{
	char *dst = pathbuf_get();
	int err = !dst ? -ENOMEM : follow ? fs_resolve(p->cwd, target, dst)
					  : fs_resolve_nofollow(p->cwd, target, dst);
	if (!err)
		err = mnt_umount(dst);
	pathbuf_put(dst);
	return err;
}

void mnt_poweroff(void)
{
	for (uint32_t i = 0; i < MNT_MAX; i++) {
		if (!mounts[i].used || dying[i])
			continue;
		dying[i] = true;
		fsc_simple(TFN_FS_UNMOUNT, mounts[i].handle, 0, 0, NULL);
	}
}
