/*
 * Unix domain sockets (AF_UNIX, docs/network.md "Unix domain sockets"), kept entirely in the
 * kernel: SOCK_STREAM, SOCK_DGRAM and SOCK_SEQPACKET, made in pairs (socketpair) or bound to
 * a path (a socket node in the file system) or to an abstract name, and connected by name.
 * kernel/net/sys_sock.c fetches and checks the arguments and calls these for a unix socket.
 * No ancillary data (SCM_RIGHTS, SCM_CREDENTIALS): sendmsg with control data is refused.
 */
#pragma once
#include <stdbool.h>
#include <stdint.h>
#include "abi/linux.h"

struct file;
struct ptext;

#define UX_PATH_MAX 108              /* sizeof(sun_path) */
#define L_SOCK_SEQPACKET 5

/* A socket's name: len bytes of sun_path (0: unnamed); an abstract name starts with a 0
 * byte; a path name is followed by a 0 byte (path[len] == 0). */
struct ux_addr {
	uint8_t len;
	char path[UX_PATH_MAX + 1];
};

bool ux_is(const struct file *f);
/* A socket of type (SOCK_* without flags), protocol 0; flags: O_NONBLOCK. */
int ux_create(int type, int protocol, int flags, struct file **out);
/* Two sockets connected to each other (socketpair). */
int ux_pair(int type, int protocol, int flags, struct file **a, struct file **b);
/* a->len 0: an abstract name of the kernel's choosing (autobind). */
int ux_bind(struct file *f, const struct ux_addr *a);
int ux_listen(struct file *f, int backlog);
/* The next connection (waits unless non-blocking); flags: O_NONBLOCK of the new file. */
int ux_accept(struct file *f, int flags, struct file **out, struct ux_addr *peer);
int ux_connect(struct file *f, const struct ux_addr *a);
/* iov: a kernel copy of the caller's array (n entries, total bytes checked); to: NULL for
 * the connected peer. */
long ux_send(struct file *f, const struct linux_iovec *iov, int n, int flags,
	     const struct ux_addr *to);
/* *from: the sender's name (datagrams) or the peer's; *oflags gets MSG_TRUNC for a record
 * cut short. */
long ux_recv(struct file *f, const struct linux_iovec *iov, int n, int flags,
	     struct ux_addr *from, int *oflags);
int ux_shutdown(struct file *f, int how);
int ux_getname(struct file *f, int peer, struct ux_addr *out);
/* Options as sock.h's: an int or a struct linux_timeval (len bytes at kval). */
int ux_setopt(struct file *f, int level, int opt, const void *kval, uint32_t len);
int ux_getopt(struct file *f, int level, int opt, void *kval, uint32_t *len);
/* /proc/net/unix: the header and one line per socket, as Linux's. */
void ux_proc_net(struct ptext *t);

/* ---- the arguments' side (kernel/net/sys_unix.c, for sys_sock.c) ------------------------- */
/* A struct sockaddr_un of len bytes at uaddr: -EINVAL for a bad length or family; a bare
 * family gives an empty name (out->len 0), and so does AF_UNSPEC where unspec is allowed
 * (connect: a datagram socket's disconnection). */
int uxs_get_addr(uint64_t uaddr, uint64_t len, bool unspec, struct ux_addr *out);
/* A value-result sockaddr_un (checked with sys_sock_check_name) for a; an empty name is
 * the family alone (sized 2) for getsockname (bare), else nothing (sized 0), as Linux. */
int uxs_put_name(uint64_t uaddr, uint64_t ulen, const struct ux_addr *a, bool bare);
