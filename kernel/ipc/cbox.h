/*
 * Container boxes (Tender's HVS IPC): named mailboxes, resources of type RT_CBOX with an
 * owner, a group and an operation mode. A box holds a bounded FIFO queue of containers
 * (CBOX_QLEN containers and CBOX_QBYTES bytes at most); senders wait while it is full,
 * receivers while it is empty. A box lives until someone with TOP_DELETE deletes it; that
 * frees every queued container and wakes every waiter with -EIDRM. docs/ipc.md has the rules.
 */
#pragma once
#include <stddef.h>
#include <stdint.h>
#include "abi/tessera.h"
#include "kernel/res/res.h"

#define NCBOX 32

/* Registers the box and container tables. */
void ipc_init(void);

/* A new empty box; -EEXIST if a box has that name, -EINVAL for an empty name or bad mode
 * (mode 0: TMODE_DEFAULT). */
int cbox_create(const char *name, uint32_t mode, const struct cred *cred, rid_t *out);
/* Queues size bytes from the caller's ubuf. Needs TOP_USE. Errors: -EINVAL (not a box, bad
 * flags), -ESTALE (box gone), -EACCES, -EMSGSIZE (size > CONTAINER_MAX), -EFAULT, -ENOMEM,
 * -EAGAIN (full and TCB_NONBLOCK), -EIDRM (deleted while waiting), -EINTR (killed). */
int cbox_send(rid_t box, const void *ubuf, size_t size, uint32_t flags, const struct cred *cred);
/* Takes the oldest container into ubuf (cap bytes) and returns its size, also stored in
 * *ulen if ulen != NULL. A container bigger than cap stays queued: -EMSGSIZE, its size in
 * *ulen. On -EFAULT the container stays queued too. Other errors as cbox_send. */
long cbox_recv(rid_t box, void *ubuf, size_t cap, uint32_t flags, uint64_t *ulen,
	       const struct cred *cred);
/* Removes container c from box (deleting a queued container) and frees it. */
void cbox_withdraw(rid_t box, rid_t c);
