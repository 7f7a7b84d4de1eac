/*
 * The file-system server protocol (issue 13, docs/storage.md): how the kernel's forwarding
 * of file calls under a mount point talks to a file-system server (servers/ext2) through
 * the function ids TFN_FS_* of abi/fnids.def. One server may hold several mounts: every
 * request but FS_MOUNT names the mount by the handle FS_MOUNT returned, in arg[0]. Files are
 * named by inode number; the kernel walks paths one component at a time and checks
 * permissions from the attributes the server reports (the server trusts the kernel, which
 * is the only caller it accepts: requests from any other pid get -EPERM).
 *
 * Every request carries a control ICA of T_FS_CTL_PAGES pages laid out as struct t_fs_ctl:
 * names go in and attributes come back there. Bulk data (read, write, readdir, readlink)
 * travels in a data ICA. Results: msg.status 0 or a negative errno; small results in arg[].
 *
 *   fn          arg[1..]                                   ctl in / out          result arg
 *   FS_MOUNT    arg[0] block unit, arg[1] TFS_RDONLY          - / attr of root     [0] handle, [1] root ino
 *   FS_UNMOUNT  -                                             -                    -
 *   FS_LOOKUP   [1] dir                                       name / attr          [0] ino
 *   FS_GETATTR  [1] ino                                       - / attr             -
 *   FS_SETATTR  [1] ino                                       setattr / attr       -
 *   FS_READ     [1] ino, [2] offset, [3] length (data ICA)    -                    [0] bytes
 *   FS_WRITE    [1] ino, [2] offset, [3] length (data ICA)    - / attr             [0] bytes
 *   FS_CREATE   [1] dir, [2] mode (type|perm), [3] uid, [4] gid   name / attr       [0] ino
 *   FS_SYMLINK  [1] dir, [3] uid, [4] gid                     name, name2=target / attr  [0] ino
 *   FS_LINK     [1] ino, [2] dir                              name / attr          -
 *   FS_UNLINK   [1] dir, [2] 1 = rmdir                        name                 -
 *   FS_RENAME   [1] source dir, [2] target dir                name, name2          -
 *   FS_READDIR  [1] dir, [2] cookie (data ICA)                -                    [0] bytes, [1] next cookie (0: end)
 *   FS_READLINK [1] ino (data ICA)                            -                    [0] length
 *   FS_OPEN     [1] ino (an open reference: unlinked files live on while open)   -
 *   FS_CLOSE    [1] ino                                       -                    -
 *   FS_FSYNC    [1] ino (0: the whole mount, as syncfs)       -                    -
 *   FS_STATFS   -                                             - / statfs           -
 */
#pragma once
#include <stdint.h>

#define T_FS_CTL_PAGES 2u
#define T_FS_NAME_MAX 255u
#define T_FS_TARGET_MAX 4095u      /* symbolic link targets */
#define TFS_RDONLY 1u

struct t_fs_attr {
	uint32_t ino, generation;
	uint32_t mode, nlink;          /* mode: S_IF* type and permission bits */
	uint32_t uid, gid;
	uint64_t size, blocks;         /* blocks: 512-byte units */
	uint32_t atime, mtime, ctime, rdev;
	uint32_t blksize, pad;
};

#define TFS_SET_MODE 1u
#define TFS_SET_UID 2u
#define TFS_SET_GID 4u
#define TFS_SET_SIZE 8u
#define TFS_SET_ATIME 16u
#define TFS_SET_MTIME 32u
struct t_fs_setattr {
	uint32_t mask;
	uint32_t mode, uid, gid;
	uint64_t size;
	uint32_t atime, mtime;
};

struct t_fs_statfs {
	uint32_t bsize, namemax;
	uint64_t blocks, bfree, bavail, files, ffree;
	uint32_t read_only, pad;
};

/* FS_READDIR packs these back to back, each padded to 8 bytes. type: Linux's DT_* values. */
struct t_fs_dirent {
	uint64_t next;                 /* cookie of the entry after this one */
	uint32_t ino;
	uint16_t reclen;               /* bytes of this record, name and padding included */
	uint8_t type, namelen;
	char name[];                   /* namelen bytes, no NUL */
};

struct t_fs_ctl {
	struct t_fs_attr attr;         /* out: the attributes of the file the call names/made */
	struct t_fs_setattr set;       /* in: FS_SETATTR */
	struct t_fs_statfs statfs;     /* out: FS_STATFS */
	uint32_t name_len, name2_len;  /* in: lengths of name and name2 */
	char name[T_FS_NAME_MAX + 1];
	char name2[T_FS_TARGET_MAX + 1];   /* FS_RENAME's target name, FS_SYMLINK's target */
};
