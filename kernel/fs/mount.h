/*
 * The mount table (docs/storage.md): which directory plate is the root of which file system
 * held by a file-system server (abi/fsproto.h). The plate at a mount point becomes a disk
 * plate (plate_disk.c) for as long as the mount lasts: its attributes and contents are the
 * file system's root directory's, and everything below it is found through the server.
 * Entries refer to their root plate by rid; disk plates name their mount by 1 + its index.
 */
#pragma once
#include <stdbool.h>
#include <stdint.h>
#include "abi/tessera.h"
#include "kernel/fs/path.h"
#include "kernel/res/res.h"

#define MNT_MAX 8
#define MNT_DEV_BASE 0x10000u           /* st_dev of mount i: MNT_DEV_BASE + i */

struct mount {
	bool used;
	bool rdonly;
	bool nodev;                     /* MS_NODEV: its device nodes do not open */
	uint32_t unit;                  /* block unit of the device */
	uint64_t handle;                /* the server's handle for it */
	uint32_t root_ino;
	rid_t root;                     /* the plate at the mount point */
	/* what the mount point plate was before the mount, given back by umount */
	uint32_t saved_mode, saved_flags, saved_mtime, saved_tmode;
	struct cred saved_owner;
	char path[PATH_ARG_BUF];        /* mount points have at most PATH_MAX_LEN characters */
};

/* The mount with index idx (1-based, as disk plates store it), or NULL. */
const struct mount *mnt_get(uint32_t idx);
/* mount(2) of block unit 'unit' (fstype ext2) at the directory plate canon; flags: MS_RDONLY,
 * MS_NODEV.
 * Root only (the caller checked); -EBUSY when the unit or the directory is mounted already or
 * the directory has plates below it or is open; -ENAMETOOLONG for a mount point path longer
 * than PATH_MAX_LEN. */
int mnt_mount(uint32_t unit, const char *canon, uint64_t flags);
/* umount2(2) of the mount at canon: -EINVAL when canon is no mount point, -EBUSY while a file
 * of it is open or a process's current directory lies in it (MNT_DETACH is not provided). */
int mnt_umount(const char *canon);
/* The calls (sys_disk.c): source a block-device node (/dev/vdX: 253:16*unit), target a
 * directory; -ENOTBLK, -ENXIO (no such unit) and the errors above. */
struct proc;
int mnt_mount_path(struct proc *p, const char *source, const char *target, uint64_t flags);
int mnt_umount_path(struct proc *p, const char *target, bool follow);
/* At power-off: every mount unmounted at its server (all written, marked clean). */
void mnt_poweroff(void);
/* Every mount's dirty blocks to its device (sync(2), poweroff); the first error. */
int mnt_sync_all(void);
