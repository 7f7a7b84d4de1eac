/* The ext2 server's parts (main.c: requests and mounts; ops.c: the file operations). */
#pragma once
#include "abi/fsproto.h"
#include "abi/srv.h"
#include "servers/ext2/blkfn.h"
#include "servers/ext2/ext2.h"

#define FSRV_MOUNTS 8

struct fsrv_mount {
	struct ext2_fs *fs;             /* NULL: a free slot */
	struct blkfn blk;
};

/* The server's state (state memory, docs/replacement.md): everything in it, the file systems
 * with their caches included, is in state memory too, so a replacement takes it over. */
#define FSRV_STATE_VERSION 1
struct fsrv_state {
	struct fsrv_mount mounts[FSRV_MOUNTS];
};

/* The attributes of ino in the protocol's form. */
int fsrv_attr(struct ext2_fs *fs, uint32_t ino, struct t_fs_attr *out);
/* Every request but FS_MOUNT and FS_UNMOUNT, on a mount's file system; c checked already. */
int fsrv_op(struct ext2_fs *fs, struct t_msg *m, struct t_fs_ctl *c);
