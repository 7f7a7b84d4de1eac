/* Plates (Tender): the persistent-storage resource, i.e. files and directories (and the
 * device nodes of /dev, whose rdev selects a device driver when opened). Each plate is
 * found by its canonical absolute path (see path.h); it holds only its own name and its
 * directory's rid. Plates from the boot image point into the
 * image's memory (read-only, no copy); plates created at run time (under /tmp) keep their
 * content in physical pages found through a two-level page list, and grow up to
 * PLATE_MAX_SIZE. Other tables refer to a plate only by its rid. */
#pragma once
#include <stddef.h>
#include <stdint.h>
#include "abi/tessera.h"
#include "kernel/res/res.h"

struct linux_stat;
struct procfs_node;

/* Plates in the table at most, set at boot from the size of memory: one per page of RAM
 * (Linux's tmpfs allows one per two), between PLATE_CAPACITY_MIN and PLATE_CAPACITY_MAX. The
 * table grows in chunks while memory lasts (kernel/res/res.h), so this is a bound on its
 * addresses, not memory set aside. */
#define PLATE_CAPACITY_MIN (1u << 13)
#define PLATE_CAPACITY_MAX (1u << 22)
extern uint32_t plate_capacity;
#define PLATE_MAX_SIZE (512ull << 30)           /* content of a run-time plate (pagelist.h) */
/* st_dev of the file systems in memory (fsinfo.h); a disk mount's is MNT_DEV_BASE + index */
#define PLATE_DEV_ROOT 1
#define PLATE_DEV_TMPFS 2
#define PLATE_DEV_PROC 4
#define PLATE_DEV_DEVTMPFS 5

/* Registers the plate table and creates "/", the writable directory "/tmp", and /dev with
 * the nodes console (5,1), tty (5,0), null (1,3) and zero (1,5). */
void plate_init(void);
/* Creates a plate for every entry of the boot image, a newc cpio archive that stays mapped
 * and unchanged for the kernel's lifetime. Parents missing from the archive are implied.
 * -EINVAL for a malformed archive (nothing is created then), -ENFILE when the table fills. */
int plate_init_image(const void *base, size_t len);

int plate_lookup_path(const char *abs_path, rid_t *out);
/* plate_lookup_path of canon whose directory (canon up to the '/' before name_at, where its
 * last component starts) is known to be plate dir: found in the table from dir by name,
 * without hashing or even scanning the whole path, so that checking a path component by
 * component stays linear in its length; else as plate_lookup_path. */
int plate_lookup_in(rid_t dir, const char *canon, size_t name_at, rid_t *out);
/* Creates an empty regular plate at a canonical path whose parent directory exists and is
 * writable (-EROFS otherwise, -EEXIST if it exists). mode: permission bits (07777). The
 * caller has checked the creator's right to modify the parent. */
int plate_create(const char *abs_path, uint32_t mode, const struct cred *owner, rid_t *out);

/* A new empty directory at a canonical path (parent as for plate_create); mode: 07777 bits. */
int plate_mkdir(const char *abs_path, uint32_t mode, const struct cred *owner, rid_t *out);
/* A new special file at a canonical path, as plate_mkdir: mode is its type (S_IFIFO, a FIFO
 * whose opening fifo.h describes; S_IFSOCK, a socket node, which opens with -ENXIO;
 * S_IFCHR or S_IFBLK, a device node of number rdev in Linux's encoding, which opens its
 * device, file_dev.c) and permission bits. -EINVAL for another type. The caller has checked
 * the creator's rights, including the privilege a device node needs. */
int plate_mknod(const char *abs_path, uint32_t mode, uint32_t rdev, const struct cred *owner,
		rid_t *out);
/* Removes the name canon: want_dir 1 as rmdir(2) (-ENOTDIR, -ENOTEMPTY), 0 as unlink(2)
 * (-EISDIR). Needs modify rights on the parent (and ownership in a sticky directory: -EPERM);
 * -EROFS on the boot image, -EBUSY for "/" and pinned plates. A plate with another name (a
 * hard link) keeps it; one with none that is open lives on unnamed until closed. */
int plate_remove(const char *canon, int want_dir, const struct cred *cred);
/* rename(2) between canonical paths, moving a directory's whole subtree; an existing target
 * is replaced as Linux does (noreplace: -EEXIST instead). */
int plate_rename(const char *from, const char *to, int noreplace, const struct cred *cred);
/* Permission bits (owner or root only: -EPERM; -EROFS on the boot image). */
int plate_chmod(rid_t plate, uint32_t mode, const struct cred *cred);
/* Modification time in seconds; explicit_time 0 means "now", which write rights suffice for. */
int plate_set_mtime(rid_t plate, uint32_t mtime, int explicit_time, const struct cred *cred);
/* Sets the modification time to now (a write happened). */
void plate_touch(rid_t plate);

/* The version of a regular plate's content: a number no other plate and no other content of
 * this plate ever has (a new one at creation and with every write or truncation), so it
 * names exactly these bytes; 0 for a bad rid. */
uint64_t plate_version(rid_t plate);
/* A read-only contiguous view of a regular plate's content as it is now, of at most max
 * bytes (-EFBIG beyond): the boot image's own bytes for an image plate; for a run-time plate a
 * copy (pages mapped contiguously, kernel/mm/vmap.h) that later writes do not change
 * (-ENOMEM without memory for it). version is plate_version at the time of the copy. */
struct plate_view {
	const void *data;
	size_t size;
	uint64_t version;
	void *copy;                  /* the copy's mapping (NULL: none, the image's bytes) */
};
int plate_view_open(rid_t plate, uint64_t max, struct plate_view *out);
/* Gives back the copy's pages and addresses; the view is empty afterwards. */
void plate_view_close(struct plate_view *view);
/* Contiguous content of an image plate; -ENOTSUP for a run-time plate (use plate_read_at).
 * Content operations on a directory fail with -EISDIR, on a device node with -EINVAL. */
int plate_map_image(rid_t plate, const void **data, size_t *size);
/* Copy out up to n bytes at off (0 at or beyond the end); negative errno for a bad plate. */
long plate_read_at(rid_t plate, uint64_t off, void *kbuf, size_t n);
long plate_write_at(rid_t plate, uint64_t off, const void *kbuf, size_t n);

/* The readable bytes at off as one span inside a single page (or the whole rest of an image
 * plate): *n is 0 at the end. Valid until the plate is next written or truncated. */
int plate_read_span(rid_t plate, uint64_t off, const void **p, size_t *n);
/* Where up to *n bytes may be written at off (the page is allocated here): the caller fills
 * some prefix of it and then calls plate_write_commit with how much it wrote. -EROFS for image
 * plates and directories, -EFBIG at PLATE_MAX_SIZE, -ENOSPC when memory is exhausted. */
int plate_write_span(rid_t plate, uint64_t off, void **p, size_t *n);
void plate_write_commit(rid_t plate, uint64_t off, size_t written);
/* New size: pages beyond it are freed, a gap reads as zeros. -EROFS, -EFBIG, -EISDIR. */
int plate_truncate(rid_t plate, uint64_t size);

bool plate_is_dir(rid_t plate);                 /* false for anything but a live directory */
uint32_t plate_rdev(rid_t plate);               /* a device node's number (linux_makedev) */
uint64_t plate_size(rid_t plate);               /* 0 for a bad rid */
int plate_is_writable(rid_t plate);             /* content (file) or entries (dir) may change */
uint32_t plate_mode(rid_t plate);               /* S_IF* | permission bits; 0 for a bad rid */
uint32_t plate_mtime(rid_t plate);
/* Whether cred may read (4), write (2) or execute/search (1) the plate by its permission bits,
 * owner and group as Linux checks them (root: see plate.c); 0, -EACCES, -ESTALE. */
#define PLATE_MAY_EXEC 1u
#define PLATE_MAY_WRITE 2u
#define PLATE_MAY_READ 4u
#define PLATE_MAY_RWX 7u
int plate_permission(rid_t plate, uint32_t mask, const struct cred *cred);
uint64_t plate_ino(rid_t plate);                /* table index + 1 */
/* All of the above as stat(2) gives them; -ESTALE for a bad rid. */
int plate_stat(rid_t plate, struct linux_stat *st);
rid_t plate_parent(rid_t plate);                /* 0 for "/" */
/* The canonical path into buf (cap bytes; PATH_BUF holds any): its length, "" (0) for a
 * plate that has lost its name, -ENAMETOOLONG, or -ESTALE for a bad rid. */
long plate_path(rid_t plate, char *buf, size_t cap);

/* Open files count their plate, so that deleting it is refused (-EBUSY) while open. */
void plate_open_ref(rid_t plate);
void plate_close_ref(rid_t plate);

/* chown(2) (uid/gid UINT32_MAX: unchanged); symlink(2) and link(2), which check the right to
 * change the directory themselves (disk plates only: -EPERM elsewhere, -EXDEV across mounts). */
int plate_chown(rid_t plate, uint32_t uid, uint32_t gid, const struct cred *cred);
int plate_symlink(const char *canon, const char *target, const struct cred *owner, rid_t *out);
int plate_link(rid_t plate, const char *canon, const struct cred *cred, rid_t *out);

/* ---- /proc (plate_proc.c, procfs.h) ------------------------------------------------------ */
/* /proc and its fixed tree (one file per resource type: after every type has registered). */
void plate_proc_init(void);
bool plate_is_proc(rid_t plate);
/* The node a /proc plate shows (-EINVAL for other plates). */
int plate_proc_node(rid_t plate, struct procfs_node *out);
/* procfs_may_access for the node of a /proc plate (0 for other plates). */
int plate_proc_may_access(rid_t plate, const struct cred *cred);
/* The /proc plates of process pid go (those open live on unnamed until closed). */
void plate_proc_forget(int pid);
/* Pages of content the run-time (RAM) plates hold. */
uint64_t plate_ram_pages(void);
/* statfs(2)'s count of plates: how many there could be now (those live, and as many more as
 * the table's bound and the free memory allow), and how many of those are free. */
void plate_files(uint64_t *files, uint64_t *ffree);

/* ---- disk plates (plate_disk*.c): files of mounted file systems ---------------------- */
/* Reads or writes a disk plate's content at off through its server; buf is user memory when
 * user is set. The bytes moved, or an error if none were. */
long plate_disk_io(rid_t plate, uint64_t off, void *buf, size_t n, int write, int user);
bool plate_is_disk(rid_t plate);
/* Whether plate lies on a mount made with MS_NODEV (its device nodes do not open). */
bool plate_nodev(rid_t plate);
/* Fresh attributes of a disk plate from its server (nothing for other plates). */
int plate_refresh(rid_t plate);
/* The target of a symbolic link (-EINVAL for anything else), at most size bytes; a link of
 * /proc is the calling process's view (/proc/self) and subject to its access check. */
long plate_readlink(rid_t plate, char *kbuf, size_t size);
/* fsync(2) (whole: syncfs(2), the plate's whole file system); 0 for plates in memory. */
int plate_fsync(rid_t plate, int whole);
struct t_fs_statfs;
struct t_fs_attr;
/* statfs of a disk plate's file system; -ENOTSUP for other plates. */
int plate_disk_statfs(rid_t plate, struct t_fs_statfs *out);

/* Mount points (mount.c): whether a directory plate may not become one (open, has plates
 * below it, or is "/"); it becomes the root of mount mnt (m keeps what it was); and back. */
struct mount;
bool plate_mount_busy(rid_t plate);
void plate_mount_root(rid_t plate, uint32_t mnt, const struct t_fs_attr *root, struct mount *m);
void plate_unmount_root(rid_t plate, const struct mount *m);
/* Whether a file of mount mnt is open; the plates of mount mnt (not its root) freed. */
bool plate_mount_in_use(uint32_t mnt);
void plate_forget_mount(uint32_t mnt);

/* Packs Linux dirent64 records of directory dir into buf: position 0 is ".", 1 is "..", then
 * the children in path order. Starts at *pos and advances it past every record written;
 * returns the bytes written (0 at the end), -EINVAL if not even one record fits, -ENOTDIR. */
long plate_dir_read(rid_t dir, uint64_t *pos, void *buf, size_t cap);
/* Gives back the pages of the last listing, and shrinks the path and inode indexes as far as
 * their counts allow (before the leak checks compare free pages; a listing read to its end
 * gives back all but its first page itself). */
void plate_trim(void);
void plate_dir_trim(void);
