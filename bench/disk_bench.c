/*
 * disk_bench: file-system throughput on a mounted ext2 disk, the same static binary on Tessera
 * (the ext2 server behind the kernel's forwarding) and on Linux (its ext2 driver), in the same
 * QEMU on the same kind of fresh image (tools/disk_bench.py). Run as root:
 *   disk_bench DEV MNT      (MNT: where DEV is mounted now, as ext2)
 * Phases, each timed: 16 MiB written sequentially in 1 MiB writes plus fsync; read back
 * after a remount (umount + mount: no cached blocks) and again warm; 1000 files of 1 KiB
 * created and written, stat'ed, read, unlinked. Prints "BENCH key value" lines (KiB/s for
 * the sequential phases, operations per second for the 1000-file phases).
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define SEQ_BYTES (16 << 20)
#define CHUNK (1 << 20)
#define NFILES 1000
#define FILE_BYTES 1024

static char buf[CHUNK];
static const char *dev, *mnt;

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void die(const char *what)
{
	perror(what);
	exit(1);
}

static void report(const char *key, double amount, double secs)
{
	printf("BENCH %s %.0f\n", key, amount / secs);
	fflush(stdout);
}

static void seq_write(const char *path)
{
	int fd = open(path, O_CREAT | O_TRUNC | O_WRONLY, 0644);
	if (fd < 0)
		die("open");
	memset(buf, 0x5a, sizeof(buf));
	double t = now();
	for (int i = 0; i < SEQ_BYTES / CHUNK; i++)
		if (write(fd, buf, CHUNK) != CHUNK)
			die("write");
	if (fsync(fd))
		die("fsync");
	report("disk_seq_write_kibps", SEQ_BYTES / 1024.0, now() - t);
	close(fd);
}

static void seq_read(const char *path, const char *key)
{
	int fd = open(path, O_RDONLY);
	long n, total = 0;
	if (fd < 0)
		die("open");
	double t = now();
	while ((n = read(fd, buf, CHUNK)) > 0)
		total += n;
	if (total != SEQ_BYTES)
		die("short read");
	report(key, SEQ_BYTES / 1024.0, now() - t);
	close(fd);
}

static void remount(void)
{
	if (umount(mnt))
		die("umount");
	if (mount(dev, mnt, "ext2", 0, NULL))
		die("mount");
}

static void name_of(char *out, size_t n, int i)
{
	snprintf(out, n, "%s/many/f%04d", mnt, i);
}

static void many_files(void)
{
	char p[256];
	struct stat st;
	snprintf(p, sizeof(p), "%s/many", mnt);
	if (mkdir(p, 0755))
		die("mkdir");
	double t = now();
	for (int i = 0; i < NFILES; i++) {
		name_of(p, sizeof(p), i);
		int fd = open(p, O_CREAT | O_WRONLY, 0644);
		if (fd < 0 || write(fd, buf, FILE_BYTES) != FILE_BYTES || close(fd))
			die("create");
	}
	report("disk_create_per_s", NFILES, now() - t);
	t = now();
	for (int i = 0; i < NFILES; i++) {
		name_of(p, sizeof(p), i);
		if (stat(p, &st) || st.st_size != FILE_BYTES)
			die("stat");
	}
	report("disk_stat_per_s", NFILES, now() - t);
	t = now();
	for (int i = 0; i < NFILES; i++) {
		name_of(p, sizeof(p), i);
		int fd = open(p, O_RDONLY);
		if (fd < 0 || read(fd, buf, CHUNK) != FILE_BYTES || close(fd))
			die("read");
	}
	report("disk_read_per_s", NFILES, now() - t);
	t = now();
	for (int i = 0; i < NFILES; i++) {
		name_of(p, sizeof(p), i);
		if (unlink(p))
			die("unlink");
	}
	report("disk_unlink_per_s", NFILES, now() - t);
	snprintf(p, sizeof(p), "%s/many", mnt);
	rmdir(p);
}

int main(int argc, char **argv)
{
	char path[256];
	if (argc != 3) {
		fprintf(stderr, "usage: disk_bench DEV MNT\n");
		return 2;
	}
	dev = argv[1];
	mnt = argv[2];
	snprintf(path, sizeof(path), "%s/seq", mnt);
	seq_write(path);
	remount();
	seq_read(path, "disk_seq_read_cold_kibps");
	seq_read(path, "disk_seq_read_warm_kibps");
	unlink(path);
	many_files();
	sync();
	printf("BENCH disk_done 1\n");
	return 0;
}
