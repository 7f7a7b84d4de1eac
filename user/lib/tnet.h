/*
 * tnet: calling the network server's TFN_NET_* ids directly (abi/netproto.h), for root
 * tools (/bin/net) and tests (/bin/nettest); programs use socket descriptors instead. Each
 * call returns the server's status (0 or a negative errno: -EAGAIN, -EINPROGRESS, ...).
 */
#pragma once
#include <stddef.h>
#include <stdint.h>
#include "abi/netproto.h"
#include "abi/srv.h"

struct tnet {
	struct t_ica data;              /* bulk data for send/recv */
	struct t_ica ctl;               /* ifconfig / stats */
};

int tnet_open(struct tnet *t, size_t data_bytes);
void tnet_close(struct tnet *t);
int tnet_socket(uint32_t type, int *h);
int tnet_sclose(int h);
int tnet_bind(int h, uint32_t addr, uint16_t port);
int tnet_listen(int h, int backlog);
int tnet_accept(int h, int *nh, uint32_t *addr, uint16_t *port);
int tnet_connect(int h, uint32_t addr, uint16_t port);
/* Sends len bytes at t->data.addr (to addr/port, 0/0: the peer); *sent taken. */
int tnet_send(struct tnet *t, int h, size_t len, uint32_t addr, uint16_t port, size_t *sent);
/* Receives up to len bytes into t->data.addr. */
int tnet_recv(struct tnet *t, int h, size_t len, size_t *got, uint32_t *addr, uint16_t *port);
int tnet_shutdown(int h, int how);
int tnet_getname(int h, int peer, uint32_t *addr, uint16_t *port);
int tnet_setopt(int h, int level, int opt, int val);
int tnet_poll(int h, uint32_t *revents, uint32_t *nread);
int tnet_ifconfig(struct tnet *t, uint32_t op, struct t_net_ifconf *c);
int tnet_stats(struct tnet *t, struct t_net_stats *s);
/* "a.b.c.d" to a host-order address; -EINVAL when it is not one. */
int tnet_parse_ip(const char *s, uint32_t *ip);
