/* Internal to the plate module (plate*.c): the table entry and the helpers its files share.
 * Nothing outside kernel/fs/plate*.c includes this; everyone else goes through plate.h. */
#pragma once
#include "kernel/fs/pagelist.h"
#include "kernel/fs/path.h"
#include "kernel/fs/plate.h"

#define PF_IMAGE 0x1u      /* content and entry come from the boot image: read-only */
#define PF_PINNED 0x2u     /* never deleted ("/", "/tmp", /dev nodes) */
#define PF_UNLINKED 0x4u   /* its name is gone; freed when the last open file closes */

struct plate {
	struct res_hdr hdr;
	char path[PATH_BUF];
	uint32_t mode;           /* L_S_IF* | permission bits */
	uint32_t mtime;
	uint32_t flags;
	uint32_t opens;
	uint32_t rdev;           /* device nodes */
	uint64_t size;
	uint64_t version;        /* content version (plate_version): new with every change */
	const uint8_t *image;    /* content of an image plate */
	struct pagelist pages;   /* content of a run-time plate */
	rid_t parent;
	uint16_t name_off;       /* where the last component of path starts */
	uint16_t name_len;       /* and its length (listings need both per entry) */
	uint16_t hbucket;        /* 1 + its path-hash bucket while its path is hashed, else 0 */
	uint16_t hnext;          /* 1 + the next slot in that bucket, 0 = end */
};

extern struct plate plate_slots[PLATE_MAX];

/* The entry of a live plate, or NULL. */
struct plate *plate_obj(rid_t rid);
int pl_is_dir(const struct plate *p);
/* 0 for a regular plate, else why its content cannot be used (-EISDIR, -EINVAL, -ESTALE). */
int pl_check_regular(const struct plate *p);
/* A new plate at a canonical path whose parent (if any) exists. */
int pl_make(const char *path, uint32_t mode, uint32_t tmode, const struct cred *owner,
	    rid_t parent, struct plate **out);
/* The directory at a canonical path, created with its missing parents (read-only ones). */
int pl_ensure_dir(const char *path, const struct cred *owner, struct plate **out);
/* Every change of a plate's path goes through here (creation, rename, losing its name: ""),
 * so that lookups by path and the listing cache (plate_dir.c) stay exact. */
void pl_set_path(struct plate *p, const char *path);
/* Bumped by every pl_set_path: a listing computed at another value may be outdated. */
extern uint32_t pl_names_gen;

/* Gives p's content a new version: at creation and at every write or truncation. */
void pl_new_version(struct plate *p);
/* The wall-clock time in seconds, for modification times. */
uint32_t pl_now(void);
/* Frees p if it has lost its name (PF_UNLINKED) and is no longer open. */
void pl_release_unlinked(struct plate *p);
