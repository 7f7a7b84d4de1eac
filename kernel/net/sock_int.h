/* The socket table and the helpers shared by the socket layer's files (sock.c: the table,
 * the open-file variant, readiness; sock_io.c: data and connections; sock_opt.c: options,
 * names, shutdown). Not for use outside kernel/net. */
#pragma once
#include <stdbool.h>
#include <stdint.h>
#include "abi/srv.h"
#include "kernel/net/netc.h"
#include "kernel/net/sock.h"

#define NSOCK 512

struct sock {
	bool used;
	bool dead;               /* its server's session ended */
	bool stale;              /* a call since the last readiness news: ask NET_POLL */
	uint8_t type;            /* TNET_STREAM, TNET_DGRAM, TNET_PING */
	bool raw;                /* SOCK_RAW ICMP, as a ping socket: see sock_raw.c */
	uint16_t raw_id;         /* the echo identifier the program last sent (as sent) */
	int32_t handle;          /* the server's */
	uint32_t sess;           /* the session with the server that made it (netc.h) */
	uint32_t evseq;          /* counts readiness news (events, the end) */
	uint32_t revents;        /* the readiness cache: L_POLL* bits */
	uint64_t rcvtimeo_ns, sndtimeo_ns;   /* 0: wait for ever */
	uint32_t uid;            /* who made it (accepted: who accepted it), for /proc/net */
};

/* The socket of f (a socket file). */
struct sock *sock_of(struct file *f);
/* A call on s: *seq gets the readiness count from before it (for sock_wait). */
int sock_call(struct sock *s, struct t_msg *m, struct netc_buf *b, uint32_t *seq);
/* Wait for readiness news on s after seq, until deadline (ns, 0: none): 0 to try again,
 * -EAGAIN at the deadline, -ERESTARTSYS (-EINTR with a deadline) for a signal. */
int sock_wait(struct sock *s, uint32_t seq, uint64_t deadline);
/* Whether a call on f should not wait (O_NONBLOCK or MSG_DONTWAIT). */
bool sock_nonblock(const struct file *f, int flags);
/* The deadline of a timeout from now (0: none). */
uint64_t sock_deadline(uint64_t timeout_ns);
/* SO_RCVTIMEO and SO_SNDTIMEO, which the kernel keeps for every socket family (it does the
 * waiting): whether (level, opt) is one; a user's timeval as nanoseconds (0: none), or
 * -EINVAL; nanoseconds as the timeval getsockopt gives back. */
bool sock_is_timeout(int level, int opt);
int sock_timeout_from(const void *kval, uint32_t len, uint64_t *ns);
void sock_timeout_to(uint64_t ns, void *kval, uint32_t *len);
/* A new socket file for the server's handle (its slot, its open file); on failure the
 * handle is closed. */
int sock_new_file(uint32_t sess, int32_t handle, uint8_t type, int flags, struct file **out);
/* SOCK_RAW ICMP over the server's ping socket (sock_raw.c): note the identifier of what
 * goes out; make a received ICMP message (at kbuf + RAW_IP_HDR, got bytes) into the IPv4
 * packet a raw socket reads, with the program's identifier back in it. */
#define RAW_IP_HDR 20
void sock_raw_sent(struct sock *s, const void *kbuf, size_t len);
size_t sock_raw_received(struct sock *s, void *kbuf, size_t got, uint32_t from);

/* Shared by the system calls of sys_sock.c and sys_unix.c: a value-result address argument
 * checked now (NULL uaddr: not wanted); as much of the size bytes at sa as fit in it, and
 * the full size; a new descriptor for f (flags: SOCK_CLOEXEC; f is put on failure). */
int sys_sock_check_name(uint64_t uaddr, uint64_t ulen);
int sys_sock_put_raw(uint64_t uaddr, uint64_t ulen, const void *sa, size_t size);
long sys_sock_install(struct file *f, int flags);
