/* Device nodes (kernel/fs/file_dev.c, mknod in kernel/fs/fsproc_names.c): Linux's numbers on
 * the nodes of /dev, mknod of character and block devices by root (EPERM for a user) in memory
 * and on the ext2 disk the test boots mount at /disk, a node reaching its driver by number
 * wherever it is, ENXIO for a number no driver serves, socket nodes anyone may make, and the
 * refusals of bad input (type, name, place). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>
#include "tsys.h"
#include "utest.h"

#define BLKGETSIZE64_ 0x80081272ul

static void check_rdev(const char *path, mode_t type, unsigned major, unsigned minor)
{
	struct stat st;
	CHECK_OK(stat(path, &st));
	CHECK_EQ(st.st_mode & S_IFMT, type);
	CHECK_EQ(major(st.st_rdev), major);
	CHECK_EQ(minor(st.st_rdev), minor);
	CHECK_EQ(st.st_size, 0);
}

/* The nodes of /dev carry Linux's numbers. */
static void devnode_dev_numbers(void)
{
	check_rdev("/dev/null", S_IFCHR, 1, 3);
	check_rdev("/dev/zero", S_IFCHR, 1, 5);
	check_rdev("/dev/full", S_IFCHR, 1, 7);
	check_rdev("/dev/random", S_IFCHR, 1, 8);
	check_rdev("/dev/urandom", S_IFCHR, 1, 9);
	check_rdev("/dev/tty", S_IFCHR, 5, 0);
	check_rdev("/dev/console", S_IFCHR, 5, 1);
	check_rdev("/dev/vda", S_IFBLK, 253, 0);
	check_rdev("/dev/vdb", S_IFBLK, 253, 16);
	struct stat st;
	CHECK_OK(stat("/dev/null", &st));
	CHECK_EQ(st.st_rdev, 0x103);                 /* the raw value, as Linux's stat gives it */
}

/* Writes, reads and checks what came back through the memory devices at dir. */
static void use_mem_nodes(const char *dir)
{
	char null[80], zero[80], full[80], buf[64];
	snprintf(null, sizeof(null), "%s/ut-null", dir);
	snprintf(zero, sizeof(zero), "%s/ut-zero", dir);
	snprintf(full, sizeof(full), "%s/ut-full", dir);
	CHECK_OK(tsys_mknod((long)null, S_IFCHR | 0666, makedev(1, 3)));
	CHECK_OK(tsys_mknod((long)zero, S_IFCHR | 0640, makedev(1, 5)));
	CHECK_OK(tsys_mknod((long)full, S_IFCHR | 0600, makedev(1, 7)));
	check_rdev(null, S_IFCHR, 1, 3);
	struct stat st;
	CHECK_OK(stat(zero, &st));
	CHECK_EQ(st.st_mode, S_IFCHR | 0640);
	int fd = open(null, O_RDWR);
	CHECK(fd >= 0);
	CHECK_EQ(write(fd, "abc", 3), 3);
	CHECK_EQ(read(fd, buf, sizeof(buf)), 0);
	CHECK_OK(close(fd));
	fd = open(zero, O_RDONLY);
	CHECK(fd >= 0);
	memset(buf, 'x', sizeof(buf));
	CHECK_EQ(read(fd, buf, sizeof(buf)), (long)sizeof(buf));
	for (size_t i = 0; i < sizeof(buf); i++)
		CHECK_EQ(buf[i], 0);
	CHECK_OK(close(fd));
	fd = open(full, O_WRONLY);
	CHECK(fd >= 0);
	CHECK_ERR(write(fd, "a", 1) < 0 ? -errno : 0, ENOSPC);
	CHECK_OK(close(fd));
	CHECK_ERR(tsys_mknod((long)null, S_IFCHR | 0666, makedev(1, 3)), EEXIST);
	CHECK_OK(unlink(null));
	CHECK_OK(unlink(zero));
	CHECK_OK(unlink(full));
}

/* Root makes a node of /dev/null's number in /tmp: it is /dev/null. */
static void devnode_mknod_mem(void)
{
	use_mem_nodes("/tmp");
}

/* Numbers no driver serves open with ENXIO (the node is made all the same, as on Linux); the
 * upper 32 bits of mknod's dev are dropped (an unsigned int for Linux). */
static void devnode_enxio(void)
{
	static const struct {
		mode_t type;
		unsigned major, minor;
	} none[] = {
		{ S_IFCHR, 1, 99 }, { S_IFCHR, 0, 0 }, { S_IFCHR, 4095, 1048575 },
		{ S_IFCHR, 253, 0 }, { S_IFBLK, 8, 0 }, { S_IFBLK, 253, 1 }, { S_IFBLK, 253, 4080 },
		{ S_IFBLK, 1, 3 },
	};
	for (size_t i = 0; i < sizeof(none) / sizeof(none[0]); i++) {
		CHECK_OK(tsys_mknod((long)"/tmp/ut-nodev", none[i].type | 0600,
				    makedev(none[i].major, none[i].minor)));
		check_rdev("/tmp/ut-nodev", none[i].type, none[i].major, none[i].minor);
		CHECK_ERR(tsys_open((long)"/tmp/ut-nodev", O_RDONLY, 0), ENXIO);
		CHECK_OK(unlink("/tmp/ut-nodev"));
	}
	CHECK_OK(tsys_mknod((long)"/tmp/ut-nodev", S_IFCHR | 0600, 0xffffffff00000103ul));
	check_rdev("/tmp/ut-nodev", S_IFCHR, 1, 3);
	CHECK_OK(unlink("/tmp/ut-nodev"));
}

/* A block node of the first disk's number reaches the disk's driver. */
static void devnode_mknod_blk(void)
{
	uint64_t a = 0, b = 1;
	CHECK_OK(tsys_mknod((long)"/tmp/ut-vda", S_IFBLK | 0600, makedev(253, 0)));
	int fd = open("/tmp/ut-vda", O_RDONLY), dev = open("/dev/vda", O_RDONLY);
	CHECK(fd >= 0 && dev >= 0);
	CHECK_OK(ioctl(fd, BLKGETSIZE64_, &a));
	CHECK_OK(ioctl(dev, BLKGETSIZE64_, &b));
	CHECK(a == b && a > 0);
	CHECK_OK(close(fd));
	CHECK_OK(close(dev));
	CHECK_OK(unlink("/tmp/ut-vda"));
}

/* Socket nodes: anyone may make one; opening it is ENXIO as on Linux. */
static void devnode_socket(void)
{
	struct stat st;
	CHECK_OK(tsys_mknod((long)"/tmp/ut-sock", S_IFSOCK | 0666, 0));
	CHECK_OK(stat("/tmp/ut-sock", &st));
	CHECK_EQ(st.st_mode, S_IFSOCK | 0644);
	CHECK_EQ(st.st_rdev, 0);
	CHECK_ERR(tsys_open((long)"/tmp/ut-sock", O_RDWR, 0), ENXIO);
	CHECK_OK(unlink("/tmp/ut-sock"));
}

/* The child of devnode_user: what a user may and may not make or open. */
static int user_side(void)
{
	struct stat st;
	if (tsys_setuid(1000) != 0)
		return 10;
	if (tsys_mknod((long)"/tmp/ut-udev", S_IFCHR | 0666, makedev(1, 3)) != -EPERM ||
	    tsys_mknod((long)"/tmp/ut-udev", S_IFBLK | 0666, makedev(8, 0)) != -EPERM)
		return 11;
	/* the name's checks come first, as Linux's */
	if (tsys_mknod((long)"/tmp/ut-rootnull", S_IFCHR | 0666, makedev(1, 3)) != -EEXIST ||
	    tsys_mknod((long)"/bin/ut-udev", S_IFCHR | 0666, makedev(1, 3)) != -EACCES ||
	    tsys_mknod((long)"/proc/ut-udev", S_IFCHR | 0666, makedev(1, 3)) != -EROFS)
		return 12;
	if (tsys_mknod((long)"/tmp/ut-usock", S_IFSOCK | 0600, 0) != 0 ||
	    stat("/tmp/ut-usock", &st) != 0 || st.st_uid != 1000 || !S_ISSOCK(st.st_mode) ||
	    unlink("/tmp/ut-usock") != 0)
		return 13;
	if (tsys_open((long)"/tmp/ut-rootnull", O_RDWR, 0) != -EACCES)   /* mode 0600, root's */
		return 14;
	return 0;
}

/* A user: device nodes EPERM, sockets fine, a root-only node not opened. */
static void devnode_user(void)
{
	CHECK_OK(tsys_mknod((long)"/tmp/ut-rootnull", S_IFCHR | 0600, makedev(1, 3)));
	int pid = fork();
	CHECK(pid >= 0);
	if (pid == 0)
		_exit(user_side());
	int s;
	CHECK_EQ(waitpid(pid, &s, 0), pid);
	CHECK_EQ(s, 0);
	CHECK_OK(unlink("/tmp/ut-rootnull"));
}

/* Hostile arguments: clear errors, nothing made. */
static void devnode_bad(void)
{
	struct stat st;
	int fd = open("/tmp/ut-plain", O_CREAT | O_WRONLY, 0600);
	CHECK(fd >= 0);
	CHECK_OK(close(fd));
	CHECK_ERR(tsys_mknod((long)"/tmp/ut-plain", S_IFCHR | 0600, makedev(1, 3)), EEXIST);
	CHECK_ERR(tsys_mknod((long)"/tmp/ut-plain/x", S_IFCHR | 0600, makedev(1, 3)), ENOTDIR);
	CHECK_ERR(tsys_mknod((long)"/tmp/ut-none/x", S_IFBLK | 0600, makedev(8, 0)), ENOENT);
	CHECK_ERR(tsys_mknod((long)"/proc/ut-x", S_IFCHR | 0600, makedev(1, 3)), EROFS);
	CHECK_ERR(tsys_mknod((long)"/tmp/ut-x", 0170000 | 0600, makedev(1, 3)), EINVAL);
	CHECK_ERR(tsys_mknod((long)"/tmp/ut-x", 0050000 | 0600, makedev(1, 3)), EINVAL);
	CHECK_ERR(tsys_mknod((long)"/tmp/ut-x", S_IFDIR | 0600, makedev(1, 3)), EPERM);
	CHECK_ERR(tsys_mknod(16, S_IFCHR | 0600, makedev(1, 3)), EFAULT);
	CHECK_ERR(tsys_mknodat(999, (long)"ut-x", S_IFCHR | 0600, makedev(1, 3)), EBADF);
	CHECK_EQ(stat("/tmp/ut-x", &st), -1);
	CHECK_OK(unlink("/tmp/ut-plain"));
	/* mode is a 16-bit umode_t for Linux: bits above it are dropped, not refused */
	CHECK_OK(tsys_mknod((long)"/tmp/ut-x", 0xffff0000u | S_IFCHR | 0600, makedev(1, 3)));
	CHECK_OK(stat("/tmp/ut-x", &st));
	CHECK_EQ(st.st_mode, S_IFCHR | 0600);
	CHECK_OK(unlink("/tmp/ut-x"));
}

/* /dev takes root's new nodes and directories (as mdev makes them); a user's are refused and
 * the boot's nodes stay. */
static void devnode_in_dev(void)
{
	CHECK_OK(mkdir("/dev/ut-dir", 0755));
	use_mem_nodes("/dev/ut-dir");
	CHECK_OK(tsys_mknod((long)"/dev/ut-null", S_IFCHR | 0666, makedev(1, 3)));
	check_rdev("/dev/ut-null", S_IFCHR, 1, 3);
	int pid = fork();
	CHECK(pid >= 0);
	if (pid == 0)
		_exit(tsys_setuid(1000) == 0 &&
			      tsys_mknod((long)"/dev/ut-u", S_IFIFO | 0666, 0) == -EACCES &&
			      tsys_unlink((long)"/dev/ut-null") == -EACCES
		      ? 0 : 1);
	int s;
	CHECK_EQ(waitpid(pid, &s, 0), pid);
	CHECK_EQ(s, 0);
	CHECK_OK(unlink("/dev/ut-null"));
	CHECK_OK(rmdir("/dev/ut-dir"));
	CHECK_ERR(tsys_unlink((long)"/dev/null"), EBUSY);     /* the boot's nodes are pinned */
	check_rdev("/dev/null", S_IFCHR, 1, 3);
}

/* On the ext2 disk: the inode keeps the number (old and new encodings) and opens the device. */
static void devnode_disk(void)
{
	char d[64], big[80];
	snprintf(d, sizeof(d), "/disk/ut-dev-%d", getpid());
	snprintf(big, sizeof(big), "%s/big", d);
	CHECK_OK(mkdir(d, 0755));
	use_mem_nodes(d);
	CHECK_OK(tsys_mknod((long)big, S_IFBLK | 0600, makedev(259, 70000)));
	check_rdev(big, S_IFBLK, 259, 70000);
	CHECK_ERR(tsys_open((long)big, O_RDONLY, 0), ENXIO);
	CHECK_OK(unlink(big));
	CHECK_OK(tsys_mknod((long)big, S_IFSOCK | 0600, 0));
	CHECK_ERR(tsys_open((long)big, O_RDONLY, 0), ENXIO);
	CHECK_OK(unlink(big));
	CHECK_OK(rmdir(d));
}

const struct utest ut_devnode_tests[] = {
	{ "devnode_dev_numbers", devnode_dev_numbers },
	{ "devnode_mknod_mem", devnode_mknod_mem },
	{ "devnode_enxio", devnode_enxio },
	{ "devnode_mknod_blk", devnode_mknod_blk },
	{ "devnode_socket", devnode_socket },
	{ "devnode_user", devnode_user },
	{ "devnode_bad", devnode_bad },
	{ "devnode_in_dev", devnode_in_dev },
	{ "devnode_disk", devnode_disk },
	{ NULL, NULL },
};
