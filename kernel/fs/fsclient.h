/*
 * The kernel as the client of file-system servers (abi/fsproto.h, docs/storage.md): one
 * synchronous call per operation through srv_call_kernel, with kernel-held ICAs from two
 * small pools, control areas (struct t_fs_ctl) and data areas (FSC_DATA bytes) that are
 * reused from call to call. A call whose caller is killed while the server holds its ICAs
 * lets them go (they are freed when the server answers) and the pool makes new ones.
 */
#pragma once
#include <stddef.h>
#include <stdint.h>
#include "abi/fsproto.h"
#include "abi/srv.h"

#define FSC_DATA (256u * 1024u)         /* bytes of a data ICA: the largest single transfer */
#define FSC_SMALL 4096u                 /* bytes of a small data ICA */

struct fsc {
	struct t_msg m;                 /* fn, arg[] in; status, arg[] out */
	struct t_fs_ctl *c;             /* the control area, reachable by the kernel */
	void *data;                     /* the data area when asked for, else NULL */
	int ctl_slot, data_slot;
	int small;                      /* the data area is a one-page one */
};

/* Makes the pools' areas (at the first mount; missing ones are made when needed). */
void fsc_init(void);
/* Takes a control area (and a data area of at least data_bytes, one of FSC_SMALL bytes when
 * that is enough: every page of the area is mapped into the server at each request) and
 * starts a request of fn on the
 * mount with server handle 'handle' (arg[0]); name, when not NULL, goes into c->name. */
int fsc_begin(struct fsc *k, uint32_t fn, uint64_t handle, const char *name, size_t len,
	      size_t data_bytes);
/* Makes the call: the server's status, or -EIO when no server answers (none, queue full,
 * died), -EINTR when the calling process is killed meanwhile. */
int fsc_call(struct fsc *k);
/* Gives the areas back. */
void fsc_end(struct fsc *k);
/* One-shot calls that need no name and no data. */
int fsc_simple(uint32_t fn, uint64_t handle, uint64_t a1, uint64_t a2, struct t_fs_attr *attr);
