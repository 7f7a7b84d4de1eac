/* Structures of the Linux x86-64 system-call ABI that Tessera's compatibility personality
 * reads or writes (layouts as the Linux kernel defines them for x86-64). Kernel use only:
 * user programs get the same layouts from musl. */
#pragma once
#include <stdint.h>

struct linux_timespec {
	int64_t tv_sec;
	int64_t tv_nsec;
};

struct linux_timeval {
	int64_t tv_sec;
	int64_t tv_usec;
};

struct linux_iovec {
	uint64_t base;
	uint64_t len;
};

struct linux_utsname {
	char sysname[65];
	char nodename[65];
	char release[65];
	char version[65];
	char machine[65];
	char domainname[65];
};

struct linux_stat {
	uint64_t st_dev;
	uint64_t st_ino;
	uint64_t st_nlink;
	uint32_t st_mode;
	uint32_t st_uid;
	uint32_t st_gid;
	uint32_t pad0;
	uint64_t st_rdev;
	int64_t st_size;
	int64_t st_blksize;
	int64_t st_blocks;
	struct linux_timespec st_atim;
	struct linux_timespec st_mtim;
	struct linux_timespec st_ctim;
	int64_t reserved[3];
};

struct linux_dirent64 {
	uint64_t d_ino;
	int64_t d_off;
	uint16_t d_reclen;
	uint8_t d_type;
	char d_name[];
};

struct linux_termios {
	uint32_t c_iflag;
	uint32_t c_oflag;
	uint32_t c_cflag;
	uint32_t c_lflag;
	uint8_t c_line;
	uint8_t c_cc[19];
};

struct linux_winsize {
	uint16_t ws_row;
	uint16_t ws_col;
	uint16_t ws_xpixel;
	uint16_t ws_ypixel;
};

/* open flags, lseek whence, mmap, file types, ioctls, clocks, arch_prctl */
#define L_O_RDONLY 0
#define L_O_WRONLY 1
#define L_O_RDWR 2
#define L_O_ACCMODE 3
#define L_O_CREAT 0100
#define L_O_EXCL 0200
#define L_O_TRUNC 01000
#define L_O_APPEND 02000
#define L_O_NONBLOCK 04000
#define L_O_DIRECTORY 0200000
#define L_O_CLOEXEC 02000000
#define L_AT_FDCWD (-100)
#define L_AT_SYMLINK_NOFOLLOW 0x100
#define L_AT_EMPTY_PATH 0x1000
#define L_SEEK_SET 0
#define L_SEEK_CUR 1
#define L_SEEK_END 2
#define L_S_IFMT 0170000
#define L_S_IFDIR 0040000
#define L_S_IFCHR 0020000
#define L_S_IFREG 0100000
#define L_DT_CHR 2
#define L_DT_DIR 4
#define L_DT_REG 8
#define L_TCGETS 0x5401
#define L_TCSETS 0x5402
#define L_TCSETSW 0x5403
#define L_TCSETSF 0x5404
#define L_TIOCGWINSZ 0x5413
#define L_TIOCGPGRP 0x540f
#define L_PROT_READ 1
#define L_PROT_WRITE 2
#define L_PROT_EXEC 4
#define L_MAP_SHARED 0x01
#define L_MAP_PRIVATE 0x02
#define L_MAP_FIXED 0x10
#define L_MAP_ANONYMOUS 0x20
#define L_CLOCK_REALTIME 0
#define L_CLOCK_MONOTONIC 1
#define L_CLOCK_PROCESS_CPUTIME_ID 2
#define L_CLOCK_THREAD_CPUTIME_ID 3
#define L_CLOCK_MONOTONIC_RAW 4
#define L_CLOCK_REALTIME_COARSE 5
#define L_CLOCK_MONOTONIC_COARSE 6
#define L_CLOCK_BOOTTIME 7
#define L_ARCH_SET_FS 0x1002
#define L_ARCH_GET_FS 0x1003
#define L_F_DUPFD 0
#define L_F_GETFD 1
#define L_F_SETFD 2
#define L_F_GETFL 3
#define L_F_SETFL 4
#define L_F_DUPFD_CLOEXEC 1030
#define L_FD_CLOEXEC 1
