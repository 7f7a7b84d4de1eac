/*
 * Linux sockets (docs/network.md, "The socket layer"): an open-file variant whose object is
 * a slot of the socket table, standing for one socket of the network server (its handle).
 * The server never waits; the socket layer does: a call the server answers -EAGAIN sleeps
 * until the readiness cache of its socket changes (netc.c delivers NET_EVENTS records to
 * sock_event), a signal, a kill, SO_RCVTIMEO/SO_SNDTIMEO, or the server's end. Data goes
 * through the session's kernel-held ICAs, copied from and to user memory here.
 */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "abi/linux.h"

struct file;

#define L_AF_UNIX 1
#define L_AF_INET 2
#define L_SOCK_STREAM 1
#define L_SOCK_DGRAM 2
#define L_SOCK_RAW 3
#define L_SOCK_NONBLOCK 04000
#define L_SOCK_CLOEXEC 02000000
#define L_IPPROTO_ICMP 1
#define L_IPPROTO_TCP 6
#define L_IPPROTO_UDP 17
#define L_SOL_SOCKET 1
#define L_SO_TYPE 3
#define L_SO_RCVTIMEO 20
#define L_SO_SNDTIMEO 21
#define L_MSG_PEEK 0x2
#define L_MSG_TRUNC 0x20
#define L_MSG_DONTWAIT 0x40
#define L_MSG_WAITALL 0x100
#define L_MSG_NOSIGNAL 0x4000
#define L_FIONREAD 0x541b
#define L_FIONBIO 0x5421
#define L_S_IFSOCK 0140000

/* An IPv4 address and port in host byte order (the server's form). */
struct sock_addr {
	uint32_t addr;
	uint16_t port;
};

/* ---- kept by netc.c ------------------------------------------------------------------- */
/* Readiness of the server's socket handle changed to revents (a NET_EVENTS record). */
void sock_event(uint32_t sess, int32_t handle, uint32_t revents);
/* The server's session ended: each of its sockets is dead (POLLERR|POLLHUP, -ENETDOWN). */
void sock_net_down(uint32_t sess);

/* ---- the calls (kernel/net/sys_sock.c checks the arguments) ----------------------------- */
bool sock_is(const struct file *f);
/* The socket's inode number, as fstat, /proc/PID/fd and /proc/net show it. */
uint64_t sock_ino(const struct file *f);
/* The uid and inode of the socket descriptor standing for the server's handle in session
 * sess; false when no descriptor does (a connection not yet accepted, one closed but
 * finishing, a root tool's socket). */
bool sock_owner(uint32_t sess, int32_t handle, uint32_t *uid, uint64_t *ino);
/* A socket whose readiness changes arrive as events (poll may sleep until one); false for
 * other files, and for sockets while no NET_EVENTS request is at the server (poll looks
 * again every few milliseconds then). */
bool sock_is_evented(const struct file *f);
/* A socket of domain/type (SOCK_* with no flags)/protocol; flags: O_NONBLOCK. */
int sock_create(int domain, int type, int protocol, int flags, struct file **out);
int sock_bind(struct file *f, const struct sock_addr *a);
int sock_listen(struct file *f, int backlog);
/* The next connection (waits unless non-blocking); flags: O_NONBLOCK of the new file. */
int sock_accept(struct file *f, int flags, struct file **out, struct sock_addr *peer);
int sock_connect(struct file *f, const struct sock_addr *a);
/* iov is a kernel copy of the caller's array (n entries, total bytes checked). */
long sock_send(struct file *f, const struct linux_iovec *iov, int n, int flags,
	       const struct sock_addr *to);
/* *from: the sender; *oflags gets MSG_TRUNC for a datagram cut short. */
long sock_recv(struct file *f, const struct linux_iovec *iov, int n, int flags,
	       struct sock_addr *from, int *oflags);
int sock_shutdown(struct file *f, int how);
int sock_getname(struct file *f, int peer, struct sock_addr *out);
/* An option's value: an int, or a struct linux_timeval for the timeouts (len bytes at
 * kval, checked for size here). */
int sock_setopt(struct file *f, int level, int opt, const void *kval, uint32_t len);
/* Fills kval (room for a timeval) and *len. */
int sock_getopt(struct file *f, int level, int opt, void *kval, uint32_t *len);
