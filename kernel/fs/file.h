/* Open files and per-process file-descriptor tables. An open file is a small kernel object
 * (like a Unix open file description) whose variant (console, null device, plate, directory)
 * sits behind an operations table; it is shared by reference between descriptors (dup) and
 * processes (clone), and freed with its last reference. */
#pragma once
#include "kernel/fs/path.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "abi/tessera.h"

/* Descriptors: the first NFD live in the process entry itself; more (up to NFD_MAX, as
 * RLIMIT_NOFILE allows: NFD_DEFAULT at first, as Linux's soft limit) in pages of
 * FD_PAGE_ENTRIES taken when a descriptor there is first installed. */
#define NFD 32
#define NFD_DEFAULT 1024
#define NFD_MAX 4096
#define FD_PAGE_ENTRIES 448
#define FD_EXT_PAGES ((NFD_MAX - NFD + FD_PAGE_ENTRIES - 1) / FD_PAGE_ENTRIES)

struct file;
struct linux_stat;
struct linux_iovec;
struct cred;

struct file_ops {
	/* ubuf is a user pointer: the op copies with copy_to_user/copy_from_user. */
	long (*read)(struct file *f, void *ubuf, size_t n);
	long (*write)(struct file *f, const void *ubuf, size_t n);
	long (*lseek)(struct file *f, int64_t off, int whence);
	int (*stat)(struct file *f, struct linux_stat *st);
	long (*getdents64)(struct file *f, void *ubuf, size_t n);
	long (*ioctl)(struct file *f, unsigned long req, uint64_t arg);
	void (*release)(struct file *f);
	/* Readiness as L_POLL* bits, without blocking; NULL: always readable and writable. */
	unsigned (*poll)(struct file *f);
	/* Writes back what the variant caches (fsync); NULL: nothing to write back. */
	int (*fsync)(struct file *f);
	/* pread/pwrite at off, leaving f->off alone; NULL: read/write with f->off set around
	 * them, which is right only for variants that cannot wait (another user of a shared
	 * file would see the borrowed offset) */
	long (*pio)(struct file *f, void *ubuf, size_t n, uint64_t off, bool write);
	/* writev of n buffers (kernel copies of the user's iovecs) as one write, for a variant
	 * whose writes must not be split (the forwarded console: one line, one message);
	 * NULL: one write per buffer */
	long (*writev)(struct file *f, const struct linux_iovec *iov, int n);
};

struct file {
	const struct file_ops *ops;
	int refs;
	int flags;          /* O_* open flags (access mode, O_APPEND, O_NONBLOCK, ...) */
	uint64_t off;       /* byte offset; for a directory, the listing position */
	rid_t plate;        /* the plate behind the file (a device plate for /dev/...); 0 for the
			     * console of fdtable_init_console */
	void *priv;         /* the variant's own object (the pipe of a pipe end) */
};

struct fdpage {
	struct file *fd[FD_PAGE_ENTRIES];
	uint8_t cloexec[FD_PAGE_ENTRIES];
};

struct fdtable {
	struct file *fd[NFD];
	uint8_t cloexec[NFD];
	int limit;          /* descriptors from here on are not handed out (RLIMIT_NOFILE) */
	int top;            /* no descriptor at or above this one is open */
	struct fdpage *ext[FD_EXT_PAGES];   /* descriptors NFD and up; NULL: none there */
	int lock_pid;       /* the process whose POSIX record locks a close releases (reclock.h);
			     * kept when the table is cloned into */
};

/* ---- descriptor tables -------------------------------------------------------------------- */
/* fds 0, 1, 2 on the console; -ENOMEM */
int fdtable_init_console(struct fdtable *t);
/* dst (empty) gets references to the same open files as src (and the same close-on-exec
 * flags and descriptor limit); -ENOMEM (dst stays empty) without memory for its pages. */
int fdtable_clone(struct fdtable *dst, const struct fdtable *src);
void fdtable_close_all(struct fdtable *t);
/* Closes the descriptors marked close-on-exec (for a process that changes its program). */
void fdtable_close_cloexec(struct fdtable *t);

/* The lowest free descriptor >= min gets f (the caller's reference moves into the table):
 * returns it, or -EMFILE (-EINVAL if min is at or beyond the limit, -ENOMEM without memory
 * for a page of descriptors); f is untouched on failure. */
int fd_install(struct fdtable *t, int min, struct file *f, int cloexec);
/* How many descriptors t may hold (the process's RLIMIT_NOFILE, at most NFD_MAX), and how
 * many of those are free now. */
int fd_limit(const struct fdtable *t);
int fd_free_count(const struct fdtable *t);
/* Descriptor fd (free, below NFD: else a kernel bug) gets f: the caller's reference moves
 * into the table (a process built from another node's image, kernel/proc/migrate_in.c). */
void fd_put_at(struct fdtable *t, int fd, struct file *f, bool cloexec);
/* The open file of fd, without a new reference; -EBADF. */
int fd_get(const struct fdtable *t, int fd, struct file **out);
/* The close-on-exec flag of open descriptor fd (checked with fd_get first). */
bool fd_cloexec(const struct fdtable *t, int fd);
void fd_set_cloexec(struct fdtable *t, int fd, bool on);
int fd_close(struct fdtable *t, int fd);
/* Makes newfd refer to oldfd's file (closing what newfd had); close-on-exec is cleared.
 * -EBADF for a newfd at or beyond the limit, -ENOMEM. */
int fd_dup2(struct fdtable *t, int oldfd, int newfd);

/* ---- open files --------------------------------------------------------------------------- */
/* A new file with one reference; plate (if any) is counted open until the release. */
int file_alloc(const struct file_ops *ops, int flags, rid_t plate, struct file **out);
void file_get(struct file *f);
void file_put(struct file *f);
/* The console on the first serial port, not backed by a plate. */
int file_open_console(struct file **out);
/* Whether f is the console (opened either way). */
bool file_is_console(const struct file *f);
/* The console of a process from another node: what it writes goes to its home node's
 * console through the node server (file_rcons.c); reading gives end of file. */
int file_open_rcons(uint32_t home_node, int home_pid, struct file **out);
bool file_is_rcons(const struct file *f);
/* The console opened through a device node (/dev/console, /dev/tty). */
int file_open_console_node(rid_t node, int flags, struct file **out);

/* A regular or directory plate (no checks: see file_open_path). */
int file_open_plate(rid_t plate, int flags, struct file **out);
/* A file of /proc (file_proc.c): its content generated at the first read from its start. */
int file_open_proc(rid_t plate, int flags, struct file **out);

/* Opens the canonical path (creating it for O_CREAT) with Linux open flags and permission bits
 * mode, checking cred's rights by the plates' permission bits (plate_permission): read to
 * read, write to write, write and search on the parent to create. Errors as Linux open(2);
 * -EROFS to write boot-image plates. */
int file_open_path(const char *canon, int flags, uint32_t mode, const struct cred *cred,
		   struct file **out);
/* Resolves path against the canonical directory base into out (every intermediate component
 * must be an existing directory or a symbolic link to one, which is followed, as is one at the
 * end): 0, -ENOENT, -ENOTDIR, -ENAMETOOLONG, -ELOOP. The nofollow variant leaves a link at
 * the end alone (lstat, unlink, rename, readlink, O_NOFOLLOW). */
int fs_resolve(const char *base, const char *path, char out[PATH_BUF]);
int fs_resolve_nofollow(const char *base, const char *path, char out[PATH_BUF]);
/* Either of them (follow says which), and (plate not NULL) the plate out names into *plate,
 * looked up once (-ENOENT if none). */
int fs_resolve_plate(const char *base, const char *path, char out[PATH_BUF], bool follow,
		     rid_t *plate);
/* Every directory the walk goes through (and a relative path's base) needs search rights:
 * -EACCES. The calls above walk as the current process (fs_cred_cur); this one as cred
 * (access(2) walks as the real ids), following a link at the end or not, and gives the plate
 * as fs_resolve_plate does. */
int fs_resolve_as(const char *base, const char *path, char out[PATH_BUF], bool follow,
		  const struct cred *cred, rid_t *plate);
/* Both resolve in the current process's root directory (chroot.h); this one resolves a path
 * the kernel already holds (canonical and global) in the whole namespace. */
int fs_resolve_global(const char *path, char out[PATH_BUF]);

/* Shared answers for operations a variant does not have (every table is complete). */
long file_op_espipe(struct file *f, int64_t off, int whence);          /* lseek */
long file_op_enotdir(struct file *f, void *ubuf, size_t n);           /* getdents64 */
long file_op_enotty(struct file *f, unsigned long req, uint64_t arg);  /* ioctl */
void file_op_norelease(struct file *f);                                /* release */

/* Opens a device-node plate (character or block) by its device number (file_dev.c): the
 * console, the memory devices, the virtio disks. -ENXIO for a number no driver serves. */
int file_open_device(rid_t node, int flags, struct file **out);

/* The virtio disks' block device numbers (Linux gives virtblk a dynamic major; 253 is what it
 * usually gets): unit u is minor u * DEV_VIRTBLK_MINORS (its partitions would follow). */
#define DEV_VIRTBLK_MAJOR 253u
#define DEV_VIRTBLK_MINORS 16u
/* The block unit a block device number names: -ENXIO unless a whole virtio disk's number
 * below TFN_BLK_UNITS. */
int file_blk_unit(uint32_t rdev, uint32_t *unit);
/* A block device served by a driver process (/dev/vda: unit 0), see file_blk.c. -ENXIO when
 * no driver serves the unit. */
int file_open_blk(rid_t node, int flags, struct file **out);

/* A pipe: *rd is its read end, *wr its write end (flags: O_NONBLOCK is kept). -ENOMEM. */
int pipe_create(int flags, struct file **rd, struct file **wr);
/* FIFOs (fifo.c) open more ends onto one pipe: the pipe of an end, and a new end of it (a
 * read end for O_RDONLY, else a write end; O_NONBLOCK kept). -ENOMEM. */
struct pipe;
struct pipe *pipe_of(const struct file *end);
int pipe_open_end(struct pipe *p, int flags, struct file **out);
/* Readiness of f as L_POLL* bits (see file_ops.poll). */
unsigned file_poll(struct file *f);
/* Whether f is a pipe end (pread/pwrite/lseek answer -ESPIPE). */
int file_is_pipe(const struct file *f);
/* fcntl(F_GETPIPE_SZ): the pipe's capacity in bytes; -EBADF for anything but a pipe. */
long pipe_get_size(struct file *f);
/* fcntl(F_SETPIPE_SZ): the capacity becomes size rounded up to a power of two pages (at least
 * one page): the new capacity, -EBUSY if the content would not fit, -EPERM beyond
 * PIPE_MAX_SIZE, -ENOMEM, -EBADF for anything but a pipe. */
long pipe_set_size(struct file *f, uint64_t size);
#define PIPE_DEF_SIZE (64u << 10)      /* as Linux: 16 pages */
#define PIPE_MAX_SIZE (1u << 20)       /* Linux's /proc/sys/fs/pipe-max-size */
/* Every open file that changes readiness calls this; poll(2) sleeps on it. */
void file_poll_wakeup(void);
extern const char file_poll_chan;
/* Counts file_poll_wakeup calls: a poll whose pass over its files could sleep (a socket asks
 * its server) sleeps only if no wake-up came during the pass. */
extern uint64_t file_poll_gen;

/* The operations with the checks every variant shares (access mode, EBADF, EISDIR...). */
long file_read(struct file *f, void *ubuf, size_t n);
long file_write(struct file *f, const void *ubuf, size_t n);
/* The variant's writev (which it must have): n kernel copies of iovecs. */
long file_writev(struct file *f, const struct linux_iovec *iov, int n);
long file_lseek(struct file *f, int64_t off, int whence);
/* pread/pwrite through the variant's pio (which it must have). */
long file_pio(struct file *f, void *ubuf, size_t n, uint64_t off, bool write);
/* pread/pwrite of any seekable file: its pio, or its read/write with the offset set around
 * them for a variant without one. */
long file_pio_at(struct file *f, void *ubuf, size_t n, uint64_t off, bool write);
int file_stat(struct file *f, struct linux_stat *st);
long file_getdents64(struct file *f, void *ubuf, size_t n);
long file_ioctl(struct file *f, unsigned long req, uint64_t arg);
