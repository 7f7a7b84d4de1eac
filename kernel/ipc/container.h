/*
 * Containers (Tender): one message each, a resource of type RT_CONTAINER while it is queued in
 * a container box. The owner is the sender's user; the box's lifetime, not the sender's,
 * decides how long it lives (a sender may exit right after sending). The queue itself (the
 * order, the box's counters) belongs to cbox.c; this module only keeps each container's
 * content and its link to the next one.
 */
#pragma once
#include <stddef.h>
#include "abi/tessera.h"
#include "kernel/ipc/cdata.h"
#include "kernel/res/res.h"

#define NCONTAINER 1024       /* queued containers in the whole system */

void container_init(void);
/* A new container in box holding *data (which it takes over: *data is emptied). -ENFILE
 * when the system-wide table is full (then *data is left to the caller). */
int container_create(rid_t box, const struct cred *sender, struct cdata *data, rid_t *out);
void container_free(rid_t c);
uint32_t container_size(rid_t c);
rid_t container_next(rid_t c);
void container_set_next(rid_t c, rid_t next);
/* Copies the content to the caller's buffer (see cdata_to_user). */
int container_to_user(rid_t c, void *ubuf);
