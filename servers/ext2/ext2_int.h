/*
 * Internals shared by the ext2 source files: the mounted file system and the functions one
 * part offers another (allocation, inodes and block maps, directories). Not for the server.
 */
#pragma once
#include "servers/ext2/ext2.h"
#include "servers/ext2/ext2_fmt.h"
#include "servers/ext2/bcache.h"

struct ext2_open_ref {
	uint32_t ino, count;
};

struct ext2_fs {
	struct ext2_blkdev dev;
	struct bcache bc;
	struct ext2_super sb;           /* in memory; written at sync */
	struct ext2_gd *gd;             /* all group descriptors; written at sync */
	uint32_t groups, gdt_blocks;
	uint32_t bs, apb;               /* block size, block numbers per block */
	uint32_t bpg, ipg, isz, itb;    /* per group: blocks, inodes, inode size, inode-table blocks */
	uint32_t first_data, blocks_count, inodes_count, first_ino;
	uint64_t max_size;
	uint16_t mount_state;           /* s_state at mount, restored at unmount */
	bool ro, filetype, dirty_meta;
	uint32_t (*now)(void *ctx);
	void *now_ctx;
	void (*log)(const char *msg);
	struct ext2_mem mem;            /* a copy: the state holds no pointer to the program's data */
	uint32_t hint_ino, hint_blk;    /* where the last block allocation for a file ended */
	uint32_t generation;            /* the last i_generation given (seeded from the clock) */
	uint32_t ra_ino;                /* the last file read, and the block after that read: */
	uint64_t ra_next;               /* a read starting there is sequential (read-ahead) */
	struct ext2_open_ref *open;
	uint32_t nopen, open_cap;
};

/* super.c */
int fs_corrupt(struct ext2_fs *fs, const char *what);
void fs_log(struct ext2_fs *fs, const char *what);
uint32_t fs_now(struct ext2_fs *fs);
bool fs_block_ok(const struct ext2_fs *fs, uint32_t blk);
uint32_t fs_group_blocks(const struct ext2_fs *fs, uint32_t g);
uint64_t fs_group_start(const struct ext2_fs *fs, uint32_t g);
bool fs_group_has_super(const struct ext2_fs *fs, uint32_t g);

/* alloc.c */
int alloc_block(struct ext2_fs *fs, uint32_t goal, uint32_t *out);
int free_block(struct ext2_fs *fs, uint32_t blk);
int alloc_inode(struct ext2_fs *fs, uint32_t parent, bool dir, uint32_t *out);
int free_inode(struct ext2_fs *fs, uint32_t ino, bool dir);

/* inode.c */
int ino_read(struct ext2_fs *fs, uint32_t ino, struct ext2_inode *out);
int ino_write(struct ext2_fs *fs, uint32_t ino, const struct ext2_inode *in);
int ino_init(struct ext2_fs *fs, uint32_t ino, const struct ext2_inode *in);
uint64_t ino_size(const struct ext2_inode *ip);
void ino_set_size(struct ext2_fs *fs, struct ext2_inode *ip, uint64_t size);
bool ino_has_blocks(const struct ext2_fs *fs, const struct ext2_inode *ip);
/* A device inode's number (Linux's 32-bit encoding) set into i_block, and read from it. */
void ino_set_rdev(struct ext2_inode *ip, uint32_t rdev);
uint32_t ino_rdev(const struct ext2_inode *ip);
uint32_t ino_uid(const struct ext2_inode *ip);
uint32_t ino_gid(const struct ext2_inode *ip);
void ino_set_owner(struct ext2_inode *ip, uint32_t uid, uint32_t gid);

/* bmap.c: logical block lblk of the file to a physical block (0 = a hole). With alloc, a hole
 * is filled (indirect blocks too, zeroed); *fresh then says the data block is new. */
int bmap(struct ext2_fs *fs, uint32_t ino, struct ext2_inode *ip, uint64_t lblk, bool alloc,
	 uint32_t *pblk, bool *fresh);
/* Frees every block of the file from logical block keep on. */
int bmap_truncate(struct ext2_fs *fs, uint32_t ino, struct ext2_inode *ip, uint64_t keep);

/* file.c */
int ino_get_live(struct ext2_fs *fs, uint32_t ino, struct ext2_inode *ip);
int ino_get_entry(struct ext2_fs *fs, uint32_t ino, struct ext2_inode *ip);
int file_truncate(struct ext2_fs *fs, uint32_t ino, struct ext2_inode *ip, uint64_t size);
int file_release(struct ext2_fs *fs, uint32_t ino, struct ext2_inode *ip);
bool fs_is_open(const struct ext2_fs *fs, uint32_t ino);

/* namei.c */
int namei_drop_link(struct ext2_fs *fs, uint32_t ino, struct ext2_inode *ip, bool all);

/* dir.c */
struct dir_loc {
	uint64_t lblk;                  /* directory block */
	uint32_t off, prev;             /* entry's offset; the previous entry's (UINT32_MAX: none) */
};
int dir_check_name(const char *name, size_t len);
int dir_find(struct ext2_fs *fs, const struct ext2_inode *dip, const char *name, size_t len,
	     uint32_t *ino, struct dir_loc *loc);
int dir_add(struct ext2_fs *fs, uint32_t dino, struct ext2_inode *dip, const char *name,
	    size_t len, uint32_t ino, uint32_t mode);
int dir_remove(struct ext2_fs *fs, uint32_t dino, struct ext2_inode *dip,
	       const struct dir_loc *loc);
int dir_retarget(struct ext2_fs *fs, uint32_t dino, struct ext2_inode *dip,
		 const struct dir_loc *loc, uint32_t ino, uint32_t mode);
int dir_is_empty(struct ext2_fs *fs, const struct ext2_inode *dip, bool *empty);
int dir_init_block(struct ext2_fs *fs, uint32_t ino, struct ext2_inode *ip, uint32_t parent);
uint8_t dir_ftype(uint32_t mode);
