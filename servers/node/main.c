/* The node server's start (see node.h): this node's address on the cluster network
 * (10.0.3.N, from the kernel's node id), the responder and receiver processes, and the loop
 * that serves the kernel's calls to other nodes. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "libtessera.h"
#include "node.h"
#include "srv.h"
#include "tnet.h"

uint32_t node_id, node_count;

int parent_gone(int parent)
{
	return getppid() != parent;
}

int bind_port(int fd, uint16_t port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port) };
	for (int i = 0; i < 50; i++) {
		if (bind(fd, (void *)&a, sizeof(a)) == 0)
			return 0;
		if (errno != EADDRINUSE)
			break;
		usleep(100000);
	}
	return -errno;
}

/* The interface gets 10.0.3.N/24 (the network server may still be starting: tried again). */
static int set_address(void)
{
	struct tnet t;
	struct t_net_ifconf c = { .addr = tnode_addr(node_id), .netmask = 0xffffff00u };
	int err = -EAGAIN;
	for (int i = 0; i < 50 && err; i++) {
		if (i)
			usleep(100000);
		if ((err = tnet_open(&t, 4096)))
			continue;
		err = tnet_ifconfig(&t, TNET_IF_SET, &c);
		tnet_close(&t);
	}
	return err;
}

static void start_child(void (*fn)(int), int parent, const char *what)
{
	int pid = fork();
	if (pid == 0)
		fn(parent);
	if (pid < 0)
		fprintf(stderr, "node: cannot start the %s: %s\n", what, strerror(errno));
}

int main(void)
{
	struct t_node_info in;
	int err = t_node_info(&in);
	if (err || !in.node) {
		fprintf(stderr, "node: this machine is not a node (boot with node=N)\n");
		return 1;
	}
	node_id = in.node;
	node_count = in.nodes;
	if ((err = set_address()))
		fprintf(stderr, "node: cannot set the address 10.0.3.%u: %s\n", node_id,
			strerror(-err));
	int self = getpid();
	start_child(resp_main, self, "responder");
	start_child(recv_main, self, "receiver");
	printf("node: node %u of %u at 10.0.3.%u (rpc udp %d, migration tcp %d)\n", node_id,
	       node_count, node_id, NP_PORT, NP_MIG_PORT);
	fflush(stdout);
	return srv_loop(kreq_handle, NULL);
}
