/*
 * Netlink route sockets (AF_NETLINK, NETLINK_ROUTE): enough for `ip addr`, `ip link` and
 * `ip route` (docs/network.md, "Inspecting the network"): the dumps RTM_GETLINK,
 * RTM_GETADDR and RTM_GETROUTE, answered by the kernel from the network server's interface
 * records. kernel/net/sys_sock.c fetches and checks the arguments and calls these for a
 * netlink socket.
 */
#pragma once
#include <stdbool.h>
#include <stdint.h>
#include "abi/linux.h"

struct file;

#define L_AF_NETLINK 16

bool nl_is(const struct file *f);
/* A socket of type SOCK_RAW or SOCK_DGRAM, protocol NETLINK_ROUTE (0); flags: O_NONBLOCK. */
int nl_create(int type, int protocol, int flags, struct file **out);
/* Binds to port id portid (0: keep the one given at creation): -EADDRINUSE. */
int nl_bind(struct file *f, uint32_t portid);
uint32_t nl_portid(struct file *f);
/* One request (whole messages in the iovecs, kernel copies, checked): its length. */
long nl_send(struct file *f, const struct linux_iovec *iov, int n);
/* The queued answers (flags: MSG_PEEK, MSG_TRUNC, MSG_DONTWAIT). */
long nl_recv(struct file *f, const struct linux_iovec *iov, int n, int flags, int *oflags);
