/* The file systems as Linux programs see them: which ones are mounted where (/proc/mounts),
 * statfs(2) of each, and the memory numbers that RAM-backed ones and sysinfo(2) report. The
 * boot image is the read-only root ("rootfs"), /dev and /tmp hold plates in memory (devtmpfs,
 * tmpfs), /proc is generated (proc), and every disk mount (mount.h) is an ext2 file system. */
#pragma once
#include <stdbool.h>
#include <stdint.h>
#include "abi/tessera.h"
#include "kernel/fs/path.h"

struct linux_statfs;

struct fsinfo_mem {
	uint64_t total_kb, free_kb;
	uint64_t shared_kb;              /* the content of run-time (RAM) plates */
};
void fsinfo_mem(struct fsinfo_mem *out);

struct fsinfo_mount {
	char source[16];
	const char *dir;                 /* valid while the mount lasts */
	const char *type;
	const char *options;             /* after "rw"/"ro", e.g. ",nosuid" */
	bool rdonly;
};
/* Mount i in /proc/mounts order (false past the end). */
bool fsinfo_mount_at(uint32_t i, struct fsinfo_mount *out);
/* statfs(2) of the file system holding plate. */
int fsinfo_statfs(rid_t plate, struct linux_statfs *st);
/* fstatfs(2) of an open file: its plate's, or for a pipe, a socket or the console (no plate)
 * the pseudo file system Linux answers for it. */
struct file;
int fsinfo_fstatfs(struct file *f, struct linux_statfs *st);
