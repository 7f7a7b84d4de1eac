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

/* Who is asking: the credentials of the calling process. uid 0 passes every check. */
struct cred {
	uint32_t uid;
	uint32_t gid;
};

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

struct res_table {
	const char *name;          /* type name shown to users: "process", "vspace", ... */
	void *base;                /* the type's array of entries */
	size_t stride;             /* sizeof one entry */
	uint32_t capacity;
	const struct res_ops *ops;
	uint32_t live;             /* maintained by the resource layer */
	uint32_t next_hint;        /* where the next free-slot search starts */
};

void res_register(enum t_res_type type, struct res_table *t);
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

/* Helper for describe(): append a reference if rid != 0. */
void res_add_ref(struct t_res_info *info, const char *role, rid_t rid);
