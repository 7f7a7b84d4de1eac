/* Internal to the plate module (plate*.c): the table entry and the helpers its files share.
 * Nothing outside kernel/fs/plate*.c includes this; everyone else goes through plate.h. */
#pragma once
#include "kernel/fs/pagelist.h"
#include "kernel/fs/path.h"
#include "kernel/fs/plate.h"
#include "abi/fsproto.h"
#include "kernel/fs/procfs.h"

#define PF_IMAGE 0x1u      /* from the boot image; a file's content is still the image's bytes
                              * (the first write copies it to memory: pl_copy_up) */
#define PF_PINNED 0x2u     /* never deleted ("/", "/tmp", /dev nodes) */
#define PF_UNLINKED 0x4u   /* its name is gone; freed when the last open file closes */
#define PF_DISK 0x8u       /* a file of a mounted file system (plate_disk.c) */
#define PF_SRVREF 0x10u    /* the server holds an open reference for it (FS_OPEN) */
#define PF_STALE 0x20u     /* a disk plate's attributes may have changed at the server */
#define PF_PROC 0x40u      /* a node of /proc (plate_proc.c): content generated, read-only */
/* The plates whose entries and attributes never change by a program's call: /proc's. The
 * boot image is writable as Linux's initramfs (a tmpfs). */
#define PL_READ_ONLY(p) (((p)->flags & PF_PROC) != 0)

/* A plate holds its own name and its directory's rid, not its whole path: a path costs
 * nothing per plate however deep the tree, and a rename moves a subtree by changing one
 * plate (the path hash of the plates below is computed again, nothing is copied). */
struct plate {
	struct res_hdr hdr;
	char name[NAME_BUF];     /* its last component; "" for "/" and for an unnamed plate */
	uint32_t mode;           /* L_S_IF* | permission bits */
	uint32_t mtime;
	uint32_t flags;
	uint32_t opens;
	uint32_t rdev;           /* device nodes */
	uint64_t size;
	uint64_t version;        /* content version (plate_version): new with every change */
	const uint8_t *image;    /* content of an image plate */
	struct pagelist pages;   /* content of a run-time plate */
	rid_t parent;            /* its directory (0 for "/" and unnamed plates) */
	uint16_t name_len;
	/* Indexes (table slots plus one, 0 = none; a zeroed plate is in none of them): the path
	 * hash (plate.c), its directory's list of children, and for disk plates the hash of
	 * (mount, inode) and the eviction order (plate_disk.c). */
	uint32_t phash;          /* idhash_str(its canonical path) while hashed */
	uint32_t hnext;
	bool hashed;
	bool ihashed;
	bool in_lru;
	uint32_t child;          /* first child */
	uint32_t nchild;
	uint32_t sib_prev, sib_next;
	uint32_t ihnext;
	uint32_t lru_prev, lru_next;
	/* disk plates (PF_DISK): the mount (1 + index, mount.h), the inode, and the attributes
	 * the server last reported; used: when it was last looked up, for eviction */
	uint32_t mnt;
	uint32_t ino;
	uint64_t used;
	struct t_fs_attr attr;
	struct procfs_node pnode;  /* PF_PROC: the node it shows */
};

/* The largest power of two at most n (n > 0): index sizes. */
uint32_t pl_pow2_floor(uint32_t n);
/* The plate in table slot i, which the caller knows to be live (a link of an index). */
struct plate *pl_slot(uint32_t i);
/* The table slot of p plus one: what the indexes store. */
uint32_t pl_ref(const struct plate *p);
/* Makes p a child of directory parent (0: of none), leaving its former parent's list (the
 * path index is pl_place's: use it, this is for the tree alone). */
void pl_set_parent(struct plate *p, rid_t parent);
/* The children of d: the first one (NULL if none), then each one's next sibling. */
struct plate *pl_first_child(const struct plate *d);
struct plate *pl_next_child(const struct plate *c);
/* Whether a plate other than itself has p as its parent. */
bool pl_has_children(const struct plate *p);
/* The plates below top in post-order (children before their directory, top itself last):
 * pl_below_first gives the first, pl_below_next the one after c; NULL at the end. The caller
 * may free or move c before asking for the next one only if c has no children then. */
struct plate *pl_below_first(struct plate *top);
struct plate *pl_below_next(struct plate *top, struct plate *c);
/* Takes p out of every index and frees its slot (its content is the caller's). */
void pl_free(struct plate *p);
/* Sets up the path index (at plate_init, plate_index.c). */
void pl_index_init(void);

/* The plate at a canonical path in the table (no disk lookup), or -ENOENT. */
int pl_hash_find(const char *abs_path, rid_t *out);
/* The plate that is entry name[0..n) of directory dir in the table (its own name, not a
 * further one: plate_name.c), or -ENOENT. */
int pl_hash_find_child(const struct plate *dir, const char *name, size_t n, rid_t *out);
/* The entry of a live plate, or NULL. */
struct plate *plate_obj(rid_t rid);
int pl_is_dir(const struct plate *p);
/* A character or block device node. */
bool pl_is_device(const struct plate *p);
/* 0 for a regular plate, else why its content cannot be used (-EISDIR, -EINVAL, -ESTALE). */
int pl_check_regular(const struct plate *p);
/* A new plate at a canonical path whose parent (if any) exists. */
int pl_make(const char *path, uint32_t mode, uint32_t tmode, const struct cred *owner,
	    rid_t parent, struct plate **out);
/* The directory at a canonical path, created with its missing parents (read-only ones). */
int pl_ensure_dir(const char *path, const struct cred *owner, struct plate **out);
/* Every change of a plate's name goes through here (creation, rename): it becomes entry name
 * (at most NAME_MAX_LEN characters; "" only for "/") of directory parent (0 for "/"), and the
 * plates below it are hashed by their new paths, so that lookups by path and the listing
 * cache (plate_dir.c) stay exact. pl_unname takes its name away (it is found no more). */
void pl_place(struct plate *p, rid_t parent, const char *name);
void pl_unname(struct plate *p);
/* The hash of the path of entry name (n characters) of directory dir: idhash_str of the
 * canonical path, computed from dir's. */
uint32_t pl_child_hash(const struct plate *dir, const char *name, size_t n);
/* Whether p (a named plate) is at canonical path path[0..len) (len 0 with "/" for p "/"
 * counts as a prefix: see pl_is_prefix). */
bool pl_path_is(const struct plate *p, const char *path);
/* Whether path[0..end) is p's path, "/" counting as "" (what precedes "/name" below it). */
bool pl_is_prefix(const struct plate *p, const char *path, size_t end);
/* p's canonical path into buf (cap bytes): its length, or -ENAMETOOLONG; "" when unnamed. */
long pl_path_of(const struct plate *p, char *buf, size_t cap);
/* The length of p's canonical path (without building it). */
size_t pl_path_len(const struct plate *p);
/* Bumped by every pl_set_path: a listing computed at another value may be outdated. */
extern uint32_t pl_names_gen;

/* The content at off of a plate whose content is in memory (a file or a symbolic link of the
 * image or of memory), as plate_read_span without its checks. */
void pl_content_span(const struct plate *p, uint64_t off, const void **out, size_t *n);
/* An image file's first keep bytes become its own content in memory (see plate_content.c):
 * -ENOSPC when memory runs out (nothing changed); nothing to do for other plates. */
int pl_copy_up(struct plate *p, uint64_t keep);
/* Gives p's content a new version: at creation and at every write or truncation. */
void pl_new_version(struct plate *p);
/* The wall-clock time in seconds, for modification times. */
uint32_t pl_now(void);
/* Frees p if it has lost its name (PF_UNLINKED) and is no longer open. */
void pl_release_unlinked(struct plate *p);

/* ---- further names: hard links of plates in memory (plate_name.c) -------------------------- */
#define PL_NAMES_MAX 65536u       /* further names at most (their pages are mapped as used) */
struct pl_name {
	char name[NAME_BUF];      /* the entry's name in its directory */
	rid_t plate;              /* 0: a free entry */
	rid_t parent;             /* the directory holding the name */
	uint32_t next;            /* the path hash's chain (kernel/lib/idhash.h) */
	uint32_t hash;            /* idhash_str of its canonical path */
};
extern uint32_t pl_nnames;        /* entries in use */
/* At boot: the window of the entries and the path hash; pl_name_trim shrinks the hash (the
 * leak checks compare memory after it, as after plate_trim). */
void pl_name_init(void);
void pl_name_trim(void);
/* The plate a further name refers to (-ENOENT if path is no further name). */
int pl_name_find(const char *path, rid_t *plate);
/* Entry i, NULL when free or past the end (listings walk them, below pl_name_end()). */
const struct pl_name *pl_name_at(uint32_t i);
uint32_t pl_name_end(void);
/* A further name of plate in directory parent (-ENOSPC when the table is full). */
int pl_name_add(const char *path, rid_t plate, rid_t parent);
int pl_name_remove(const char *path);
int pl_name_move(const char *from, const char *to, rid_t parent);
uint32_t pl_name_count(rid_t plate);
bool pl_name_in_dir(rid_t dir);
/* Takes one further name of plate away, giving its name and directory (-ENOENT: none). */
int pl_name_take(rid_t plate, char name[NAME_BUF], rid_t *parent);
/* Every further name of plate goes (the plate is being freed). */
void pl_name_forget(rid_t plate);
/* Directory top moved: the names below it are hashed by their new paths. Whether every name
 * below top still fits in CANON_MAX_LEN when top's path grows by grow characters. */
void pl_name_rehash_below(const struct plate *top);
bool pl_name_fits_below(const struct plate *top, size_t grow);
/* The writable directory that will hold a new entry at canon (-EEXIST if canon exists). */
int pl_new_entry_parent(const char *canon, struct plate **dir);
/* The device number of the file system of a plate in memory (plate.c). */
uint64_t pl_ram_dev(const struct plate *p);

/* ---- /proc (plate_proc.c) ----------------------------------------------------------------- */
/* The plate of a path below /proc that has none yet (made with every missing parent), or
 * -ENOENT. */
int pl_proc_lookup(const char *canon, rid_t *out);
/* A found per-process plate takes its process's current owner; -ENOENT (and the plate goes
 * if unused) when what it names is gone, as a closed descriptor's fd/N. */
int pl_proc_touch(struct plate *p);
/* Frees /proc plates nobody uses (not open, no plates below them, not keep: the directory a
 * lookup is making a plate in); false if there was none. */
bool pl_proc_evict(rid_t keep);

/* ---- disk plates (plate_disk.c, plate_disk_ops.c) ----------------------------------------- */
/* The plate of a canonical path that lies below a mounted directory and has no plate yet:
 * looked up through the server component by component, a plate made for each. -ENOENT when
 * the path is not below a mount (or does not exist). */
int pl_disk_lookup(const char *canon, rid_t *out);
/* A plate for the file attr describes, at path below directory plate parent. */
int pl_disk_adopt(rid_t parent, const char *path, const struct t_fs_attr *attr, rid_t *out);
/* Takes in the attributes the server reported for p (and every plate of the same inode). */
void pl_disk_apply(struct plate *p, const struct t_fs_attr *attr);
/* Fresh attributes from the server; pl_disk_fresh asks only when they may be outdated. */
int pl_disk_refresh(struct plate *p);
int pl_disk_fresh(struct plate *p);
/* The attributes of p, and of every plate of the same inode, may have changed. */
void pl_disk_stale(struct plate *p);
/* The resource rights that Unix permission bits (and type) mode give owner, group, others. */
uint32_t pl_tmode_of(uint32_t mode);
/* Whether p's file system takes changes. */
bool pl_disk_writable(const struct plate *p);
/* Creates a file of mode's type (a regular file, a directory, a FIFO, a socket, or a device
 * node with device number rdev), or a symbolic link to target when target is not NULL, at
 * canon in directory dir. */
int pl_disk_create(struct plate *dir, const char *canon, uint32_t mode, uint32_t rdev,
		   const char *target, const struct cred *owner, rid_t *out);
int pl_disk_remove(struct plate *dir, struct plate *p, int rmdir);
int pl_disk_rename(struct plate *sdir, struct plate *src, struct plate *ddir, const char *to);
int pl_disk_link(struct plate *p, struct plate *dir, const char *canon, rid_t *out);
int pl_disk_setattr(struct plate *p, const struct t_fs_setattr *set);
long pl_disk_readlink(struct plate *p, char *kbuf, size_t size);
long pl_disk_dir_read(struct plate *d, uint64_t *pos, void *buf, size_t cap);
void pl_disk_stat(const struct plate *p, struct linux_stat *st);
/* Before a name of p goes: an open reference at the server if p is open (so its inode lives
 * on until the last close). */
int pl_disk_hold(struct plate *p);
/* The resource layer's delete of a disk plate: its name removed on the disk. */
int pl_disk_destroy(struct plate *p);
void pl_disk_close(struct plate *p);
/* p was used now (eviction takes the plates unused longest). */
void pl_disk_touch(struct plate *p);
/* Frees a batch of disk plates nobody uses (not open, no plates below, not a mount root,
 * not keep), least recently used first; false if there was none. */
bool pl_disk_evict(rid_t keep);
/* Takes a disk plate out of the inode hash and the eviction order (before it is freed). */
void pl_disk_unindex(struct plate *p);
/* Sets up the inode hash (at plate_init); shrinks it as far as its count allows. */
void pl_disk_init(void);
void pl_disk_trim(void);
