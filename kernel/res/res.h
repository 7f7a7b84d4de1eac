/*
 * The resource layer (Tender): every object the kernel manages is a resource with an id
 * (type | generation | index), a name, an owner, a group and an operation mode. Each resource
 * type keeps its own table in its own module; this module gives all of them one uniform
 * interface (look up, info, list, changeoid, changemod, delete) and the access checks.
 *
 * A type module declares an array of its own entries whose first member is a struct res_hdr,
 * and registers it with res_register(). Entries of different types refer to each other only
 * through rid_t, never through pointers.
 */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "abi/tessera.h"

/* Who is asking: the credentials of the calling process. uid 0 passes every check. gid and
 * the supplementary groups (setgroups(2)) are the groups it is in: a resource or file of any
 * of them is checked with its group's rights, as Linux's in_group_p does. */
#define CRED_NGROUPS 32
struct cred {
	uint32_t uid;
	uint32_t gid;
	uint32_t ngroups;
	uint32_t groups[CRED_NGROUPS];
};

/* Whether gid is cred's group or one of its supplementary groups. */
bool cred_in_group(const struct cred *cred, uint32_t gid);

struct res_hdr {
	rid_t rid;        /* 0 while the slot is free */
	uint32_t gen;     /* generation of the slot; survives free */
	uint32_t owner;
	uint32_t group;
	uint32_t mode;
	char name[T_NAME_MAX];
};

struct res_ops {
	/* Fill info->refs/nrefs/v[] (the header fields are filled by the resource layer). */
	void (*describe)(rid_t rid, struct t_res_info *info);
	/* Delete on a user's request. NULL: this type cannot be deleted directly. May refuse
	 * with -EBUSY while the resource is in use. */
	int (*destroy)(rid_t rid);
	/* Call fn for every resource that composes this one (changeoid with flag != 0). */
	void (*constituents)(rid_t rid, void (*fn)(rid_t part, void *arg), void *arg);
};

/* One chunk of a growing table: its entries are mapped while it holds a live one. */
struct res_chunk {
	uint32_t live;             /* live entries */
	uint32_t gen_floor;        /* highest generation any of its slots ever had */
	bool mapped;               /* live > 0, or the table's spare */
};

/*
 * A table is either fixed (base: an array of capacity entries, all present) or growing
 * (base NULL): then capacity is only the most it may hold, and its entries live in chunks of
 * chunk_entries, each mapped (res_mem_map) when its first entry is allocated and given back
 * when its last one is freed, except for one spare: the chunk emptied last stays mapped, so
 * that a count of processes going up and down across a chunk boundary does not map and unmap
 * it every time (res_trim gives spares back). Lookup by index stays O(1): the chunk's address
 * follows from its number, and a small directory says whether it is there. Allocation takes
 * the lowest free slot, so live entries stay packed into few chunks and emptied chunks go back.
 */
struct res_table {
	const char *name;          /* set by res_register from abi/restypes.def */
	void *base;                /* the type's array of entries; NULL: a growing table */
	size_t stride;             /* sizeof one entry */
	uint32_t capacity;
	const struct res_ops *ops;
	uint32_t chunk_min;        /* growing tables: entries a chunk holds at least (0: 8) */
	uint32_t live;             /* maintained by the resource layer */
	uint32_t next_hint;        /* where the next free-slot search starts */
	/* growing tables only, set up by res_register */
	uint32_t chunk_entries;    /* entries per chunk */
	size_t chunk_bytes;        /* whole pages */
	uint32_t nchunks;
	uint32_t first_open;       /* no chunk below this one has a free slot */
	char *window;              /* chunk c is mapped at window + c * chunk_bytes */
	struct res_chunk *dir;     /* nchunks entries */
	int32_t spare;             /* an empty chunk kept mapped, -1: none */
};

void res_register(enum t_res_type type, struct res_table *t);

/* Memory for growing tables (kernel/res/res_mem.c in the kernel; the host tests have their
 * own): reserve addresses for a whole table at registration, then map and unmap chunks.
 * res_mem_map maps zero-filled or not, all or nothing: -ENOMEM. */
void *res_mem_reserve(size_t bytes);
int res_mem_map(void *va, size_t bytes);
void res_mem_unmap(void *va, size_t bytes);
const char *res_type_name(uint32_t type);

/* Allocate a slot; the entry beyond the header is zeroed. -ENFILE when the table is full,
 * -EAGAIN for an owner other than root when only the slots kept for root are left. */
int res_alloc(enum t_res_type type, const char *name, const struct cred *owner, uint32_t mode,
	      rid_t *out);
/* Release a slot (the type module has already torn the object down). */
void res_free(rid_t rid);

/* The header of a live resource, or NULL if rid is malformed, stale or freed. */
struct res_hdr *res_hdr(rid_t rid);
/* The entry of a live resource of the given type, or NULL. */
void *res_obj(rid_t rid, enum t_res_type type);
/* 0 if rid names a live resource of that type; -EINVAL if malformed, -ESTALE if gone. */
int res_validate(rid_t rid, enum t_res_type type);

/* 0 if cred may perform operation op (TOP_*) on rid, else -EACCES (or a validate error). */
int res_check(rid_t rid, uint32_t op, const struct cred *cred);

int res_set_name(rid_t rid, const char *name);
/* A resource taken back from the reusable-resource table gets its new owner and mode. */
int res_reset_owner(rid_t rid, const struct cred *owner, uint32_t mode);
int res_lookup(enum t_res_type type, const char *name, rid_t *out);
/* The first live resource of type after 'after' (0: from the start); -ENOENT at the end.
 * type RT_NONE walks every type in order. */
int res_next(uint32_t type, rid_t after, rid_t *out);
int res_info(rid_t rid, struct t_res_info *out);
int res_changeoid(rid_t rid, uint32_t oid, int flag, const struct cred *cred);
int res_changemod(rid_t rid, uint32_t mode, const struct cred *cred);
int res_delete(rid_t rid, const struct cred *cred);
uint32_t res_count(uint32_t type);
/* Give back the spare chunk of every growing table (before the leak checks compare free
 * pages, and when memory is short). */
void res_trim(void);
/* The live entry of type with the lowest index >= *idx, or NULL; *idx becomes its index + 1.
 * Skips unmapped chunks whole, so a walk costs about the live entries, not the capacity. */
void *res_iter(enum t_res_type type, uint32_t *idx);
/* The entry in slot idx of type, which the caller knows to be live (run queues, wait lists
 * that link entries by index). */
void *res_slot(enum t_res_type type, uint32_t idx);

/* Helper for describe(): append a reference if rid != 0. */
void res_add_ref(struct t_res_info *info, const char *role, rid_t rid);
