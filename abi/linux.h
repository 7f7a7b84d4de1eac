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

/* signal numbers (x86-64) */
#define L_SIGHUP 1
#define L_SIGINT 2
#define L_SIGQUIT 3
#define L_SIGILL 4
#define L_SIGTRAP 5
#define L_SIGABRT 6
#define L_SIGBUS 7
#define L_SIGFPE 8
#define L_SIGKILL 9
#define L_SIGUSR1 10
#define L_SIGSEGV 11
#define L_SIGUSR2 12
#define L_SIGPIPE 13
#define L_SIGALRM 14
#define L_SIGTERM 15
#define L_SIGCHLD 17
#define L_SIGCONT 18
#define L_SIGSTOP 19
#define L_SIGTSTP 20
#define L_SIGTTIN 21
#define L_SIGTTOU 22
#define L_SIGURG 23
#define L_SIGXFSZ 25
#define L_SIGWINCH 28

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
#define L_O_NOFOLLOW 0400000
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
#define L_S_IFBLK 0060000
#define L_S_IFREG 0100000
#define L_S_ISUID 04000
/* Device numbers as Linux gives them in st_rdev and takes them in mknod's dev (its
 * new_encode_dev): a 12-bit major and a 20-bit minor in 32 bits, laid out so that numbers
 * below 256:256 read the same as the old 8:8 encoding (major << 8 | minor). */
static inline uint32_t linux_dev_major(uint32_t dev)
{
	return (dev >> 8) & 0xfffu;
}

static inline uint32_t linux_dev_minor(uint32_t dev)
{
	return (dev & 0xffu) | ((dev >> 12) & 0xfff00u);
}

static inline uint32_t linux_makedev(uint32_t major, uint32_t minor)
{
	return (minor & 0xffu) | ((major & 0xfffu) << 8) | ((minor & 0xfff00u) << 12);
}
#define L_S_ISGID 02000
#define L_DT_CHR 2
#define L_DT_BLK 6
#define L_DT_DIR 4
#define L_DT_REG 8
#define L_TCGETS 0x5401
#define L_TCSETS 0x5402
#define L_TCSETSW 0x5403
#define L_TCSETSF 0x5404
#define L_TIOCGWINSZ 0x5413
#define L_TIOCGPGRP 0x540f
#define L_TIOCSPGRP 0x5410
#define L_TIOCSCTTY 0x540e
#define L_TIOCNOTTY 0x5422
#define L_TIOCGSID 0x5429
#define L_O_NOCTTY 0400
#define L_BLKGETSIZE 0x1260           /* _IO(0x12, 96): size in 512-byte sectors, unsigned long */
#define L_BLKSSZGET 0x1268            /* _IO(0x12, 104): logical sector size, int */
#define L_BLKGETSIZE64 0x80081272     /* _IOR(0x12, 114, size_t): size in bytes, u64 */
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
#define L_F_SETPIPE_SZ 1031
#define L_F_GETPIPE_SZ 1032
/* record locks (fcntl(2)): POSIX ones owned by the process, OFD ones by the open file */
#define L_F_GETLK 5
#define L_F_SETLK 6
#define L_F_SETLKW 7
#define L_F_OFD_GETLK 36
#define L_F_OFD_SETLK 37
#define L_F_OFD_SETLKW 38
#define L_F_RDLCK 0
#define L_F_WRLCK 1
#define L_F_UNLCK 2
struct linux_flock {
	int16_t l_type;
	int16_t l_whence;
	int64_t l_start;
	int64_t l_len;
	int32_t l_pid;
};
#define L_FD_CLOEXEC 1
/* poll(2) events, statfs(2), resource limits and usage, sysinfo(2), times(2), sigaltstack */
#define L_POLLIN 0x001
#define L_POLLPRI 0x002
#define L_POLLOUT 0x004
#define L_POLLERR 0x008
#define L_POLLHUP 0x010
#define L_POLLNVAL 0x020
#define L_S_IFIFO 0010000
#define L_S_IFSOCK 0140000
#define L_DT_FIFO 1
#define L_AT_REMOVEDIR 0x200
#define L_AT_EACCESS 0x200
#define L_UTIME_NOW ((1l << 30) - 1l)
#define L_UTIME_OMIT ((1l << 30) - 2l)
#define L_RENAME_NOREPLACE 1
#define L_RENAME_EXCHANGE 2
#define L_RENAME_WHITEOUT 4
#define L_RLIMIT_NLIMITS 16
#define L_RLIMIT_FSIZE 1
#define L_RLIMIT_DATA 2
#define L_RLIMIT_STACK 3
#define L_RLIMIT_NPROC 6
#define L_RLIMIT_NOFILE 7
#define L_RLIMIT_AS 9
#define L_RLIM_INFINITY (~0ull)
#define L_SS_ONSTACK 1
#define L_SS_DISABLE 2
#define L_MINSIGSTKSZ 2048
#define L_GRND_NONBLOCK 1
#define L_GRND_RANDOM 2
#define L_GRND_INSECURE 4
#define L_PR_SET_NAME 15
#define L_PR_GET_NAME 16
#define L_MREMAP_MAYMOVE 1
#define L_MREMAP_FIXED 2
#define L_MREMAP_DONTUNMAP 4
#define L_TMPFS_MAGIC 0x01021994

struct linux_pollfd {
	int32_t fd;
	int16_t events;
	int16_t revents;
};

struct linux_statfs {
	int64_t f_type;
	int64_t f_bsize;
	uint64_t f_blocks;
	uint64_t f_bfree;
	uint64_t f_bavail;
	uint64_t f_files;
	uint64_t f_ffree;
	int32_t f_fsid[2];
	int64_t f_namelen;
	int64_t f_frsize;
	int64_t f_flags;
	int64_t f_spare[4];
};

struct linux_rlimit {
	uint64_t cur;
	uint64_t max;
};

struct linux_rusage {
	struct linux_timeval ru_utime;
	struct linux_timeval ru_stime;
	int64_t ru_maxrss;         /* KiB */
	int64_t ru_ixrss, ru_idrss, ru_isrss;
	int64_t ru_minflt, ru_majflt, ru_nswap, ru_inblock, ru_oublock;
	int64_t ru_msgsnd, ru_msgrcv, ru_nsignals, ru_nvcsw, ru_nivcsw;
};
#define L_RUSAGE_SELF 0
#define L_RUSAGE_CHILDREN (-1)
#define L_RUSAGE_THREAD 1

struct linux_sysinfo {
	int64_t uptime;
	uint64_t loads[3];
	uint64_t totalram;
	uint64_t freeram;
	uint64_t sharedram;
	uint64_t bufferram;
	uint64_t totalswap;
	uint64_t freeswap;
	uint16_t procs;
	uint16_t pad;
	uint32_t pad2;
	uint64_t totalhigh;
	uint64_t freehigh;
	uint32_t mem_unit;
	char reserved[4];
};

struct linux_tms {
	int64_t utime;
	int64_t stime;
	int64_t cutime;
	int64_t cstime;
};

struct linux_stack {
	uint64_t sp;
	int32_t flags;
	int32_t pad;
	uint64_t size;
};

/* symbolic links, mount(2)/umount2(2), linkat(2) (issue 13: disks) */
#define L_S_IFLNK 0120000
#define L_DT_LNK 10
#define L_AT_SYMLINK_FOLLOW 0x400
#define L_MS_RDONLY 1ul
#define L_MS_NODEV 4ul
#define L_MNT_FORCE 1
#define L_MNT_DETACH 2
#define L_UMOUNT_NOFOLLOW 8
#define L_EXT2_SUPER_MAGIC 0xef53
#define L_SYMLOOP_MAX 40

/* threads: clone(2) flags, futex(2), robust lists (issue 18: threads, docs/threads.md) */
#define L_CSIGNAL 0xfful
#define L_CLONE_VM 0x100ul
#define L_CLONE_FS 0x200ul
#define L_CLONE_FILES 0x400ul
#define L_CLONE_SIGHAND 0x800ul
#define L_CLONE_VFORK 0x4000ul
#define L_CLONE_THREAD 0x10000ul
#define L_CLONE_SYSVSEM 0x40000ul
#define L_CLONE_SETTLS 0x80000ul
#define L_CLONE_PARENT_SETTID 0x100000ul
#define L_CLONE_CHILD_CLEARTID 0x200000ul
#define L_CLONE_DETACHED 0x400000ul
#define L_CLONE_CHILD_SETTID 0x1000000ul
#define L_FUTEX_WAIT 0
#define L_FUTEX_WAKE 1
#define L_FUTEX_REQUEUE 3
#define L_FUTEX_CMP_REQUEUE 4
#define L_FUTEX_WAKE_OP 5
#define L_FUTEX_WAIT_BITSET 9
#define L_FUTEX_WAKE_BITSET 10
#define L_FUTEX_PRIVATE_FLAG 128
#define L_FUTEX_CLOCK_REALTIME 256
#define L_FUTEX_WAITERS 0x80000000u
#define L_FUTEX_OWNER_DIED 0x40000000u
#define L_FUTEX_TID_MASK 0x3fffffffu
#define L_ROBUST_LIST_LIMIT 2048

struct linux_robust_list_head {
	uint64_t next;               /* first entry (its address | 1 for a PI futex) */
	int64_t futex_offset;        /* from an entry to its futex word */
	uint64_t op_pending;         /* the entry being taken or given up */
};
