/*
 * What the network looks like, for Linux's inspection tools (docs/network.md, "Inspecting
 * the network"): the server's NET_INFO tables (abi/netproto.h) read page by page, the
 * /proc/net files made from them in Linux's formats (netinfo_proc.c), and the interface
 * ioctls SIOCGIF* of every socket (sock_if.c). The server only hands out records; the
 * kernel joins the sockets with its own descriptors (uid, inode) and does the formatting.
 */
#pragma once
#include <stdint.h>
#include "abi/netproto.h"

struct ptext;

/* Calls fn(ctx, record, sess) for each record of NET_INFO table kind (TNET_INFO_*), in the
 * server's order; sess is the session the records belong to (for sock_owner). fn must not
 * sleep. 0, or -ENETDOWN (no server), -EINTR (the caller is killed), or the server's error;
 * the records already given stand. */
typedef void (*netinfo_fn)(void *ctx, const void *rec, uint32_t sess);
int netinfo_each(uint32_t kind, netinfo_fn fn, void *ctx);

#define NETINFO_MAX_IFS 8
/* Every interface (up to NETINFO_MAX_IFS) into ifs: 0 and *n, or an error as above. */
int netinfo_ifs(struct t_net_ifinfo *ifs, uint32_t *n);

/* The /proc/net files. */
enum netinfo_file { NI_DEV, NI_ROUTE, NI_TCP, NI_UDP, NI_UNIX, NI_ARP, NI_TCP6, NI_UDP6 };
/* The content of file f now (only the header when no server answers). */
void netinfo_text(enum netinfo_file f, struct ptext *t);

/* The interface ioctls (SIOCGIF*, SIOCSIF*) of a socket: the result, or -ENOTTY for a
 * request that is none of them. */
long netinfo_ioctl(unsigned long req, uint64_t arg);
