/*
 * The ext2 on-disk format (revision 0 and 1) as far as this server uses it: superblock, group
 * descriptor, inode and directory entry layouts, feature bits and fixed inode numbers. All
 * fields are little-endian and naturally aligned; Tessera runs only on x86-64, so the
 * structures are read in place (the asserts pin the layout).
 * Facts from the ext2 documentation (Poirier, "The Second Extended File System") and e2fsprogs.
 */
#pragma once
#include <stdint.h>

#define EXT2_MAGIC 0xEF53u
#define EXT2_SB_OFFSET 1024u           /* byte offset of the primary superblock */
#define EXT2_SB_SIZE 1024u
#define EXT2_NDIR 12                   /* direct pointers in i_block */
#define EXT2_IND 12
#define EXT2_DIND 13
#define EXT2_TIND 14
#define EXT2_NBLOCKS 15
#define EXT2_GOOD_OLD_INODE_SIZE 128u
#define EXT2_GOOD_OLD_FIRST_INO 11u
#define EXT2_ROOT_INO_NR 2u
#define EXT2_NAME_MAX 255u
#define EXT2_LINK_MAX 32000u
#define EXT2_FAST_LINK_MAX 60u         /* bytes of i_block; a target shorter than this fits */

/* s_state */
#define EXT2_VALID_FS 1u
#define EXT2_ERROR_FS 2u

/* features */
#define EXT2_COMPAT_EXT_ATTR 0x0008u
#define EXT2_COMPAT_RESIZE_INODE 0x0010u
#define EXT2_COMPAT_DIR_INDEX 0x0020u
#define EXT2_INCOMPAT_FILETYPE 0x0002u
#define EXT2_INCOMPAT_SUPPORTED EXT2_INCOMPAT_FILETYPE
#define EXT2_RO_COMPAT_SPARSE_SUPER 0x0001u
#define EXT2_RO_COMPAT_LARGE_FILE 0x0002u
#define EXT2_RO_COMPAT_SUPPORTED (EXT2_RO_COMPAT_SPARSE_SUPER | EXT2_RO_COMPAT_LARGE_FILE)

/* i_flags */
#define EXT2_INDEX_FL 0x00001000u

/* directory entry file types (the filetype feature) */
#define EXT2_FT_UNKNOWN 0
#define EXT2_FT_REG 1
#define EXT2_FT_DIR 2
#define EXT2_FT_CHR 3
#define EXT2_FT_BLK 4
#define EXT2_FT_FIFO 5
#define EXT2_FT_SOCK 6
#define EXT2_FT_LNK 7

/* i_mode type bits (the same as POSIX S_IF*) */
#define EXT2_S_IFMT 0170000u
#define EXT2_S_IFSOCK 0140000u
#define EXT2_S_IFLNK 0120000u
#define EXT2_S_IFREG 0100000u
#define EXT2_S_IFBLK 0060000u
#define EXT2_S_IFDIR 0040000u
#define EXT2_S_IFCHR 0020000u
#define EXT2_S_IFIFO 0010000u

#define EXT2_XATTR_MAGIC 0xEA020000u

struct ext2_super {
	uint32_t s_inodes_count;
	uint32_t s_blocks_count;
	uint32_t s_r_blocks_count;
	uint32_t s_free_blocks_count;
	uint32_t s_free_inodes_count;
	uint32_t s_first_data_block;
	uint32_t s_log_block_size;
	uint32_t s_log_frag_size;
	uint32_t s_blocks_per_group;
	uint32_t s_frags_per_group;
	uint32_t s_inodes_per_group;
	uint32_t s_mtime;
	uint32_t s_wtime;
	uint16_t s_mnt_count;
	int16_t s_max_mnt_count;
	uint16_t s_magic;
	uint16_t s_state;
	uint16_t s_errors;
	uint16_t s_minor_rev_level;
	uint32_t s_lastcheck;
	uint32_t s_checkinterval;
	uint32_t s_creator_os;
	uint32_t s_rev_level;
	uint16_t s_def_resuid;
	uint16_t s_def_resgid;
	/* revision 1 */
	uint32_t s_first_ino;
	uint16_t s_inode_size;
	uint16_t s_block_group_nr;
	uint32_t s_feature_compat;
	uint32_t s_feature_incompat;
	uint32_t s_feature_ro_compat;
	uint8_t s_uuid[16];
	char s_volume_name[16];
	char s_last_mounted[64];
	uint32_t s_algorithm_usage_bitmap;
	uint8_t s_prealloc_blocks;
	uint8_t s_prealloc_dir_blocks;
	uint16_t s_reserved_gdt_blocks;
	uint8_t s_rest[816];           /* journal, hash seed, ...: kept as read */
};
_Static_assert(sizeof(struct ext2_super) == EXT2_SB_SIZE, "superblock is 1024 bytes");
_Static_assert(__builtin_offsetof(struct ext2_super, s_reserved_gdt_blocks) == 0xCE, "layout");

struct ext2_gd {
	uint32_t bg_block_bitmap;
	uint32_t bg_inode_bitmap;
	uint32_t bg_inode_table;
	uint16_t bg_free_blocks_count;
	uint16_t bg_free_inodes_count;
	uint16_t bg_used_dirs_count;
	uint16_t bg_flags;
	uint8_t bg_reserved[12];
};
_Static_assert(sizeof(struct ext2_gd) == 32, "group descriptor is 32 bytes");

/* The first 128 bytes of an inode; a larger inode's extra bytes are left as they are. */
struct ext2_inode {
	uint16_t i_mode;
	uint16_t i_uid;
	uint32_t i_size;
	uint32_t i_atime;
	uint32_t i_ctime;
	uint32_t i_mtime;
	uint32_t i_dtime;
	uint16_t i_gid;
	uint16_t i_links_count;
	uint32_t i_blocks;             /* 512-byte units, metadata blocks included */
	uint32_t i_flags;
	uint32_t i_osd1;
	uint32_t i_block[EXT2_NBLOCKS];
	uint32_t i_generation;
	uint32_t i_file_acl;
	uint32_t i_size_high;          /* i_dir_acl for directories */
	uint32_t i_faddr;
	uint8_t i_frag;
	uint8_t i_fsize;
	uint16_t i_pad1;
	uint16_t i_uid_high;
	uint16_t i_gid_high;
	uint32_t i_reserved2;
};
_Static_assert(sizeof(struct ext2_inode) == 128, "inode core is 128 bytes");
_Static_assert(__builtin_offsetof(struct ext2_inode, i_block) == 40, "layout");
_Static_assert(__builtin_offsetof(struct ext2_inode, i_uid_high) == 120, "layout");

struct ext2_dirent {
	uint32_t inode;
	uint16_t rec_len;
	uint8_t name_len;
	uint8_t file_type;             /* high byte of name_len without the filetype feature */
	char name[];
};
#define EXT2_DIRENT_HDR 8u
#define EXT2_DIRENT_LEN(n) ((EXT2_DIRENT_HDR + (n) + 3u) & ~3u)
